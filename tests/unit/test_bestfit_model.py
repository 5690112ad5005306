"""The skill model: planted skill is recovered, noise is not mistaken for skill, few deals are
not evidence, recent deals weigh more; segments read the same from deals and from leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.bestfit import (
    ClosedDeal,
    SkillModel,
    SkillSettings,
    closed_deals,
    lead_segment,
    parse_segment_field,
    train,
)
from routing.bestfit.synthetic import synthetic_history
from routing.model import Account, Lead, Opportunity

INDUSTRY = (parse_segment_field("Account.Industry"),)
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


def trained(
    skill: float, n: int = 30_000, seed: int = 1
) -> tuple[SkillModel, dict[tuple[str, str], float]]:
    history = synthetic_history(n, skill=skill, seed=seed)
    deals = closed_deals(history.opportunities, history.accounts, INDUSTRY)
    return train(deals, SkillSettings(INDUSTRY), AS_OF), dict(history.truth)


def test_planted_rep_by_segment_skill_is_recovered_within_tolerance() -> None:
    model, truth = trained(skill=0.2, n=60_000)
    errors = [abs(model.estimate(rep, seg).p - p) for (rep, seg), p in truth.items()]
    assert max(errors) < 0.06 and sum(errors) / len(errors) < 0.02
    gaps = []  # each specialist's lead over the others in their segment: planted 0.2
    for (rep, seg), p in truth.items():
        if p > 0.3:
            others = [model.estimate(o, seg).p for o, s in truth if s == seg and o != rep]
            gaps.append(model.estimate(rep, seg).p - max(others))
    assert min(gaps) > 0.1
    assert abs(sum(gaps) / len(gaps) - 0.2) < 0.05


def test_no_rep_effect_means_the_prior_outweighs_the_noise() -> None:
    model, truth = trained(skill=0.0)
    estimates = [model.estimate(rep, seg) for rep, seg in truth]
    assert max(e.p for e in estimates) - min(e.p for e in estimates) < 0.03
    for seg in {s for _, s in truth}:  # within a segment nobody's interval excludes the others
        lows = [model.estimate(r, seg).low for r, s in truth if s == seg]
        highs = [model.estimate(r, seg).high for r, s in truth if s == seg]
        assert max(lows) <= min(highs), seg


def deal(
    i: int, owner: str, won: bool, days_ago: float = 10, segment: str = "software"
) -> ClosedDeal:
    return ClosedDeal(f"D{owner}{i}", owner, segment, won, 1000.0, AS_OF - timedelta(days=days_ago))


def team_history() -> list[ClosedDeal]:
    deals = []
    for rep in ("A", "B", "C", "D"):
        deals += [deal(i, rep, i % 3 == 0) for i in range(60)]  # everyone wins a third
    return deals


def test_two_lucky_deals_do_not_make_a_specialist() -> None:
    deals = team_history() + [deal(0, "NEW", True), deal(1, "NEW", True)]
    model = train(deals, SkillSettings(INDUSTRY, min_deals=5), AS_OF)
    lucky = model.estimate("NEW", "software")
    assert (lucky.deals, lucky.won, lucky.evidence) == (2, 2, False)
    assert abs(lucky.p - model.segments["software"].p) < 1e-9


def test_recent_deals_weigh_more_than_old_ones() -> None:
    old_losses = [deal(i, "E", False, days_ago=1500) for i in range(40)]
    new_wins = [deal(100 + i, "E", True, days_ago=5) for i in range(20)]
    deals = team_history() + [deal(i, r, i % 2 == 0) for r in "FGH" for i in range(40)]
    recency = train(
        deals + old_losses + new_wins, SkillSettings(INDUSTRY, half_life_days=180), AS_OF
    )
    flat = train(deals + old_losses + new_wins, SkillSettings(INDUSTRY, half_life_days=1e9), AS_OF)
    assert recency.estimate("E", "software").p > flat.estimate("E", "software").p + 0.1


def test_version_is_a_hash_of_deals_and_settings_and_survives_json() -> None:
    deals = team_history()
    a = train(deals, SkillSettings(INDUSTRY), AS_OF)
    assert a.version == train(list(reversed(deals)), SkillSettings(INDUSTRY), AS_OF).version
    assert a.version != train(deals, SkillSettings(INDUSTRY, min_deals=6), AS_OF).version
    assert a.version != train(deals[1:], SkillSettings(INDUSTRY), AS_OF).version
    again = SkillModel.from_json(a.to_json())
    assert again.version == a.version and again.estimate("A", "software") == a.estimate(
        "A", "software"
    )
    assert again.estimate("A", "unseen") == a.estimate("A", "unseen")


def test_a_lead_and_a_deal_of_the_same_account_share_a_segment() -> None:
    fields = (
        parse_segment_field("Account.Industry"),
        parse_segment_field("Account.NumberOfEmployees"),
        parse_segment_field("Account.BillingCountry"),
        parse_segment_field("Opportunity.LeadSource"),
    )
    account = Account(
        "A1",
        "Acme",
        fields={
            "Industry": "Software ",
            "NumberOfEmployees": 250,
            "BillingCountry": "United States",
        },
    )
    opp = Opportunity(
        "O1", "A1", "U1", is_closed=True, close_date=AS_OF, fields={"LeadSource": "Web"}
    )
    [closed] = closed_deals([opp], {"A1": account}, fields)
    lead = Lead(
        "L1",
        fields={
            "LeadSource": "web",
            "Industry": "Retail",
            "Country": "US",
            "NumberOfEmployees": 900,
        },
    )
    assert closed.segment == lead_segment(fields, lead, account) == "software | 200-999 | us | web"
    assert (
        lead_segment(fields, lead, None) == "retail | 200-999 | us | web"
    )  # no account: the lead's own


def test_a_segment_field_written_wrong_says_how_to_write_it() -> None:
    try:
        parse_segment_field("Industry")
    except ValueError as exc:
        assert "Object.Field" in str(exc) and "Account.Industry" in str(exc)
    else:
        raise AssertionError("accepted")


def test_scores_for_routing_are_computed_once_per_segment_and_match_the_estimates() -> None:
    deals = team_history() + [deal(i, "E", True) for i in range(3)]
    model = train(deals, SkillSettings(INDUSTRY), AS_OF)
    for objective in ("win_rate", "expected_value"):
        for rep, segment in (("A", "software"), ("E", "software"), ("NEW", "unseen")):
            scored = model.score(rep, segment, objective)
            estimate = model.estimate(rep, segment)
            assert scored.estimate == estimate
            assert (scored.score, scored.low, scored.high) == estimate.scored(objective)
            assert scored.row == {**estimate.to_json(), "score": round(scored.score, 4)}
            assert model.score(rep, segment, objective) is scored
            assert model.scored_in(segment, objective)[rep] is scored
