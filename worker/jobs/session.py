"""Jobs: orchestration shared by the CLI and the Celery tasks. They wire a connector, a
policy and a distribution state to the pure engine, and report what they did."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from config.policy import load_policy, policy_warnings
from connectors.base import Connector, QuotaExhausted, WriteCheck, WriteResult
from routing.engine import (
    DistributionState,
    MemoryState,
    Router,
    open_lead_loads,
    route_all,
    wall_clock,
)
from routing.matching import AccountFacts, AccountMatcher, MatchSettings
from routing.model import CrmSnapshot, Decision, Lead, Match, OwnerChange
from routing.ownership import OwnerRule
from routing.policy import RoutingPolicy
from routing.record_ids import resolve
from routing.routed import routed_records
from routing.world import World
from worker.jobs.bestfit import best_fit_of, load_model
from worker.jobs.policy.fields import read_policy_fields
from worker.jobs.writes import quota_stopped
from worker.store.policies import file_label


@dataclass
class RoutingSession:
    """A snapshot of one CRM with a compiled policy, ready to route or match."""

    snapshot: CrmSnapshot
    policy: RoutingPolicy
    router: Router
    matcher: AccountMatcher
    warnings: list[str] = field(default_factory=list)
    policy_version: str | None = None  # what its decisions name (`acme@3`, `acme@file:…`)


def open_session(
    connector: Connector,
    policy_path: Path,
    state: DistributionState | None = None,
    models_home: Path | None = None,
) -> RoutingSession:
    """`models_home`: where best-fit models are kept (LEADRELAY_HOME); the current one is used
    when the policy has a best-fit pool. The connector reads every field the policy reads."""
    read_policy_fields(connector, policy_path)
    return session_for(connector.snapshot(), policy_path, state, models_home)


def session_for(
    snapshot: CrmSnapshot,
    policy_path: Path,
    state: DistributionState | None = None,
    models_home: Path | None = None,
) -> RoutingSession:
    """A session over a snapshot already read (the worker overlays a change feed on one)."""
    policy = load_policy(policy_path, snapshot)
    matcher = build_matcher(snapshot, policy)
    if state is None:
        state = MemoryState(open_lead_loads(snapshot, policy))
    model = load_model(models_home) if models_home and best_fit_of(policy) else None
    router = Router(policy, World(snapshot), state, matcher, model=model, clock=wall_clock)
    warnings = policy_warnings(policy, snapshot)
    version = file_label(policy_path, policy_path.read_text(encoding="utf-8"))
    return RoutingSession(snapshot, policy, router, matcher, warnings, version)


def build_matcher(snapshot: CrmSnapshot, policy: RoutingPolicy | None = None) -> AccountMatcher:
    settings = policy.matching if policy else MatchSettings()
    facts = AccountFacts.from_snapshot(snapshot)  # for the open-opportunity/activity tie-breakers
    return AccountMatcher(snapshot.accounts.values(), snapshot.contacts, settings, facts=facts)


@dataclass
class RouteReport:
    decisions: list[Decision]
    writes: list[WriteResult]
    dry_run: bool
    refused: list[tuple[OwnerChange, str]] = field(default_factory=list)  # never written
    quota: QuotaExhausted | None = None  # the API quota ran out part-way through the writes

    @property
    def failed_writes(self) -> list[WriteResult]:
        return [w for w in self.writes if not w.ok]


def check_writable(connector: Connector) -> None:
    """Raises ConfigError for a CRM no owner may be written to (the bundled sample)."""
    if isinstance(connector, WriteCheck):
        connector.check_writable()


def route_routable(
    session: RoutingSession,
    connector: Connector,
    *,
    dry_run: bool,
    on_decision: Callable[[Decision], None] | None = None,
) -> RouteReport:
    """Route every routable record in CreatedDate order; write the owners unless dry run."""
    if not dry_run:
        check_writable(connector)  # before a decision is printed
    decisions = []
    for made in route_all(session.router, session_records(session)):
        decision = replace(made, policy_version=session.policy_version)
        decisions.append(decision)
        if on_decision:
            on_decision(decision)
    changes = [d.owner_change() for d in decisions if d.owner_id != d.previous_owner_id]
    changes, refused = OwnerRule.of(session.policy.objects, session.snapshot).split(changes)
    try:
        writes = connector.write_owners(changes, dry_run=dry_run) if changes else []
    except QuotaExhausted as stop:  # some owners may be written: say which, time those
        return RouteReport(decisions, quota_stopped(changes, stop), dry_run, refused, stop)
    return RouteReport(decisions, writes, dry_run, refused)


def match_all(session_snapshot: CrmSnapshot, matcher: AccountMatcher) -> Iterator[Match]:
    for lead in session_snapshot.leads:
        yield matcher.match(lead)


def match_summary(methods: Mapping[str, int]) -> str:
    """`matched 101 of 478 leads to an account (domain 60, name 41); 377 matched none`."""
    total = sum(methods.values())
    unmatched = methods.get("none", 0)
    found = ", ".join(
        f"{m} {n}" for m, n in sorted(methods.items(), key=lambda i: -i[1]) if m != "none"
    )
    line = f"matched {total - unmatched} of {total} leads to an account"
    return line + (f" ({found})" if found else "") + f"; {unmatched} matched none"


def session_records(session: RoutingSession) -> list[Lead]:
    """Every record the session's policy routes, whatever its object."""
    return list(routed_records(session.snapshot, session.policy.objects))


def find_lead(records: Sequence[Lead], record_id: str) -> Lead | None:
    """By its Id; a Salesforce Id may be given in its 15-character form."""
    wanted = resolve(record_id, (lead.id for lead in records)) or record_id
    return next((lead for lead in records if lead.id == wanted), None)


def explain_record(session: RoutingSession, record_id: str) -> tuple[Decision | None, bool]:
    """The decision the policy makes for one record, with everything routed before it in
    order first, since round robin and loads depend on what came earlier. Nothing is written.
    Returns (decision, routable); a record that is not routable is evaluated as it stands."""
    records = session_records(session)
    lead = find_lead(records, record_id)
    if lead is None:
        return None, False
    if not session.router.is_routable(lead):
        return session.router.route(lead), False
    for decision in route_all(session.router, records):
        if decision.record_id == lead.id:
            return decision, True
    return None, True
