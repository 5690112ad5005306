"""When an account changes hands while the worker runs — a person reassigned it, or the policy
routed it — what of it follows the new owner does so at once, as the policy's `account_change`
says (its contacts, open leads and open opportunities), each recorded as a move with its
reason, as `backfill --object Account` records them. A record a routing owner holds is left
to the policy's own rules; one the policy does not route is held, and logged."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from routing.engine import Handover
from routing.model import ACCOUNT, OPPORTUNITY, Lead, OwnerChange
from routing.ownership import OwnerRule
from routing.replay import Move, followers
from worker.jobs.warm_session import WarmSession
from worker.jobs.writes import write_owners
from worker.logging import get_logger

if TYPE_CHECKING:
    from worker.jobs.context import CrmContext

__all__ = ["follow_handovers"]

log = get_logger(__name__)


def follow_handovers(ctx: CrmContext, warm: WarmSession, task_key: str) -> int:
    """The moves made for the accounts that changed hands since the last call; their number."""
    handovers = warm.live.take_handovers()
    policy = warm.policy
    if not handovers or policy.account_change is None:
        return 0
    moves = _still_to_make(warm, _followers(warm, handovers))
    allowed, refused = OwnerRule.of(policy.objects, warm.live.snapshot()).split(
        [_change(move) for move in moves]
    )
    for change, why in refused:
        log.warning("follower not moved", record_id=change.record_id, object=change.object,
                    why=why)  # fmt: skip
    kept = {change.record_id for change in allowed}
    moves = [move for move in moves if move.record_id in kept]
    if not moves:
        return 0
    written = write_owners(ctx.connector, allowed, dry_run=ctx.settings.dry_run)
    if not ctx.settings.dry_run:
        ctx.store.record_moves(ctx.key, f"account-change:{task_key}", moves, written.results)
        ctx.store.dead_letter_failures(ctx.key, allowed, written.results)
        _remember(warm, moves, {r.record_id for r in written.results if r.ok})
    for move in moves:
        log.info("followed its account", record_id=move.record_id, object=move.object,
                 owner_id=move.to_owner_id, reason=move.reason)  # fmt: skip
    return sum(1 for result in written.results if result.ok)


def _followers(warm: WarmSession, handovers: Sequence[Handover]) -> list[Move]:
    live = warm.live
    accounts = [Move(h.account_id, ACCOUNT, h.from_owner_id, h.to_owner_id, "") for h in handovers]
    return followers(
        live.snapshot(),
        warm.policy,
        accounts,
        lambda lead: live.matcher.match(lead).account_id,
        world=live.world,
    )


def _still_to_make(warm: WarmSession, moves: list[Move]) -> list[Move]:
    """Not those a routing owner holds: the policy routes them as it routes any record."""
    routing_owners = warm.policy.routable_owner_ids
    return [move for move in moves if move.from_owner_id not in routing_owners]


def _change(move: Move) -> OwnerChange:
    return OwnerChange(move.record_id, move.object, move.to_owner_id, move.from_owner_id)


def _remember(warm: WarmSession, moves: Sequence[Move], written: set[str]) -> None:
    """The new owners laid over the session, as routed owners are."""
    live = warm.live
    for move in moves:
        if move.record_id not in written:
            continue
        if move.object == OPPORTUNITY:
            held = live.opportunities.get(move.record_id)
            if held is not None:
                live.apply([dataclasses.replace(held, owner_id=move.to_owner_id)])
        elif move.object == "Contact" and (contact := live.contacts.get(move.record_id)):
            live.apply([dataclasses.replace(contact, owner_id=move.to_owner_id)])
        if (lead := live.leads.get(move.record_id)) is not None:
            warm.apply([_owned(lead, move.to_owner_id)])


def _owned(lead: Lead, owner_id: str) -> Lead:
    return dataclasses.replace(lead, owner_id=owner_id, fields={**lead.fields, "OwnerId": owner_id})
