"""The Acme export shipped in config/examples/ stays as shipped: LeadRelay reads it but never
writes an owner into it, so following the README cannot change a tracked file. Writes go to a
copy (`leadrelay sample`, made by `leadrelay demo` too)."""

from __future__ import annotations

from pathlib import Path

from connectors.base import ConfigError

BUNDLED_EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "examples"
BUNDLED_SAMPLE = BUNDLED_EXAMPLES / "acme"


def is_bundled(folder: Path) -> bool:
    resolved = folder.expanduser().resolve()
    return resolved == BUNDLED_EXAMPLES or BUNDLED_EXAMPLES in resolved.parents


def refuse_writing_bundled(folder: Path) -> None:
    if is_bundled(folder):
        raise ConfigError(
            f"{folder} is the sample shipped with LeadRelay and stays as shipped: nothing is "
            "written there — add --dry-run, or route a writable copy: `leadrelay sample` makes "
            "one at .leadrelay/crm (use --crm csv:.leadrelay/crm)"
        )
