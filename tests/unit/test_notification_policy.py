"""Assignment notifications, pure: channels per rep, templates, batching, retry timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.model import Rep
from routing.policy.notifications import (
    EMAIL,
    RETRY_LIMIT,
    SLACK,
    NotificationPolicy,
    Queued,
    Templates,
    assignment_values,
    due_batches,
    parse_channels,
    prerender,
    render,
    retry_at,
    unknown_placeholders,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADA = Rep("005A", "Ada Lovelace", "ada@acme.example", fields={"Notify__c": "email"})
BOB = Rep("005B", "Bob Byte", "bob@acme.example")


def test_channels_come_from_the_policy_map_then_the_user_field_then_the_defaults() -> None:
    policy = NotificationPolicy(
        channels=(SLACK, EMAIL), preferences={"005B": ()}, preference_field="Notify__c"
    )
    assert policy.channels_for(ADA) == (EMAIL,)
    assert policy.channels_for(BOB) == ()
    assert policy.channels_for(Rep("005C", "Cy")) == (SLACK, EMAIL)


def test_preference_field_values() -> None:
    assert parse_channels("Slack; email") == (SLACK, EMAIL)
    assert parse_channels("none") == ()
    assert parse_channels("fax") is None and parse_channels(None) is None


def test_values_and_default_templates() -> None:
    values = assignment_values(
        kind="routed",
        record_id="00Q1",
        object="Lead",
        owner=ADA,
        reason="Rule emea: to Ada Lovelace, next in rotation of pool 'emea'.",
        deadline=NOW + timedelta(hours=1),
        record={"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy", "Email": None},
    )
    message = prerender(values, Templates())
    assert message["subject"] == "New Lead assigned to you: Grace Hopper (Navy)"
    assert message["text"] == (
        "Ada Lovelace, a Lead was assigned to you: Grace Hopper (Navy, —).\n"
        "Why: Rule emea: to Ada Lovelace, next in rotation of pool 'emea'.\n"
        "First touch due: 2026-03-02 10:00 UTC\nRecord: 00Q1"
    )
    assert message["digest_subject"] == "$count records for you"


def test_templates_never_fail_a_send() -> None:
    assert render("Hi $owner_name, $nope ${tier}", {"owner_name": "Ada"}) == "Hi Ada, $nope —"
    assert unknown_placeholders("$owner_name $nope") == ["nope"]
    assert unknown_placeholders("costs $5") != []


def _queued(i: int, owner: str, channel: str = SLACK) -> Queued:
    return Queued(
        i,
        owner,
        channel,
        {"subject": f"s{i}", "text": f"t{i}", "line": f"• {i}", "digest_subject": "$count new"},
    )


def test_a_rep_who_heard_nothing_lately_hears_at_once() -> None:
    batches = due_batches([_queued(1, "005A")], {}, NOW, timedelta(minutes=5))
    assert [(b.owner_id, b.ids, b.subject, b.text) for b in batches] == [("005A", (1,), "s1", "t1")]


def test_within_the_window_messages_wait_then_go_as_one_digest() -> None:
    window = timedelta(minutes=5)
    queued = [_queued(i, "005A") for i in range(1, 4)] + [_queued(9, "005B")]
    last = {("005A", SLACK): NOW - timedelta(minutes=2)}
    assert [b.owner_id for b in due_batches(queued, last, NOW, window)] == ["005B"]
    later = due_batches(queued, last, NOW + timedelta(minutes=3), window)
    digest = next(b for b in later if b.owner_id == "005A")
    assert digest.ids == (1, 2, 3)
    assert digest.subject == "3 new" and digest.text == "• 1\n• 2\n• 3"


def test_a_long_digest_is_cut_short_and_channels_batch_apart() -> None:
    queued = [_queued(i, "005A") for i in range(25)] + [_queued(99, "005A", EMAIL)]
    batches = due_batches(queued, {}, NOW, timedelta(minutes=5), max_lines=20)
    by_channel = {b.channel: b for b in batches}
    assert by_channel[SLACK].text.splitlines()[-1] == "… and 5 more"
    assert by_channel[EMAIL].ids == (99,)


def test_retries_back_off_then_give_up() -> None:
    assert retry_at(1, NOW) == NOW + timedelta(minutes=1)
    assert retry_at(3, NOW) == NOW + timedelta(minutes=4)
    assert retry_at(7, NOW) == NOW + timedelta(hours=1)
    assert retry_at(RETRY_LIMIT, NOW) is None
