"""Policy problems, each with the file, the path inside it, what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    path: str  # e.g. "pools[2].members[0]"
    problem: str
    fix: str

    def render(self, source: str) -> str:
        where = f"{source}: {self.path}" if self.path else source
        return f"{where}: {self.problem} — {self.fix}"


class PolicyError(Exception):
    def __init__(self, source: str, problems: Sequence[PolicyProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        lines = [p.render(source) for p in self.problems]
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the policy:\n  " + "\n  ".join(lines)
        )


def path_of(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.startswith("@"):
            continue  # a union tag, not a key the admin wrote
        else:
            text += f".{part}" if text else str(part)
    return text


_FIXES = {
    "extra_forbidden": "remove it, or check its spelling against `leadrelay policy schema`",
    "missing": "add it",
    "bool_type": "write true or false",
    "bool_parsing": "write true or false",
    "int_type": "write a whole number",
    "int_parsing": "write a whole number",
    "float_parsing": "write a number",
    "string_type": "write text",
    "list_type": "write a list (`- item` lines or [a, b])",
    "dict_type": "write a mapping (`key: value` lines)",
    "model_type": "write a mapping (`key: value` lines)",
    "literal_error": "use one of the values listed",
    "too_short": "add at least one item",
    "greater_than_equal": "use a larger value",
    "target": "write e.g. {user: EMAIL}, {queue: NAME}, {pool: NAME}, {owner_of: account}",
}


def problems_from_validation(error: ValidationError) -> list[PolicyProblem]:
    problems = []
    for item in error.errors():
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown key '{item['loc'][-1]}'"
        fix = _FIXES.get(item["type"], "see `leadrelay policy schema` for what is allowed here")
        problems.append(PolicyProblem(path_of(item["loc"]), message, fix))
    return problems
