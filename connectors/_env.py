"""Reading typed settings from the environment, with errors that name the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values

from connectors.base import ConfigError

Env = Mapping[str, str]


def process_env(env_file: Path = Path(".env")) -> dict[str, str]:
    """The environment over the `.env` file in the current folder, when there is one: the file
    the worker's settings read (pydantic-settings), so CRM credentials written there reach the
    connectors in every command too. A variable set in the environment wins, as it does for the
    settings; an empty value in the file counts as unset."""
    written = dotenv_values(env_file) if env_file.is_file() else {}
    return {**{k: v for k, v in written.items() if v}, **os.environ}


def text(env: Env, name: str, default: str = "") -> str:
    return env.get(name, default).strip()


def integer(env: Env, name: str, default: int) -> int:
    raw = text(env, name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None


def number(env: Env, name: str, default: float) -> float:
    raw = text(env, name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None


def share(env: Env, name: str, default: float) -> float:
    value = number(env, name, default)
    if not 0 < value <= 1:
        raise ConfigError(f"{name} must be a share between 0 and 1 (e.g. 0.5), got {value}")
    return value


def flag(env: Env, name: str, default: bool) -> bool:
    raw = text(env, name).lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def pairs(env: Env, name: str, separator: str) -> list[tuple[str, str]]:
    """`a=b,c=d` (separator '=') or `Lead.Field,User.Field` (separator '.')."""
    found: list[tuple[str, str]] = []
    for item in filter(None, (part.strip() for part in text(env, name).split(","))):
        left, sep, right = item.partition(separator)
        if not sep or not left.strip() or not right.strip():
            raise ConfigError(
                f"{name}: {item!r} is not of the form 'X{separator}Y' (comma-separated list)"
            )
        found.append((left.strip(), right.strip()))
    return found
