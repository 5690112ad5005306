"""Choosing a member of a pool: round robin (plain or weighted) and load balancing, with
caps and availability.

The choice is pure; the state it reads (rotation cursors, open-lead loads) sits behind
`DistributionState`. A choice is committed with a compare-and-set, so that workers sharing
one state (Redis) keep round robin exact and never pass a cap: a lost race is retried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from routing.policy import LOAD_BALANCED, Pool


@dataclass(frozen=True, slots=True)
class Pick:
    """A choice to commit: give `user_id` one more lead, move the pool's cursor to `slot`
    if it is still at `expected_slot`, and only while the user's load is under `cap`."""

    pool: str
    user_id: str
    slot: int | None
    expected_slot: int | None
    cap: int | None


class DistributionState(Protocol):
    def cursor(self, pool: str) -> int | None:
        """The round-robin slot of the pool's last assignment, None for a fresh pool."""
        ...

    def loads(self, user_ids: Iterable[str]) -> dict[str, int]: ...

    def commit(self, pick: Pick) -> bool:
        """Apply the pick atomically; False if the cursor moved or the cap was reached."""
        ...

    def move_load(self, from_user: str | None, to_user: str) -> None:
        """An owner-routed assignment: counts toward the new owner's load, always."""
        ...


class MemoryState:
    """Distribution state for one process (the CLI, tests, simulations)."""

    def __init__(self, loads: Mapping[str, int] | None = None) -> None:
        self._cursors: dict[str, int] = {}
        self._loads: dict[str, int] = dict(loads or {})

    def cursor(self, pool: str) -> int | None:
        return self._cursors.get(pool)

    def loads(self, user_ids: Iterable[str]) -> dict[str, int]:
        return {u: self._loads.get(u, 0) for u in user_ids}

    def load(self, user_id: str) -> int:
        return self._loads.get(user_id, 0)

    def commit(self, pick: Pick) -> bool:
        if self._cursors.get(pick.pool) != pick.expected_slot and pick.slot is not None:
            return False
        if pick.cap is not None and self._loads.get(pick.user_id, 0) >= pick.cap:
            return False
        if pick.slot is not None:
            self._cursors[pick.pool] = pick.slot
        self._loads[pick.user_id] = self._loads.get(pick.user_id, 0) + 1
        return True

    def move_load(self, from_user: str | None, to_user: str) -> None:
        self._loads[to_user] = self._loads.get(to_user, 0) + 1


@dataclass(frozen=True, slots=True)
class Considered:
    user_id: str
    load: int
    skipped: str | None  # why, or None for the one chosen / eligible

    def to_json(self) -> dict[str, object]:
        return {"user_id": self.user_id, "load": self.load, "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class PoolChoice:
    pick: Pick | None
    considered: tuple[Considered, ...]
    why: str


Availability = Callable[[str], str | None]  # user id → why unavailable, or None


def choose(pool: Pool, state: DistributionState, unavailable: Availability) -> PoolChoice:
    ids = [m.user_id for m in pool.members]
    loads = state.loads(ids)
    if pool.method == LOAD_BALANCED:
        return _least_loaded(pool, loads, unavailable)
    return _next_in_rotation(pool, state.cursor(pool.name), loads, unavailable)


def _skip_reason(pool: Pool, user_id: str, load: int, unavailable: Availability) -> str | None:
    why = unavailable(user_id)
    if why:
        return why
    if pool.cap is not None and load >= pool.cap:
        return f"at cap ({load}/{pool.cap} open leads)"
    return None


def _next_in_rotation(
    pool: Pool, cursor: int | None, loads: Mapping[str, int], unavailable: Availability
) -> PoolChoice:
    slots = len(pool.sequence)
    start = 0 if cursor is None else (cursor + 1) % slots
    considered: list[Considered] = []
    seen: set[str] = set()
    for step in range(slots):
        slot = (start + step) % slots
        user_id = pool.members[pool.sequence[slot]].user_id
        load = loads.get(user_id, 0)
        why = _skip_reason(pool, user_id, load, unavailable)
        if user_id not in seen:
            considered.append(Considered(user_id, load, why))
            seen.add(user_id)
        if why is None:
            pick = Pick(pool.name, user_id, slot, cursor, pool.cap)
            turn = "first in the rotation" if cursor is None else "next in the rotation"
            return PoolChoice(pick, tuple(considered), turn)
    return PoolChoice(None, tuple(considered), "nobody in the pool is available under the cap")


def _least_loaded(pool: Pool, loads: Mapping[str, int], unavailable: Availability) -> PoolChoice:
    considered: list[Considered] = []
    best: Considered | None = None
    for member in pool.members:
        load = loads.get(member.user_id, 0)
        entry = Considered(
            member.user_id, load, _skip_reason(pool, member.user_id, load, unavailable)
        )
        considered.append(entry)
        if entry.skipped is None and (best is None or load < best.load):
            best = entry
    if best is None:
        return PoolChoice(None, tuple(considered), "nobody in the pool is available under the cap")
    pick = Pick(pool.name, best.user_id, None, None, pool.cap)
    return PoolChoice(pick, tuple(considered), f"fewest open leads ({best.load})")
