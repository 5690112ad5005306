"""What the worker reads again, and what it leaves alone, so that a batch routes each record
as the CRM has it now: the records themselves by Id, the accounts an event's records match,
what else decisions read (from the change feed), the owners of dead-lettered records; and
which re-read records hold the owner LeadRelay last wrote (an echo, not a hand-back)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import TYPE_CHECKING

from connectors.base import (
    ChangedRecord,
    ChangeFeed,
    ConfigError,
    Connector,
    RecordReader,
    Window,
)
from routing.model import CONTACT, LEAD, Lead
from worker.jobs.warm_session import WarmSession
from worker.logging import get_logger
from worker.store.records import PENDING, WRITTEN, DeadLetter, RecordedDecision

if TYPE_CHECKING:
    from worker.jobs.context import CrmContext

__all__ = [
    "LOOKBACK",
    "current_owners",
    "not_our_own_echo",
    "refresh_context",
    "reread_leads",
    "reread_matched_accounts",
    "say_why_not_routed",
]

log = get_logger(__name__)

LOOKBACK = timedelta(seconds=60)  # a feed window reaches back this far, for late commits
CONTEXT_OBJECTS = ("Account", CONTACT, "Opportunity", "User")


def current_owners(connector: Connector, letters: Sequence[DeadLetter]) -> dict[str, str | None]:
    """The letters' records read by Id, when the CRM can: not the whole CRM for a few."""
    if not letters:
        return {}
    if not isinstance(connector, RecordReader):
        return {lead.id: lead.owner_id for lead in connector.snapshot().leads}
    by_object: dict[str, list[str]] = {}
    for letter in letters:
        by_object.setdefault(letter.object, []).append(letter.record_id)
    owners: dict[str, str | None] = {}
    for object, ids in by_object.items():
        try:
            found = connector.records(object, ids)
        except ConfigError as error:  # an object this CRM does not read: the write will say
            log.warning("cannot read dead-lettered records again", object=object, error=str(error))
            continue
        owners.update((record.id, getattr(record, "owner_id", None)) for record in found)
    return owners


def refresh_context(ctx: CrmContext, warm: WarmSession, *, at_most_every: float = 0.0) -> None:
    """What a decision reads besides the record (accounts, contacts, deals, users and their
    availability), as the CRM's feed changed it since the last full read or refresh: one read
    per object, so a rep who went away or an account re-owned counts within a poll, not a
    sweep interval. A CRM whose routed records are its contacts (HubSpot) feeds those once, as
    leads. Deletions wait for the next full read (or an event's re-read by Id)."""
    if not isinstance(ctx.connector, ChangeFeed) or ctx.context_since is None:
        return
    if time.monotonic() - ctx.context_read_at < at_most_every:
        return
    now = datetime.now(UTC)
    window = Window.following(ctx.context_since, now, LOOKBACK)
    for object in _context_objects(warm):
        for page in ctx.connector.changes(object, window):
            warm.apply(page.records)
    ctx.context_since, ctx.context_read_at = now, time.monotonic()


def _context_objects(warm: WarmSession) -> tuple[str, ...]:
    routes_contacts = any(lead.object == CONTACT for lead in islice(warm.live.leads.values(), 1))
    return tuple(o for o in CONTEXT_OBJECTS if not (o == CONTACT and routes_contacts))


def reread_leads(ctx: CrmContext, warm: WarmSession, ids: Sequence[str]) -> list[Lead]:
    """These routed records read again by Id and applied to the session; absent ones are
    removed. A contact (but HubSpot's), account or opportunity the policy routes is read as
    its own object and routed as the session derives it (an opportunity closed since is
    routed no more)."""
    others = warm.live.others.records
    by_object: dict[str, list[str]] = {}
    for record_id in ids:
        held = others.get(record_id)
        by_object.setdefault(held.object if held else LEAD, []).append(record_id)
    found = _reread(ctx, warm, by_object.pop(LEAD, []))
    for object, object_ids in by_object.items():
        found += _reread_other(ctx, warm, object, object_ids)
    return found


def _reread_other(ctx: CrmContext, warm: WarmSession, object: str, ids: list[str]) -> list[Lead]:
    if isinstance(ctx.connector, RecordReader):
        records = ctx.connector.records(object, ids)
    else:
        snapshot = ctx.connector.snapshot()
        held: dict[str, Iterable[ChangedRecord]] = {
            "Account": snapshot.accounts.values(),
            CONTACT: snapshot.contacts,
            "Opportunity": snapshot.opportunities,
        }
        wanted = set(ids)
        records = [record for record in held[object] if record.id in wanted]
    gone = set(ids) - {record.id for record in records}
    warm.apply(records, {object: gone})
    for record_id in sorted(gone):
        log.warning("record gone when read again by id: not routed", crm=ctx.key,
                    object=object, record_id=record_id)  # fmt: skip
    others = warm.live.others.records
    return [others[record_id] for record_id in ids if record_id in others]


def _reread(ctx: CrmContext, warm: WarmSession, ids: Sequence[str]) -> list[Lead]:
    if not ids:
        return []
    wanted = set(ids)
    if isinstance(ctx.connector, RecordReader):
        found = [r for r in ctx.connector.records(LEAD, list(ids)) if isinstance(r, Lead)]
    else:
        found = [lead for lead in ctx.connector.snapshot().leads if lead.id in wanted]
    gone = wanted - {lead.id for lead in found}
    for record_id in sorted(gone):  # never out of sight: it was there a moment ago
        log.warning(
            "record gone when read again by id (deleted, merged or converted): not routed",
            crm=ctx.key,
            record_id=record_id,
        )
    warm.apply(found, {LEAD: gone})
    return found


def reread_matched_accounts(ctx: CrmContext, warm: WarmSession, leads: Sequence[Lead]) -> None:
    if not isinstance(ctx.connector, RecordReader) or not leads:
        return
    matcher = warm.live.matcher
    account_ids: set[str] = set()
    for lead in leads:
        try:
            match = matcher.match(lead)
        except Exception:  # noqa: BLE001 — routing reports the record's trouble itself
            continue
        if match.account_id:
            account_ids.add(match.account_id)
    if not account_ids:
        return
    found = ctx.connector.records("Account", sorted(account_ids))
    warm.apply(found, {"Account": account_ids - {record.id for record in found}})


def not_our_own_echo(ctx: CrmContext, leads: Sequence[Lead]) -> list[Lead]:
    """A record that holds the owner LeadRelay last wrote to it was not handed back by a
    person: the CRM's reply alone cannot tell when that owner is itself a routing owner (a
    rule that assigns to a routing queue), the store's last decision can."""
    if not leads:
        return []
    latest = ctx.store.latest_decisions(ctx.key, [lead.id for lead in leads])
    kept = []
    for lead in leads:
        last = latest.get(lead.id)
        if last is not None and _is_our_write(last, lead):
            log.info(
                "not routed again: it holds the owner LeadRelay wrote",
                record_id=lead.id,
                owner_id=lead.owner_id,
                decided_at=last.decided_at.isoformat(),
            )
            continue
        kept.append(lead)
    return kept


def _is_our_write(last: RecordedDecision, lead: Lead) -> bool:
    decision = last.decision
    wrote = decision.owner_id != decision.previous_owner_id
    return wrote and last.write_status in (WRITTEN, PENDING) and lead.owner_id == decision.owner_id


def say_why_not_routed(
    ctx: CrmContext, asked: Sequence[str], current: Sequence[Lead], routable: Sequence[Lead]
) -> None:
    found = {lead.id: lead for lead in current}
    chosen = {lead.id for lead in routable}
    for record_id in asked:
        lead = found.get(record_id)
        if lead is None:
            log.warning(
                "event names a record the CRM does not have (deleted, merged or converted)",
                record_id=record_id,
                crm=ctx.key,
            )
        elif record_id not in chosen:
            log.info(
                "event routed nothing: the record is not routable",
                record_id=record_id,
                owner_id=lead.owner_id,
                why="its owner is not a routing owner, or the policy's routable/objects exclude it",
            )
