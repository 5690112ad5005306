"""`leadrelay policy publish | history | diff | rollback`: the versions a worker routes.

A worker routes the latest version published under its policy's name (the file name without
`.yaml`; `worker.store.policies`), so an edit goes live only when it is published, and only
after the checks of `policy check` passed.
"""

from __future__ import annotations

import difflib
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from config.errors import PolicyError, PolicyProblem
from config.policy import dump_schema
from worker.bootstrap import open_crm, open_store
from worker.cli._common import err, friendly_errors
from worker.cli.diagram import policy_diagram
from worker.jobs.policy.check import check_policy
from worker.jobs.policy.publish import as_file, publish_version
from worker.reports.terminal import markup
from worker.store.policies import PolicyVersion, PolicyVersions, policy_name

if TYPE_CHECKING:
    pass

__all__ = ["register"]

NameOption = Annotated[
    str | None,
    typer.Option("--name", help="the policy's name (default: the file's name without .yaml)"),
]


policy_app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    help="Check a policy, or print its schema.",
)


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
    policy_app.command("check")(policy_check)
    policy_app.command("schema")(policy_schema)
    policy_app.command("diagram")(policy_diagram)
    policy_app.command("publish")(publish)
    policy_app.command("history")(history)
    policy_app.command("diff")(diff)
    policy_app.command("rollback")(rollback)


@contextmanager
def _versions() -> Iterator[PolicyVersions]:
    with open_store() as store:
        yield PolicyVersions(store.engine)


def _author() -> str:
    return os.environ.get("LEADRELAY_USER") or getpass.getuser()


def publish(
    file: Annotated[Path, typer.Argument(help="the policy file")],
    message: Annotated[str, typer.Option("-m", "--message", help="why this version")] = "",
    crm: Annotated[
        str | None, typer.Option("--crm", help="check against this CRM and simulate the change")
    ] = None,
    name: NameOption = None,
) -> None:
    """Check a policy and publish it as the version workers route."""
    with friendly_errors():
        content = file.read_text(encoding="utf-8") if file.exists() else None
        _check(file, crm)
        assert content is not None
        with _versions() as versions:
            named = name or policy_name(file)
            _publish(versions, named, content, message, str(file), crm, file)


def _check(file: Path, crm: str | None) -> None:
    """`policy check`: offline (the schema and the policy's own names), and against the CRM
    when one is given."""

    policy_check(file, crm)
    if crm is None:
        err.print(markup("[yellow]{}: give --crm to check it against the CRM and simulate the "
                         "change[/yellow]", file))  # fmt: skip


def _publish(
    versions: PolicyVersions,
    name: str,
    content: str,
    message: str,
    source: str,
    crm: str | None,
    candidate: Path,
) -> PolicyVersion | None:
    outcome = publish_version(
        versions, name, content, author=_author(), message=message, source=source,
        connector=open_crm(crm) if crm else None, candidate=candidate,
    )  # fmt: skip
    published, simulation = outcome.published, outcome.simulation
    if published is None:
        assert outcome.current is not None
        err.print(markup("nothing to publish: {} is {} already", source, outcome.current.label))
        return None
    err.print(
        markup(
            "[green]published {}[/green] (sha256 {}) by {}: {}",
            published.label,
            published.content_hash[:12],
            published.author,
            message or "(no message)",
        )
    )
    if simulation:
        err.print(_simulation_line(simulation))
    return published


def _changed(summary: dict[str, Any] | None) -> str:
    if not summary:
        return "—"
    if "error" in summary:
        return f"not simulated: {summary['against']} does not load"
    return f"{summary['changed']} of {summary['leads']} change vs {summary['against']}"


def _simulation_line(summary: dict[str, Any]) -> str:
    if "error" in summary:
        return f"[yellow]not simulated: {summary['error']}[/yellow]"
    rules = ", ".join(f"{rule} {n}" for rule, n in sorted(summary["by_rule"].items()))
    owners = ", ".join(f"{o} {n:+d}" for o, n in summary["by_owner"].items())
    return (
        f"against {summary['against']}: {summary['changed']} of {summary['leads']} leads change "
        f"owner" + (f" (by rule: {rules}; by owner: {owners})" if summary["changed"] else "")
    )


def _name_or_only(versions: PolicyVersions, name: str | None) -> str:
    if name:
        return name
    names = versions.names()
    if len(names) == 1:
        return names[0]
    if not names:
        _fail("no policy has been published yet: `leadrelay policy publish FILE --crm URL`")
    _fail(f"several policies are published ({', '.join(names)}): say which with --name")
    raise AssertionError  # unreachable


def _fail(message: str) -> None:
    err.print(markup("[red]{}[/red]", message))
    raise typer.Exit(1)


def history(name: NameOption = None) -> None:
    """Every published version, oldest first: who, when, why, what changed."""
    with _versions() as versions:
        name = _name_or_only(versions, name)
        print(f"{name}: {len(versions.history(name))} published versions, oldest first")
        for version in versions.history(name):
            print(
                f"{version.label}  {version.published_at:%Y-%m-%d %H:%M:%S} UTC  "
                f"{version.author}  sha256 {version.content_hash[:12]}  "
                f"{version.message or '(no message)'}  [{_changed(version.simulation)}]"
            )


def diff(
    a: Annotated[str, typer.Argument(help="a version number, `current`, or a file")],
    b: Annotated[str, typer.Argument(help="a version number, `current`, or a file")],
    name: NameOption = None,
) -> None:
    """A unified diff between two versions (or a version and a file)."""
    with _versions() as versions:
        name = _name_or_only(versions, name)
        (label_a, text_a), (label_b, text_b) = (
            _content(versions, name, a),
            _content(versions, name, b),
        )
    lines = difflib.unified_diff(
        text_a.splitlines(keepends=True), text_b.splitlines(keepends=True), label_a, label_b
    )
    sys.stdout.writelines(lines)


def _content(versions: PolicyVersions, name: str, which: str) -> tuple[str, str]:
    if which == "current":
        found = versions.latest(name)
    elif which.isdigit():
        found = versions.get(name, int(which))
    else:
        path = Path(which)
        if not path.is_file():
            _fail(f"{which}: not a version number of {name}, `current`, or a file")
        return which, path.read_text(encoding="utf-8")
    if found is None:
        _fail(f"{name} has no version {which}: `leadrelay policy history` lists them")
    assert found is not None
    return found.label, found.content


def rollback(
    version: Annotated[int, typer.Argument(help="the version to route again")],
    message: Annotated[str, typer.Option("-m", "--message", help="why")] = "",
    crm: Annotated[
        str | None, typer.Option("--crm", help="check it against this CRM and simulate")
    ] = None,
    name: NameOption = None,
) -> None:
    """Publish version N's content again, as a new version."""
    with friendly_errors(), _versions() as versions:
        name = _name_or_only(versions, name)
        old = versions.get(name, version)
        if old is None:
            raise PolicyError(
                name, [PolicyProblem("", f"no version {version}", "`policy history` lists them")]
            )
        with as_file(old.content) as path:
            _check(path, crm)
            why = message or f"rollback to {old.label}"
            _publish(versions, name, old.content, why, f"{old.label} (rollback)", crm, path)


def policy_check(
    file: Annotated[Path, typer.Argument(help="the policy file")],
    crm: Annotated[
        str | None,
        typer.Option("--crm", help="csv:DIR, salesforce: or hubspot:; without it, offline"),
    ] = None,
) -> None:
    """Validate a policy. Offline: its schema and what it defines itself (tiers, territories,
    pools, steps…). With --crm, besides: every field it reads, every user and queue it names,
    the owners allowed on the objects it routes, and the values it compares with picklists.
    Errors exit 2; warnings are shown and exit 0."""
    with friendly_errors():
        report = check_policy(file, open_crm(crm) if crm else None)
        for warning in report.warnings:
            err.print(markup("[yellow]{}: {}[/yellow]", file, warning))
        report.raise_errors()
        compiled = report.compiled
        if compiled is None:
            err.print(
                markup(
                    "[green]{}: OK[/green] offline (schema and the policy's own names); "
                    "--crm also checks its fields, users, queues and picklists",
                    file,
                )
            )
            return
        rules = len(compiled.rules) + sum(len(r) for r in compiled.steps.values())
        err.print(
            markup("[green]{}: OK[/green] — {} rules, {} pools", file, rules, len(compiled.pools))
        )


def policy_schema() -> None:
    """Print the policy's JSON Schema (for editors)."""
    print(dump_schema())
