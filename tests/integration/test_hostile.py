"""Hostile and broken input, fed through the real `leadrelay` commands (issue 21).

One line per case in CASES: its class, what is broken, the command, the exit code expected and
a phrase the message must contain. Every case also asserts: no traceback, and — whenever the
command refuses (exit ≠ 0) — that the CRM export is byte for byte as it was (nothing written
while a needed object was not fully read) and that no record was lost. At the end the run
prints how many cases of each class were tried and passed.
"""

# ruff: noqa: E501  (the table of cases keeps one case a line)

from __future__ import annotations

import csv
import functools
import io
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from tests.conftest import ACME, ACME_POLICY
from worker.cli import app

ROUTABLE_LEAD = "00Q000001700000DEV"  # IBM, owned by the inbound queue
ACME_REP = "005000000000009AAA"  # Diana Brooks, who owns IBM
IBM = "001000000000001AAA"


# --- breaking a copy of the Acme export -----------------------------------------------------


csv.field_size_limit(16 * 1024 * 1024)


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def set_cell(file: str, record_id: str, field: str, value: str) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        header, rows = _rows(crm / file)
        for row in rows:
            if row["Id"] == record_id:
                row[field] = value
        _write(crm / file, header, rows)

    return change


def lead(field: str, value: str) -> Callable[[Path], None]:
    return set_cell("Lead.csv", ROUTABLE_LEAD, field, value)


def rep_name(value: str) -> Callable[[Path], None]:
    return set_cell("User.csv", ACME_REP, "Name", value)


def policy_edit(old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        policy = crm.parent / "policy.yaml"
        text = policy.read_text(encoding="utf-8")
        assert old in text, old
        policy.write_text(text.replace(old, new, count), encoding="utf-8")

    return change


def both(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        for one in changes:
            one(crm)

    return change


JUNK_RULE = "- {fact: competitor, equals: true}"


def junk_when(condition: str) -> Callable[[Path], None]:
    return policy_edit(JUNK_RULE, f"- {condition}")


def raw_edit(file: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        data = (crm / file).read_bytes()
        assert old in data, old
        (crm / file).write_bytes(data.replace(old, new, 1))

    return change


def drop_column(file: str, column: str) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        header, rows = _rows(crm / file)
        header.remove(column)
        _write(crm / file, header, [{k: v for k, v in row.items() if k != column} for row in rows])

    return change


def remove(file: str) -> Callable[[Path], None]:
    return lambda crm: (crm / file).unlink()


def folder_instead(file: str) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        (crm / file).unlink()
        (crm / file).mkdir()

    return change


def symlinked_leads(crm: Path) -> None:
    real = crm.parent / "exports" / "Lead.csv"
    real.parent.mkdir()
    (crm / "Lead.csv").rename(real)
    (crm / "Lead.csv").symlink_to(real)


def written_through_the_link(crm: Path) -> None:
    assert (crm / "Lead.csv").is_symlink()
    owners = {row["Id"]: row["OwnerId"] for row in _rows(crm / "Lead.csv")[1]}
    assert owners[ROUTABLE_LEAD] == ACME_REP


def read_only(file: str) -> Callable[[Path], None]:
    return lambda crm: (crm / file).chmod(0o444)


def all_quoted(file: str) -> Callable[[Path], None]:
    def change(crm: Path) -> None:
        header, rows = _rows(crm / file)
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, header, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
        (crm / file).write_text(buffer.getvalue(), encoding="utf-8", newline="")

    return change


def still_all_quoted(crm: Path) -> None:
    data = (crm / "Lead.csv").read_text(encoding="utf-8")
    assert ROUTABLE_LEAD + '","' in data and f'"{ACME_REP}"' in data
    assert all(line.startswith('"') for line in data.splitlines())


def no_formula_cells(crm: Path) -> None:
    report = crm.parent / "out" / "changed_decisions.csv"
    with report.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert cells and not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [c for c in cells if c.startswith("-") and not c[1:].replace(".", "").isdigit()]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert "$x^$ NA West" in (crm.parent / "out" / "simulation.html").read_text()


# --- the commands ---------------------------------------------------------------------------

ROUTE = "route --crm csv:{crm} --policy {policy} --output {out}"
DRY = "route --crm csv:{crm} --policy {policy} --dry-run --output {out}"
EXPLAIN = "explain " + ROUTABLE_LEAD + " --crm csv:{crm} --policy {policy}"
CHECK = "policy check {policy} --crm csv:{crm}"
OVER_LEADS = "route --crm csv:{crm} --policy {policy} --output {crm}/Lead.csv"
OVER_POLICY = "route --crm csv:{crm} --policy {policy} --output {policy}"
MATCH_OVER = "match --crm csv:{crm} --output {crm}/Account.csv"
POLICY_FOLDER = "route --crm csv:{crm} --policy {crm} --output {out}"
REPORT = "report --since 30d"
SLA_STATUS = "sla status --crm csv:{crm}"
DB_DOWN = (("DATABASE_URL", "postgresql+psycopg://lr:s3cret@127.0.0.1:1/x"),)
NO_DRIVER = (("DATABASE_URL", "mysql://lr:s3cret@127.0.0.1/x"),)
BAD_DB_URL = (("DATABASE_URL", "nosuch://lr:s3cret@127.0.0.1/x"),)
REDIS_DOWN = (("REDIS_URL", "redis://:s3cret@127.0.0.1:1/0"),)
SIMULATE = "simulate --crm csv:{crm} --policy {policy} --since 2026-10-01 --report {out}"
BACKFILL_OVER = "backfill --crm csv:{crm} --policy {policy} --scope all --output {crm}/Lead.csv"
TITLES_OVER = "titles {crm}/Lead.csv --output {crm}/Lead.csv"
NO_FOLDER = "route --crm csv:{crm} --policy {policy} --output {crm}/../nowhere/out.jsonl"


@dataclass(frozen=True)
class Case:
    klass: str
    name: str
    breaks: Callable[[Path], None]
    command: str
    code: int
    phrase: str
    absent: str = ""  # text that must not appear (a raw escape, a secret)
    then: Callable[[Path], None] | None = None  # what must hold of the CRM folder afterwards
    env: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.klass}: {self.name}"


# fmt: off
CASES = [
    # 1. data printed as markup or raw terminal control
    Case("markup", "lead cell [/x]", lead("Company", "[/x] IBM"), ROUTE, 0, "routed 197 records"),
    Case("markup", "rep name [/b]", rep_name("Dana [/b]Whitfield"), ROUTE, 0, "Dana [/b]Whitfield"),
    Case("markup", "rep name [/b], explain", rep_name("[/b]Dana"), EXPLAIN, 0, "[/b]Dana"),
    Case("markup", "lead [red] in explain", lead("LeadSource", "[red]Web"), EXPLAIN, 0, "[red]Web"),
    Case("markup", "emoji code kept", rep_name("Dana :smile:"), ROUTE, 0, "Dana :smile:"),
    Case("markup", "window-title escape", rep_name("D\x1b]0;pwn\x07"), ROUTE, 0, "D\\x1b]0;pwn\\x07", "\x1b"),
    Case("markup", "clear screen", rep_name("D\x1b[2J"), EXPLAIN, 0, "D\\x1b[2J", "\x1b"),
    Case("markup", "bidi override", rep_name("D\u202eanad"), ROUTE, 0, "D\\u202eanad", "\u202e"),
    Case("markup", "fix text keeps [a, b]", policy_edit("objects: [Lead]", "objects: Lead"), CHECK, 2, "[a, b]"),
    Case("markup", "policy key [/x]", policy_edit("routable:", "'[/x]': 1\nroutable:"), CHECK, 2, "[/x]"),
    # 2. regular expressions on untrusted text
    Case("regex", "nested quantifier, crafted Company", both(junk_when("{fact: lead.Company, matches: '^(a+)+$'}"), lead("Company", "a" * 40 + "!")), ROUTE, 0, "routed 197 records"),
    Case("regex", "backreference refused at check", junk_when(r"{fact: lead.Company, matches: '(\w)\1'}"), CHECK, 2, "rewrite it without them"),
    Case("regex", "lookahead refused at route", junk_when("{fact: lead.Company, matches: '(?=a)b'}"), DRY, 2, "RE2"),
    Case("regex", "1 MB Company against matches", both(junk_when("{fact: lead.Company, matches: 'acme'}"), lead("Company", "acme" * 262_144)), ROUTE, 0, "routed 197 records"),
    Case("regex", "1 MB Title and Email", both(lead("Title", "VP " * 350_000), lead("Email", "a" * 1_000_000 + "@ibm.com")), ROUTE, 0, "routed 197 records"),
    # 3. writing while part of the CRM could not be read
    Case("unread", "Latin-1 byte in Account.csv", raw_edit("Account.csv", b"Olive Garden", b"Olive Gard\xe9n"), ROUTE, 3, "Account.csv line 4: the file is not UTF-8 (byte 0xe9"),
    Case("unread", "Latin-1 byte, dry run too", raw_edit("Account.csv", b"Olive Garden", b"Olive Gard\xe9n"), DRY, 3, "save the file as UTF-8"),
    Case("unread", "Latin-1 byte, policy check", raw_edit("Lead.csv", b"Ada,King", b"Ad\xe0,King"), CHECK, 3, "Lead.csv line"),
    Case("unread", "unterminated quote costs one row", raw_edit("Lead.csv", b",IBM Consulting,", b',"IBM Consulting,'), ROUTE, 0, "routed 196 records"),
    Case("unread", "unterminated quote is named", raw_edit("Lead.csv", b",IBM Consulting,", b',"IBM Consulting,'), DRY, 0, "a quote opened on this line is never closed"),
    Case("unread", "no OwnerId column in Lead.csv", drop_column("Lead.csv", "OwnerId"), ROUTE, 2, "no column 'OwnerId' in Lead.csv"),
    Case("unread", "Lead.csv is a folder", folder_instead("Lead.csv"), ROUTE, 3, "Lead.csv is a folder"),
    Case("unread", "Account.csv is a folder", folder_instead("Account.csv"), DRY, 3, "put the Account export itself"),
    Case("unread", "no Id column in Account.csv", drop_column("Account.csv", "Id"), ROUTE, 3, "no Id column"),
    Case("unread", "empty User.csv", raw_edit("User.csv", b"Id,", b"\r\n\r\nId,"), ROUTE, 0, "routed 197"),
    Case("unread", "header only User.csv", lambda crm: (crm / "User.csv").write_text("Id,Name,Email\r\n"), ROUTE, 2, "User.csv"),
    Case("unread", "missing User.csv", remove("User.csv"), ROUTE, 2, "needs User.csv"),
    Case("unread", "missing Lead.csv routes nothing", remove("Lead.csv"), ROUTE, 0, "routed 0 records"),
    # 4. CSV write-back that damages the export
    Case("writeback", "symlinked Lead.csv written through", symlinked_leads, ROUTE, 0, "routed 197", then=written_through_the_link),
    Case("writeback", "read-only Lead.csv refused", read_only("Lead.csv"), ROUTE, 4, "is read-only, so its owners were not changed"),
    Case("writeback", "--output is Lead.csv", lambda crm: None, OVER_LEADS, 2, "an input of this run"),
    Case("writeback", "--output is the policy", lambda crm: None, OVER_POLICY, 2, "give --output another file"),
    Case("writeback", "match --output is Account.csv", lambda crm: None, MATCH_OVER, 2, "an input of this run"),
    Case("writeback", "backfill --output is Lead.csv", lambda crm: None, BACKFILL_OVER, 2, "an input of this run"),
    Case("writeback", "titles --output is its input", lambda crm: None, TITLES_OVER, 2, "an input of this run"),
    Case("writeback", "Data Loader all-quoted export", all_quoted("Lead.csv"), ROUTE, 0, "routed 197", then=still_all_quoted),
    Case("writeback", "--output folder missing", lambda crm: None, NO_FOLDER, 2, "does not exist; create it first"),
    # 5. values read wrong without a word
    Case("values", "1.000 employees (thousands dot)", lead("NumberOfEmployees", "1.000"), DRY, 0, "written with a dot between thousands"),
    Case("values", "punycode email, Unicode website", both(set_cell("Account.csv", IBM, "Website", "www.ibmü.com"), lead("Email", "ada@xn--ibm-joa.com")), EXPLAIN, 0, "Corporation — domain"),
    Case("values", "Unicode email, punycode website", both(set_cell("Account.csv", IBM, "Website", "https://xn--ibm-joa.com"), lead("Email", "ada@ibmü.com")), EXPLAIN, 0, "Corporation — domain"),
    Case("values", "lt: forty", policy_edit("{fact: email_valid, equals: false}", "{fact: score, lt: forty}"), CHECK, 2, "neither a number nor a date"),
    Case("values", "gte: a word in route", policy_edit("{fact: email_valid, equals: false}", "{fact: score, gte: high}"), DRY, 2, "write a number (e.g. gte: 40)"),
    Case("values", "YAML key written twice", policy_edit("objects: [Lead]", "objects: [Lead]\nfallback: {user: x@y.z}"), CHECK, 2, "written twice, on line"),
    Case("values", "rule key written twice", policy_edit("    assign: {queue: Junk Queue}", "    assign: {queue: Junk Queue}\n    assign: {queue: Nurture Queue}"), DRY, 2, "'assign' is written twice"),
    Case("values", "impossible holiday", policy_edit('regions: [EMEA]}', 'regions: [EMEA], holidays: [2026-12-25, 2026-02-30]}'), CHECK, 2, "'2026-02-30' is not a date that exists"),
    # 6. outputs that carry formulas
    Case("formulas", "=HYPERLINK rep, $ pool name", both(rep_name('=HYPERLINK("http://evil")'), policy_edit("enterprise NA West", "$x^$ NA West", -1)), SIMULATE, 0, "changed decisions", then=no_formula_cells),
    Case("formulas", "+cmd and @SUM rule names", both(policy_edit("name: junk", "name: '+cmd|calc'"), policy_edit("name: nurture", "name: '@SUM(1)'"), policy_edit("enterprise NA East", "$x$", -1)), SIMULATE, 0, "changed decisions"),
    # 8. tracebacks instead of messages (and no password in them)
    Case("edge", "a folder as --policy", lambda crm: None, POLICY_FOLDER, 2, "cannot be read (Is a directory)"),
    Case("edge", "an existing --report file", lambda crm: (crm.parent / "out").write_text("x"), SIMULATE, 2, "a file of that name is in the way"),
    Case("edge", "database unreachable, route", lambda crm: None, ROUTE, 5, "the database did not answer", "s3cret", env=DB_DOWN),
    Case("edge", "database unreachable, report", lambda crm: None, REPORT, 5, "check DATABASE_URL", "s3cret", env=DB_DOWN),
    Case("edge", "database unreachable, sla status", lambda crm: None, SLA_STATUS, 5, "the database did not answer", "s3cret", env=DB_DOWN),
    Case("edge", "database driver not installed", lambda crm: None, ROUTE, 5, "'MySQLdb' is not installed", "s3cret", env=NO_DRIVER),
    Case("edge", "unknown database URL scheme", lambda crm: None, ROUTE, 5, "DATABASE_URL cannot be used", "s3cret", env=BAD_DB_URL),
    Case("edge", "Redis unreachable, route", lambda crm: None, ROUTE, 5, "Redis did not answer", "s3cret", env=REDIS_DOWN),
]
# fmt: on


# --- running a case -------------------------------------------------------------------------

TRIED: Counter[str] = Counter()
PASSED: Counter[str] = Counter()


class _Summary:
    """Printed after the run's own summary: cases tried and passed, per class."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        write = terminalreporter.write_line
        write("hostile input: cases tried / passed, per class")
        for klass in TRIED:
            write(f"  {klass:<12} {TRIED[klass]:>3} tried  {PASSED[klass]:>3} passed")
        write(f"  {'all':<12} {sum(TRIED.values()):>3} tried  {sum(PASSED.values()):>3} passed")


@pytest.fixture(scope="module", autouse=True)
def _per_class_summary(request: pytest.FixtureRequest) -> None:
    manager = request.config.pluginmanager
    if not manager.has_plugin("hostile-summary"):
        manager.register(_Summary(), "hostile-summary")


def _export(crm: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(crm.iterdir()) if p.is_file()}


def _lead_ids(crm: Path) -> list[str]:
    return [row["Id"] for row in _rows(crm / "Lead.csv")[1]] if (crm / "Lead.csv").is_file() else []


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    shutil.copy(ACME_POLICY, tmp_path / "policy.yaml")
    return crm


def run(case: Case, crm: Path) -> None:
    case.breaks(crm)
    before, leads = _export(crm), _lead_ids(crm)
    args = case.command.format(crm=crm, policy=crm.parent / "policy.yaml", out=crm.parent / "out")
    result = CliRunner().invoke(app, args.split(" "), env=dict(case.env))
    shown = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in shown, shown
    assert result.exit_code == case.code, shown
    assert case.phrase in shown, shown
    if case.absent:
        assert case.absent not in shown, shown
    if case.code != 0:
        assert _export(crm) == before, "a refused run changed the export"
    assert _lead_ids(crm) == leads, "a record was lost"
    if case.then is not None:
        case.then(crm)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_hostile_input(case: Case, world: Path) -> None:
    TRIED[case.klass] += 1
    run(case, world)
    PASSED[case.klass] += 1


# --- 7. the event server (a real uvicorn in a thread) ----------------------------------------


@contextmanager
def _serving(app: Any, **config: Any) -> Iterator[tuple[str, int]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, lifespan="off", access_log=False, **config)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def _events_app(dedupe: Any, enqueue: Any) -> Any:
    from events_support import HUBSPOT_SECRET
    from pydantic import SecretStr

    from worker.events import EventSettings, create_app

    settings = EventSettings(  # type: ignore[call-arg]
        _env_file=None,
        HUBSPOT_CLIENT_SECRET=SecretStr(HUBSPOT_SECRET),
        SALESFORCE_ORG_ID="",
        LEADRELAY_EVENTS_RATE=1000.0,
        LEADRELAY_EVENTS_BURST=1000,
        LEADRELAY_EVENTS_MAX_BODY=1024 * 1024,
    )
    return create_app(settings, enqueue, dedupe)


def _counted(klass: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> None:
            TRIED[klass] += 1
            test(*args, **kwargs)
            PASSED[klass] += 1

        return counted

    return decorate


@pytest.mark.parametrize("depth", [100_000, 2_000])
@_counted("events")
def test_a_signed_body_nested_deep_is_a_400_not_a_retry(
    depth: int, dedupe: Any, enqueue: Any, client: httpx.Client
) -> None:
    from events_support import post_hubspot

    with _serving(_events_app(dedupe, enqueue)) as (base, _):
        answer = post_hubspot(client, base, b"[" * depth + b"]" * depth)
        assert answer.status_code == 400  # 503 would make HubSpot retry the poison batch
        assert post_hubspot(client, base, []).status_code == 204  # and the server is still up
    assert enqueue.calls == []


@_counted("events")
def test_half_open_connections_cannot_lock_out_healthz(
    dedupe: Any, enqueue: Any, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.events.slow_headers import HEADER_TIMEOUT_ENV, SlowHeaderGuard

    monkeypatch.setenv(HEADER_TIMEOUT_ENV, "0.5")
    app = _events_app(dedupe, enqueue)
    with _serving(app, http=SlowHeaderGuard, limit_concurrency=8) as (base, port):
        stalled = [socket.create_connection(("127.0.0.1", port)) for _ in range(30)]
        for sock in stalled:
            sock.sendall(b"POST /hooks/hubspot HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        try:
            assert _eventually_healthy(client, base)
            for sock in stalled:  # each was closed by the server, none answered
                sock.settimeout(10)
                assert sock.recv(1024) == b""
        finally:
            for sock in stalled:
                sock.close()


def _eventually_healthy(client: httpx.Client, base: str) -> bool:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with suppress(httpx.HTTPError):
            if client.get(f"{base}/healthz", timeout=2).status_code == 200:
                return True
        time.sleep(0.1)
    return False


@_counted("edge")
def test_no_command_prints_local_variables_in_a_traceback() -> None:
    """typer's pretty tracebacks print locals — the Redis and database URLs among them."""
    from worker.cli.bestfit import bestfit_app
    from worker.cli.sla import sla_app

    for typer_app in (app, bestfit_app, sla_app):
        assert typer_app.pretty_exceptions_show_locals is False


# --- 9. Salesforce replies off the happy path, and settings pasted into SOQL -----------------

SF_ROUTE = ["route", "--crm", "salesforce:", "--policy", str(ACME_POLICY)]


def _json_reply(body: Any) -> tuple[int, dict[str, str], str]:
    import json

    return 200, {"Content-Type": "application/json"}, json.dumps(body)


# fmt: off
SF_REPLIES = [
    ("done false without nextRecordsUrl", {"totalSize": 9, "done": False, "records": []}, "gives no nextRecordsUrl"),
    ("records null", {"totalSize": 0, "done": True, "records": None}, '"records": null'),
    ("a record without Id", {"totalSize": 1, "done": True, "records": [{"attributes": {"type": "User"}, "Name": "A"}]}, "a record without an Id"),
    ("done missing", {"totalSize": 0, "records": []}, '"done": null'),
    ("a list, not an object", [1, 2], "not a JSON object"),
]
SF_SETTINGS = [
    ("filter escapes its parentheses", "SALESFORCE_LEAD_FILTER", "IsConverted = false) OR (Id != null", "closes a parenthesis it did not open"),
    ("filter with a LIMIT", "SALESFORCE_LEAD_FILTER", "IsConverted = false LIMIT 1", "'LIMIT', which is not a condition"),
    ("filter with an open quote", "SALESFORCE_OPPORTUNITY_FILTER", "StageName = 'Won", "leaves a quote open"),
    ("extra field with a subquery", "SALESFORCE_EXTRA_FIELDS", "Lead.Id FROM Lead WHERE Id != null", "is not a field API name"),
    ("availability field with SOQL", "SALESFORCE_AVAILABILITY_FIELD", "Id FROM User --", "is not a field API name"),
    ("extra field on an unknown object", "SALESFORCE_EXTRA_FIELDS", "Task.Subject", "not an object LeadRelay reads"),
]
# fmt: on


@pytest.fixture
def sf_org(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    from salesforce_org import INSTANCE, SESSION_ID, fake_org
    from test_cli_salesforce import acme_org

    monkeypatch.setenv("LEADRELAY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("SALESFORCE_INSTANCE_URL", INSTANCE)
    monkeypatch.setenv("SALESFORCE_SESSION_ID", SESSION_ID)
    with fake_org(acme_org()) as running:
        yield running


def _refused_cleanly(result: Any, phrase: str, org: Any) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == 3, result.output
    assert phrase in result.output, result.output
    assert not [c for c in org.calls if c.method == "PATCH"], "wrote while a read had failed"


@pytest.mark.parametrize(("name", "reply", "phrase"), SF_REPLIES, ids=[r[0] for r in SF_REPLIES])
@_counted("salesforce")
def test_a_salesforce_reply_off_the_documented_shape_is_a_clear_error(
    name: str, reply: Any, phrase: str, sf_org: Any
) -> None:
    sf_org.fail_next_query(_json_reply(reply))
    _refused_cleanly(CliRunner().invoke(app, SF_ROUTE), phrase, sf_org)


@pytest.mark.parametrize(
    ("name", "setting", "value", "phrase"), SF_SETTINGS, ids=[s[0] for s in SF_SETTINGS]
)
@_counted("salesforce")
def test_a_setting_that_would_change_the_soql_is_refused(
    name: str, setting: str, value: str, phrase: str, sf_org: Any
) -> None:
    result = CliRunner().invoke(app, SF_ROUTE, env={setting: value})
    _refused_cleanly(result, phrase, sf_org)
    assert not sf_org.calls  # refused before any query was sent


@_counted("salesforce")
def test_a_filter_with_a_parenthesis_inside_a_string_is_fine(sf_org: Any) -> None:
    env = {"SALESFORCE_LEAD_FILTER": "IsConverted = false AND Company != 'a) OR (b'"}
    result = CliRunner().invoke(app, [*SF_ROUTE, "--dry-run"], env=env)
    assert result.exit_code == 0, result.output


@_counted("salesforce")
def test_the_quota_running_out_mid_write_reports_both_lists_and_times_the_written(
    sf_org: Any, tmp_path: Path
) -> None:
    template = dict(sf_org.get("Lead", ROUTABLE_LEAD))
    for n in range(260):  # 457 owners to write: three sObject Collections calls of 200
        extra = {k: v for k, v in template.items() if k not in ("Id", "attributes")}
        sf_org.add("Lead", f"00Q0000099{n:04d}XXXX", **extra)
    reads_before = sf_org.api_used
    assert CliRunner().invoke(app, [*SF_ROUTE, "--dry-run"]).exit_code == 0
    reads = sf_org.api_used - reads_before  # describes and the snapshot's queries
    # the 50% share is spent by the first owner write: the reads, then one Collections call
    sf_org.api_limit, sf_org.api_used = 20_000, 10_000 - reads - 1
    result = CliRunner().invoke(app, SF_ROUTE)
    assert "Traceback" not in result.output
    assert result.exit_code == 4, result.output
    assert "200 owners written, 257 not written" in result.output, result.output
    written = result.output.split("written: ", 1)[1].split("\n", 1)[0].split(", ")
    unwritten = result.output.split("not written: ", 1)[1].split("\n", 1)[0].split(", ")
    assert len(written) == 200 and len(unwritten) == 257 and not set(written) & set(unwritten)
    assert all(sf_org.get("Lead", w)["OwnerId"] != "00G000000000001AAA" for w in written)
    assert "started 200 SLA clocks" in result.output  # one per written owner, none more


# --- the worker's own path: hostile data through poll_crm, real Redis and SQL ----------------


@pytest.fixture
def worker_context(
    world: Path, redis_url: str, redis_namespace: str, database_url: str
) -> Iterator[Any]:
    import redis

    from connectors.csvcrm.connector import CsvCrm
    from worker.jobs.context import CrmContext
    from worker.settings import Settings
    from worker.state.batch import BatchedRedisState
    from worker.state.board import CrmBoard
    from worker.store.records import Store

    store = Store(database_url)
    store.migrate()
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    state = BatchedRedisState(client, redis_namespace)
    yield CrmContext(
        url=f"csv:{world}",
        key=redis_namespace,
        policy_path=world.parent / "policy.yaml",
        connector=CsvCrm(world),
        state=state,
        store=store,
        board=CrmBoard(client),
        settings=Settings(LEADRELAY_HOME=str(world.parent / "home"), _env_file=None),
    )
    state.clear()
    store.close()


@_counted("worker")
def test_the_worker_routes_markup_huge_fields_and_crafted_text_like_any_lead(
    worker_context: Any,
) -> None:
    from worker.jobs.loop import poll_crm

    crm = Path(worker_context.url.removeprefix("csv:"))
    both(
        junk_when("{fact: lead.Company, matches: '^(a+)+$'}"),
        lead("Company", "a" * 40 + "!"),
        lead("Title", "[/b] VP \x1b]0;x\x07 " * 100_000),
        rep_name("Diana [/x]Brooks"),
    )(crm)
    leads = _lead_ids(crm)
    outcome = poll_crm(worker_context, "hostile-1")
    assert outcome.routed == outcome.written == 197
    assert _lead_ids(crm) == leads
    assert {row["Id"]: row["OwnerId"] for row in _rows(crm / "Lead.csv")[1]}[ROUTABLE_LEAD] == (
        ACME_REP
    )


@_counted("worker")
def test_the_worker_writes_nothing_while_a_file_is_unreadable_and_resumes_once_fixed(
    worker_context: Any,
) -> None:
    from connectors.base import FatalError
    from worker.jobs.loop import poll_crm

    crm = Path(worker_context.url.removeprefix("csv:"))
    good = (crm / "Account.csv").read_bytes()
    (crm / "Account.csv").write_bytes(good.replace(b"Olive Garden", b"Olive Gard\xe9n"))
    before = _export(crm)
    with pytest.raises(FatalError, match=r"Account.csv line 4: the file is not UTF-8"):
        poll_crm(worker_context, "hostile-1")  # the task fails, saying why; beat polls again
    assert _export(crm) == before
    (crm / "Account.csv").write_bytes(good)
    assert poll_crm(worker_context, "hostile-2").written == 197  # nothing was lost meanwhile
