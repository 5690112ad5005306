"""One Salesforce-style CSV export: read into rows, and written back changing only some cells.

Reading never stops at a bad row: every problem becomes a DataIssue and the rest loads. The
same reading serves the write path (with `keep_raw`), so the rows a write can touch are exactly
the rows a snapshot loads, and every record we do not change is written back byte for byte.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from routing.model import DataIssue

ID = "Id"
DEFAULT_NEWLINE = "\r\n"
_Quoting = Literal[0, 1, 2, 3]  # csv.QUOTE_MINIMAL, QUOTE_ALL, …
# A web form's 1 MB field is a value, not a broken row (csv's own limit is 128 KiB).
FIELD_LIMIT = 16 * 1024 * 1024


class Row(NamedTuple):
    line: int
    id: str
    cells: list[str]  # at least one per column (extra cells are empty)
    chunk: int  # index of the row's raw text in Table.chunks


@dataclass(slots=True)
class Table:
    file_name: str
    columns: list[str] = field(default_factory=list)
    ignored_columns: frozenset[int] = frozenset()
    rows: list[Row] = field(default_factory=list)
    issues: list[DataIssue] = field(default_factory=list)
    unloaded: dict[str, int] = field(default_factory=dict)  # Id → line of a row not loaded
    chunks: list[str] = field(default_factory=list)  # raw text of every record, header first
    readable: bool = True  # False: the file as a whole could not be read; never write it
    bom: bool = False
    newline: str = DEFAULT_NEWLINE

    def column_index(self, name: str) -> int | None:
        try:
            return self.columns.index(name)
        except ValueError:
            return None


class _Record(NamedTuple):
    line: int
    cells: list[str] | None
    raw: str
    error: str | None


def read_table(path: Path, *, keep_raw: bool = False) -> Table:
    try:
        data = path.read_bytes()
    except OSError as error:
        table = Table(path.name, readable=False)
        table.issues.append(
            DataIssue(
                path.name,
                f"the file cannot be read ({error.strerror})",
                "make the file readable by the user running LeadRelay",
            )
        )
        return table
    return parse_table(path.name, data, keep_raw=keep_raw)


def parse_table(file_name: str, data: bytes, *, keep_raw: bool = False) -> Table:
    table = Table(file_name, bom=data.startswith(codecs.BOM_UTF8))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _report_not_utf8(table, data, error)
        return table
    records = _Records(text, keep_raw=keep_raw)
    rows = iter(records)
    header = _read_header(table, rows)
    if header is None:
        return table
    records.width = len(header)
    _read_rows(table, rows)
    return table


def _report_not_utf8(table: Table, data: bytes, error: UnicodeDecodeError) -> None:
    line = data.count(b"\n", 0, error.start) + 1
    table.readable = False
    table.issues.append(
        DataIssue(
            f"{table.file_name} line {line}",
            f"the file is not UTF-8 (byte 0x{data[error.start]:02x} cannot be read), "
            "so none of its records were loaded",
            "save the file as UTF-8 (in Excel: Save As → CSV UTF-8)",
        )
    )


class _Records:
    """CSV records with the line each starts on and, with keep_raw, their exact text.

    A quote left open swallows every line after it into one cell; so a record that spans
    lines but does not fit the header is taken back: its first line alone is the broken row,
    and reading starts again on the next line. A broken row costs that row, not the file."""

    def __init__(self, text: str, *, keep_raw: bool) -> None:
        if csv.field_size_limit() < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)
        self.lines = io.StringIO(text, newline="").readlines()
        self.keep_raw = keep_raw
        self.width: int | None = None  # the header's, once it is read
        self.at = 0

    def __iter__(self) -> Iterator[_Record]:
        while self.at < len(self.lines):
            yield self._next()

    def _next(self) -> _Record:
        start = self.at
        reader = csv.reader(self._feed(), strict=False)
        try:
            cells: list[str] | None = next(reader)
            error = None
        except StopIteration:  # only blank text was left
            cells, error = [], None
        except csv.Error as problem:
            cells, error = None, str(problem)
        if self.at - start > 1 and not self._fits(cells, self.lines[start + 1 : self.at]):
            self.at = start + 1
            cells, error = None, "a quote opened on this line is never closed"
        raw = "".join(self.lines[start : self.at]) if self.keep_raw else ""
        return _Record(start + 1, cells, raw, error)

    def _feed(self) -> Iterator[str]:
        while self.at < len(self.lines):
            self.at += 1
            yield self.lines[self.at - 1]

    def _fits(self, cells: list[str] | None, swallowed: list[str]) -> bool:
        """A cell may hold line breaks (an address), but not whole rows of the file."""
        if cells is None:
            return False
        if self.width is None:
            return True
        if len(cells) != self.width and not _only_blanks_past(self.width, cells):
            return False
        return not any(len(row) == self.width for row in csv.reader(swallowed, strict=False))


def _read_header(table: Table, records: Iterator[_Record]) -> list[str] | None:
    for record in records:
        table.chunks.append(record.raw)
        if record.cells is None or not any(cell.strip() for cell in record.cells):
            continue
        table.newline = _line_ending(record.raw)
        return _accept_header(table, record.line, record.cells)
    table.readable = False
    table.issues.append(
        DataIssue(
            table.file_name,
            "the file has no header row, so no records were loaded",
            "put a header row of Salesforce field API names (Id, Name, OwnerId, …) on line 1",
        )
    )
    return None


def _line_ending(raw: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if raw.endswith(ending):
            return ending
    return DEFAULT_NEWLINE


def _accept_header(table: Table, line: int, header: list[str]) -> list[str] | None:
    columns = [name.strip() for name in header]
    if ID not in columns:
        table.readable = False
        table.issues.append(
            DataIssue(
                f"{table.file_name} line {line}",
                f"the header has no Id column (it reads {','.join(columns)[:80]!r}), "
                "so no records were loaded",
                "name the column that holds each record's Salesforce Id 'Id', and separate "
                "columns with commas",
            )
        )
        return None
    table.columns = columns
    table.ignored_columns = _ignored_columns(table, line, columns)
    return columns


def _ignored_columns(table: Table, line: int, columns: list[str]) -> frozenset[int]:
    ignored: set[int] = set()
    first_seen: dict[str, int] = {}
    for index, name in enumerate(columns):
        where = f"{table.file_name} line {line}, column {index + 1}"
        if not name:
            ignored.add(index)
            table.issues.append(
                DataIssue(
                    where,
                    "the column has no name, so its values were ignored",
                    "write the field's API name in the header, or remove the column",
                )
            )
        elif name in first_seen:
            ignored.add(index)
            table.issues.append(
                DataIssue(
                    where,
                    f"column {name} appears twice (columns {first_seen[name] + 1} and "
                    f"{index + 1}); the values of the second were ignored",
                    "rename or remove one of the two columns",
                )
            )
        else:
            first_seen[name] = index
    return frozenset(ignored)


def _read_rows(table: Table, records: Iterator[_Record]) -> None:
    width = len(table.columns)
    id_index = table.columns.index(ID)
    first_line_of: dict[str, int] = {}
    chunks, rows = table.chunks, table.rows
    for record in records:
        line, cells, raw, _ = record
        chunk = len(chunks)
        chunks.append(raw)
        if cells is not None and len(cells) == width:
            record_id = cells[id_index].strip()
            if record_id and record_id not in first_line_of:
                first_line_of[record_id] = line
                rows.append(Row(line, record_id, cells, chunk))
                continue
        _read_unusual_row(table, record, chunk, first_line_of)


def _read_unusual_row(
    table: Table, record: _Record, chunk: int, first_line_of: dict[str, int]
) -> None:
    """Everything but the common case of a full row with a new Id, kept off the fast path."""
    width = len(table.columns)
    id_index = table.columns.index(ID)
    cells = record.cells
    if cells is None:
        _report_unreadable(table, record)
    elif not any(cells):
        return
    elif len(cells) != width and not _only_blanks_past(width, cells):
        _report_width(table, record.line, cells, width, id_index)
    else:
        _accept_row(table, Row(record.line, cells[id_index].strip(), cells, chunk), first_line_of)


def _only_blanks_past(width: int, cells: list[str]) -> bool:
    """A trailing comma too many loses nothing, so the row still loads."""
    return len(cells) > width and not any(cells[width:])


def _accept_row(table: Table, row: Row, first_line_of: dict[str, int]) -> None:
    if not row.id:
        if any(cell.strip() for cell in row.cells):
            table.issues.append(
                DataIssue(
                    f"{table.file_name} line {row.line}, column Id",
                    "the row has no Id, so it was not loaded",
                    "fill in the record's Salesforce Id",
                )
            )
        return
    first_line = first_line_of.get(row.id)
    if first_line is not None:
        table.issues.append(
            DataIssue(
                f"{table.file_name} line {row.line}, column Id",
                f"Id {row.id} is already on line {first_line}; this later row was not loaded",
                "remove the duplicate row, or give it its own Id",
                record_id=row.id,
            )
        )
        return
    first_line_of[row.id] = row.line
    table.rows.append(row)


def _report_unreadable(table: Table, record: _Record) -> None:
    guessed_id = record.raw.split(",", 1)[0].strip().strip('"')
    if guessed_id.isalnum() and len(guessed_id) in (15, 18):  # so a write to it says why
        table.unloaded.setdefault(guessed_id, record.line)
    table.issues.append(
        DataIssue(
            f"{table.file_name} line {record.line}",
            f"the row cannot be read as CSV ({record.error}), so it was not loaded",
            "check the quotes: a quoted cell must end with a quote, and a quote inside it "
            'is written twice ("")',
        )
    )


def _report_width(table: Table, line: int, cells: list[str], width: int, id_index: int) -> None:
    record_id = cells[id_index].strip() if len(cells) > id_index else ""
    if record_id:
        table.unloaded.setdefault(record_id, line)
    table.issues.append(
        DataIssue(
            f"{table.file_name} line {line}",
            f"the row has {len(cells)} cells but the header has {width} columns, "
            "so it was not loaded",
            "give the row one cell per header column, and quote any cell that contains a comma",
            record_id=record_id or None,
        )
    )


def render(table: Table, new_cells: Mapping[int, list[str]]) -> bytes:
    """The file again, with the records at the given chunks re-written from their new cells.
    Each keeps its own line ending; every other record is its original text."""
    parts = list(table.chunks)
    for chunk, cells in new_cells.items():
        parts[chunk] = _format_record(cells, _own_ending(parts[chunk]), _quoting_of(parts[chunk]))
    text = "".join(parts)
    prefix = codecs.BOM_UTF8 if table.bom else b""
    return prefix + text.encode("utf-8")


def _own_ending(raw: str) -> str:
    ending = _line_ending(raw)
    return ending if raw.endswith(ending) else ""


def _format_record(cells: list[str], ending: str, quoting: _Quoting = csv.QUOTE_MINIMAL) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending, quoting=quoting).writerow(cells)
    return buffer.getvalue()


def _quoting_of(raw: str) -> _Quoting:
    """Data Loader quotes every cell: a row written that way is rewritten that way."""
    if not raw.startswith('"'):
        return csv.QUOTE_MINIMAL
    cells = next(csv.reader(io.StringIO(raw, newline="")), None)
    if cells is not None and _format_record(cells, _own_ending(raw), csv.QUOTE_ALL) == raw:
        return csv.QUOTE_ALL
    return csv.QUOTE_MINIMAL


class ReadOnly(PermissionError):
    """The export is marked read-only: someone meant it not to change."""


def write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never half of one: write a temporary file
    beside it, flush it to disk, then rename it over the original. A symlink is written
    through (its target is replaced, the link stays); a read-only file is refused even for
    a user, such as root, whom the permissions would not stop."""
    path = Path(os.path.realpath(path))
    mode = path.stat().st_mode & 0o7777
    if not mode & 0o222:
        raise ReadOnly(
            f"{path} is read-only, so its owners were not changed — make it writable "
            "(chmod u+w) to let LeadRelay write owners, or route with --dry-run"
        )
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform lets a folder be opened."""
    if sys.platform == "win32":
        return
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Serialise writers across processes (worker processes share the folder) without
    creating any file in the user's folder: lock the folder itself."""
    if sys.platform == "win32":
        yield
        return
    import fcntl

    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)
