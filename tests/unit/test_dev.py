"""dev.py says how to reach `leadrelay` when its .venv is not on the PATH."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev", REPO / "dev.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_without_the_venv_on_the_path_it_says_how_to_get_leadrelay(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    hint = _dev().path_hint()
    assert hint is not None
    assert "`. .venv/bin/activate`" in hint and "python3 dev.py leadrelay" in hint


def test_with_the_venv_on_the_path_it_says_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    dev = _dev()
    monkeypatch.setattr(dev, "BIN", tmp_path)
    script = tmp_path / "leadrelay"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert dev.path_hint() is None


@pytest.mark.parametrize(
    ("system", "machine"),
    [("Linux", "x86_64"), ("Linux", "aarch64"), ("Darwin", "arm64"), ("Darwin", "x86_64")],
)
def test_platforms_with_a_prebuilt_server_need_no_note(system: str, machine: str) -> None:
    assert _dev().embedded_redis_note(system, machine) is None


def test_elsewhere_it_says_what_building_needs_and_the_way_around() -> None:
    note = _dev().embedded_redis_note("Linux", "ppc64le")
    assert note is not None and "C compiler and make" in note and "REDIS_URL=" in note
