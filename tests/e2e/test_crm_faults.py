"""The CRM failing, throttling, refusing records, and records that are poison: retries, then
dead letters, never a silent drop; one bad record never blocks its batch. A CRM down for a while
or throttling hard is waited out by the real worker, which stays up and routes every lead once."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from connectors.csvcrm.connector import CsvCrm
from tests.conftest import ACME, ACME_POLICY
from tests.e2e.flaky_worker import calls
from tests.e2e.harness import Cluster, wait_for
from tests.e2e.synthetic import owners
from worker.jobs.session import open_session
from worker.state.board import crm_key
from worker.store.records import FAILED, WRITTEN, Store

FLAKY = [sys.executable, str(Path(__file__).with_name("flaky_worker.py"))]


def routable_ids(crm: Path) -> list[str]:
    session = open_session(CsvCrm(crm), ACME_POLICY)
    return [lead.id for lead in session.snapshot.leads if session.router.is_routable(lead)]


def flaky_crm(tmp_path: Path, **control: object) -> tuple[Path, Path, list[str]]:
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    switch = tmp_path / "flaky.json"
    switch.write_text(json.dumps(control))
    return crm, switch, routable_ids(crm)


def start(cluster: Cluster, crm: Path, switch: Path) -> None:
    cluster.worker(
        "w1", f"csv:{crm}", ACME_POLICY, beat=True, argv=FLAKY, FLAKY_CONTROL=str(switch)
    )


def test_throttling_is_retried_and_nothing_is_dead_lettered(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm, switch, waiting = flaky_crm(tmp_path, throttle=2)
    start(cluster, crm, switch)
    wait_for(lambda: not routable_ids(crm), 60, "every lead to be routed")
    assert "owner write failed; retrying" in cluster.procs[0].text()
    assert json.loads(switch.read_text())["throttle"] == 0
    assert store.open_dead_letters() == []
    assert all([r.write_status for r in store.decisions_for(i)] == [WRITTEN] for i in waiting)


def test_a_crm_that_stays_down_leaves_dead_letters_that_retry_writes_later(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm, switch, waiting = flaky_crm(tmp_path, down=True)
    start(cluster, crm, switch)
    wait_for(lambda: len(store.open_dead_letters()) == len(waiting), 90, "dead letters")
    assert set(routable_ids(crm)) == set(waiting)  # nothing written, nothing dropped
    status = json.loads(cluster.run("status", "--json").stdout)
    assert status["crms"][0]["open_dead_letters"] == len(waiting)
    decided = {i: store.decisions_for(i)[-1].decision.owner_id for i in waiting}
    assert {store.decisions_for(i)[-1].write_status for i in waiting} == {FAILED}
    cluster.procs[0].stop()  # or its beat would re-drive them on the sweep schedule

    switch.write_text(json.dumps({}))  # the CRM is back
    retried = cluster.run("retry", "--crm", f"csv:{crm}", "--policy", str(ACME_POLICY))
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert store.open_dead_letters() == []
    final = owners(crm)
    assert all(final[i] == decided[i] for i in waiting)  # the owners decided at the time
    assert len(store.decisions_for(waiting[0])) == 1  # routed once, written later


def test_a_refused_record_does_not_block_its_batch(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm, switch, waiting = flaky_crm(tmp_path)
    refused = waiting[3]
    switch.write_text(json.dumps({"refuse": [refused]}))
    start(cluster, crm, switch)
    key = crm_key(f"csv:{crm}")
    wait_for(lambda: len(store.open_dead_letters(key)) == 1, 60, "the refused write")
    wait_for(lambda: routable_ids(crm) == [refused], 60, "the rest of the batch")

    (letter,) = store.open_dead_letters(key)
    assert letter.record_id == refused and "FIELD_CUSTOM_VALIDATION" in letter.error
    assert all(store.decisions_for(i)[0].write_status == WRITTEN for i in waiting[4:])
    # the refused record is parked, not re-routed by every poll
    cluster.procs[0].wait_logged("'routed': 0")
    assert len(store.decisions_for(refused)) == 1


def test_bad_data_goes_to_the_fallback_with_the_reason(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm = tmp_path / "crm"
    shutil.copytree(ACME, crm)
    queue = "00G000000000001AAA"
    bad = [
        f"00Q0000BAD0000001XX,Bad,Employees,bad1@gmail.com,Some Co,,United States,CA,,,lots,"
        f",Web,,Open - Not Contacted,{queue},false,2026-10-20T09:00:00Z",
        f"00Q0000BAD0000002XX,Bad,Date,bad2@example.org,Other Co,,Atlantis,??,,,,"
        f",Web,,Open - Not Contacted,{queue},false,yesterday",
        "00Q0000BAD0000003XX,Too,Few,cells",
    ]
    with (crm / "Lead.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(bad) + "\n")
    cluster.worker("w1", f"csv:{crm}", ACME_POLICY, beat=True)
    wait_for(lambda: not routable_ids(crm), 60, "every readable lead to be routed")
    for record_id in ("00Q0000BAD0000001XX", "00Q0000BAD0000002XX"):
        (recorded,) = store.decisions_for(record_id)
        assert recorded.write_status == WRITTEN and recorded.decision.reason
    assert owners(crm).get("00Q0000BAD0000003XX") is None  # malformed: reported, never written


def test_a_crm_down_for_a_while_is_polled_with_backoff_and_loses_nothing(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    """Reads refused (connection refused), then writes refused (503) while reads are back, then
    all back: polls back off instead of failing each second, the failed writes wait in the dead
    letters and beat's re-drive writes them; every lead ends with the owner decided for it."""
    crm, switch, waiting = flaky_crm(tmp_path, reads_down=True, down=True)
    start(cluster, crm, switch)
    worker = cluster.procs[0]
    wait_for(lambda: calls(switch).count("read refused") >= 3, 60, "polls to keep trying")
    worker.wait_logged("CRM unavailable; polling backs off")
    assert set(routable_ids(crm)) == set(waiting)  # nothing routed, nothing lost

    switch.write_text(json.dumps({"down": True}))  # reads are back, writes still fail
    wait_for(lambda: len(store.open_dead_letters()) == len(waiting), 90, "the failed writes")
    decided = {i: store.decisions_for(i)[-1].decision.owner_id for i in waiting}

    switch.write_text(json.dumps({}))  # the CRM is back
    wait_for(lambda: not store.open_dead_letters(), 60, "beat's re-drive to write them")
    assert routable_ids(crm) == []
    final = owners(crm)
    assert all(final[i] == decided[i] for i in waiting)
    assert all(len(store.decisions_for(i)) == 1 for i in waiting)  # routed once, written later
    assert worker.alive()


def test_a_429_storm_is_waited_out_and_every_lead_is_routed_once(
    cluster: Cluster, store: Store, tmp_path: Path
) -> None:
    crm, switch, waiting = flaky_crm(tmp_path, throttle_reads=4, throttle=6, retry_after=1)
    start(cluster, crm, switch)
    worker = cluster.procs[0]
    wait_for(lambda: not routable_ids(crm) and not store.open_dead_letters(), 90, "the storm")
    control = json.loads(switch.read_text())
    assert control["throttle_reads"] == 0 and control["throttle"] == 0  # all spent, none skipped
    assert '"wait_s": 1.0' in worker.text()  # the polls waited for the CRM's Retry-After
    assert worker.alive()
    final = owners(crm)
    for record_id in waiting:
        (recorded,) = store.decisions_for(record_id)
        assert recorded.decision.owner_id == final[record_id]
