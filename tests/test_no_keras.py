"""The analysis path works with keras and tensorflow unimportable, and never loads them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BLOCKER = textwrap.dedent(
    """
    import importlib.abc
    import sys

    BLOCKED = {"keras", "tensorflow", "tf_keras"}

    class Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked by the test")
            return None

    sys.meta_path.insert(0, Block())
    """
)


def _run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=120, check=False,
    )


@pytest.fixture
def history(tmp_path: Path) -> Path:
    n = 40
    loss = [0.9 * 0.9**i for i in range(n)]
    val = [0.95 * 0.9**i for i in range(12)] + [0.95 * 0.9**11 * (1 + 0.05 * i)
                                                  for i in range(1, n - 11)]
    path = tmp_path / "history.json"
    path.write_text(json.dumps({"loss": loss, "val_loss": val,
                                "accuracy": [min(1.0, 0.5 + 0.02 * i) for i in range(n)],
                                "val_accuracy": [0.5 + 0.01 * min(i, 12) for i in range(n)]}),
                    encoding="utf-8")
    return path


def test_blocker_really_blocks(tmp_path: Path) -> None:
    proc = _run("import keras\n", tmp_path)
    assert proc.returncode != 0 and "blocked by the test" in proc.stderr


def test_analysis_without_keras(history: Path, tmp_path: Path) -> None:
    proc = _run(
        f"""
        import json, sys
        import fitdoctor
        report = fitdoctor.analyze({str(history)!r})
        assert report.n_epochs == 40, report.n_epochs
        api_codes = sorted(f.code for f in report.findings)

        from fitdoctor.cli import main
        sys.argv = ["fitdoctor", "analyze", {str(history)!r}, "--format", "json",
                    "--exit-zero"]
        try:
            main()
        except SystemExit as exc:
            code = exc.code
        else:
            code = 0
        loaded = sorted(m for m in sys.modules
                        if m.split(".")[0] in ("keras", "tensorflow", "tf_keras"))
        print(json.dumps({{"exit": code, "api": api_codes, "loaded": loaded}}),
              file=sys.stderr)
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stderr.strip().splitlines()[-1])
    assert result["exit"] == 0
    assert result["loaded"] == []
    report = json.loads(proc.stdout)
    assert sorted(f["code"] for f in report["findings"]) == result["api"]
    assert "FD101" in result["api"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_cli_cold_path_loads_nothing_heavy(history: Path, tmp_path: Path, fmt: str) -> None:
    """``fitdoctor analyze run.json`` must not pay for pandas, scikit-learn or matplotlib."""
    proc = _run(
        f"""
        import json, sys
        from fitdoctor.cli import main
        sys.argv = ["fitdoctor", "analyze", {str(history)!r}, "--format", {fmt!r},
                    "--exit-zero"]
        try:
            main()
        except SystemExit:
            pass
        heavy = ("keras", "tensorflow", "pandas", "sklearn", "matplotlib", "scipy", "jax",
                 "torch")
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy))),
              file=sys.stderr)
        """,
        tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []


def test_lint_without_keras_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """``fitdoctor lint`` needs keras: without it, one line saying what to install."""
    models = [tmp_path / "a.keras", tmp_path / "b.keras"]
    for model in models:  # empty zips: only keras would look inside
        model.write_bytes(b"PK\x05\x06" + bytes(18))
    proc = _run(
        f"""
        import sys
        from fitdoctor.cli import main
        sys.argv = ["fitdoctor", "lint", *{[str(m) for m in models]!r}]
        main()
        """,
        tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    (line,) = proc.stderr.splitlines()
    assert line.startswith("fitdoctor: error: fitdoctor lint loads the model with Keras: "
                           "pip install 'fitdoctor[keras]'"), line
