"""The wheel a user installs (not the editable checkout) carries what the code opens at run
time: the Alembic migrations and the shipped example policies."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tracked_copy(into: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in files:
        source = ROOT / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def test_the_wheel_ships_the_migrations_and_example_policies(tmp_path: Path) -> None:
    source = _tracked_copy(tmp_path / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("leadrelay-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = sorted((ROOT / "worker/store/migrations/versions").glob("v*.py"))
    assert migrations
    expected = {
        "worker/store/migrations/alembic.ini",
        "worker/store/migrations/env.py",
        "worker/store/migrations/script.py.mako",
        *(f"worker/store/migrations/versions/{m.name}" for m in migrations),
        "config/examples/acme.yaml",
    }
    assert expected - names == set()
