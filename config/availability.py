"""Compile the policy's `availability:` section: shifts, time zones, out-of-office fields and
the holidays reps take from the SLA calendars, with every problem reported by its path."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from config.schema import PolicyFile, ShiftModel
from routing.engine.windows import valid_time_zone
from routing.policy import AvailabilityPolicy, Shift, parse_shifts


class Compiling(Protocol):
    spec: PolicyFile
    users_by_key: dict[str, str]

    def problem(self, path: str, problem: str, fix: str) -> None: ...

    def resolve_user(self, key: str, path: str) -> str | None: ...


def compile_availability(compiler: Compiling) -> AvailabilityPolicy:
    spec = compiler.spec.availability
    if spec.default_time_zone is not None and not valid_time_zone(spec.default_time_zone):
        compiler.problem(
            "availability.default_time_zone",
            f"unknown time zone '{spec.default_time_zone}'",
            "use an IANA name such as Europe/Berlin or America/Chicago",
        )
    shifts = _shifts(compiler, spec.working_hours, "availability.working_hours")
    user_shifts = {}
    for key, models in spec.user_hours.items():
        user_id = compiler.resolve_user(key, f"availability.user_hours.{key}")
        if user_id is not None:
            user_shifts[user_id] = _shifts(compiler, models, f"availability.user_hours.{key}")
    out = spec.out_of_office
    return AvailabilityPolicy(
        on_field=spec.on_field,
        time_zone_field=spec.time_zone_field,
        default_time_zone=_zone_or_none(spec.default_time_zone),
        shifts=shifts,
        user_shifts=user_shifts,
        shift_field=spec.hours_field,
        out_of_office=(out.start, out.end) if out is not None else None,
        holidays=_holidays(compiler) if spec.calendar_holidays else {},
    )


def _shifts(compiler: Compiling, models: Iterable[ShiftModel], path: str) -> tuple[Shift, ...]:
    shifts: list[Shift] = []
    for i, model in enumerate(models):
        try:
            shifts += parse_shifts(f"{','.join(model.days)} {model.hours}")
        except ValueError as exc:
            compiler.problem(f"{path}[{i}]", f"the shift {exc}", "write hours as 09:00-17:00")
    return tuple(shifts)


def _holidays(compiler: Compiling) -> dict[str, frozenset[date]]:
    """Each rep's holidays: those of every SLA calendar naming them or one of their pools."""
    sla = compiler.spec.sla
    if sla is None or not sla.calendars:
        compiler.problem(
            "availability.calendar_holidays",
            "there are no SLA calendars to take holidays from",
            "add sla.calendars with `holidays` and the `users` or `pools` working in them",
        )
        return {}
    pools = {p.name: p for p in compiler.spec.pools}
    holidays: dict[str, set[date]] = {}
    for calendar in sla.calendars.values():
        keys = list(calendar.users)
        for pool_name in calendar.pools:
            pool = pools.get(pool_name)
            keys += [m if isinstance(m, str) else m.user for m in (pool.members if pool else ())]
        for key in keys:
            user_id = compiler.users_by_key.get(key.strip().casefold())
            if user_id is not None:
                holidays.setdefault(user_id, set()).update(calendar.holidays)
    return {user_id: frozenset(days) for user_id, days in holidays.items()}


def _zone_or_none(name: str | None) -> str | None:
    return name if name is not None and valid_time_zone(name) else None
