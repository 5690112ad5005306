"""Choosing a member of a pool: round robin (plain or weighted) and load balancing, with
caps and availability.

The choice is pure; the state it reads (rotation cursors, open-lead loads, the counts of the
caps over time) sits behind `DistributionState`. A choice is committed with a compare-and-set
of all of them, so that workers sharing one state (Redis) keep round robin exact and never
pass a cap: a lost race is retried.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

import routing.bestfit.choice as fit_choice
from routing.bestfit import FitRequest
from routing.engine.windows import MovingTallies, PoolTallies, Tally, full, timed_tallies
from routing.policy import AUTO, BEST_FIT, LOAD_BALANCED, BestFit, Pool


class Pick(NamedTuple):
    """A choice to commit: give `user_id` one more lead, move the pool's cursor to `slot`
    if it is still at `expected_slot`, and only while the user's load is under `cap` and every
    one of `tallies` (the caps over time it counts toward) is under its limit; with a
    `window`, also remember the assignment among the pool's last `window` (best fit). A named
    tuple: one is built at every pick, three times faster than a frozen dataclass."""

    pool: str
    user_id: str
    slot: int | None
    expected_slot: int | None
    cap: int | None
    window: int | None = None
    tallies: tuple[Tally, ...] = ()


class Reading(NamedTuple):
    """What a pool choice reads, in one go: members' loads, the pool's cursor, the counts."""

    loads: dict[str, int]
    cursor: int | None
    counts: Mapping[str, int]


class DistributionState(Protocol):
    def cursor(self, pool: str) -> int | None:
        """The round-robin slot of the pool's last assignment, None for a fresh pool."""
        ...

    def loads(self, user_ids: Iterable[str]) -> dict[str, int]: ...

    def read(self, pool: str, user_ids: Sequence[str], tallies: Sequence[Tally]) -> Reading:
        """Loads, cursor and the tallies' counts as of their `at` (one request to Redis)."""
        ...

    def commit(self, pick: Pick) -> bool:
        """Apply the pick atomically; False if the cursor moved or a cap was reached."""
        ...

    def move_load(self, from_user: str | None, to_user: str) -> None:
        """An owner-routed assignment: counts toward the new owner's load, always."""
        ...

    def recent(self, pool: str, window: int) -> dict[str, int]:
        """Assignments per user among the pool's last `window` committed with a window."""
        ...


class MemoryState:
    """Distribution state for one process (the CLI, tests, simulations)."""

    def __init__(self, loads: Mapping[str, int] | None = None) -> None:
        self._cursors: dict[str, int] = {}
        self._loads: dict[str, int] = dict(loads or {})
        self._recent: dict[str, _Window] = {}
        self._counts: dict[str, int] = {}  # calendar windows' counters
        self._stamps: dict[str, deque[float]] = {}  # rolling windows' assignment times

    def cursor(self, pool: str) -> int | None:
        return self._cursors.get(pool)

    def loads(self, user_ids: Iterable[str]) -> dict[str, int]:
        return {u: self._loads.get(u, 0) for u in user_ids}

    def load(self, user_id: str) -> int:
        return self._loads.get(user_id, 0)

    def read(self, pool: str, user_ids: Sequence[str], tallies: Sequence[Tally]) -> Reading:
        counts: dict[str, int]
        if isinstance(tallies, MovingTallies):
            counts = _CountedWhenAsked(self, tallies)
        else:
            counts = {t.key: self._count(t) for t in tallies}
        loads = self._loads
        return Reading({u: loads.get(u, 0) for u in user_ids}, self._cursors.get(pool), counts)

    def _count(self, tally: Tally) -> int:
        return self.count(tally.key, tally.since)

    def count(self, key: str, since: float | None) -> int:
        """A calendar window's count (`since` None) or a rolling one's after `since`."""
        if since is None:
            return self._counts.get(key, 0)
        stamps = self._stamps.get(key)
        if not stamps:
            return 0
        while stamps and stamps[0] <= since:
            stamps.popleft()
        return len(stamps)

    def commit(self, pick: Pick) -> bool:
        if self._cursors.get(pick.pool) != pick.expected_slot and pick.slot is not None:
            return False
        if pick.cap is not None and self._loads.get(pick.user_id, 0) >= pick.cap:
            return False
        if any(self._count(t) >= t.limit for t in pick.tallies):
            return False
        if pick.slot is not None:
            self._cursors[pick.pool] = pick.slot
        self._loads[pick.user_id] = self._loads.get(pick.user_id, 0) + 1
        for tally in pick.tallies:
            if tally.since is None:
                self._counts[tally.key] = self._counts.get(tally.key, 0) + 1
            else:
                self._stamps.setdefault(tally.key, deque()).append(tally.at)
        if pick.window:
            kept = self._recent.get(pick.pool)
            if kept is None:
                kept = self._recent[pick.pool] = _Window()
            kept.add(pick.user_id, pick.window)
        return True

    def recent(self, pool: str, window: int) -> dict[str, int]:
        kept = self._recent.get(pool)
        return kept.counts(window) if kept is not None else {}

    def move_load(self, from_user: str | None, to_user: str) -> None:
        self._loads[to_user] = self._loads.get(to_user, 0) + 1


class _CountedWhenAsked(dict[str, int]):
    """The counts of a pool's tallies, each counted when the choice first asks for it: a
    pick looks at the members up to the first who can take the lead, not at all of them
    (nothing writes to the state in between)."""

    __slots__ = ("_state", "_tallies")

    def __init__(self, state: MemoryState, tallies: MovingTallies) -> None:
        super().__init__()
        self._state, self._tallies = state, tallies

    def __missing__(self, key: str) -> int:
        tallies = self._tallies
        tally = tallies.base[tallies.where[key]]  # KeyError: none of the pool's tallies
        since = None if tally.since is None else tallies.at - tally.span
        count = self[key] = self._state.count(key, since)
        return count


class _Window:
    """A pool's last assignments, with their counts kept as they come and go."""

    def __init__(self) -> None:
        self.users: deque[str] = deque()
        self.counter: Counter[str] = Counter()

    def add(self, user_id: str, window: int) -> None:
        self.users.append(user_id)
        self.counter[user_id] += 1
        while len(self.users) > window:
            self.counter[self.users.popleft()] -= 1

    def counts(self, window: int) -> dict[str, int]:
        if window >= len(self.users):
            return {u: n for u, n in self.counter.items() if n}
        return dict(Counter(list(self.users)[-window:]))


class Considered(NamedTuple):
    user_id: str
    load: int
    skipped: str | None  # why, or None for the one chosen / eligible
    fit: Mapping[str, Any] | None = None  # best fit: the estimate and the evidence behind it

    def to_json(self) -> dict[str, object]:
        row: dict[str, object] = {
            "user_id": self.user_id,
            "load": self.load,
            "skipped": self.skipped,
        }
        if self.fit is not None:
            row["fit"] = self.fit
        return row


class PoolChoice(NamedTuple):
    """What a pool choice found (a named tuple, like `Pick`: built at every choice)."""

    pick: Pick | None
    considered: tuple[Considered, ...]
    why: str
    best_fit: Mapping[str, Any] | None = None  # the best-fit choice and what it rested on
    held: bool = False  # held for approval: no pick, and no overflow either
    capped_until: float | None = None  # no pick because of caps over time: when one reopens
    on_shift_at: float | None = None  # no pick, someone off shift: when the first comes back


Availability = Callable[[str], str | None]  # user id → why unavailable, or None
Returns = Callable[[str], float | None]  # user id → when an absent member is back (epoch s)
NOBODY = "nobody in the pool is available under the cap"


class _Gate:
    """Why a member cannot take a lead now: unavailable, at the open-lead cap, or at a cap
    over time; and, when nobody can, the earliest time a cap over time reopens."""

    __slots__ = (
        "pool",
        "loads",
        "counts",
        "unavailable",
        "member_tallies",
        "capped_until",
        "returns",
        "back_at",
    )

    def __init__(
        self,
        pool: Pool,
        reading: Reading,
        unavailable: Availability,
        member_tallies: PoolTallies | None,
        returns: Returns | None = None,
    ) -> None:
        self.pool = pool
        self.loads = reading.loads
        self.counts = reading.counts
        self.unavailable = unavailable
        self.member_tallies = member_tallies
        self.capped_until: float | None = None
        self.returns = returns
        self.back_at: float | None = None

    def skip(self, index: int, user_id: str, load: int) -> str | None:
        why = self.unavailable(user_id)
        if why:
            back = self.returns(user_id) if self.returns is not None else None
            if back is not None:
                self.back_at = back if self.back_at is None else min(self.back_at, back)
            return why
        cap = self.pool.cap
        if cap is not None and load >= cap:
            return f"at cap ({load}/{cap} open leads)"
        timed = self.member_tallies
        if timed is not None:
            counts = self.counts
            for tally in timed.members[index]:  # full(), inlined: the hot path
                if counts[tally.key] >= tally.limit:
                    at, opens = timed.opens(tally), self.capped_until
                    self.capped_until = at if opens is None else min(opens, at)
                    return tally.describe(counts[tally.key])
        return None

    def tallies(self, index: int, shared: tuple[Tally, ...]) -> tuple[Tally, ...]:
        timed = self.member_tallies
        if timed is None:
            return shared
        return (*timed.moved(timed.members[index]), *shared)


def choose(
    pool: Pool,
    state: DistributionState,
    unavailable: Availability,
    fit: FitRequest | None = None,
    now: datetime | None = None,
    returns: Returns | None = None,
) -> PoolChoice:
    """`now`: the routing time, which a pool with caps over time needs (its windows).
    `returns`: when a member who is off shift or away is back, for a pool that waits."""
    tallies: PoolTallies | None = None
    shared: tuple[Tally, ...] = ()
    if pool.capped_over_time:
        if now is None:
            raise ValueError(f"pool '{pool.name}' has caps over time: routing needs the time")
        tallies = timed_tallies(pool, now)
        shared = tallies.shared
    reading = state.read(pool.name, pool.member_ids, tallies.every if tallies else ())
    gate = _Gate(pool, reading, unavailable, tallies, returns)
    pool_full = full(shared, reading.counts)
    if pool_full is not None:
        return _pool_at_cap(pool, reading, pool_full)
    if pool.method == BEST_FIT:
        settings = pool.best_fit or BestFit()
        choice = _best_fit(pool, settings, state, reading, gate, shared, fit)
    elif pool.method == LOAD_BALANCED:
        choice = _least_loaded(pool, reading.loads, gate, shared)
    else:
        choice = _next_in_rotation(pool, reading.cursor, reading.loads, gate, shared)
    if choice.pick is None and not choice.held:
        return _waits(choice, gate)
    return choice


def _pool_at_cap(pool: Pool, reading: Reading, tally: Tally) -> PoolChoice:
    why = f"the pool is {tally.describe(reading.counts[tally.key])}"
    considered = tuple(
        Considered(m.user_id, reading.loads.get(m.user_id, 0), why) for m in pool.members
    )
    return PoolChoice(None, considered, why, capped_until=tally.opens)


def _waits(choice: PoolChoice, gate: _Gate) -> PoolChoice:
    if gate.capped_until is None and gate.back_at is None:
        return choice
    return PoolChoice(
        None, choice.considered, choice.why, choice.best_fit, False, gate.capped_until, gate.back_at
    )


def _next_in_rotation(
    pool: Pool,
    cursor: int | None,
    loads: Mapping[str, int],
    gate: _Gate,
    shared: tuple[Tally, ...] = (),
) -> PoolChoice:
    sequence, ids, skip = pool.sequence, pool.member_ids, gate.skip
    slots = len(sequence)
    start = 0 if cursor is None else (cursor + 1) % slots
    considered: list[Considered] = []
    seen: set[str] | None = None if _distinct_turns(sequence, ids) else set()
    for step in range(slots):
        slot = (start + step) % slots
        index = sequence[slot]
        user_id = ids[index]
        load = loads.get(user_id, 0)
        why = skip(index, user_id, load)
        if seen is None:
            considered.append(Considered(user_id, load, why))
        elif user_id not in seen:
            considered.append(Considered(user_id, load, why))
            seen.add(user_id)
        if why is None:
            tallies = gate.tallies(index, shared)
            pick = Pick(pool.name, user_id, slot, cursor, pool.cap, tallies=tallies)
            turn = "first in the rotation" if cursor is None else "next in the rotation"
            return PoolChoice(pick, tuple(considered), turn)
    return PoolChoice(None, tuple(considered), NOBODY)


def _least_loaded(
    pool: Pool, loads: Mapping[str, int], gate: _Gate, shared: tuple[Tally, ...] = ()
) -> PoolChoice:
    considered: list[Considered] = []
    best: Considered | None = None
    best_index = 0
    for index, member in enumerate(pool.members):
        load = loads.get(member.user_id, 0)
        entry = Considered(member.user_id, load, gate.skip(index, member.user_id, load))
        considered.append(entry)
        if entry.skipped is None and (best is None or load < best.load):
            best, best_index = entry, index
    if best is None:
        return PoolChoice(None, tuple(considered), NOBODY)
    tallies = gate.tallies(best_index, shared)
    pick = Pick(pool.name, best.user_id, None, None, pool.cap, tallies=tallies)
    return PoolChoice(pick, tuple(considered), f"fewest open leads ({best.load})")


def _best_fit(
    pool: Pool,
    settings: BestFit,
    state: DistributionState,
    reading: Reading,
    gate: _Gate,
    shared: tuple[Tally, ...],
    fit: FitRequest | None,
) -> PoolChoice:
    """The fallback method assigns in recommend mode and without a model; in auto mode it is
    only worked out when best fit cannot pick. Every pick joins the pool's window, which the
    fairness band reads."""
    cursor, loads = reading.cursor, reading.loads
    model = fit.model if fit is not None else None
    members = _members(pool, loads, gate) if model is not None else []
    fallback: PoolChoice | None = None
    if model is None or settings.mode != AUTO or not _fit_can_pick(pool, settings, members):
        fallback = _fallback(pool, settings, cursor, loads, gate, shared)
        if model is None or fallback.pick is None:
            return _fallback_only(fallback, settings, fit)
    assert fit is not None and model is not None
    recent = state.recent(pool.name, settings.window)
    objective, segment = settings.objective, fit.segment
    available = [c.user_id for c in members if c.skipped is None]
    candidates = fit_choice.fit_candidates(model, segment, objective, available, recent)
    chance = fit_choice.draw(fit.seed)
    best = fit_choice.choose_best_fit(
        candidates, settings.fairness_band, settings.exploration, chance
    )
    rows = fit_choice.candidate_rows(fit, objective, candidates, best)
    considered = tuple(
        Considered(c.user_id, c.load, c.skipped, rows.get(c.user_id)) for c in members
    )
    detail = fit_choice.trace(fit, settings.mode, objective, best, chance)
    if fallback is None:
        sequence = -1 if cursor is None else cursor
        index = next(i for i, m in enumerate(pool.members) if m.user_id == best.chosen.user_id)
        tallies = gate.tallies(index, shared)
        pick = Pick(
            pool.name, best.chosen.user_id, sequence + 1, cursor, pool.cap, settings.window, tallies
        )
        return PoolChoice(pick, considered, fit_choice.explain(best), detail)
    if settings.approval:
        return _held(fallback, considered, best.chosen.user_id, detail)
    why = f"{fallback.why} (recommend mode: best fit would pick {best.chosen.user_id})"
    return PoolChoice(_windowed(fallback, settings), considered, why, detail)


def _held(
    fallback: PoolChoice,
    considered: tuple[Considered, ...],
    recommended: str,
    detail: Mapping[str, Any],
) -> PoolChoice:
    """Recommend mode with approval: nobody is assigned (or counted); the recommendation and
    the fallback method's pick wait for a person."""
    fallback_owner = fallback.pick.user_id if fallback.pick else None
    approval = {"recommended": recommended, "fallback": fallback_owner}
    why = f"held for approval: best fit recommends {recommended}"
    return PoolChoice(None, considered, why, {**detail, "approval": approval}, held=True)


def _members(pool: Pool, loads: Mapping[str, int], gate: _Gate) -> list[Considered]:
    return [
        Considered(
            m.user_id, loads.get(m.user_id, 0), gate.skip(i, m.user_id, loads.get(m.user_id, 0))
        )
        for i, m in enumerate(pool.members)
    ]


def _fit_can_pick(pool: Pool, settings: BestFit, members: list[Considered]) -> bool:
    """Whether the fallback method would pick someone too: anyone available under the cap,
    when the rotation reaches every member."""
    if not any(c.skipped is None for c in members):
        return False
    return settings.fallback_method == LOAD_BALANCED or _covers(pool.sequence, len(pool.members))


@lru_cache(maxsize=1024)
def _distinct_turns(sequence: tuple[int, ...], ids: tuple[str, ...]) -> bool:
    """Whether no user has two turns in the rotation (weights, or a member listed twice)."""
    return len({ids[i] for i in sequence}) == len(sequence)


@lru_cache(maxsize=256)
def _covers(sequence: tuple[int, ...], n_members: int) -> bool:
    return len(set(sequence)) == n_members


def _fallback(
    pool: Pool,
    settings: BestFit,
    cursor: int | None,
    loads: Mapping[str, int],
    gate: _Gate,
    shared: tuple[Tally, ...],
) -> PoolChoice:
    if settings.fallback_method == LOAD_BALANCED:
        return _least_loaded(pool, loads, gate, shared)
    return _next_in_rotation(pool, cursor, loads, gate, shared)


def _windowed(choice: PoolChoice, settings: BestFit) -> Pick | None:
    return choice.pick and _with_window(choice.pick, settings.window)


def _fallback_only(fallback: PoolChoice, settings: BestFit, fit: FitRequest | None) -> PoolChoice:
    plain = _windowed(fallback, settings)
    note = fit.note if fit is not None else "no model"
    why = fallback.why if plain is None else f"{fallback.why} (best fit: {note})"
    return PoolChoice(plain, fallback.considered, why, {"model": None, "note": note})


def _with_window(pick: Pick, window: int) -> Pick:
    return Pick(
        pick.pool, pick.user_id, pick.slot, pick.expected_slot, pick.cap, window, pick.tallies
    )
