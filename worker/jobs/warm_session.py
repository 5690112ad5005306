"""The worker's routing session, kept warm across batches.

`session_for` compiles the policy and indexes every account for one batch; on a large org
that is seconds to a minute of CPU per poll. A `WarmSession` does it once per worker process
and then applies the records each batch read (changed leads, records re-read by Id, a full
read's differences) to the same index and world. It is rebuilt only when the policy version
changes; the policy alone is compiled again when the CRM's users or queues change
(the policy names them). It routes exactly as a cold session over the same records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from config.policy import load_policy, policy_warnings
from connectors.records import to_contact
from routing.engine import DistributionState, LiveCrm, Record, Router, wall_clock
from routing.model import CONTACT, CrmSnapshot, Lead
from routing.policy import RoutingPolicy
from worker.jobs.bestfit import best_fit_of, load_model
from worker.jobs.session import RoutingSession

__all__ = ["WarmSession", "policy_version"]


def policy_version(path: Path) -> str:
    """The policy file's content hash: a new version means a new compile and a new index."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class WarmSession:
    policy_path: Path
    version: str
    policy: RoutingPolicy
    live: LiveCrm
    models_home: Path | None = None
    warnings: list[str] = field(default_factory=list)
    _users_seen: int = 0
    label: str | None = None  # the policy version decisions name (`acme@3`)

    @classmethod
    def open(
        cls,
        snapshot: CrmSnapshot,
        policy_path: Path,
        models_home: Path | None = None,
        *,
        version: str | None = None,
        label: str | None = None,
    ) -> WarmSession:
        version = version or policy_version(policy_path)
        policy = load_policy(policy_path, snapshot)
        live = LiveCrm(snapshot, policy)
        warnings = policy_warnings(policy, snapshot)
        users = live.users_version
        return cls(policy_path, version, policy, live, models_home, warnings, users, label)

    def session(
        self, state: DistributionState, now: Callable[[], datetime] | None = None
    ) -> RoutingSession:
        """A session for one batch over the records as they are held now. `now`: the time
        caps over time and shifts are read at (the worker's clock; the wall clock if none)."""
        self._recompile_if_users_changed()
        live, policy = self.live, self.policy
        model = load_model(self.models_home) if self.models_home and best_fit_of(policy) else None
        snapshot = live.snapshot()
        router = Router(
            policy,
            live.world,
            state,
            live.matcher,
            model=model,
            open_lead_owners=live.open_lead_owners,
            clock=wall_clock if now is None else (lambda _lead: now()),
            earlier=snapshot,  # the records as held now: a returning person's earlier lead too
        )
        return RoutingSession(snapshot, policy, router, live.matcher, self.warnings, self.label)

    # --- applying what was read ------------------------------------------------------------

    def apply(
        self, records: Iterable[Record], gone: Mapping[str, Iterable[str]] | None = None
    ) -> int:
        """Records read again (a routed contact is also a matching contact when it has an
        account, as the connectors' snapshots make it) and, by object, ids the CRM no longer
        has."""
        changed = 0
        for record in records:
            changed += self.live.apply([record])
            if isinstance(record, Lead) and record.object == CONTACT:
                changed += self._contact_of(record)
        for object, ids in (gone or {}).items():
            ids = list(ids)
            changed += self.live.remove(object, ids)
            if object == "Lead":
                changed += self.live.remove("Contact", ids)
        return changed

    def replace_all(self, snapshot: CrmSnapshot) -> int:
        """A full read: its differences from what is held, applied."""
        return self.live.replace_all(snapshot)

    def _contact_of(self, lead: Lead) -> int:
        if lead.fields.get("AccountId"):
            return self.live.apply([to_contact(dict(lead.fields))])
        return self.live.remove("Contact", [lead.id])

    def _recompile_if_users_changed(self) -> None:
        """The policy resolves users and queues by name or email to ids: compiled again
        when they change. The index depends only on the policy's matching settings and the
        open-lead owners on its routing owners, so those are rebuilt only if they moved."""
        if self.live.users_version == self._users_seen:
            return
        snapshot = self.live.snapshot()
        policy = load_policy(self.policy_path, snapshot)
        if _index_inputs(policy) != _index_inputs(self.policy):
            self.live = LiveCrm(snapshot, policy)
        else:
            self.live.policy = policy
        self.policy = policy
        self.warnings = policy_warnings(policy, snapshot)
        self._users_seen = self.live.users_version


def _index_inputs(policy: RoutingPolicy) -> tuple[object, ...]:
    """What the index and the open-lead owners were built from, beyond the policy file (same
    version, so the same matching settings and open-lead condition): the routing owners' ids,
    which a user's new email can move."""
    return (policy.matching, policy.routable_owner_ids)
