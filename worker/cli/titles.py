"""`leadrelay titles FILE`: a column of job titles in, the same CSV out with what each title
says (seniority, rank, function, all functions, the words that decided), so an admin can check
the reading on their own data before a rule depends on it. A summary goes to stderr."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from config.errors import PolicyError
from config.policy import read_policy_file
from config.titles import compile_titles
from routing.titles import DEFAULT_TITLE_SETTINGS, TitleRole, TitleSettings, classify_title
from worker.cli._common import OutputError, err, refuse_overwriting, say_error
from worker.reports.terminal import cell

__all__ = ["register", "titles"]


ADDED_COLUMNS = (
    "title_seniority",
    "title_rank",
    "title_function",
    "title_functions",
    "title_evidence",
)
_DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64 * 1024


class _BadInput(Exception):
    """What is wrong with the file, said so an admin can fix it."""


def register(app: typer.Typer) -> None:
    app.command("titles")(titles)


def titles(
    file: Annotated[Path, typer.Argument(help="a CSV file with a column of job titles")],
    column: Annotated[str, typer.Option("--column", help="the column with the titles")] = "Title",
    output: Annotated[
        Path | None, typer.Option("--output", help="write the CSV here, not stdout")
    ] = None,
    policy: Annotated[
        Path | None, typer.Option("--policy", help="a routing policy: its titles: section")
    ] = None,
) -> None:
    """Read the job titles in a CSV column: seniority and function for each, and why."""
    try:
        if output is not None:
            refuse_overwriting(output, file, *([policy] if policy else []))
        settings = _settings(policy)
        counts = _classify_file(file, column, output, settings)
    except (PolicyError, _BadInput, OutputError) as exc:
        say_error(exc)
        raise typer.Exit(2) from None
    _summary(counts)


def _settings(policy: Path | None) -> TitleSettings:
    if policy is None:
        return DEFAULT_TITLE_SETTINGS
    settings, problems = compile_titles(read_policy_file(policy).titles)
    if problems:
        raise PolicyError(str(policy), problems)
    return settings


def _classify_file(
    file: Path, column: str, output: Path | None, settings: TitleSettings
) -> Counter[tuple[str, str]]:
    try:
        handle = file.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise _BadInput(f"{file}: cannot be read ({exc.strerror}) — check the path") from None
    with handle:
        dialect = _dialect(handle)
        reader = csv.DictReader(handle, dialect=dialect)
        header = list(reader.fieldnames or [])
        source = _title_column(file, header, column)
        fields = [*header, *(c for c in ADDED_COLUMNS if c not in header)]
        with _output(output) as out:
            writer = csv.DictWriter(out, fieldnames=fields, dialect=dialect)
            writer.writeheader()
            return _rows(reader, writer, source, settings, file)


def _rows(
    reader: csv.DictReader[str],
    writer: csv.DictWriter[str],
    source: str,
    settings: TitleSettings,
    file: Path,
) -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    with Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task(f"reading titles in {file.name}", total=None)
        for row in reader:
            role = classify_title(row.get(source), settings)
            writer.writerow({**row, **_columns(role)})
            counts[(role.seniority, role.function)] += 1
            progress.advance(task)
    return counts


def _columns(role: TitleRole) -> dict[str, str | int]:
    return {
        "title_seniority": role.seniority,
        "title_rank": role.rank,
        "title_function": role.function,
        "title_functions": ";".join(role.functions),
        "title_evidence": "; ".join(f"{words} → {reading}" for words, reading in role.evidence),
    }


def _dialect(handle: IO[str]) -> type[csv.Dialect]:
    """European spreadsheets save with ; — keep whatever the file uses, in and out."""
    sample = handle.read(_SNIFF_BYTES)
    handle.seek(0)
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        return csv.excel


def _title_column(file: Path, header: list[str], column: str) -> str:
    if column in header:
        return column
    folded = [name for name in header if name.strip().casefold() == column.casefold()]
    if folded:
        return folded[0]
    known = ", ".join(header) or "none (the file is empty)"
    raise _BadInput(
        f"{file}: no column '{column}' — the columns are: {known}; choose one with --column"
    )


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _summary(counts: Counter[tuple[str, str]]) -> None:
    total = sum(counts.values())
    table = Table("seniority", "titles", title=f"{total} titles read")
    by_level: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    for (level, function), n in counts.items():
        by_level[level] += n
        by_function[function] += n
    for level, n in by_level.most_common():
        table.add_row(cell(level), str(n))
    functions = Table("function", "titles")
    for function, n in by_function.most_common():
        functions.add_row(cell(function), str(n))
    err.print(table)
    err.print(functions)
