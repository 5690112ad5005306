"""The embedded default CRM: a folder of Salesforce-style CSV exports.

    User.csv → Rep        Group.csv → Queue (Type = Queue)   Account.csv → Account
    Contact.csv → Contact Opportunity.csv → Opportunity     Lead.csv → Lead

Any other file in the folder is ignored. Each object file is parsed once and kept until the
file changes on disk, so a worker polling a 100,000-lead folder does not re-read it every time;
an owner write patches what it already holds instead of parsing the file again.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from connectors.base import (
    ChangedRecord,
    ConfigError,
    FatalError,
    FieldNeeds,
    UnreadableField,
    WriteResult,
)
from connectors.csvcrm._columns import missing_columns
from connectors.csvcrm._file import (
    ID,
    Row,
    Table,
    folder_lock,
    read_table,
    render,
    write_atomically,
)
from connectors.csvcrm._sample import refuse_writing_bundled
from connectors.csvcrm._types import PARSERS, CellError, Kind, Parser, known_kind, looks_boolean
from routing.bulk import collector_paused
from routing.model import (
    LEAD,
    Account,
    Contact,
    CrmSnapshot,
    DataIssue,
    FieldValue,
    Lead,
    Opportunity,
    OwnerChange,
    Queue,
    Rep,
)

__all__ = ["CsvCrm", "CrmUnreadable"]


class CrmUnreadable(FatalError):
    """An object file is there but could not be read as a whole: routing on the rest would
    write owners decided without it (no accounts, no owners), so nothing is routed."""

    def __init__(self, folder: Path, problems: Sequence[DataIssue]) -> None:
        self.problems = tuple(problems)
        listed = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(
            f"{folder}: {len(problems)} file(s) could not be read, so nothing was routed "
            f"and nothing written:\n{listed}"
        )


OWNER_ID = "OwnerId"


@dataclass(frozen=True, slots=True)
class _ObjectSpec:
    """How the rows of one object file become model records."""

    build: type[Any]
    attributes: Mapping[str, str]  # API name → model attribute
    required: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    constants: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    keeps_fields: bool = True
    wanted: Callable[[Table, Row], bool] | None = None


def _is_queue(table: Table, row: Row) -> bool:
    type_index = table.column_index("Type")
    return type_index is None or row.cells[type_index].strip().lower() == "queue"


_SPECS: dict[str, _ObjectSpec] = {
    "User": _ObjectSpec(
        Rep,
        {
            "Id": "id",
            "Name": "name",
            "Email": "email",
            "IsActive": "is_active",
            "ManagerId": "manager_id",
            "Title": "title",
        },
        required={"name": ""},
    ),
    "Group": _ObjectSpec(
        Queue,
        {"Id": "id", "Name": "name"},
        required={"name": ""},
        keeps_fields=False,
        wanted=_is_queue,
    ),
    "Account": _ObjectSpec(
        Account,
        {
            "Id": "id",
            "Name": "name",
            "Website": "website",
            "OwnerId": "owner_id",
            "Type": "type",
            "ParentId": "parent_id",
            "Industry": "industry",
            "NumberOfEmployees": "employees",
            "AnnualRevenue": "annual_revenue",
            "BillingCountry": "billing_country",
            "BillingState": "billing_state",
            "BillingCity": "billing_city",
        },
        required={"name": ""},
    ),
    "Contact": _ObjectSpec(
        Contact,
        {"Id": "id", "AccountId": "account_id", "Email": "email", "OwnerId": "owner_id"},
    ),
    "Opportunity": _ObjectSpec(
        Opportunity,
        {
            "Id": "id",
            "AccountId": "account_id",
            "OwnerId": "owner_id",
            "IsClosed": "is_closed",
            "IsWon": "is_won",
            "Amount": "amount",
            "CreatedDate": "created_date",
            "CloseDate": "close_date",
            "StageName": "stage",
        },
    ),
    "Lead": _ObjectSpec(
        Lead,
        {
            "Id": "id",
            "Email": "email",
            "Company": "company",
            "Website": "website",
            "Country": "country",
            "State": "state",
            "City": "city",
            "Industry": "industry",
            "NumberOfEmployees": "employees",
            "AnnualRevenue": "annual_revenue",
            "LeadSource": "lead_source",
            "Title": "title",
            "Status": "status",
            "OwnerId": "owner_id",
            "IsConverted": "is_converted",
            "CreatedDate": "created_date",
        },
        constants={"object": LEAD},
    ),
}
_WRITABLE = frozenset({"Lead", "Contact", "Account", "Opportunity"})


class _Stamp(NamedTuple):
    """Enough of a file's stat to notice it changed (a rename-over gives a new inode)."""

    inode: int
    size: int
    modified_ns: int


@dataclass(frozen=True, slots=True)
class _Loaded:
    stamp: _Stamp | None
    records: tuple[Any, ...] = ()
    issues: tuple[DataIssue, ...] = ()
    unread: DataIssue | None = None  # why the file as a whole could not be read


_NOTHING = _Loaded(None)


class CsvCrm:
    """A folder of CSV exports as a CRM; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.name = f"csv:{path}"
        self._loaded: dict[str, _Loaded] = {}
        self._lock = threading.Lock()

    def snapshot(self) -> CrmSnapshot:
        self._require_folder()
        with self._lock, collector_paused():
            loaded = {object_name: self._load(object_name) for object_name in _SPECS}
        unread = [part.unread for part in loaded.values() if part.unread is not None]
        if unread:
            raise CrmUnreadable(self.path, unread)
        return CrmSnapshot(
            users={rep.id: rep for rep in loaded["User"].records},
            queues={queue.id: queue for queue in loaded["Group"].records},
            accounts={account.id: account for account in loaded["Account"].records},
            contacts=loaded["Contact"].records,
            opportunities=loaded["Opportunity"].records,
            leads=loaded["Lead"].records,
            issues=tuple(issue for part in loaded.values() for issue in part.issues),
        )

    def records(self, object: str, ids: Sequence[str]) -> list[ChangedRecord]:
        """These records as the files have them now (a file changed on disk is read again)."""
        if object not in _SPECS or object == "Group":
            known = ", ".join(sorted(set(_SPECS) - {"Group"}))
            raise ConfigError(f"the CSV CRM reads records of {known}, not {object!r}")
        self._require_folder()
        wanted = set(ids)
        with self._lock, collector_paused():
            loaded = self._load(object)
        return [record for record in loaded.records if record.id in wanted]

    def write_owners(
        self, changes: Sequence[OwnerChange], *, dry_run: bool = False
    ) -> list[WriteResult]:
        self._require_folder()
        if not dry_run:
            self.check_writable()
        results: list[WriteResult | None] = [None] * len(changes)
        for object_name, positions in _positions_by_object(changes).items():
            batch = [changes[position] for position in positions]
            for position, result in zip(
                positions, self._write_object(object_name, batch, dry_run), strict=True
            ):
                results[position] = result
        return [result for result in results if result is not None]

    def check_writable(self) -> None:
        """Raises ConfigError for the bundled sample, which is never written."""
        refuse_writing_bundled(self.path)

    def unreadable_fields(self, needs: FieldNeeds) -> list[UnreadableField]:
        """Each field the policy reads that is no column of its object's file."""
        return missing_columns(self._object_file, needs)

    # reading

    def _require_folder(self) -> None:
        if not self.path.is_dir():
            raise ConfigError(
                f"the CSV CRM folder {self.path} does not exist or is not a folder; "
                "point csv: at the folder that holds Lead.csv, Account.csv, …"
            )

    def _object_file(self, object_name: str) -> Path | None:
        """`Lead.csv`, or failing that `lead.csv`/`LEAD.csv`: exports get renamed by hand."""
        exact = self.path / f"{object_name}.csv"
        if exact.is_file():
            return exact
        wanted = exact.name.lower()
        try:
            names = os.listdir(self.path)
        except OSError:
            return None
        for name in sorted(names):
            if name.lower() == wanted and (self.path / name).is_file():
                return self.path / name
        return None

    def _load(self, object_name: str) -> _Loaded:
        path = self._object_file(object_name)
        stamp = _stamp_of(path) if path else None
        if path is None or stamp is None:
            self._loaded.pop(object_name, None)
            return _not_a_file(self.path / f"{object_name}.csv")
        held = self._loaded.get(object_name)
        if held is not None and held.stamp == stamp:
            return held
        loaded = _load_object(_SPECS[object_name], read_table(path), stamp)
        self._loaded[object_name] = loaded
        return loaded

    # writing

    def _write_object(
        self, object_name: str, changes: list[OwnerChange], dry_run: bool
    ) -> list[WriteResult]:
        if object_name not in _WRITABLE:
            return _all_failed(
                changes,
                f"the CSV CRM cannot write owners of {object_name} records; "
                f"it writes {', '.join(sorted(_WRITABLE))}",
            )
        path = self._object_file(object_name)
        if path is None:
            return _all_failed(
                changes,
                f"{object_name}.csv does not exist in {self.path}, so there is no "
                f"{object_name} to write to",
            )
        with self._lock, collector_paused():
            if dry_run:
                return _plan_owner_writes(object_name, read_table(path), changes)[0]
            try:
                with folder_lock(self.path):
                    return self._rewrite_owners(object_name, path, changes)
            except OSError as error:
                return _all_failed(
                    changes, f"could not write {path.name}: {error}", retryable=_transient(error)
                )

    def _rewrite_owners(
        self, object_name: str, path: Path, changes: list[OwnerChange]
    ) -> list[WriteResult]:
        before = _stamp_of(path)
        table = read_table(path, keep_raw=True)
        results, new_cells, new_owners = _plan_owner_writes(object_name, table, changes)
        if not new_cells:
            return results
        try:
            write_atomically(path, render(table, new_cells))
        except OSError as error:
            failure = f"could not write {path.name}: {error}"
            return [
                _failed(r.record_id, failure, _transient(error)) if r.ok else r for r in results
            ]
        self._remember_new_owners(object_name, before, _stamp_of(path), new_owners)
        return results

    def _remember_new_owners(
        self,
        object_name: str,
        before: _Stamp | None,
        after: _Stamp | None,
        new_owners: Mapping[str, str],
    ) -> None:
        """Patch the records we hold rather than parse the whole file again, but only when
        what we hold is exactly the file we just rewrote."""
        held = self._loaded.get(object_name)
        if held is None or before is None or held.stamp != before:
            self._loaded.pop(object_name, None)
            return
        records = tuple(
            _with_owner(record, new_owners[record.id]) if record.id in new_owners else record
            for record in held.records
        )
        self._loaded[object_name] = _Loaded(after, records, held.issues)


def _positions_by_object(changes: Sequence[OwnerChange]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for position, change in enumerate(changes):
        positions.setdefault(change.object, []).append(position)
    return positions


def _stamp_of(path: Path | None) -> _Stamp | None:
    if path is None:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    return _Stamp(status.st_ino, status.st_size, status.st_mtime_ns)


# loading one object file


def _not_a_file(path: Path) -> _Loaded:
    """No file is no records; a folder (or a dangling link) by the object's name is a
    mistake to report, not an empty object."""
    if not path.exists() and not path.is_symlink():
        return _NOTHING
    what = "a folder" if path.is_dir() else "not a readable file"
    return _Loaded(
        None,
        unread=DataIssue(
            path.name,
            f"{path} is {what}, so none of its records could be read",
            f"put the {path.stem} export itself at {path}",
        ),
    )


def _unread(spec: _ObjectSpec, table: Table) -> DataIssue | None:
    if not table.readable:
        return next(iter(table.issues), DataIssue(table.file_name, "cannot be read", "fix it"))
    if spec.build is Lead and table.rows and table.column_index(OWNER_ID) is None:
        return DataIssue(
            f"{table.file_name} line 1",
            "the header has no OwnerId column, so no lead's owner is known (none would look "
            "routable) and no owner could be written",
            "export the OwnerId field with the leads",
        )
    return None


def _load_object(spec: _ObjectSpec, table: Table, stamp: _Stamp) -> _Loaded:
    """Parse column by column: each distinct value is parsed once, however many rows hold it."""
    unread = _unread(spec, table)
    if unread is not None:
        return _Loaded(stamp, (), tuple(table.issues), unread)
    rows = [row for row in table.rows if spec.wanted is None or spec.wanted(table, row)]
    if not rows:
        return _Loaded(stamp, (), tuple(table.issues))
    cells_by_column = list(zip(*(row.cells for row in rows), strict=False))
    cell_issues: list[tuple[int, int, DataIssue]] = []
    names: list[str] = []
    columns: list[list[FieldValue]] = []
    for index, name in enumerate(table.columns):
        if index in table.ignored_columns:
            continue
        names.append(name)
        if name == ID:
            columns.append([row.id for row in rows])
            continue
        parse = _parser_for(spec, name, cells_by_column[index])
        columns.append(
            _parse_column(table, rows, index, cells_by_column[index], parse, cell_issues)
        )
    records = _build_records(spec, names, columns)
    cell_issues.sort(key=lambda found: found[:2])
    issues = (*table.issues, *(issue for _, _, issue in cell_issues))
    return _Loaded(stamp, records, issues)


def _parser_for(spec: _ObjectSpec, name: str, cells: Sequence[str]) -> Parser | None:
    """None for plain text, which needs no parsing."""
    kind = known_kind(name)
    if kind is None and name not in spec.attributes and looks_boolean(set(cells)):
        kind = Kind.BOOL
    return None if kind is None or kind is Kind.TEXT else PARSERS[kind]


def _parse_column(
    table: Table,
    rows: list[Row],
    index: int,
    cells: Sequence[str],
    parse: Parser | None,
    cell_issues: list[tuple[int, int, DataIssue]],
) -> list[FieldValue]:
    if parse is None:
        return [cell or None for cell in cells]
    parsed: dict[str, FieldValue] = {"": None}
    wrong: dict[str, CellError] = {}
    for cell in set(cells).difference(parsed):
        try:
            parsed[cell] = parse(cell)
        except CellError as error:
            parsed[cell] = None
            wrong[cell] = error
    if wrong:
        cell_issues.extend(_cell_issues(table, rows, index, cells, wrong))
    return [parsed[cell] for cell in cells]


def _cell_issues(
    table: Table, rows: list[Row], index: int, cells: Sequence[str], wrong: dict[str, CellError]
) -> list[tuple[int, int, DataIssue]]:
    name = table.columns[index]
    return [
        (
            row.line,
            index,
            DataIssue(
                f"{table.file_name} line {row.line}, column {name}",
                wrong[cell].problem,
                wrong[cell].fix,
                record_id=row.id,
            ),
        )
        for row, cell in zip(rows, cells, strict=True)
        if cell in wrong
    ]


def _build_records(
    spec: _ObjectSpec, names: list[str], columns: list[list[FieldValue]]
) -> tuple[Any, ...]:
    positions = {name: position for position, name in enumerate(names)}
    present = [
        (attribute, positions[api_name])
        for api_name, attribute in spec.attributes.items()
        if api_name in positions
    ]
    attributes = tuple(attribute for attribute, _ in present)
    pick = _picker([position for _, position in present])
    fallbacks = _fallbacks(spec, attributes)
    base = {**spec.required, **spec.constants}
    records = []
    for values in zip(*columns, strict=True):
        arguments = base | dict(zip(attributes, pick(values), strict=True))
        for attribute, fallback in fallbacks.items():
            if arguments[attribute] is None:
                arguments[attribute] = fallback
        if spec.keeps_fields:
            arguments["fields"] = dict(zip(names, values, strict=True))
        records.append(spec.build(**arguments))
    return tuple(records)


def _picker(positions: list[int]) -> Callable[[Sequence[FieldValue]], Sequence[FieldValue]]:
    if len(positions) == 1:
        only = positions[0]
        return lambda values: (values[only],)
    return operator.itemgetter(*positions)


def _fallbacks(spec: _ObjectSpec, attributes: Sequence[str]) -> dict[str, Any]:
    """What an empty cell becomes when the model does not take None there (is_active, name …)."""
    defaults = {
        model_field.name: model_field.default for model_field in dataclasses.fields(spec.build)
    }
    fallbacks = {}
    for attribute in attributes:
        fallback = spec.required.get(attribute, defaults.get(attribute))
        if fallback is not None and fallback is not dataclasses.MISSING:
            fallbacks[attribute] = fallback
    return fallbacks


# planning and making owner writes


def _plan_owner_writes(
    object_name: str, table: Table, changes: list[OwnerChange]
) -> tuple[list[WriteResult], dict[int, list[str]], dict[str, str]]:
    """What each change would do to the file: the results, the new cells of the rows that
    change (by raw chunk), and the new owner of each record. A record that already has its
    new owner needs no rewrite, so routing the same leads twice leaves the file alone."""
    if not table.readable:
        return _all_failed(changes, f"{table.file_name} cannot be read: {table.issues[0]}"), {}, {}
    owner_index = table.column_index(OWNER_ID)
    if owner_index is None:
        return (
            _all_failed(changes, f"{table.file_name} has no OwnerId column; add one to the header"),
            {},
            {},
        )
    rows = {row.id: row for row in table.rows}
    results: list[WriteResult] = []
    new_cells: dict[int, list[str]] = {}
    new_owners: dict[str, str] = {}
    for change in changes:
        row = rows.get(change.record_id)
        problem = _why_not_writable(object_name, table, change, row)
        if problem or row is None:
            results.append(_failed(change.record_id, problem))
            continue
        if row.chunk in new_cells or row.cells[owner_index] != change.owner_id:
            new_cells.setdefault(row.chunk, list(row.cells))[owner_index] = change.owner_id
            new_owners[row.id] = change.owner_id
        results.append(WriteResult(change.record_id, ok=True))
    return results, new_cells, new_owners


def _why_not_writable(object_name: str, table: Table, change: OwnerChange, row: Row | None) -> str:
    if not change.owner_id.strip():
        return f"no owner given for {object_name} {change.record_id}"
    if row is not None:
        return ""
    line = table.unloaded.get(change.record_id)
    if line is not None:
        return (
            f"{object_name} {change.record_id} is on {table.file_name} line {line}, which was "
            "not loaded because the row is malformed; fix that row first"
        )
    return f"{object_name} {change.record_id} is not in {table.file_name}"


def _with_owner(record: Any, owner_id: str) -> Any:
    return dataclasses.replace(
        record, owner_id=owner_id, fields={**record.fields, OWNER_ID: owner_id}
    )


def _failed(record_id: str, error: str, retryable: bool = False) -> WriteResult:
    return WriteResult(record_id, ok=False, error=error, retryable=retryable)


def _all_failed(
    changes: Sequence[OwnerChange], error: str, *, retryable: bool = False
) -> list[WriteResult]:
    return [_failed(change.record_id, error, retryable) for change in changes]


def _transient(error: OSError) -> bool:
    """A full disk or a busy file may clear up; a permission or a missing folder will not."""
    return not isinstance(error, PermissionError | FileNotFoundError | IsADirectoryError)
