"""Publish, don't save: `leadrelay policy publish | history | diff | rollback` through the real
CLI on copies of the Acme sample and real SQL; the worker's polls (real Redis and SQL) route the
latest published version, name it on every decision, and go on routing when the file is broken
or a version does not load, with `status` saying what was refused and why. `history` reads a
record's decisions back; `explain` sets the recorded decision beside today's; `explain --lead`
routes a made-up lead and writes nothing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from rich.console import Console
from typer.testing import CliRunner

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME_POLICY
from worker.bootstrap import Runtime
from worker.cli import app
from worker.jobs.context import CrmContext
from worker.jobs.loop import poll_crm
from worker.reports.status import collect, render
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import ConfiguredCrm, CrmBoard, crm_key
from worker.store.policies import PolicyVersions
from worker.store.records import Store

WEST, EAST = "NA West: {pool: enterprise NA West}", "NA West: {pool: enterprise NA East}"
WEST_REPS = {"Alice Nguyen", "Ben Carter"}


@pytest.fixture
def env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {
        "LEADRELAY_HOME": str(tmp_path / "home"),
        "DATABASE_URL": database_url,
        "LEADRELAY_USER": "ops@acme.example",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.fixture
def policy(tmp_path: Path) -> Path:
    copy = tmp_path / "acme.yaml"
    shutil.copy(ACME_POLICY, copy)
    return copy


def lr(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- the commands ----------------------------------------------------------------------------


def test_publish_records_versions_with_who_why_and_what_changes(
    env: dict[str, str], policy: Path, acme_crm: Path, database_url: str
) -> None:
    crm = f"csv:{acme_crm}"
    code, _, out = lr("policy", "publish", str(policy), "--crm", crm, "-m", "first")
    assert code == 0, out
    assert "published acme@1" in out
    policy.write_text(policy.read_text().replace(WEST, EAST))
    code, _, out = lr("policy", "publish", str(policy), "--crm", crm, "-m", "west to east")
    assert code == 0, out
    assert "published acme@2" in out and "against acme@1" in out
    with Store(database_url) as store:
        versions = PolicyVersions(store.engine).history("acme")
    assert [(v.version, v.author, v.message) for v in versions] == [
        (1, "ops@acme.example", "first"),
        (2, "ops@acme.example", "west to east"),
    ]
    assert versions[1].content == policy.read_text()
    assert versions[0].simulation is None  # nothing to compare the first with
    summary = versions[1].simulation
    assert summary is not None and summary["against"] == "acme@1" and summary["changed"] > 0
    assert set(summary["by_rule"]) == {"tier1-enterprise"}
    assert sum(summary["by_rule"].values()) == summary["changed"]
    assert all(summary["by_owner"][rep] < 0 for rep in WEST_REPS)  # the west reps lose them
    assert sum(summary["by_owner"].values()) == 0

    code, diff, _ = lr("policy", "diff", "1", "current")
    assert code == 0
    assert f"-        {WEST}" in diff and f"+        {EAST}" in diff
    assert diff.startswith("--- acme@1\n+++ acme@2\n")

    code, _, out = lr("policy", "rollback", "1", "--crm", crm, "-m", "east was wrong")
    assert code == 0, out
    assert "published acme@3" in out
    code, history, _ = lr("policy", "history")
    assert code == 0 and "east was wrong" in history and "west to east" in history
    with Store(database_url) as store:
        third = PolicyVersions(store.engine).get("acme", 3)
    assert third is not None and third.content == versions[0].content
    assert third.content_hash == versions[0].content_hash


def test_a_policy_that_fails_its_checks_is_not_published(
    env: dict[str, str], policy: Path, acme_crm: Path, database_url: str
) -> None:
    policy.write_text(policy.read_text().replace("pool: sdr", "pool: sdrs"))
    code, _, out = lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}")
    assert code == 2
    assert "sdrs" in out
    policy.write_text("rules: [\n")  # a half-saved file
    code, _, out = lr("policy", "publish", str(policy))
    assert code == 2 and "not valid YAML" in out
    with Store(database_url) as store:
        store.migrate()
        assert PolicyVersions(store.engine).names() == []


def test_publishing_the_current_content_again_adds_no_version(
    env: dict[str, str], policy: Path, acme_crm: Path, database_url: str
) -> None:
    assert lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}")[0] == 0
    code, _, out = lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}")
    assert code == 0 and "nothing to publish" in out
    with Store(database_url) as store:
        assert [v.version for v in PolicyVersions(store.engine).history("acme")] == [1]


# --- the worker ------------------------------------------------------------------------------


class Worker:
    """`poll_crm` on a CRM, as a worker process does it: one context kept across polls."""

    def __init__(self, crm: Path, policy: Path, redis_url: str, database_url: str):
        self.crm, self.policy, self.key = crm, policy, crm_key(f"csv:{crm}")
        self.client = redis.Redis.from_url(redis_url, decode_responses=True)
        self.store = Store(database_url)
        self.store.migrate()
        self.settings = Settings(
            LEADRELAY_HOME=str(policy.parent / "home"), _env_file=None, DATABASE_URL=database_url
        )
        self.ctx = self.context()

    def context(self) -> CrmContext:
        return CrmContext(
            url=f"csv:{self.crm}", key=self.key, policy_path=self.policy,
            connector=CsvCrm(self.crm), state=BatchedRedisState(self.client, self.key),
            store=self.store, board=CrmBoard(self.client), settings=self.settings,
        )  # fmt: skip

    def poll(self, n: int) -> None:
        poll_crm(self.ctx, f"poll-{n}")

    def versions(self) -> dict[str, str | None]:
        ids = [row.split(",", 1)[0] for row in (self.crm / "Lead.csv").read_text().splitlines()]
        latest = self.store.latest_decisions(self.key, ids[1:])
        return {i: d.decision.policy_version for i, d in latest.items()}

    def status(self) -> str:
        built = Runtime(self.settings, "", self.store, self.client)
        built.board.register(ConfiguredCrm(f"csv:{self.crm}", str(self.policy)))
        report = collect(built)
        report["crms"] = [c for c in report["crms"] if c["key"] == self.key]
        console = Console(record=True, width=400)
        render(console, report)
        return console.export_text()

    def close(self) -> None:
        BatchedRedisState(self.client, self.key).clear()
        self.client.hdel("leadrelay:crms", self.key)
        self.client.close()
        self.store.close()


@pytest.fixture
def worker(acme_crm: Path, policy: Path, redis_url: str, database_url: str) -> Iterator[Worker]:
    made = Worker(acme_crm, policy, redis_url, database_url)
    yield made
    made.close()


def new_leads(crm: Path, prefix: str, n: int = 3) -> list[str]:
    """Leads from the IBM domain arriving in the intake queue."""
    lines = (crm / "Lead.csv").read_text().splitlines()
    header = lines[0].split(",")
    ids = [f"00Q{prefix}{k:09d}AAA" for k in range(n)]
    rows = []
    for k, lead_id in enumerate(ids):
        row = dict.fromkeys(header, "")
        row.update(Id=lead_id, LastName=f"New{k}", Email=f"new{prefix}{k}@ibm.com", Company="IBM",
                   Country="United States", Status="Open - Not Contacted",
                   OwnerId="00G000000000001AAA", IsConverted="false",
                   CreatedDate=f"2026-11-30T10:{k:02d}:00Z")  # fmt: skip
        rows.append(",".join(row[name] for name in header))
    (crm / "Lead.csv").write_text("\n".join([*lines, *rows]) + "\n")
    return ids


def test_every_decision_names_the_published_version_that_made_it(
    env: dict[str, str], worker: Worker, policy: Path, acme_crm: Path
) -> None:
    assert lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}")[0] == 0
    worker.poll(1)
    first = worker.versions()
    assert first and set(first.values()) == {"acme@1"}
    policy.write_text(policy.read_text().replace(WEST, EAST))  # saved, not published
    arrived = new_leads(acme_crm, "A")
    worker.poll(2)
    assert {worker.versions()[i] for i in arrived} == {"acme@1"}
    assert lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}", "-m", "east")[0] == 0
    later = new_leads(acme_crm, "B")
    worker.poll(3)
    assert {worker.versions()[i] for i in later} == {"acme@2"}
    assert "routing policy acme@2" in worker.status()


def test_a_broken_file_never_stops_routing_and_status_says_why(
    env: dict[str, str], worker: Worker, policy: Path, acme_crm: Path
) -> None:
    worker.poll(1)
    loaded = set(worker.versions().values())
    assert len(loaded) == 1 and next(iter(loaded)).startswith("acme@file:")  # never published
    policy.write_text(policy.read_text()[:900])  # a half-saved edit
    arrived = new_leads(acme_crm, "C")
    worker.poll(2)  # no traceback: the version that loaded routes on
    assert {worker.versions()[i] for i in arrived} == loaded
    status = worker.status()
    assert "refused policy acme@file:" in status
    assert f"still routing {next(iter(loaded))}" in status and str(policy) in status

    restarted = worker.context()  # a process that starts while the file is broken
    worker.ctx = restarted
    more = new_leads(acme_crm, "D")
    worker.poll(3)
    assert {worker.versions()[i] for i in more} == loaded

    shutil.copy(ACME_POLICY, policy)  # fixed again: same content as the version routing
    worker.poll(4)
    assert "refused" not in worker.status()


def test_a_published_version_that_does_not_compile_is_refused(
    env: dict[str, str], worker: Worker, policy: Path, acme_crm: Path, database_url: str
) -> None:
    assert lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}")[0] == 0
    worker.poll(1)
    broken = policy.read_text().replace("pool: sdr", "pool: sdrs")
    with Store(database_url) as store:  # as if published before the CRM lost what it names
        PolicyVersions(store.engine).publish(
            "acme", broken, author="t", message="bad", source=str(policy)
        )
    arrived = new_leads(acme_crm, "E")
    worker.poll(2)
    assert {worker.versions()[i] for i in arrived} == {"acme@1"}
    status = worker.status()
    assert "refused policy acme@2" in status and "sdrs" in status


# --- a record's history, explain beside it, a made-up lead -----------------------------------


def test_history_and_explain_read_what_was_decided(
    env: dict[str, str], worker: Worker, policy: Path, acme_crm: Path
) -> None:
    assert lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}")[0] == 0
    worker.poll(1)
    crm = f"csv:{acme_crm}"
    recorded = {
        d.decision.record_id: d.decision
        for d in worker.store.latest_decisions(worker.key, worker.versions()).values()
    }
    west = next(d for d in recorded.values() if d.pool == "enterprise NA West")
    code, out, _ = lr("history", west.record_id, "--crm", crm, "--json")
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    decision = next(e for e in events if e["kind"] == "decision")
    assert decision["owner_id"] == west.owner_id and decision["policy_version"] == "acme@1"
    assert decision["owner"] in WEST_REPS and decision["rule"] == west.rule
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    code, text, _ = lr("history", west.record_id, "--crm", crm)
    assert code == 0 and "acme@1" in text and decision["owner"] in text

    policy.write_text(policy.read_text().replace(WEST, EAST))
    code, out, _ = lr("explain", west.record_id, "--crm", crm, "--policy", str(policy), "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["recorded"]["owner_id"] == west.owner_id
    assert shown["recorded"]["policy_version"] == "acme@1"
    assert "owner_id" in shown["differences"] and "pool" in shown["differences"]
    code, text, _ = lr("explain", west.record_id, "--crm", crm, "--policy", str(policy))
    assert code == 0 and "They differ in owner" in text

    fixed = next(d for d in recorded.values() if d.pool is None and d.rule != "fallback")
    shutil.copy(ACME_POLICY, policy)
    code, out, _ = lr("explain", fixed.record_id, "--crm", crm, "--policy", str(policy), "--json")
    assert code == 0 and json.loads(out)["differences"] == []


def test_a_made_up_lead_is_routed_and_nothing_is_written(
    env: dict[str, str], acme_crm: Path, tmp_path: Path
) -> None:
    before = {path.name: path.read_bytes() for path in acme_crm.iterdir()}
    crm = f"csv:{acme_crm}"
    pairs = ["--lead", "Email=cto@ibm.com", "--lead", "Company=IBM", "--lead", "Country=US"]
    code, out, err = lr("explain", "--crm", crm, "--policy", str(ACME_POLICY), *pairs, "--json")
    assert code == 0, err
    decision = json.loads(out)
    assert decision["record_id"] == "made-up-lead" and decision["rule"] == "named-account"
    assert decision["account_id"] is not None
    fields = tmp_path / "lead.json"
    fields.write_text(json.dumps({"Email": "cto@ibm.com", "Company": "IBM", "Country": "US"}))
    code, text, _ = lr("explain", "--crm", crm, "--policy", str(ACME_POLICY), "--lead", str(fields))
    assert code == 0 and "made-up lead" in text and "named-account" in text
    assert {path.name: path.read_bytes() for path in acme_crm.iterdir()} == before
    assert not (tmp_path / "home").exists()  # no store was created either
    code, _, err = lr("explain", "--crm", crm, "--policy", str(ACME_POLICY), "--lead", "Email")
    assert code != 0


def test_a_fix_is_published_even_when_the_current_version_no_longer_loads(
    env: dict[str, str], policy: Path, acme_crm: Path, database_url: str
) -> None:
    broken = policy.read_text().replace("pool: sdr", "pool: sdrs")
    with Store(database_url) as store:
        store.migrate()
        PolicyVersions(store.engine).publish(
            "acme", broken, author="t", message="bad", source=str(policy)
        )
    code, _, out = lr("policy", "publish", str(policy), "--crm", f"csv:{acme_crm}", "-m", "fix")
    assert code == 0, out
    assert "published acme@2" in out and "not simulated: acme@1 does not load" in out
    with Store(database_url) as store:
        fixed = PolicyVersions(store.engine).get("acme", 2)
    assert (
        fixed is not None and fixed.simulation is not None and "sdrs" in fixed.simulation["error"]
    )
