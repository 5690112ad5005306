"""The CSV CRM against real files: the Acme sample, bad input, and owner write-back."""

from __future__ import annotations

import csv
import io
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.csvcrm._file import write_atomically
from connectors.csvcrm.connector import CrmUnreadable, CsvCrm
from routing.model import CrmSnapshot, DataIssue, OwnerChange
from tests.conftest import ACME

CRM_FILES = ("User.csv", "Group.csv", "Account.csv", "Contact.csv", "Opportunity.csv", "Lead.csv")
NOT_CRM_FILES = ("expected.csv", "pools.csv", "PLAYBOOK.md")
NEW_OWNER = "005000000000777AAA"


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    sample = ACME
    folder = tmp_path / "acme"
    folder.mkdir()
    for name in CRM_FILES + NOT_CRM_FILES:
        if (sample / name).exists():
            shutil.copyfile(sample / name, folder / name)
    return folder


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def _folder_with(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "crm"
    folder.mkdir(exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def _snapshot_of(tmp_path: Path, files: dict[str, str | bytes]) -> CrmSnapshot:
    return CsvCrm(_folder_with(tmp_path, files)).snapshot()


def _only_issue(snapshot: CrmSnapshot) -> DataIssue:
    assert len(snapshot.issues) == 1, [str(issue) for issue in snapshot.issues]
    return snapshot.issues[0]


LEAD_HEADER = "Id,Company,NumberOfEmployees,AnnualRevenue,IsConverted,CreatedDate,OwnerId\r\n"


def _lead_line(lead_id: str, **cells: str) -> str:
    values = {
        "Company": "Globex",
        "NumberOfEmployees": "1200",
        "AnnualRevenue": "5000000",
        "IsConverted": "false",
        "CreatedDate": "2026-11-05T09:30:00Z",
        "OwnerId": "00G000000000001AAA",
    } | cells
    return ",".join([lead_id, *values.values()]) + "\r\n"


# the Acme sample


def test_acme_sample_loads_every_record_with_no_issues(acme: Path) -> None:
    snapshot = CsvCrm(acme).snapshot()

    assert snapshot.issues == ()
    assert len(snapshot.users) == len(_rows(acme / "User.csv")) > 0
    queues = [row for row in _rows(acme / "Group.csv") if row["Type"] == "Queue"]
    assert set(snapshot.queues) == {row["Id"] for row in queues}
    assert len(snapshot.accounts) == len(_rows(acme / "Account.csv")) > 0
    assert len(snapshot.contacts) == len(_rows(acme / "Contact.csv")) > 0
    assert len(snapshot.opportunities) == len(_rows(acme / "Opportunity.csv")) > 0
    assert [lead.id for lead in snapshot.leads] == [row["Id"] for row in _rows(acme / "Lead.csv")]


def test_acme_sample_values_are_typed(acme: Path) -> None:
    snapshot = CsvCrm(acme).snapshot()

    inactive = {row["Id"] for row in _rows(acme / "User.csv") if row["IsActive"] == "false"}
    assert inactive
    assert {rep.id for rep in snapshot.users.values() if not rep.is_active} == inactive
    rep = snapshot.users["005000000000001AAA"]
    assert rep.name == "Dana Whitfield"
    assert rep.email == "dana.whitfield@acme-analytics.example"
    assert rep.manager_id is None
    assert rep.fields["Out_Of_Office__c"] is False
    assert rep.fields["Languages__c"] == "English"

    account = snapshot.accounts["001000000000001AAA"]
    assert account.employees == 280000
    assert account.annual_revenue == 62000000000.0
    assert isinstance(account.annual_revenue, float)
    assert snapshot.accounts["001000000000003AAA"].parent_id == "001000000000002AAA"

    opportunity = snapshot.opportunities[0]
    assert (opportunity.is_closed, opportunity.is_won, opportunity.amount) == (
        False,
        False,
        250000.0,
    )
    assert opportunity.created_date == datetime(2026, 9, 14, 10, tzinfo=UTC)

    lead = snapshot.leads[0]
    assert lead.object == "Lead"
    assert lead.created_date == datetime(2026, 10, 2, 9, tzinfo=UTC)
    assert lead.is_converted is False
    assert lead.owner_id == "005000000000009AAA"


def test_every_cell_is_kept_under_its_api_name(acme: Path) -> None:
    snapshot = CsvCrm(acme).snapshot()

    for lead, row in zip(snapshot.leads, _rows(acme / "Lead.csv"), strict=True):
        assert list(lead.fields) == list(row)
        for name, raw in row.items():
            value = lead.fields[name]
            if raw == "":
                assert value is None, name
            elif isinstance(value, str):
                assert value == raw, name
            else:
                assert value is not None, name


def test_a_missing_object_file_means_no_records_of_that_object(acme: Path) -> None:
    (acme / "Opportunity.csv").unlink()

    snapshot = CsvCrm(acme).snapshot()

    assert snapshot.opportunities == ()
    assert snapshot.issues == ()
    assert snapshot.leads


def test_snapshot_sees_a_file_changed_on_disk(acme: Path) -> None:
    crm = CsvCrm(acme)
    before = len(crm.snapshot().contacts)
    with (acme / "Contact.csv").open("a", encoding="utf-8", newline="") as file:
        file.write("003000000000099AAA,,Ann,Other,ann@example.com,005000000000001AAA\r\n")

    assert len(crm.snapshot().contacts) == before + 1


# values


@pytest.mark.parametrize(
    ("column", "cell", "problem", "fix"),
    [
        (
            "NumberOfEmployees",
            "12O0",
            "'12O0' is not a whole number",
            "write a whole number such as 1200, or leave the cell empty",
        ),
        ("NumberOfEmployees", "12.5", "'12.5' is not a whole number", "whole number"),
        ("AnnualRevenue", "lots", "'lots' is not a number", "write a number such as 250000"),
        ("AnnualRevenue", '"1,5"', "'1,5' is not a number", "write a number"),
        ("AnnualRevenue", "nan", "'nan' is not a number", "write a number"),
        ("IsConverted", "maybe", "'maybe' is not true or false", "write true or false"),
        ("CreatedDate", "2026-13-45", "'2026-13-45' is not an ISO 8601 date or time", "2026-"),
    ],
)
def test_a_cell_that_cannot_be_parsed_is_reported_and_the_record_still_loads(
    tmp_path: Path, column: str, cell: str, problem: str, fix: str
) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q1") + _lead_line("00Q2", **{column: cell})

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    issue = _only_issue(snapshot)
    assert issue.where == f"Lead.csv line 3, column {column}"
    assert issue.problem == problem
    assert fix in issue.fix
    assert issue.record_id == "00Q2"
    assert [lead.id for lead in snapshot.leads] == ["00Q1", "00Q2"]
    assert snapshot.leads[1].fields[column] is None
    assert snapshot.leads[1].company == "Globex"


@pytest.mark.parametrize(
    ("column", "cell", "value"),
    [
        ("NumberOfEmployees", '"1,200"', 1200),
        ("NumberOfEmployees", " 1200 ", 1200),
        ("NumberOfEmployees", "1200.0", 1200),
        ("AnnualRevenue", '"1,200.50"', 1200.5),
        ("AnnualRevenue", "2.5e6", 2500000.0),
        ("IsConverted", "TRUE", True),
        ("IsConverted", "yes", True),
        ("IsConverted", "0", False),
        ("CreatedDate", "2026-11-05", datetime(2026, 11, 5, tzinfo=UTC)),
        ("CreatedDate", "2026-11-05T09:30:00", datetime(2026, 11, 5, 9, 30, tzinfo=UTC)),
        ("CreatedDate", "2026-11-05T11:30:00+02:00", datetime(2026, 11, 5, 9, 30, tzinfo=UTC)),
        ("CreatedDate", "2026-11-05T09:30:00.000+0000", datetime(2026, 11, 5, 9, 30, tzinfo=UTC)),
    ],
)
def test_common_spellings_are_accepted(
    tmp_path: Path, column: str, cell: str, value: object
) -> None:
    snapshot = _snapshot_of(
        tmp_path, {"Lead.csv": LEAD_HEADER + _lead_line("00Q1", **{column: cell})}
    )

    assert snapshot.issues == ()
    parsed = snapshot.leads[0].fields[column]
    assert parsed == value
    assert type(parsed) is type(value)
    if isinstance(parsed, datetime):
        assert parsed.tzinfo is UTC


def test_an_unknown_column_of_true_and_false_becomes_boolean(tmp_path: Path) -> None:
    users = (
        "Id,Name,IsActive,Out_Of_Office__c,Badge__c\r\n"
        "0051,Ann,true,TRUE,true\r\n"
        "0052,Bob,false,,gold\r\n"
        "0053,Cy,,false,\r\n"
    )

    snapshot = _snapshot_of(tmp_path, {"User.csv": users})

    assert snapshot.issues == ()
    assert [rep.fields["Out_Of_Office__c"] for rep in snapshot.users.values()] == [
        True,
        None,
        False,
    ]
    assert [rep.fields["Badge__c"] for rep in snapshot.users.values()] == ["true", "gold", None]
    assert [rep.is_active for rep in snapshot.users.values()] == [True, False, True]


def test_only_groups_that_are_queues_are_queues(tmp_path: Path) -> None:
    groups = "Id,Name,Type\n00G1,Inbound,Queue\n00G2,Everyone,Regular\n00G3,Nurture,queue\n"

    snapshot = _snapshot_of(tmp_path, {"Group.csv": groups})

    assert {queue.id: queue.name for queue in snapshot.queues.values()} == {
        "00G1": "Inbound",
        "00G3": "Nurture",
    }


def test_a_group_file_without_type_is_all_queues(tmp_path: Path) -> None:
    snapshot = _snapshot_of(tmp_path, {"Group.csv": "Id,Name\n00G1,Inbound\n00G2,Nurture\n"})

    assert set(snapshot.queues) == {"00G1", "00G2"}


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    lead_file = b"\xef\xbb\xbf" + (LEAD_HEADER + _lead_line("00Q1")).encode()

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    assert snapshot.issues == ()
    assert snapshot.leads[0].id == "00Q1"


def test_quoted_cells_keep_commas_and_line_breaks_and_lines_still_count(tmp_path: Path) -> None:
    lead_file = (
        LEAD_HEADER
        + _lead_line("00Q1", Company='"Darden Restaurants, Inc."')
        + _lead_line("00Q2", Company='"Two\r\nLines"')
        + _lead_line("00Q3", NumberOfEmployees="many")
    )

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    assert [lead.company for lead in snapshot.leads] == [
        "Darden Restaurants, Inc.",
        "Two\r\nLines",
        "Globex",
    ]
    assert _only_issue(snapshot).where == "Lead.csv line 5, column NumberOfEmployees"


# rows and files that cannot be loaded


def test_a_row_with_the_wrong_number_of_cells_is_reported_and_the_rest_loads(
    tmp_path: Path,
) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q1") + "00Q2,Globex,1200\r\n" + _lead_line("00Q3")

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    issue = _only_issue(snapshot)
    assert issue.where == "Lead.csv line 3"
    assert "3 cells" in issue.problem and "7 columns" in issue.problem
    assert issue.record_id == "00Q2"
    assert [lead.id for lead in snapshot.leads] == ["00Q1", "00Q3"]


def test_a_trailing_empty_cell_too_many_loses_nothing(tmp_path: Path) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q1").replace("\r\n", ",\r\n")

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    assert snapshot.issues == ()
    assert snapshot.leads[0].owner_id == "00G000000000001AAA"


def test_a_row_with_no_id_is_reported(tmp_path: Path) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q1") + _lead_line("") + "\r\n" + _lead_line("00Q3")

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    issue = _only_issue(snapshot)
    assert issue.where == "Lead.csv line 3, column Id"
    assert "no Id" in issue.problem
    assert [lead.id for lead in snapshot.leads] == ["00Q1", "00Q3"]


def test_a_duplicated_id_keeps_the_first_row_and_reports_the_later(tmp_path: Path) -> None:
    lead_file = (
        LEAD_HEADER
        + _lead_line("00Q1", Company="First")
        + _lead_line("00Q2")
        + _lead_line("00Q1", Company="Second")
    )

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    issue = _only_issue(snapshot)
    assert issue.where == "Lead.csv line 4, column Id"
    assert "line 2" in issue.problem and "not loaded" in issue.problem
    assert issue.record_id == "00Q1"
    assert [(lead.id, lead.company) for lead in snapshot.leads] == [
        ("00Q1", "First"),
        ("00Q2", "Globex"),
    ]


def test_a_file_that_is_not_utf8_is_reported_and_nothing_is_routed(tmp_path: Path) -> None:
    """Routing on the files that did load would decide owners without this one."""
    lead_file = (LEAD_HEADER + _lead_line("00Q1") + _lead_line("00Q2", Company="Société")).encode(
        "cp1252"
    )
    accounts = "Id,Name\n0011,Globex\n"

    with pytest.raises(CrmUnreadable) as refused:
        _snapshot_of(tmp_path, {"Lead.csv": lead_file, "Account.csv": accounts})

    [issue] = refused.value.problems
    assert issue.where == "Lead.csv line 3"
    assert "not UTF-8" in issue.problem
    assert "UTF-8" in issue.fix
    assert "nothing was routed" in str(refused.value)


@pytest.mark.parametrize(
    ("content", "where", "problem"),
    [
        ("", "Lead.csv", "no header row"),
        ("\r\n\r\n", "Lead.csv", "no header row"),
        ("Name,Company\r\nAnn,Globex\r\n", "Lead.csv line 1", "no Id column"),
        ("Id;Company\r\n00Q1;Globex\r\n", "Lead.csv line 1", "no Id column"),
        ("Id,Company\r\n00Q1,Globex\r\n", "Lead.csv line 1", "no OwnerId column"),
    ],
)
def test_a_file_with_no_header_or_no_id_column_is_refused(
    tmp_path: Path, content: str, where: str, problem: str
) -> None:
    with pytest.raises(CrmUnreadable) as refused:
        _snapshot_of(tmp_path, {"Lead.csv": content, "Account.csv": "Id,Name\n0011,Globex\n"})

    [issue] = refused.value.problems
    assert issue.where == where
    assert problem in issue.problem
    assert issue.fix


def test_an_object_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, {"Account.csv": "Id,Name\n0011,Globex\n"})
    (folder / "Lead.csv").mkdir()

    with pytest.raises(CrmUnreadable, match="Lead.csv is a folder"):
        CsvCrm(folder).snapshot()


def test_an_unclosed_quote_costs_its_row_not_the_rows_after_it(tmp_path: Path) -> None:
    lead_file = (
        LEAD_HEADER
        + _lead_line("00Q1", Company='"Open')
        + _lead_line("00Q2")
        + _lead_line("00Q3", Company='Close" Co')
        + _lead_line("00Q4")
    )

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    [issue] = snapshot.issues
    assert issue.where == "Lead.csv line 2" and "never closed" in issue.problem
    assert [lead.id for lead in snapshot.leads] == ["00Q2", "00Q3", "00Q4"]


def test_a_repeated_column_is_reported_and_the_first_one_kept(tmp_path: Path) -> None:
    contacts = "Id,Email,Email\n0031,first@example.com,second@example.com\n"

    snapshot = _snapshot_of(tmp_path, {"Contact.csv": contacts})

    issue = _only_issue(snapshot)
    assert issue.where == "Contact.csv line 1, column 3"
    assert "appears twice" in issue.problem
    assert snapshot.contacts[0].email == "first@example.com"


def test_an_unclosed_quote_is_reported_without_stopping_the_load(tmp_path: Path) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q1") + _lead_line("00Q2", Company='"Open')

    snapshot = _snapshot_of(tmp_path, {"Lead.csv": lead_file})

    issue = _only_issue(snapshot)
    assert issue.where == "Lead.csv line 3"
    assert "quote" in issue.fix
    assert [lead.id for lead in snapshot.leads] == ["00Q1"]


# writing owners back


def _changes(lead_ids: list[str], owner: str = NEW_OWNER) -> list[OwnerChange]:
    return [OwnerChange(lead_id, "Lead", owner) for lead_id in lead_ids]


def test_writing_owners_changes_only_their_owner_cells(acme: Path) -> None:
    before = _cells(acme / "Lead.csv")
    owner_column = before[0].index("OwnerId")
    changed_ids = [before[1][0], before[10][0], before[-1][0]]

    results = CsvCrm(acme).write_owners(_changes(changed_ids))

    assert [(result.record_id, result.ok) for result in results] == [
        (lead_id, True) for lead_id in changed_ids
    ]
    after = _cells(acme / "Lead.csv")
    assert len(after) == len(before)
    for old, new in zip(before, after, strict=True):
        expected = list(old)
        if old[0] in changed_ids:
            expected[owner_column] = NEW_OWNER
        assert new == expected


def test_writing_keeps_the_files_bytes_and_line_endings_elsewhere(acme: Path) -> None:
    original = (acme / "Lead.csv").read_bytes()
    lead_id = _cells(acme / "Lead.csv")[5][0]

    CsvCrm(acme).write_owners(_changes([lead_id]))

    written = (acme / "Lead.csv").read_bytes()
    old_lines, new_lines = original.split(b"\r\n"), written.split(b"\r\n")
    assert len(old_lines) == len(new_lines)
    assert written.count(b"\n") == written.count(b"\r\n") == original.count(b"\r\n")
    pairs = enumerate(zip(old_lines, new_lines, strict=True))
    differing = [number for number, (old, new) in pairs if old != new]
    assert differing == [5]


def test_reading_after_writing_returns_the_new_owners(acme: Path) -> None:
    crm = CsvCrm(acme)
    lead_ids = [lead.id for lead in crm.snapshot().leads[:3]]

    crm.write_owners(_changes(lead_ids))

    for reader in (crm, CsvCrm(acme)):
        leads = {lead.id: lead for lead in reader.snapshot().leads}
        for lead_id in lead_ids:
            assert leads[lead_id].owner_id == NEW_OWNER
            assert leads[lead_id].fields["OwnerId"] == NEW_OWNER


def test_many_changes_are_one_rewrite_of_each_file(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewritten: list[str] = []

    def counting_write(path: Path, data: bytes) -> None:
        rewritten.append(path.name)
        write_atomically(path, data)

    monkeypatch.setattr("connectors.csvcrm.connector.write_atomically", counting_write)
    crm = CsvCrm(acme)
    snapshot = crm.snapshot()
    changes = _changes([lead.id for lead in snapshot.leads])
    changes.append(OwnerChange(snapshot.contacts[0].id, "Contact", NEW_OWNER))

    results = crm.write_owners(changes)

    assert all(result.ok for result in results)
    assert sorted(rewritten) == ["Contact.csv", "Lead.csv"]
    assert {lead.owner_id for lead in CsvCrm(acme).snapshot().leads} == {NEW_OWNER}


def test_results_come_one_per_change_in_order_and_unknown_records_fail(acme: Path) -> None:
    crm = CsvCrm(acme)
    snapshot = crm.snapshot()
    lead_id, contact_id = snapshot.leads[0].id, snapshot.contacts[0].id
    changes = [
        OwnerChange("00Q000000000000ZZZ", "Lead", NEW_OWNER),
        OwnerChange(contact_id, "Contact", NEW_OWNER),
        OwnerChange(lead_id, "Lead", NEW_OWNER),
        OwnerChange("001000000000001AAA", "Widget", NEW_OWNER),
    ]

    results = crm.write_owners(changes)

    assert [result.record_id for result in results] == [change.record_id for change in changes]
    assert [result.ok for result in results] == [False, True, True, False]
    unknown = results[0]
    assert unknown.error is not None and "00Q000000000000ZZZ" in unknown.error
    assert "Lead.csv" in unknown.error
    assert not unknown.retryable
    assert results[3].error is not None and "Widget" in results[3].error
    fresh = CsvCrm(acme).snapshot()
    assert fresh.contacts[0].owner_id == NEW_OWNER
    assert fresh.leads[0].owner_id == NEW_OWNER


def test_a_dry_run_writes_nothing(acme: Path) -> None:
    files = {name: (acme / name).read_bytes() for name in CRM_FILES}
    stamps = {name: (acme / name).stat().st_mtime_ns for name in CRM_FILES}
    crm = CsvCrm(acme)
    lead_id = crm.snapshot().leads[0].id

    results = crm.write_owners(_changes([lead_id, "00Q000000000000ZZZ"]), dry_run=True)

    assert [result.ok for result in results] == [True, False]
    assert {name: (acme / name).read_bytes() for name in CRM_FILES} == files
    assert {name: (acme / name).stat().st_mtime_ns for name in CRM_FILES} == stamps
    assert crm.snapshot().leads[0].owner_id != NEW_OWNER


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_write_that_fails_midway_leaves_the_original_intact(
    acme: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    original = (acme / "Lead.csv").read_bytes()
    folder_before = sorted(os.listdir(acme))
    crm = CsvCrm(acme)
    lead_id = crm.snapshot().leads[0].id

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, disk_full)
    results = crm.write_owners(_changes([lead_id]))
    monkeypatch.undo()

    assert len(results) == 1 and not results[0].ok
    assert results[0].error is not None and "Lead.csv" in results[0].error
    assert results[0].retryable
    assert (acme / "Lead.csv").read_bytes() == original
    assert sorted(os.listdir(acme)) == folder_before
    assert crm.snapshot().leads[0].owner_id != NEW_OWNER


def test_writing_a_quoted_row_keeps_its_values(tmp_path: Path) -> None:
    lead_file = (
        LEAD_HEADER
        + _lead_line("00Q1", Company='"Darden Restaurants, Inc."')
        + _lead_line("00Q2", Company='"Two\r\nLines"')
    )
    folder = _folder_with(tmp_path, {"Lead.csv": lead_file})

    CsvCrm(folder).write_owners(_changes(["00Q1", "00Q2"]))

    leads = CsvCrm(folder).snapshot().leads
    assert [(lead.company, lead.owner_id) for lead in leads] == [
        ("Darden Restaurants, Inc.", NEW_OWNER),
        ("Two\r\nLines", NEW_OWNER),
    ]


def test_writing_keeps_unix_line_endings_and_a_missing_final_newline(tmp_path: Path) -> None:
    untouched = (LEAD_HEADER + _lead_line("00Q1")).replace("\r\n", "\n")
    folder = _folder_with(tmp_path, {"Lead.csv": untouched + _lead_line("00Q2").rstrip()})

    CsvCrm(folder).write_owners(_changes(["00Q2"]))

    written = (folder / "Lead.csv").read_bytes().decode()
    assert written == untouched + _lead_line("00Q2", OwnerId=NEW_OWNER).rstrip()


def test_writing_keeps_a_byte_order_mark(tmp_path: Path) -> None:
    lead_file = b"\xef\xbb\xbf" + (LEAD_HEADER + _lead_line("00Q1")).encode()
    folder = _folder_with(tmp_path, {"Lead.csv": lead_file})

    CsvCrm(folder).write_owners(_changes(["00Q1"]))

    written = (folder / "Lead.csv").read_bytes()
    assert written.startswith(b"\xef\xbb\xbfId,")
    assert written.endswith(f",{NEW_OWNER}\r\n".encode())


def test_an_owner_that_is_already_right_does_not_rewrite_the_file(
    acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crm = CsvCrm(acme)
    lead = crm.snapshot().leads[0]
    assert lead.owner_id is not None
    monkeypatch.setattr("connectors.csvcrm.connector.write_atomically", pytest.fail)

    results = crm.write_owners([OwnerChange(lead.id, "Lead", lead.owner_id)])

    assert results[0].ok


def test_writing_to_a_row_that_did_not_load_says_which_line(tmp_path: Path) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q1") + "00Q2,Globex\r\n"
    folder = _folder_with(tmp_path, {"Lead.csv": lead_file})

    results = CsvCrm(folder).write_owners(_changes(["00Q2"]))

    assert not results[0].ok
    assert results[0].error is not None and "line 3" in results[0].error
    assert (folder / "Lead.csv").read_bytes() == lead_file.encode()


def test_writing_to_a_missing_object_file_fails_clearly(tmp_path: Path) -> None:
    folder = _folder_with(tmp_path, {"Lead.csv": LEAD_HEADER + _lead_line("00Q1")})

    results = CsvCrm(folder).write_owners([OwnerChange("0031", "Contact", NEW_OWNER)])

    assert not results[0].ok
    assert results[0].error is not None and "Contact.csv does not exist" in results[0].error


def test_a_file_that_could_not_be_read_is_never_rewritten(tmp_path: Path) -> None:
    lead_file = (LEAD_HEADER + _lead_line("00Q1", Company="Société")).encode("cp1252")
    folder = _folder_with(tmp_path, {"Lead.csv": lead_file})

    results = CsvCrm(folder).write_owners(_changes(["00Q1"]))

    assert not results[0].ok
    assert results[0].error is not None and "UTF-8" in results[0].error
    assert (folder / "Lead.csv").read_bytes() == lead_file


def test_the_snapshot_of_a_written_file_matches_a_fresh_read(acme: Path) -> None:
    crm = CsvCrm(acme)
    leads = crm.snapshot().leads
    crm.write_owners(_changes([leads[2].id, leads[7].id]))

    assert crm.snapshot() == CsvCrm(acme).snapshot()


def test_rows_are_parsed_from_the_bytes_on_disk(tmp_path: Path) -> None:
    """Guards the raw-text bookkeeping: what we write back must parse to the same table."""
    lead_file = LEAD_HEADER + _lead_line("00Q1") + "\r\n" + _lead_line("00Q2")
    folder = _folder_with(tmp_path, {"Lead.csv": lead_file})

    CsvCrm(folder).write_owners(_changes(["00Q2"]))

    rows = list(csv.reader(io.StringIO((folder / "Lead.csv").read_bytes().decode(), newline="")))
    assert rows[2] == []
    assert rows[3][-1] == NEW_OWNER
    assert rows[1][-1] == "00G000000000001AAA"


def test_an_owner_write_to_a_row_broken_by_a_quote_says_which_line(tmp_path: Path) -> None:
    lead_file = LEAD_HEADER + _lead_line("00Q000000000001AAA", Company='"Open') + _lead_line("00Q2")
    crm = CsvCrm(_folder_with(tmp_path, {"Lead.csv": lead_file}))

    [result] = crm.write_owners([OwnerChange("00Q000000000001AAA", "Lead", NEW_OWNER)])

    assert (
        not result.ok and "line 2" in (result.error or "") and "malformed" in (result.error or "")
    )
