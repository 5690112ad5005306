from __future__ import annotations

from collections import Counter

from routing.engine import MemoryState, Pick, choose
from routing.policy import LOAD_BALANCED, Member, Pool
from routing.policy.compiled import smooth_weighted_sequence


def pool(*ids: str, cap: int | None = None, method: str = "round_robin") -> Pool:
    return Pool("p", tuple(Member(i) for i in ids), method, cap)


def assign(p: Pool, state: MemoryState, away: set[str] = frozenset()) -> str | None:  # type: ignore[assignment]
    choice = choose(p, state, lambda u: "away" if u in away else None)
    if choice.pick is None:
        return None
    assert state.commit(choice.pick)
    return choice.pick.user_id


def test_round_robin_starts_at_the_first_member_and_wraps() -> None:
    p, state = pool("a", "b", "c"), MemoryState()
    assert [assign(p, state) for _ in range(7)] == ["a", "b", "c", "a", "b", "c", "a"]


def test_skipped_members_get_no_make_up_turn() -> None:
    p, state = pool("a", "b", "c"), MemoryState()
    assert assign(p, state) == "a"
    assert assign(p, state, away={"b"}) == "c"
    assert assign(p, state) == "a"  # b was skipped; the rotation goes on after c


def test_cap_skips_a_full_member_and_reports_why() -> None:
    p = pool("a", "b", cap=2)
    state = MemoryState({"a": 2})
    choice = choose(p, state, lambda u: None)
    assert choice.pick is not None and choice.pick.user_id == "b"
    assert choice.considered[0].skipped == "at cap (2/2 open leads)"


def test_nobody_available_gives_no_pick() -> None:
    p = pool("a", "b", cap=1)
    state = MemoryState({"a": 1, "b": 5})
    choice = choose(p, state, lambda u: None)
    assert choice.pick is None
    assert [c.skipped for c in choice.considered] == [
        "at cap (1/1 open leads)",
        "at cap (5/1 open leads)",
    ]


def test_load_balanced_picks_fewest_open_leads_ties_to_first_listed() -> None:
    p = pool("a", "b", "c", method=LOAD_BALANCED, cap=10)
    state = MemoryState({"a": 3, "b": 1, "c": 1})
    assert assign(p, state) == "b"
    assert assign(p, state) == "c"
    assert assign(p, state) == "b"


def test_weighted_round_robin_interleaves_by_weight() -> None:
    members = (Member("a", 3), Member("b", 1), Member("c", 1))
    sequence = smooth_weighted_sequence(members)
    assert Counter(sequence) == {0: 3, 1: 1, 2: 1}
    assert sequence[:2] != (0, 0) or sequence[2] != 0  # never three of a's turns in a row
    p = Pool("w", members)
    state = MemoryState()
    picks = Counter(assign(p, state) for _ in range(50))
    assert picks == {"a": 30, "b": 10, "c": 10}


def test_commit_refuses_a_stale_cursor_or_a_full_cap() -> None:
    state = MemoryState()
    assert state.commit(Pick("p", "a", 0, None, 1))
    assert not state.commit(Pick("p", "b", 1, None, 1))  # someone else moved the cursor
    assert not state.commit(Pick("q", "a", 0, None, 1))  # a is at cap 1
    assert state.cursor("p") == 0 and state.loads(["a", "b"]) == {"a": 1, "b": 0}
