"""What `policy check` names: the rule in a path, and a value no CRM list allows."""

from __future__ import annotations

import pytest

from config.check import crm_value_findings, named_path, policy_names
from config.policy import read_policy_file
from tests.conftest import ACME_POLICY


def test_paths_name_the_rule() -> None:
    spec = read_policy_file(ACME_POLICY)
    assert named_path(spec, "rules[8].when") == "rules[8] (tier1-enterprise).when"
    assert named_path(spec, "steps.sdr[1].assign.pool") == "steps.sdr[1] (sdr).assign.pool"
    assert named_path(spec, "rules[99].when") == "rules[99].when"
    assert named_path(spec, "pools[0].members[1]") == "pools[0].members[1]"


# a scoring signal reads the account's Industry, else the lead's: (Account list, Lead list,
# whether 'Healthcare' is a finding) — a value either list allows can match
INDUSTRY_LISTS = [
    (frozenset({"Healthcare"}), frozenset({"Health"}), False),
    (frozenset({"Health"}), frozenset({"Healthcare"}), False),
    (frozenset({"Health"}), None, False),  # the CRM does not say what a lead's Industry holds
    (frozenset({"Health"}), frozenset({"Health"}), True),
    (frozenset({"HEALTHCARE"}), frozenset(), False),  # equals ignores case, so does the check
]


@pytest.mark.parametrize(("account", "lead", "found"), INDUSTRY_LISTS)
def test_a_value_is_a_finding_only_when_no_field_read_there_allows_it(
    account: frozenset[str], lead: frozenset[str] | None, found: bool
) -> None:
    lists = {("Account", "Industry"): account, ("Lead", "Industry"): lead}

    def values_of(object: str, field: str) -> frozenset[str] | None:
        return lists.get((object, field))

    spec = read_policy_file(ACME_POLICY)
    findings = crm_value_findings(policy_names(spec), values_of, source="picklist")
    paths = [f.path for f in findings]
    assert ("scoring.signals[2].values[0].in[2]" in paths) is found, findings
