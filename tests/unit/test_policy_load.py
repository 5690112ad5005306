"""A policy with mistakes is refused with every problem, its path and its fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from config.errors import PolicyError
from config.policy import compile_policy, load_policy, read_policy_file
from config.schema import PolicyFile
from routing.model import CrmSnapshot, Lead, Queue, Rep

SNAPSHOT = CrmSnapshot(
    users={
        "U1": Rep("U1", "Ann", "ann@x.example"),
        "U2": Rep("U2", "Bob", "bob@x.example", is_active=False),
    },
    queues={"Q1": Queue("Q1", "Inbound")},
    leads=(Lead("L1", fields={"Status": "Open", "Tech_Stack__c": "x"}),),
)


def policy(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "t",
        "routable": {"owners": [{"queue": "Inbound"}]},
        "fallback": {"user": "ann@x.example"},
        "pools": [{"name": "p", "members": ["ann@x.example"]}],
        "rules": [{"name": "all", "assign": {"pool": "p"}}],
    }
    base.update(overrides)
    return base


def problems(data: dict[str, Any], tmp_path: Path) -> list[str]:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(PolicyError) as caught:
        load_policy(path, SNAPSHOT)
    return [p.render(str(path)) for p in caught.value.problems]


def test_a_valid_policy_compiles() -> None:
    compiled = compile_policy(PolicyFile.model_validate(policy()), SNAPSHOT)
    assert compiled.routable_owner_ids == {"Q1"} and compiled.fallback_owner_id == "U1"


def test_unknown_key_names_its_path_and_how_to_fix(tmp_path: Path) -> None:
    found = problems(policy(rules=[{"name": "all", "asign": {"pool": "p"}}]), tmp_path)
    assert any(
        "rules[0] (all).asign: unknown key 'asign'" in p and "check its spelling" in p
        for p in found
    )


def test_unknown_member_names_pool_and_member_index(tmp_path: Path) -> None:
    pools = [
        {"name": "p", "members": ["ann@x.example"]},
        {"name": "q", "members": ["nobody@x.example"]},
    ]
    found = problems(policy(pools=pools), tmp_path)
    assert len(found) == 1
    assert "pools[1].members[0]: no user with email or Id 'nobody@x.example'" in found[0]
    assert str(tmp_path / "policy.yaml") in found[0]


def test_wrong_type_and_unknown_queue_are_all_reported_at_once(tmp_path: Path) -> None:
    found = problems(
        policy(pools=[{"name": "p", "cap": "lots", "members": ["ann@x.example"]}]), tmp_path
    )
    assert any("pools[0].cap" in p for p in found)
    found = problems(
        policy(fallback={"queue": "Nowhere"}, rules=[{"name": "a", "assign": {"pool": "zzz"}}]),
        tmp_path,
    )
    assert any("fallback.queue: no queue named 'Nowhere'" in p and "Inbound" in p for p in found)
    assert any("rules[0] (a).assign.pool: no pool named 'zzz'" in p for p in found)


def test_unknown_fact_and_miscased_field_get_a_hint(tmp_path: Path) -> None:
    rules = [
        {"name": "a", "when": {"fact": "teritory", "is_set": True}, "assign": {"pool": "p"}},
        {
            "name": "b",
            "when": {"fact": "lead.tech_stack__c", "is_set": True},
            "assign": {"pool": "p"},
        },
    ]
    found = problems(policy(rules=rules), tmp_path)
    assert any("rules[0] (a).when.fact: unknown fact 'teritory'" in p for p in found)
    assert any(
        "rules[1] (b).when.fact" in p and "did you mean lead.Tech_Stack__c" in p for p in found
    )


def test_a_test_needs_exactly_one_operator(tmp_path: Path) -> None:
    rules = [
        {"name": "a", "when": {"fact": "tier", "equals": "x", "in": ["y"]}, "assign": {"pool": "p"}}
    ]
    found = problems(policy(rules=rules), tmp_path)
    assert any("rules[0] (a).when" in p and "exactly one operator" in p for p in found)


def test_steps_in_a_circle_are_refused(tmp_path: Path) -> None:
    steps = {"a": [{"name": "to-b", "step": "b"}], "b": [{"name": "to-a", "step": "a"}]}
    found = problems(policy(steps=steps), tmp_path)
    assert any("steps: steps hand over to each other in a circle: a → b → a" in p for p in found)


def test_pools_overflowing_in_a_circle_are_refused(tmp_path: Path) -> None:
    pools = [
        {"name": "p", "members": ["ann@x.example"], "overflow": {"pool": "q"}},
        {"name": "q", "members": ["ann@x.example"], "overflow": {"pool": "p"}},
    ]
    found = problems(policy(pools=pools), tmp_path)
    assert any("pools overflow into each other in a circle" in p for p in found)


def test_duplicate_rule_names_are_refused(tmp_path: Path) -> None:
    rules = [{"name": "a", "assign": {"pool": "p"}}, {"name": "a", "assign": {"pool": "p"}}]
    found = problems(policy(rules=rules), tmp_path)
    assert any("rules[1] (a).name: rule name 'a' is also used at rules[0]" in p for p in found)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the policy is empty"),
        ("rules: [", "not valid YAML"),
        ("- a\n- b\n", "must be a mapping"),
    ],
)
def test_empty_or_broken_files_say_so(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=message):
        read_policy_file(path)


def test_a_policy_without_rules_is_refused(tmp_path: Path) -> None:
    found = problems(policy(rules=[]), tmp_path)
    assert any(p.split(": ")[1] == "rules" for p in found)


def test_the_acme_policy_compiles_against_the_acme_export() -> None:
    from connectors.csvcrm.connector import CsvCrm
    from tests.conftest import ACME, ACME_POLICY

    compiled = load_policy(ACME_POLICY, CsvCrm(ACME).snapshot())
    assert "sdr" in compiled.pools and compiled.steps["sdr"][1].name == "sdr"


def test_norway_and_ontario_stay_countries_and_states(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    data = policy(
        country_groups={"Nordics": ["SE", "NO"]},
        territories=[{"name": "East", "where": [{"country": "CA", "states": ["ON"]}]}],
    )
    path.write_text(
        yaml.safe_dump(data, sort_keys=False).replace("'NO'", "NO").replace("'ON'", "ON")
    )
    assert "- NO" in path.read_text() and "- ON" in path.read_text()
    spec = read_policy_file(path)
    assert spec.country_groups["Nordics"] == ["SE", "NO"]
    assert spec.territories[0].where[0].states == ["ON"]


def test_an_empty_crm_is_one_clear_message() -> None:
    with pytest.raises(PolicyError, match="the CRM has no users and no queues"):
        compile_policy(PolicyFile.model_validate(policy()), CrmSnapshot())


def test_a_pool_of_inactive_reps_is_a_warning() -> None:
    from config.policy import policy_warnings

    spec = policy(pools=[{"name": "p", "members": ["bob@x.example"]}])
    compiled = compile_policy(PolicyFile.model_validate(spec), SNAPSHOT)
    assert policy_warnings(compiled, SNAPSHOT) == [
        "pool 'p': every member is inactive, so it will always overflow or fall through "
        "— add an active member"
    ]


def test_yaml_syntax_errors_name_the_line_not_a_unicode_string(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nrules: [\n", encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        read_policy_file(path)
    message = str(raised.value)
    assert str(path) in message and "line 3, column 1" in message
    assert "<unicode string>" not in message
