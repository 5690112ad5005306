"""Compile the policy's `hold:` and `notifications:` sections, reporting every problem with its
path and its fix, like the rest of the policy."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from config.schema import HoldModel, NotificationsModel, NotificationTemplatesModel, PolicyFile
from routing.conditions import Condition
from routing.policy import (
    NO_CHANNEL,
    HoldPolicy,
    HoldRule,
    NotificationPolicy,
    Templates,
    unknown_placeholders,
)


class Compiling(Protocol):
    """What these compilers borrow from the policy compiler."""

    spec: PolicyFile
    lead_fields: set[str]

    def problem(self, path: str, problem: str, fix: str) -> None: ...

    def resolve_user(self, key: str, path: str) -> str | None: ...

    def compile_condition(
        self, model: Any, path: str, *, lead_only: bool = False, account_only: bool = False
    ) -> Condition: ...


def compile_hold(compiler: Compiling) -> HoldPolicy:
    spec: HoldModel | None = compiler.spec.hold
    if spec is None:
        return HoldPolicy()
    rules = []
    for i, rule in enumerate(spec.rules):
        path = f"hold.rules[{i}]"
        _check_fields(compiler, rule.fields, f"{path}.fields")
        rules.append(
            HoldRule(
                name=rule.name,
                fields=tuple(f.strip() for f in rule.fields),
                timeout=timedelta(minutes=rule.timeout_minutes),
                objects=tuple(rule.objects),
                when=compiler.compile_condition(rule.when, f"{path}.when", lead_only=True),
                require=rule.require,
            )
        )
    return HoldPolicy(tuple(rules))


def _check_fields(compiler: Compiling, fields: list[str], path: str) -> None:
    known = compiler.lead_fields
    for j, name in enumerate(fields):
        if known and name.strip() not in known:
            close = [f for f in known if f.casefold() == name.strip().casefold()]
            fix = (
                f"did you mean {close[0]}? Field names are case-sensitive"
                if close
                else "check the field's API name in the CRM (enrichment may add it later)"
            )
            compiler.problem(f"{path}[{j}]", f"no record in the CRM has a field '{name}'", fix)


def compile_notifications(compiler: Compiling) -> NotificationPolicy:
    spec: NotificationsModel | None = compiler.spec.notifications
    if spec is None:
        return NotificationPolicy()
    preferences: dict[str, tuple[str, ...]] = {}
    for key, channels in spec.preferences.items():
        user_id = compiler.resolve_user(key, f"notifications.preferences.{key}")
        if user_id is not None:
            chosen = () if NO_CHANNEL in channels else tuple(dict.fromkeys(channels))
            preferences[user_id] = chosen
    return NotificationPolicy(
        channels=tuple(dict.fromkeys(spec.channels)),
        kinds=frozenset(spec.on),
        batch_window=timedelta(minutes=spec.batch_minutes),
        digest_max_lines=spec.digest_max_lines,
        templates=_templates(compiler, spec.templates),
        preferences=preferences,
        preference_field=spec.preference_field,
    )


def _templates(compiler: Compiling, spec: NotificationTemplatesModel) -> Templates:
    defaults = Templates()
    chosen = {}
    for name in ("subject", "text", "digest_subject", "digest_line"):
        text = getattr(spec, name)
        if text is None:
            continue
        unknown = unknown_placeholders(text)
        if unknown:
            compiler.problem(
                f"notifications.templates.{name}",
                f"unknown placeholder {', '.join(unknown)}",
                "use $owner_name, $name, $company, $reason, $deadline, $verb, $record_id, "
                "$object, $email, $rule, $tier, $count (digest_subject)",
            )
        chosen[name] = text
    return Templates(**{**_as_dict(defaults), **chosen})


def _as_dict(templates: Templates) -> dict[str, str]:
    return {
        "subject": templates.subject,
        "text": templates.text,
        "digest_subject": templates.digest_subject,
        "digest_line": templates.digest_line,
    }
