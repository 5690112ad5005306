from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ACME = REPO / "config" / "examples" / "acme"
ACME_POLICY = REPO / "config" / "examples" / "acme.yaml"


@pytest.fixture
def acme_crm(tmp_path: Path) -> Path:
    """A private copy of the embedded Acme export, safe to write owners into."""
    target = tmp_path / "acme"
    shutil.copytree(ACME, target)
    return target
