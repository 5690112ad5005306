from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from routing.model import Account, FieldValue, Lead
from routing.policy.scoring import (
    Band,
    Choice,
    ScoringModel,
    Signal,
    Tier,
    score_lead,
)

FIRMOGRAPHICS = ("account", "lead")

EMPLOYEES = Signal(
    "employees",
    "NumberOfEmployees",
    FIRMOGRAPHICS,
    "bands",
    bands=(Band(1000, 35), Band(200, 25), Band(50, 15), Band(1, 5)),
    zero_is_unknown=True,
)
REVENUE = Signal(
    "revenue",
    "AnnualRevenue",
    FIRMOGRAPHICS,
    "bands",
    bands=(Band(100_000_000, 20), Band(10_000_000, 10)),
)
INDUSTRY = Signal(
    "industry",
    "Industry",
    FIRMOGRAPHICS,
    "values",
    choices=(Choice(frozenset({"Software", "Financial Services", "Healthcare", "Retail"}), 20),),
    otherwise=5,
)
TECH_STACK = Signal(
    "tech_stack",
    "Tech_Stack__c",
    ("lead",),
    "contains",
    choices=(
        Choice(frozenset({"Snowflake", "Databricks"}), 15),
        Choice(frozenset({"Salesforce"}), 5),
    ),
)
LEAD_SOURCE = Signal(
    "lead_source",
    "LeadSource",
    ("lead",),
    "values",
    choices=(Choice(frozenset({"Demo Request"}), 10), Choice(frozenset({"Pricing Page"}), 5)),
)
ACME = ScoringModel(
    signals=(EMPLOYEES, REVENUE, INDUSTRY, TECH_STACK, LEAD_SOURCE),
    tiers=(Tier("Tier 1", 80), Tier("Tier 2", 60), Tier("Tier 3", 40), Tier("Nurture", 0)),
)


def lead(**fields: FieldValue) -> Lead:
    return Lead("00Q1", fields=fields)


def account(**fields: FieldValue) -> Account:
    return Account("0011", "Acme", fields=fields)


def points(signal: Signal, lead_fields: Lead, an_account: Account | None = None) -> int:
    model = ScoringModel(signals=(signal,), tiers=())
    return score_lead(model, lead_fields, an_account).total


# --- the Acme playbook, computed by hand ----------------------------------------------------


def test_acme_lead_matched_to_ibm() -> None:
    # account: 280000 employees (35), 62B revenue (20), Technology (5); lead: Web, no stack
    ibm = account(NumberOfEmployees=280000, AnnualRevenue=62e9, Industry="Technology")
    result = score_lead(ACME, lead(LeadSource="Web", NumberOfEmployees=12), ibm)

    assert result.total == 60
    assert result.tier == "Tier 2"
    assert [s.points for s in result.breakdown] == [35, 20, 5, 0, 0]
    assert result.breakdown[0].why == "NumberOfEmployees 280000 from account ≥ 1000: 35"
    assert result.breakdown[0].source == "account"


def test_acme_unmatched_lead_uses_its_own_firmographics() -> None:
    result = score_lead(
        ACME,
        lead(
            NumberOfEmployees=250,
            AnnualRevenue=45_000_000,
            Industry="Healthcare",
            Tech_Stack__c="Salesforce;Snowflake",
            LeadSource="Demo Request",
        ),
        None,
    )

    assert [s.points for s in result.breakdown] == [25, 10, 20, 15, 10]
    assert result.total == 80
    assert result.tier == "Tier 1"
    assert result.value_of("Industry") == "Healthcare"
    assert result.value_of("NumberOfEmployees") == 250


def test_acme_nothing_known_is_nurture() -> None:
    result = score_lead(ACME, lead(), None)

    assert result.total == 0
    assert result.tier == "Nurture"
    assert all(s.value is None and s.source is None for s in result.breakdown)


# --- bands -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("employees", "expected"),
    [(280000, 35), (1000, 35), (999, 25), (200, 25), (199, 15), (50, 15), (49, 5), (1, 5)],
)
def test_employee_bands_at_their_edges(employees: int, expected: int) -> None:
    assert points(EMPLOYEES, lead(NumberOfEmployees=employees)) == expected


def test_bands_do_not_depend_on_the_order_they_are_written_in() -> None:
    ascending = Signal("e", "NumberOfEmployees", bands=(Band(1, 5), Band(50, 15), Band(1000, 35)))

    assert points(ascending, lead(NumberOfEmployees=5000)) == 35
    assert points(ascending, lead(NumberOfEmployees=60)) == 15


@pytest.mark.parametrize("employees", [None, 0, "", "  "])
def test_blank_or_zero_employees_are_unknown(employees: FieldValue) -> None:
    signal = Signal(
        "e",
        "NumberOfEmployees",
        bands=(Band(1, 5),),
        unknown=-1,
        otherwise=-2,
        zero_is_unknown=True,
    )
    result = score_lead(ScoringModel((signal,), ()), lead(NumberOfEmployees=employees), None)

    assert result.total == -1
    assert result.value_of("NumberOfEmployees") is None


def test_zero_is_a_value_unless_it_is_declared_unknown() -> None:
    signal = Signal("r", "AnnualRevenue", bands=(Band(10, 10),), otherwise=3, unknown=7)

    assert points(signal, lead(AnnualRevenue=0)) == 3
    assert points(signal, lead()) == 7


def test_revenue_below_every_band_gets_otherwise() -> None:
    result = score_lead(ScoringModel((REVENUE,), ()), lead(AnnualRevenue=5_000_000.0), None)

    assert result.total == 0
    assert result.breakdown[0].value == 5_000_000
    assert "below every band" in result.breakdown[0].why


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,200", 35), (" 250 ", 25), ("75.0", 15), ("1.5k", 35), ("$2.5M", 35)],
)
def test_numbers_typed_as_text_are_read(text: str, expected: int) -> None:
    assert points(EMPLOYEES, lead(NumberOfEmployees=text)) == expected


@pytest.mark.parametrize(
    "garbage",
    ["abc", "12 people", "n/a", True, datetime(2026, 1, 1, tzinfo=UTC), float("nan"), "inf"],
)
def test_garbage_numbers_are_unknown_and_say_so(garbage: FieldValue) -> None:
    signal = Signal("e", "NumberOfEmployees", bands=(Band(1, 5),), otherwise=2, unknown=9)
    result = score_lead(ScoringModel((signal,), ()), lead(NumberOfEmployees=garbage), None)

    assert result.total == 9
    assert result.breakdown[0].value is None
    assert "not a number" in result.breakdown[0].why


def test_true_is_not_mistaken_for_one_after_one_was_scored() -> None:
    signal = Signal("e", "NumberOfEmployees", bands=(Band(1, 5),), unknown=9)

    assert points(signal, lead(NumberOfEmployees=1)) == 5
    assert points(signal, lead(NumberOfEmployees=True)) == 9


# --- sources ---------------------------------------------------------------------------------


def test_account_value_wins_over_lead_value() -> None:
    result = score_lead(
        ACME, lead(NumberOfEmployees=10, Industry="Retail"), account(NumberOfEmployees=5000)
    )

    assert result.breakdown[0].points == 35
    assert result.breakdown[0].source == "account"
    assert result.breakdown[2].source == "lead"  # the account has no industry: the lead's
    assert result.value_of("Industry") == "Retail"


@pytest.mark.parametrize("blank", [None, "", 0, "abc"])
def test_unusable_account_value_falls_through_to_the_lead(blank: FieldValue) -> None:
    result = score_lead(ACME, lead(NumberOfEmployees=300), account(NumberOfEmployees=blank))

    assert result.breakdown[0].points == 25
    assert result.breakdown[0].source == "lead"


def test_lead_only_signals_ignore_the_account() -> None:
    result = score_lead(ACME, lead(), account(LeadSource="Demo Request", Tech_Stack__c="Snowflake"))

    assert result.total == 0


def test_unreadable_value_anywhere_is_reported_when_nothing_else_is_usable() -> None:
    result = score_lead(ACME, lead(), account(NumberOfEmployees="lots"))

    assert result.breakdown[0].points == 0
    assert result.breakdown[0].source == "account"
    assert "'lots' is not a number" in result.breakdown[0].why


# --- values and contains ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("industry", "expected"),
    [("Software", 20), ("software", 20), ("  FINANCIAL   services ", 20), ("Technology", 5)],
)
def test_industry_values_are_case_insensitive(industry: str, expected: int) -> None:
    assert points(INDUSTRY, lead(Industry=industry)) == expected


def test_unknown_industry_scores_unknown_not_otherwise() -> None:
    assert points(INDUSTRY, lead(Industry="")) == 0
    assert points(INDUSTRY, lead(Industry=None)) == 0


@pytest.mark.parametrize(
    ("stack", "expected"),
    [
        ("Snowflake", 15),
        ("salesforce;databricks", 15),  # the first choice wins whatever the order listed
        ("Salesforce; HubSpot", 5),
        ("HubSpot;Looker", 0),
        ("Snowflakes", 0),  # a list item, not a substring
        (" ; ", 0),
    ],
)
def test_tech_stack_contains(stack: str, expected: int) -> None:
    assert points(TECH_STACK, lead(Tech_Stack__c=stack)) == expected


def test_contains_with_another_separator() -> None:
    signal = Signal(
        "s", "Stack", kind="contains", choices=(Choice(frozenset({"dbt"}), 4),), separator=","
    )

    assert points(signal, lead(Stack="Looker, DBT")) == 4
    assert points(signal, lead(Stack="Looker;DBT")) == 0


def test_contains_says_which_value_it_found() -> None:
    result = score_lead(ACME, lead(Tech_Stack__c="Salesforce;Databricks"), None)

    assert (
        result.breakdown[3].why
        == "Tech_Stack__c 'Salesforce;Databricks' from lead lists databricks: 15"
    )


@pytest.mark.parametrize(
    ("source", "expected"), [("Demo Request", 10), ("Pricing Page", 5), ("Web", 0)]
)
def test_lead_source(source: str, expected: int) -> None:
    assert points(LEAD_SOURCE, lead(LeadSource=source)) == expected


def test_choices_are_stored_casefolded() -> None:
    assert Choice(frozenset({"Demo Request"}), 10).values == frozenset({"demo request"})


def test_a_non_text_value_is_compared_as_text() -> None:
    signal = Signal("p", "IsPartner__c", kind="values", choices=(Choice(frozenset({"true"}), 7),))

    assert points(signal, lead(IsPartner__c=True)) == 7
    assert points(signal, lead(IsPartner__c=False)) == 0


# --- totals and tiers ------------------------------------------------------------------------


def test_total_is_capped() -> None:
    big = Signal("e", "NumberOfEmployees", bands=(Band(1, 70),))
    model = ScoringModel((big, INDUSTRY), (Tier("Top", 100),), cap=80)

    result = score_lead(model, lead(NumberOfEmployees=5, Industry="Software"), None)

    assert result.total == 80
    assert sum(s.points for s in result.breakdown) == 90


@pytest.mark.parametrize(
    ("employees", "industry", "source", "expected_total", "expected_tier"),
    [
        (1000, "Software", "Demo Request", 65, "Tier 2"),
        (1000, "Software", None, 55, "Tier 3"),
        (50, "Software", None, 35, "Nurture"),
        (1000, "Software", "Pricing Page", 60, "Tier 2"),
    ],
)
def test_tiers_by_total(
    employees: int, industry: str, source: str | None, expected_total: int, expected_tier: str
) -> None:
    result = score_lead(
        ACME, lead(NumberOfEmployees=employees, Industry=industry, LeadSource=source), None
    )

    assert (result.total, result.tier) == (expected_total, expected_tier)


def test_tiers_do_not_depend_on_their_order_and_may_not_cover_everything() -> None:
    model = ScoringModel((EMPLOYEES,), (Tier("Low", 10), Tier("High", 30)))

    assert score_lead(model, lead(NumberOfEmployees=5000), None).tier == "High"
    assert score_lead(model, lead(NumberOfEmployees=60), None).tier == "Low"
    assert score_lead(model, lead(NumberOfEmployees=1), None).tier is None


def test_value_of_a_field_the_model_does_not_score_is_none() -> None:
    assert score_lead(ACME, lead(Industry="Retail"), None).value_of("Rating") is None


# --- a model that cannot work is refused when it is built ------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: Signal("x", "F", kind="ranges", bands=(Band(1, 1),)),
        lambda: Signal("x", "F", kind="bands"),
        lambda: Signal("x", "F", kind="values"),
        lambda: Signal("x", "F", sources=("contact",), bands=(Band(1, 1),)),
        lambda: Signal(
            "x", "F", kind="contains", choices=(Choice(frozenset({"a"}), 1),), separator=""
        ),
    ],
)
def test_invalid_signal_is_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match="signal 'x'"):
        build()
