"""A non-editable install from the wheel works and ships rules, schemas and py.typed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("fitdoctor-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q",
         "--target", str(target), str(wheel)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return target


def test_wheel_contents(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    rule_files = sorted(ROOT.glob("rules/*.toml"))
    assert rule_files
    for rule_file in rule_files:
        assert f"fitdoctor/rules/{rule_file.name}" in names
    assert any(n.startswith("fitdoctor/schemas/") and n.endswith(".json") for n in names), names
    assert "fitdoctor/py.typed" in names
    assert "fitdoctor/cli/__init__.py" in names and "fitdoctor/__main__.py" in names
    assert not any(n.startswith(("tests/", "bench/", "rules/")) for n in names)
    assert not any("__pycache__" in n for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "fitdoctor = fitdoctor.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def _run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(installed), "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=120, check=False,
    )


def test_installed_wheel_runs_from_elsewhere(installed: Path, tmp_path: Path) -> None:
    where = _run_installed(
        installed, tmp_path, "-c",
        "import json, fitdoctor, fitdoctor.rules as r; "
        "print(json.dumps([fitdoctor.__file__, str(r.BUILTIN_RULES_DIR)]))",
    )
    assert where.returncode == 0, where.stderr
    module_file, rules_dir = json.loads(where.stdout)
    assert Path(module_file).is_relative_to(installed), module_file
    assert Path(rules_dir) == installed / "fitdoctor" / "rules"

    listed = _run_installed(installed, tmp_path, "-m", "fitdoctor", "rules", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    shipped = {p.name for p in (installed / "fitdoctor" / "rules").glob("*.toml")}
    assert shipped == {p.name for p in ROOT.glob("rules/*.toml")}
    codes = [r["code"] for r in json.loads(listed.stdout)]
    assert len(codes) >= 5 and "FD101" in codes
    assert all(r["origin"] in shipped for r in json.loads(listed.stdout))


def test_installed_wheel_analyzes(installed: Path, tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"loss": [1.0, 0.6, float("nan")],
                                   "val_loss": [1.1, 0.7, float("nan")]}), encoding="utf-8")
    proc = _run_installed(installed, tmp_path, "-m", "fitdoctor", "analyze", str(history),
                          "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert "FD401" in {f["code"] for f in report["findings"]}
