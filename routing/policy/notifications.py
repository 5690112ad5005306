"""Assignment notifications, pure: who is told on which channel, what the message says, and
when queued messages go out — batched per rep, so a backfill does not flood anyone.

Batching is leading-edge: a rep who has had nothing in the last window hears at once; what
arrives for them within the window after that goes out as one digest when it closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from string import Template

from routing.model import Rep

ROUTED, REASSIGNED, BACKFILL = "routed", "reassigned", "backfill"
KINDS = (ROUTED, REASSIGNED, BACKFILL)
SLACK, EMAIL = "slack", "email"
CHANNELS = (SLACK, EMAIL)
NO_CHANNEL = "none"

VERBS = {
    ROUTED: "assigned to you",
    REASSIGNED: "reassigned to you",
    BACKFILL: "moved to you",
}
PLACEHOLDERS = (
    "owner_name",
    "owner_email",
    "record_id",
    "object",
    "name",
    "company",
    "email",
    "reason",
    "deadline",
    "verb",
    "kind",
    "rule",
    "tier",
    "count",
)
UNKNOWN = "—"
RETRY_LIMIT = 8
_MAX_BACKOFF = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Templates:
    """`string.Template` texts ($name or ${name}); see PLACEHOLDERS."""

    subject: str = "New $object $verb: $name ($company)"
    text: str = (
        "$owner_name, a $object was $verb: $name ($company, $email).\n"
        "Why: $reason\nFirst touch due: $deadline\nRecord: $record_id"
    )
    digest_subject: str = "$count records for you"
    digest_line: str = "• $name ($company), $verb, due $deadline: $reason"


@dataclass(frozen=True, slots=True)
class NotificationPolicy:
    channels: tuple[str, ...] = ()  # the default channels; none: notifications are off
    kinds: frozenset[str] = frozenset(KINDS)
    batch_window: timedelta = timedelta(minutes=5)
    digest_max_lines: int = 20
    templates: Templates = field(default_factory=Templates)
    preferences: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # user Id →
    preference_field: str | None = None  # a User field: "slack", "email,slack", "none"

    @property
    def enabled(self) -> bool:
        return bool(self.channels) or any(self.preferences.values())

    def channels_for(self, rep: Rep) -> tuple[str, ...]:
        """The policy's map first, then the rep's own field, then the defaults."""
        if rep.id in self.preferences:
            return self.preferences[rep.id]
        if self.preference_field:
            chosen = parse_channels(rep.fields.get(self.preference_field))
            if chosen is not None:
                return chosen
        return self.channels


def parse_channels(value: object) -> tuple[str, ...] | None:
    """A preference field's value as channels; None when it says nothing usable."""
    if not isinstance(value, str) or not value.strip():
        return None
    words = [w.strip().casefold() for w in value.replace(";", ",").split(",")]
    if NO_CHANNEL in words:
        return ()
    chosen = tuple(dict.fromkeys(w for w in words if w in CHANNELS))
    return chosen or None


# --- one assignment ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Assignment:
    """A record now owned by a rep, with what the message will say about it."""

    record_id: str
    object: str
    owner_id: str
    kind: str
    values: Mapping[str, str]


def assignment_values(
    *,
    kind: str,
    record_id: str,
    object: str,
    owner: Rep,
    reason: str,
    deadline: datetime | None,
    record: Mapping[str, object] | None = None,
    rule: str | None = None,
    tier: str | None = None,
) -> dict[str, str]:
    fields = record or {}
    name = " ".join(str(fields[k]) for k in ("FirstName", "LastName") if fields.get(k))
    return {
        "owner_name": owner.name,
        "owner_email": owner.email or UNKNOWN,
        "record_id": record_id,
        "object": object,
        "name": name or str(fields.get("Name") or record_id),
        "company": _text(fields.get("Company")),
        "email": _text(fields.get("Email")),
        "reason": reason,
        "deadline": f"{deadline:%Y-%m-%d %H:%M} UTC" if deadline else "no deadline",
        "verb": VERBS.get(kind, VERBS[ROUTED]),
        "kind": kind,
        "rule": rule or UNKNOWN,
        "tier": tier or UNKNOWN,
    }


def render(template: str, values: Mapping[str, str]) -> str:
    """Unknown or missing placeholders stay visible rather than failing a send."""
    return Template(template).safe_substitute({p: UNKNOWN for p in PLACEHOLDERS}, **values)


def unknown_placeholders(template: str) -> list[str]:
    parsed = Template(template)
    unknown = [n for n in parsed.get_identifiers() if n not in PLACEHOLDERS]
    if not parsed.is_valid():
        unknown.append("(a $ that starts no placeholder: write $$ for a dollar sign)")
    return unknown


# --- batching --------------------------------------------------------------------------------


def prerender(values: Mapping[str, str], templates: Templates) -> dict[str, str]:
    """Everything a message about this assignment can say, rendered when it is queued, so the
    sender needs neither the policy nor the CRM. `$count` is left for the digest."""
    return {
        "subject": render(templates.subject, values),
        "text": render(templates.text, values),
        "line": render(templates.digest_line, values),
        "digest_subject": render(templates.digest_subject, {**values, "count": "$count"}),
    }


@dataclass(frozen=True, slots=True)
class Queued:
    """A message waiting in the outbox, as `prerender` made it."""

    id: int
    owner_id: str
    channel: str
    message: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Batch:
    owner_id: str
    channel: str
    ids: tuple[int, ...]
    subject: str
    text: str


def due_batches(
    queued: Iterable[Queued],
    last_sent: Mapping[tuple[str, str], datetime],
    now: datetime,
    window: timedelta,
    max_lines: int = 20,
) -> list[Batch]:
    """One message per rep and channel whose window is open: the single message, or a digest
    of everything that waited. Reps who heard something within the window wait for it."""
    groups: dict[tuple[str, str], list[Queued]] = {}
    for item in queued:
        groups.setdefault((item.owner_id, item.channel), []).append(item)
    batches = []
    for (owner_id, channel), items in sorted(groups.items()):
        last = last_sent.get((owner_id, channel))
        if last is not None and now < last + window:
            continue
        subject, text = render_batch(items, max_lines)
        batches.append(Batch(owner_id, channel, tuple(i.id for i in items), subject, text))
    return batches


def render_batch(items: Sequence[Queued], max_lines: int) -> tuple[str, str]:
    if len(items) == 1:
        return items[0].message["subject"], items[0].message["text"]
    shown = items[:max_lines]
    lines = [i.message["line"] for i in shown]
    if len(items) > len(shown):
        lines.append(f"… and {len(items) - len(shown)} more")
    subject = Template(items[0].message["digest_subject"]).safe_substitute(count=len(items))
    return subject, "\n".join(lines)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When a message that failed `attempts` times is tried again; None: give up."""
    if attempts >= RETRY_LIMIT:
        return None
    return now + min(timedelta(minutes=2 ** (attempts - 1)), _MAX_BACKOFF)


def _text(value: object) -> str:
    return str(value) if value not in (None, "") else UNKNOWN
