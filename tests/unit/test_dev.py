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
