"""The worker's polls with a session kept warm route exactly as polls that each start cold.

Two copies of the Acme CRM (CSV) are polled through `poll_crm` with real Redis and SQL: one by
a context kept for the whole run (its session warm, changes applied to it), one by a context
built afresh for every poll (a cold session each time, as a restarted worker has). Between
polls both CRMs change the same way: new leads arrive, accounts are renamed and re-sited,
an opportunity opens, leads already routed are handed back to the queue. After every poll the
owners written and the decisions recorded are the same.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from connectors.csvcrm._file import folder_lock
from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME, ACME_POLICY
from worker.jobs.context import CrmContext
from worker.jobs.loop import poll_crm
from worker.settings import Settings
from worker.state.batch import BatchedRedisState
from worker.state.board import CrmBoard
from worker.store.records import Store

INBOUND_QUEUE = "00G000000000001AAA"
Rows = list[dict[str, str]]


def read(folder: Path, name: str) -> tuple[list[str], Rows]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def rewrite(folder: Path, name: str, change: Callable[[Rows], Rows]) -> None:
    with folder_lock(folder):  # the lock the worker's owner writes take
        header, rows = read(folder, name)
        temporary = folder / f"{name}.tmp"
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(change(rows))
        temporary.replace(folder / f"{name}.csv")


def created(step: int, n: int) -> str:
    return f"2026-11-{step + 1:02d}T09:{n:02d}:00Z"


def new_leads(step: int, accounts: Rows) -> Callable[[Rows], Rows]:
    """Leads from the companies of the accounts this step changes: matched by domain and name
    before the change, by neither or another rule after it."""
    targets = [row for n, row in enumerate(accounts) if n % 11 == step or n % 13 == step]

    def change(rows: Rows) -> Rows:
        template = rows[0]
        copies = [
            {**template, "Id": f"00Q9{step:02d}{n:010d}AAA", "OwnerId": INBOUND_QUEUE,
             "Email": f"buyer{n}@{domain(account['Website'])}", "Company": account["Name"],
             "Country": account["BillingCountry"], "State": account["BillingState"],
             "Status": "Open - Not Contacted", "CreatedDate": created(step, n)}
            for n, account in enumerate(targets)
        ]  # fmt: skip
        return rows + copies

    return change


def domain(website: str) -> str:
    host = website.removeprefix("https://").removeprefix("http://").removeprefix("www.")
    return host.strip("/") or "gmail.com"


def accounts_changed(step: int) -> Callable[[Rows], Rows]:
    def change(rows: Rows) -> Rows:
        changed = []
        for n, row in enumerate(rows):
            if n % 11 == step:
                row = {**row, "Name": f"{row['Name']} Holdings", "Website": ""}
            elif n % 13 == step:
                row = {**row, "Type": "Customer"}
            changed.append(row)
        return changed

    return change


def handed_back(step: int) -> Callable[[Rows], Rows]:
    def change(rows: Rows) -> Rows:
        return [
            {**row, "OwnerId": INBOUND_QUEUE} if n % 17 == step and row["Id"].startswith("00Q9")
            else row
            for n, row in enumerate(rows)
        ]  # fmt: skip

    return change


def deal_opened(step: int) -> Callable[[Rows], Rows]:
    def change(rows: Rows) -> Rows:
        if not rows:
            return rows
        template = rows[step % len(rows)]
        return rows + [{**template, "Id": f"0069{step:013d}AAA", "IsClosed": "false",
                        "IsWon": "false", "StageName": "Proposal"}]  # fmt: skip

    return change


class Worker:
    def __init__(self, crm: Path, key: str, redis_url: str, database_url: str, home: Path):
        self.crm, self.key, self.home = crm, key, home
        self.client = redis.Redis.from_url(redis_url, decode_responses=True)
        self.store = Store(database_url)
        self.store.migrate()
        self.kept: CrmContext | None = None

    def context(self) -> CrmContext:
        return CrmContext(
            url=f"csv:{self.crm}", key=self.key, policy_path=ACME_POLICY,
            connector=CsvCrm(self.crm), state=BatchedRedisState(self.client, self.key),
            store=self.store, board=CrmBoard(self.client),
            settings=Settings(LEADRELAY_HOME=str(self.home), _env_file=None),
        )  # fmt: skip

    def poll(self, key: str, *, warm: bool) -> None:
        if not warm or self.kept is None:
            self.kept = self.context()
        poll_crm(self.kept, key)

    def decisions(self) -> list[tuple[str, str, str, str | None]]:
        _, leads = read(self.crm, "Lead")
        return sorted(
            (d.decision.record_id, d.decision.owner_id, d.decision.rule, d.decision.account_id)
            for lead in leads
            for d in self.store.decisions_for(lead["Id"], self.key)
        )

    def close(self) -> None:
        BatchedRedisState(self.client, self.key).clear()
        self.client.close()
        self.store.close()


@pytest.fixture
def workers(
    tmp_path: Path, redis_url: str, redis_namespace: str, database_url: str
) -> Iterator[tuple[Worker, Worker]]:
    made = []
    for name in ("warm", "cold"):
        crm = shutil.copytree(ACME, tmp_path / name)
        url = database_url if name == "warm" else f"sqlite:///{tmp_path / 'cold.db'}"
        made.append(Worker(crm, f"{redis_namespace}-{name}", redis_url, url, tmp_path / name))
    yield made[0], made[1]
    for worker in made:
        worker.close()


def test_polls_with_a_warm_session_route_as_polls_that_start_cold(
    workers: tuple[Worker, Worker],
) -> None:
    warm, cold = workers
    for step in range(4):
        for worker in workers:
            rewrite(worker.crm, "Lead", new_leads(step, read(worker.crm, "Account")[1]))
            rewrite(worker.crm, "Account", accounts_changed(step))
            rewrite(worker.crm, "Opportunity", deal_opened(step))
            if step:
                rewrite(worker.crm, "Lead", handed_back(step))
        warm.poll(f"poll-{step}", warm=True)
        cold.poll(f"poll-{step}", warm=False)
        assert read(warm.crm, "Lead")[1] == read(cold.crm, "Lead")[1], f"owners after poll {step}"
        assert warm.decisions() == cold.decisions(), f"decisions after poll {step}"
    assert any(d[0].startswith("00Q9") for d in warm.decisions())  # the new leads were routed
    assert len(warm.decisions()) > len({d[0] for d in warm.decisions()})  # hand-backs re-routed
