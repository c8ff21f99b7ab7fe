"""Honest dependencies: every package fitdoctor imports is declared, extras stay out of the
user's way, and one Python floor is declared everywhere.

Read from the source (AST) and from pyproject.toml; the import → distribution mapping
comes from the installed metadata (``importlib.metadata.packages_distributions``).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import fitdoctor

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(fitdoctor.__file__).parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _extra(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The distributions an extra installs, following ``fitdoctor[other]`` references."""
    out: set[str] = set()
    for req in PYPROJECT["project"]["optional-dependencies"][name]:
        ref = re.fullmatch(r"fitdoctor\[([a-z0-9,_-]+)\]", req.strip())
        if ref:
            for other in ref.group(1).split(","):
                if other not in seen:
                    out |= _extra(other, seen | {name})
        else:
            out.add(_name(req))
    return out


def _imports() -> dict[str, set[str]]:
    """Third-party top-level packages imported anywhere in fitdoctor/, and by which files."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "fitdoctor" and top not in sys.stdlib_module_names:
                    found.setdefault(top, set()).add(path.name)
    return found


def test_every_import_is_declared() -> None:
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    extras = set().union(*(_extra(e) for e in PYPROJECT["project"]["optional-dependencies"]
                           if e != "dev"))
    dists = packages_distributions()
    imports = _imports()
    assert {"numpy", "click", "keras", "scipy"} <= set(imports)  # the reader sees them
    missing = {}
    for top, files in imports.items():
        names = {_name(d) for d in dists.get(top, [top])}
        if not names & (core | extras):
            missing[top] = sorted(files)
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"


def test_the_analysis_needs_only_core_dependencies() -> None:
    core = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert {"numpy", "rich", "click"} <= core


def test_the_keras_extra_installs_no_backend() -> None:
    backends = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "jax", "jaxlib", "torch"}
    assert "keras" in _extra("keras")
    assert _extra("keras") & backends == set(), "fitdoctor[keras] must not fight the user's backend"
    assert "tensorflow-cpu" in _extra("tensorflow") and "keras" in _extra("tensorflow")
    assert "jax" in _extra("jax") and "torch" in _extra("torch")


def test_the_makefile_installs_the_cpu_build() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = re.search(r"pip install -e '\.\[([a-z,]+)\]'", makefile)
    assert install, "the Makefile's install line"
    assert "tensorflow-cpu" in set().union(*(_extra(e) for e in install.group(1).split(",")))


def test_one_python_floor() -> None:
    floor = re.fullmatch(r">=\s*3\.(\d+)", PYPROJECT["project"]["requires-python"])
    assert floor, PYPROJECT["project"]["requires-python"]
    minor = int(floor.group(1))
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py3{minor}"
    assert PYPROJECT["tool"]["mypy"]["python_version"] == f"3.{minor}"
    assert sys.version_info >= (3, minor), "the tests run on a supported Python"
    classifiers = PYPROJECT["project"]["classifiers"]
    assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    assert not any(re.search(rf":: 3\.{m}$", c) for c in classifiers for m in range(minor))
