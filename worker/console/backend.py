"""What the console's pages ask and do, each in terms of the jobs the CLI runs: explain,
history, simulation, policy check and publish, redrive, best-fit approvals, status."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis

from worker.console import diagram as pictures
from worker.console import queries
from worker.console._services import (
    EVERY_LEAD,
    Approval,
    ApprovalsStore,
    CheckReport,
    ConfiguredCrm,
    CrmBoard,
    DeadLetter,
    Decision,
    Event,
    HeldRow,
    InsightsStore,
    PolicyVersion,
    PolicyVersions,
    PublishOutcome,
    RecordedDecision,
    RedriveReport,
    Runtime,
    Settings,
    Simulation,
    Store,
    World,
    check_policy,
    decide_approval,
    differences,
    either,
    explain_made_up,
    explain_record,
    open_lead_loads,
    policy_name,
    publish_version,
    read_policy_file,
    record_history,
    redrive_dead_letters,
    run_simulation,
    session_for,
    simulation_html,
    simulation_summary,
    unwritable,
    why_unavailable,
)
from worker.console.live import LiveCrm
from worker.store.audit import AuditLog

Clock = Callable[[], datetime]
KEPT_SIMULATIONS = 8


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class RecordView:
    record_id: str
    history: list[Event]
    recorded: list[RecordedDecision]
    fresh: Decision | None
    routable: bool
    world: World | None
    differ: list[str]
    fresh_error: str | None = None


@dataclass
class Match:
    record_id: str
    object: str
    name: str
    company: str
    email: str


@dataclass
class PoolToday:
    name: str
    method: str
    cap: int | None
    members: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Operations:
    sla_counts: Any
    clocks: list[dict[str, Any]]
    pools: list[PoolToday]
    held: list[HeldRow]
    approvals: list[Approval]
    dead_letters: list[DeadLetter]
    health: dict[str, Any]
    queue: dict[str, int]


@dataclass
class Draft:
    id: str
    path: Path
    check: CheckReport | None
    error: str | None
    simulation: Simulation | None
    summary: dict[str, Any] | None
    against: str


class Backend:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        client: redis.Redis,
        redis_url: str,
        *,
        crms: Callable[[], list[ConfiguredCrm]] | None = None,
        snapshot_ttl_s: float = 60.0,
        clock: Clock = _utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.engine = store.engine
        self.client = client
        self.runtime = Runtime(settings, redis_url, store, client)
        self._crms = crms or CrmBoard(client).configured
        self._ttl = snapshot_ttl_s
        self.clock = clock
        self.audit = AuditLog(store.engine)
        self._live: dict[str, LiveCrm] = {}
        self._lock = threading.Lock()
        self._drafts_run: dict[str, Draft] = {}  # the latest simulations, by draft

    # --- which CRM -------------------------------------------------------------------------

    def crms(self) -> list[ConfiguredCrm]:
        return self._crms()

    def live(self, key: str | None) -> LiveCrm | None:
        configured = self.crms()
        chosen = next(
            (c for c in configured if c.key == key), configured[0] if configured else None
        )
        if chosen is None:
            return None
        with self._lock:
            found = self._live.get(chosen.key)
            if found is None or found.configured != chosen:
                found = self._live[chosen.key] = LiveCrm(
                    chosen, self.engine, self.settings.home, self._ttl
                )
            return found

    # --- the policy --------------------------------------------------------------------------

    def diagram(self, crm: LiveCrm) -> tuple[pictures.Diagram, str]:
        snapshot, path, label = crm.snapshot()
        spec = read_policy_file(path)
        policy = session_for(snapshot, path).policy
        loads = open_lead_loads(snapshot, policy)
        by_key = {u.email.casefold(): u for u in snapshot.users.values() if u.email}
        by_key.update({u.id.casefold(): u for u in snapshot.users.values()})

        def people(name: str) -> pictures.MemberToday:
            user = by_key.get(name.casefold())
            if user is None:
                return pictures.MemberToday(name, None, "not in the CRM")
            away = why_unavailable(user.is_active, user.fields, policy.away_fields)
            return pictures.MemberToday(user.name, loads.get(user.id, 0), away)

        return pictures.build_diagram(spec, people), label

    def versions(self, crm: LiveCrm) -> list[PolicyVersion]:
        return PolicyVersions(self.engine).history(policy_name(Path(crm.configured.policy)))

    # --- a record ----------------------------------------------------------------------------

    def record(self, crm: LiveCrm, record_id: str) -> RecordView:
        history = record_history(self.engine, record_id, crm.key)
        recorded = self.store.decisions_for(record_id, crm.key)
        view = RecordView(record_id, history, recorded, None, False, None, [])
        try:
            snapshot, path, _ = crm.snapshot()
            session = session_for(snapshot, path, models_home=self.settings.home)
            view.fresh, view.routable = explain_record(session, record_id)
            view.world = session.router.world
        except Exception as exc:  # the CRM cannot be read now: the history still shows
            view.fresh_error = f"{type(exc).__name__}: {exc}"
            return view
        if view.fresh is not None and recorded:
            view.differ = differences(view.fresh, recorded[-1].decision)
        return view

    def search(self, crm: LiveCrm, text: str, limit: int = 50) -> list[Match]:
        """By Id (the store's and the CRM's), email (exact, any case) or company (contains)."""
        wanted = text.strip().casefold()
        if not wanted:
            return []
        snapshot, _, _ = crm.snapshot()
        found = []
        for lead in snapshot.leads:
            fields = lead.fields
            email = str(fields.get("Email") or "")
            company = str(fields.get("Company") or "")
            if (
                lead.id.casefold() == wanted
                or email.casefold() == wanted
                or wanted in company.casefold()
            ):
                name = " ".join(str(fields.get(f) or "") for f in ("FirstName", "LastName")).strip()
                found.append(Match(lead.id, lead.object, name, company, email))
        if not found and self.store.decisions_for(text.strip(), crm.key):
            found.append(Match(text.strip(), "?", "(no longer in the CRM)", "", ""))
        return found[:limit]

    def try_lead(self, crm: LiveCrm, fields: dict[str, str]) -> tuple[Decision, World, bool]:
        snapshot, path, _ = crm.snapshot()
        decision, session, routable = explain_made_up(snapshot, path, fields, self.settings.home)
        return decision, session.router.world, routable

    # --- before go-live ----------------------------------------------------------------------

    def save_draft(self, content: str) -> str:
        draft_id = uuid.uuid4().hex[:16]
        path = self._drafts() / f"{draft_id}.yaml"
        path.write_text(content, encoding="utf-8")
        return draft_id

    def draft_path(self, draft_id: str) -> Path | None:
        if not draft_id.isalnum():
            return None
        path = self._drafts() / f"{draft_id}.yaml"
        return path if path.is_file() else None

    def _drafts(self) -> Path:
        folder = self.settings.home / "console" / "drafts"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def simulate(self, crm: LiveCrm, draft_id: str) -> Draft:
        """`policy check` against the CRM, then every lead replayed under the version routed
        now and under the draft."""
        path = self.draft_path(draft_id)
        assert path is not None
        source = crm.source()
        draft = Draft(draft_id, path, None, None, None, None, source.label)
        try:
            draft.check = check_policy(path, crm.connector)
        except Exception as exc:  # a schema error: nothing else can be read
            draft.error = str(exc)
            return draft
        if draft.check.errors:
            return draft
        simulation = run_simulation(
            crm.connector, path, crm.policy_path(source), EVERY_LEAD, self.clock()
        )
        draft.simulation = simulation
        draft.summary = simulation_summary(simulation, source.label)
        with self._lock:
            self._drafts_run[draft_id] = draft
            while len(self._drafts_run) > KEPT_SIMULATIONS:
                self._drafts_run.pop(next(iter(self._drafts_run)))
        return draft

    def simulation_report(self, crm: LiveCrm, draft_id: str) -> str:
        """The simulation report (`leadrelay simulate`'s HTML) of the draft's latest run."""
        with self._lock:
            draft = self._drafts_run.get(draft_id)
        if draft is None:
            draft = self.simulate(crm, draft_id)
        if draft.simulation is None:
            return "<!doctype html><p>Not simulated: the draft has problems (see above).</p>"
        return simulation_html(draft.simulation.report, draft.simulation.world)

    def publish(self, crm: LiveCrm, draft_id: str, who: str, message: str) -> PublishOutcome:
        """The same checks as `policy publish --crm`: any error refuses it (PolicyError)."""
        path = self.draft_path(draft_id)
        if path is None:
            raise ValueError(f"no draft {draft_id}: upload it again")
        check_policy(path, crm.connector).raise_errors()
        name = policy_name(Path(crm.configured.policy))
        outcome = publish_version(
            PolicyVersions(self.engine),
            name,
            path.read_text(encoding="utf-8"),
            author=who,
            message=message,
            source=f"console draft {draft_id}",
            connector=crm.connector,
            candidate=path,
        )
        crm.forget()
        return outcome

    # --- operations --------------------------------------------------------------------------

    def operations(self, crm: LiveCrm) -> Operations:
        now = self.clock()
        return Operations(
            sla_counts=queries.unclosed_clocks(self.engine, crm.key, now, timedelta(hours=1)),
            clocks=queries.next_clocks(self.engine, crm.key, limit=50),
            pools=self._pools(crm),
            held=InsightsStore(self.engine).held(crm.key, limit=100),
            approvals=ApprovalsStore(self.engine).pending(crm.key, limit=100),
            dead_letters=self.store.open_dead_letters(crm.key),
            health=self._health(crm),
            queue=self._queue(),
        )

    def _health(self, crm: LiveCrm) -> dict[str, Any]:
        """What `leadrelay status` says of the CRM's worker, from Redis only (no count over
        the decisions: the page loads as fast on a million of them)."""
        board, key = self.runtime.board, crm.key
        return {
            "last_poll": board.last_poll(key),
            "last_polled_at": self.runtime.state(crm.configured.url).last_polled(key),
            "api_budget": board.budget(key),
            "api_calls_today": board.calls_today(key),
            "paused": board.paused(key),
            "policy_version": board.policy(key),
            "notifications": InsightsStore(self.engine).outbox_counts(key),
        }

    def _queue(self) -> dict[str, int]:
        from worker.names import QUEUE

        return {
            "queued": int(self.client.llen(QUEUE)),
            "unacknowledged": int(self.client.hlen("unacked")),
        }

    def _pools(self, crm: LiveCrm) -> list[PoolToday]:
        try:
            snapshot, path, _ = crm.snapshot()
        except Exception:
            return []
        policy = session_for(snapshot, path).policy
        loads = open_lead_loads(snapshot, policy)
        pools = []
        for pool in policy.pools.values():
            today = PoolToday(pool.name, pool.method, pool.cap)
            for member in pool.members:
                user = snapshot.users.get(member.user_id)
                away = (
                    why_unavailable(user.is_active, user.fields, policy.away_fields)
                    if user
                    else "not in the CRM"
                )
                load = loads.get(member.user_id, 0)
                full = pool.cap is not None and load >= pool.cap
                today.members.append(
                    {
                        "id": member.user_id,
                        "name": user.name if user else member.user_id,
                        "weight": member.weight,
                        "load": load,
                        "full": full,
                        "unavailable": away,
                    }
                )
            pools.append(today)
        return pools

    def retry(self, crm: LiveCrm, letter_id: int) -> RedriveReport:
        """`leadrelay retry` for one dead letter, with the same refusals (an owner the policy
        may not write is skipped)."""
        snapshot, path, _ = crm.snapshot()

        def only_this(letter: DeadLetter) -> str | None:
            return None if letter.id == letter_id else "not chosen"

        report = redrive_dead_letters(
            self.store,
            crm.connector,
            dry_run=False,
            crm=crm.key,
            skip_if=either(only_this, unwritable(path, snapshot)),
        )
        report.skipped = [(letter, why) for letter, why in report.skipped if why != "not chosen"]
        crm.forget()
        return report

    def decide(self, crm: LiveCrm, approval_id: int, state: str) -> tuple[Approval, str]:
        approvals = ApprovalsStore(self.engine)
        found = decide_approval(approvals, crm.connector, crm.key, approval_id, state=state)
        crm.forget()
        return found
