"""Compile a pool's caps over time (`caps`, `time_zone`, `at_cap`, members' own `caps`), with
every problem reported by its path and its fix, like the rest of the policy."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Protocol

from config.schema import MemberModel, PoolModel
from routing.engine.windows import valid_time_zone
from routing.policy import AT_CAP_OVERFLOW, MEMBER_SCOPE, Member, WindowCap


class Compiling(Protocol):
    def problem(self, path: str, problem: str, fix: str) -> None: ...


def compile_caps(compiler: Compiling, model: PoolModel, path: str) -> tuple[WindowCap, ...]:
    if not valid_time_zone(model.time_zone):
        compiler.problem(
            f"{path}.time_zone",
            f"unknown time zone '{model.time_zone}'",
            "use an IANA name such as Europe/Berlin or America/Chicago",
        )
    caps = tuple(WindowCap(c.per, c.max, c.rolling, c.scope) for c in model.caps)
    seen: set[tuple[str, bool, str]] = set()
    for i, cap in enumerate(caps):
        kind = (cap.period, cap.rolling, cap.scope)
        if kind in seen:
            compiler.problem(
                f"{path}.caps[{i}]",
                f"a second {'rolling ' if cap.rolling else ''}{cap.period} cap for the {cap.scope}",
                "keep one cap per period and scope (the lower one is the one that holds)",
            )
        seen.add(kind)
    own_caps = any(not isinstance(m, str) and m.caps for m in model.members)
    if model.at_cap != AT_CAP_OVERFLOW and not caps and not own_caps:
        compiler.problem(
            f"{path}.at_cap",
            f"at_cap: {model.at_cap} on a pool with no caps over time",
            "add `caps` (e.g. [{per: day, max: 50}]), or remove `at_cap`",
        )
    return caps


def with_member_caps(
    members: Iterable[Member], model: PoolModel, caps: tuple[WindowCap, ...]
) -> Iterator[Member]:
    """Members with their own caps where the policy gives them: each replaces the pool's
    member caps of its period; a period the pool does not cap is capped per calendar window."""
    overrides = {
        entry.user.strip().casefold(): {str(period): n for period, n in entry.caps.items()}
        for entry in model.members
        if isinstance(entry, MemberModel) and entry.caps
    }
    keys = [(m.user if isinstance(m, MemberModel) else m).strip().casefold() for m in model.members]
    shared = tuple(c for c in caps if c.scope == MEMBER_SCOPE)
    for member, key in zip(members, keys, strict=False):
        own = overrides.get(key)
        yield member if own is None else replace(member, caps=_merged(shared, own))


def _merged(shared: tuple[WindowCap, ...], own: Mapping[str, int]) -> tuple[WindowCap, ...]:
    kept = tuple(replace(c, limit=own[c.period]) if c.period in own else c for c in shared)
    added = tuple(WindowCap(p, n) for p, n in own.items() if all(c.period != p for c in shared))
    return kept + added
