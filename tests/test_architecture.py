"""The package's import structure, read from the source (AST), not from a running process.

- **No import cycle** among fitdoctor's modules at module level (what runs on ``import``;
  ``if TYPE_CHECKING:`` blocks do not run and are ignored).
- **Lazy imports** (inside functions) may close a cycle only through the edges declared
  in :data:`LAZY_BACK_EDGES`, each with its reason: a new lazy cycle fails here and must
  be either removed or declared.
- **Only the CLI prints errors and picks exit codes**: no module outside
  ``fitdoctor.cli`` imports it, or click.
- **Heavy packages** (keras, tensorflow, pandas, scikit-learn, matplotlib, scipy, torch,
  jax, mlflow) are imported only by the modules in :data:`HEAVY_IMPORTERS`, and none of the
  modules the analysis path loads imports one at module level.

tests/test_no_keras.py checks the same invariant at run time (a real ``fitdoctor
analyze`` with keras made unimportable, and which packages it loaded).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import fitdoctor

PACKAGE_DIR = Path(fitdoctor.__file__).parent

HEAVY = ("keras", "tensorflow", "tf_keras", "pandas", "sklearn", "matplotlib", "scipy",
         "torch", "jax", "mlflow")

#: Lazy (function-level) imports that point back up the layers, with why each is fine.
LAZY_BACK_EDGES: dict[tuple[str, str], str] = {
    ("fitdoctor.report", "fitdoctor.reporters"): "Report.__str__ delegates to the text reporter",
    ("fitdoctor.report", "fitdoctor.reporters.html"): "Report._repr_html_ delegates to it",
    ("fitdoctor.report", "fitdoctor.plot"): "Report.plot delegates to plot_report",
    ("fitdoctor.report", "fitdoctor.frames"): "Report.to_frame delegates to report_frame",
    ("fitdoctor.detectors.base", "fitdoctor.detectors"): (
        "the detector registry imports the built-in detectors on first use"
    ),
    ("fitdoctor.reporters.html", "fitdoctor"): "the footer names fitdoctor.__version__",
    ("fitdoctor.keras_runtime", "fitdoctor"): "the run records fitdoctor.__version__",
    ("fitdoctor.cv.results", "fitdoctor.cv.learning"): (
        "LearningCurveResult.verdict is the learning-curve rules' answer, run on first use"
    ),
    ("fitdoctor.cv.results", "fitdoctor.cv.documents"): (
        "CVResult/LearningCurveResult.from_dict and .load delegate to the checked reader"
    ),
    ("fitdoctor.readers.keras_tuner", "fitdoctor.readers"): (
        "a trial folder's history (the callback's run file) is read through the registry"
    ),
}

#: Modules allowed to import heavy packages, and which (at any level).
HEAVY_IMPORTERS: dict[str, set[str]] = {
    "fitdoctor.callback": {"keras"},
    "fitdoctor.callback_perclass": {"keras"},
    "fitdoctor.keras_facts": {"keras"},
    "fitdoctor.keras_runtime": {"keras", "jax", "torch"},
    "fitdoctor.validation": {"keras", "sklearn"},
    "fitdoctor.splits": {"sklearn"},
    "fitdoctor.demo": {"keras", "sklearn"},
    "fitdoctor.plot": {"matplotlib"},
    "fitdoctor.plot_draw": {"matplotlib"},
    "fitdoctor.frames": {"pandas"},
    "fitdoctor.run": {"pandas"},
    "fitdoctor.cv.power_law": {"scipy"},
    "fitdoctor.reference": {"sklearn"},  # fits the reference model; never on the analysis path
    "fitdoctor.model_file": {"keras"},
    # only for mlflow:EXPERIMENT sources and --mlflow-log
    "fitdoctor.readers.mlflow_store": {"mlflow"},
    "fitdoctor.mlflow_log": {"mlflow"},
}

#: What ``fitdoctor analyze`` and ``fitdoctor.analyze()`` import (their module-level
#: imports are followed): none may import a heavy package at module level.
ANALYSIS_ROOTS = (
    "fitdoctor",
    "fitdoctor.cli",
    "fitdoctor.cli.analyze",
    "fitdoctor.engine",
    "fitdoctor.io",
    # the readers' registry imports each format's module by name (importlib): list them
    "fitdoctor.readers",
    "fitdoctor.readers.json_files",
    "fitdoctor.readers.records",
    "fitdoctor.readers.tables",
    "fitdoctor.readers.csv_files",
    "fitdoctor.readers.console",
    "fitdoctor.readers.tensorboard",
    "fitdoctor.readers.objects",
    "fitdoctor.readers.mlflow_store",
    "fitdoctor.mlflow_log",
    "fitdoctor.storage",
    "fitdoctor.cv",
    "fitdoctor.reporters",
    "fitdoctor.reporters.text",
    "fitdoctor.reporters.rich_terminal",
    "fitdoctor.reporters.markdown",
    "fitdoctor.reporters.json_report",
    "fitdoctor.reporters.github",
    "fitdoctor.reporters.html",
)


@dataclass
class Module:
    """One module's imports: internal targets and heavy top-level packages, by level."""

    name: str
    path: Path
    imports: dict[str, set[str]] = field(default_factory=lambda: {"module": set(),
                                                                    "function": set()})
    heavy: dict[str, set[str]] = field(default_factory=lambda: {"module": set(),
                                                                  "function": set()})
    external: set[str] = field(default_factory=set)


def _module_names() -> dict[str, Path]:
    names = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(body: Iterable[ast.stmt], level: str) -> Iterator[tuple[str, ast.stmt]]:
    """Every import statement in ``body`` with where it runs: ``module`` or ``function``."""
    for node in body:
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from _imports(node.orelse, level)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield level, node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports(node.body, "function")
        else:  # class bodies, if/try/with/for blocks: they run where their parent runs
            for name in ("body", "orelse", "finalbody", "handlers", "cases"):
                sub = getattr(node, name, None)
                if isinstance(sub, list):
                    yield from _imports(sub, level)


def _targets(module: str, is_package: bool, node: ast.stmt, known: Mapping[str, Path]) -> list[str]:
    """Absolute names ``node`` imports (``from P import m`` is ``P.m`` when that is a module)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        package = ".".join([*base, *([node.module] if node.module else [])])
    else:
        package = node.module or ""
    out = []
    for alias in node.names:
        full = f"{package}.{alias.name}"
        out.append(full if full in known else package)
    return out


def _modules() -> dict[str, Module]:
    known = _module_names()
    modules = {}
    for name, path in known.items():
        mod = Module(name, path)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for level, node in _imports(tree.body, "module"):
            for target in _targets(name, path.name == "__init__.py", node, known):
                top = target.split(".")[0]
                mod.external.add(top)
                if top in HEAVY:
                    mod.heavy[level].add(top)
                elif top == "fitdoctor" and target != name:
                    # an internal import: the module itself, or the package it is in
                    while target not in known:
                        target = target.rpartition(".")[0]
                    mod.imports[level].add(target)
        modules[name] = mod
    return modules


MODULES = _modules()


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _graph(levels: tuple[str, ...], dropped: Iterable[tuple[str, str]] = ()) -> dict[str, set[str]]:
    skip = set(dropped)
    return {
        name: {t for level in levels for t in mod.imports[level] if (name, t) not in skip}
        for name, mod in MODULES.items()
    }


def test_the_reader_sees_the_package() -> None:
    assert {"fitdoctor", "fitdoctor.cli", "fitdoctor.cli.analyze", "fitdoctor.engine",
            "fitdoctor.report", "fitdoctor.detectors.base"} <= set(MODULES)
    assert "fitdoctor.report" in MODULES["fitdoctor.engine"].imports["module"]
    assert "fitdoctor.reporters.html" in MODULES["fitdoctor.report"].imports["function"]
    # TYPE_CHECKING imports are not imports
    assert "fitdoctor.run" not in MODULES["fitdoctor.report"].imports["module"]
    assert "keras" in MODULES["fitdoctor.callback"].heavy["module"]


def test_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_at_module_level() -> None:
    cycles = _cycles(_graph(("module",)))
    assert cycles == [], f"module-level import cycles: {cycles}"


def test_lazy_imports_close_no_undeclared_cycle() -> None:
    cycles = _cycles(_graph(("module", "function"), dropped=LAZY_BACK_EDGES))
    assert cycles == [], (
        f"import cycles through function-level imports: {cycles}; remove the import, or "
        "declare the back edge in LAZY_BACK_EDGES with its reason"
    )


@pytest.mark.parametrize("edge", sorted(LAZY_BACK_EDGES))
def test_declared_lazy_back_edges_exist(edge: tuple[str, str]) -> None:
    source, target = edge
    assert target in MODULES[source].imports["function"], f"{edge} is gone: drop it"


def test_heavy_packages_only_where_declared() -> None:
    actual = {
        name: mod.heavy["module"] | mod.heavy["function"]
        for name, mod in MODULES.items()
        if mod.heavy["module"] | mod.heavy["function"]
    }
    assert actual == HEAVY_IMPORTERS


def test_analysis_path_imports_nothing_heavy_at_module_level() -> None:
    graph = _graph(("module",))
    seen: set[str] = set()
    todo = list(ANALYSIS_ROOTS)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    assert {"fitdoctor.report", "fitdoctor.rules", "fitdoctor.detectors.base"} <= seen
    heavy = {name: MODULES[name].heavy["module"] for name in seen if MODULES[name].heavy["module"]}
    assert heavy == {}, f"modules on the analysis path import heavy packages: {heavy}"


def test_only_the_cli_imports_the_cli_and_click() -> None:
    cli = ("fitdoctor.cli", "fitdoctor.__main__")  # python -m fitdoctor is the CLI too
    outside = {name: mod for name, mod in MODULES.items()
               if name not in cli and not name.startswith("fitdoctor.cli.")}
    importers = {
        name for name, mod in outside.items()
        if "click" in mod.external
        or any(t == "fitdoctor.cli" or t.startswith("fitdoctor.cli.")
               for t in mod.imports["module"] | mod.imports["function"])
    }
    assert importers == set(), "domain code raises; only fitdoctor.cli turns errors into exits"
    assert "click" in MODULES["fitdoctor.cli.common"].external


#: The only strings in fitdoctor's Python that are a rule code, with why each is fine. Rules
#: live in rules/*.toml (their codes, precedence, relations); Python code names detectors
#: (``@detector("overfitting-gap")``), never codes.
CODE_LITERALS: dict[tuple[str, str], str] = {
    ("fitdoctor.report", "FD000"): "the engine's own finding for a crashed detector: no rule's",
}


def _code_literals() -> set[tuple[str, str]]:
    """``(module, code)`` for every string constant that is exactly a rule code."""
    found = set()
    for name, path in _module_names().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.fullmatch(r"FD\d{3}", node.value.strip()):
                found.add((name, node.value.strip()))
    return found


def test_no_rule_code_in_python() -> None:
    assert _code_literals() == set(CODE_LITERALS), (
        "a rule code in Python: declare the judgment in the rule's TOML (supersedes, "
        "parameters, wording) or find the rule by its detector"
    )


ARCHITECTURE_MD = PACKAGE_DIR.parent / "ARCHITECTURE.md"


def test_architecture_md_matches_the_package() -> None:
    text = ARCHITECTURE_MD.read_text(encoding="utf-8")
    named = set(re.findall(r"`(fitdoctor/[\w/]+(?:\.py|/))`", text))
    root = PACKAGE_DIR.parent
    gone = sorted(p for p in named if not (root / p).exists())
    assert gone == [], f"ARCHITECTURE.md names what does not exist: {gone}"
    files = {str(p.relative_to(root)) for p in PACKAGE_DIR.rglob("*.py")
             if p.name != "__init__.py" or p.parent == PACKAGE_DIR}
    unnamed = sorted(files - named)
    assert unnamed == [], f"modules ARCHITECTURE.md does not describe: {unnamed}"


#: The numbers fitdoctor/detectors/ writes as literals, per module: value → count, with
#: why none decides. A threshold, a factor or a proposed value is a rule's declared
#: parameter (rules/*.toml: default, doc, range; ``fitdoctor explain`` prints it), never a
#: literal, so a new one fails here: declare it, or add it below with its reason. Not
#: counted: 0 and 1, rounding digits (``round(x, 4)``) and anything inside a subscript
#: (slices and indexes: ``x[-3:]``, ``x[x.size // 2 :]``).
DETECTOR_NUMBERS: dict[str, dict[int | float, int]] = {
    # the powers that turn a prior loss into a spread (variance: 2, MAD: 1); fmt_rate's
    # exponent range written plainly (1e-3 .. 100)
    # ...; 255, the largest 8-bit pixel value (inputs whose maximum is exactly it are raw
    # pixels: a fact of the encoding, not a threshold)
    "advice": {2.0: 2, 3: 1, 255: 1},
    # a binary task has 2 classes; two epochs at least to call two curves the same
    # numbers; SAME_VALUES (1e-6) is an identity test of two logged float32 curves, not a
    # threshold, and 1e-300 a division guard
    "base": {2: 3, 1e-06: 1, 1e-300: 1},
    # Laplace's +1/+2, squares, a binary task's 2 classes; per cent; a majority share >= 0.5
    "baselines": {2: 9, 100: 1, 0.5: 1},
    # 6 values shown in a message; binary = 2 classes, halves; float-equality guards;
    # Keras's default decision threshold 0.5
    "imbalance": {6: 1, 2: 5, 1e-09: 3, 0.5: 2},
    # 10**15: a count no data set reaches (plausibility); 2 classes, halves; a guard
    "imbalance_facts": {10: 1, 15: 1, 2: 6, 1e-09: 1},
    # a power law has 3 parameters; a division guard; per cent
    "learning_curve": {3: 1, 1e-12: 1, 100: 1},
    # the median of 3 epochs (a robust level); Wilson's formula; per cent
    "memorisation": {3: 2, 2: 2, 100: 2},
    # powers of two
    "model_setup": {2: 2},
    # accuracies equal to 6 decimals are the same count of right rows (an identity test of
    # logged fractions, not a threshold); halves, 2 points for a line; per cent
    "one_class": {6: 1, 2: 3, 100: 1},
    # at least 3 points for a line or a median; halves, 2 points for a difference;
    # per cent
    "span": {3: 5, 2: 7, 100.0: 1},
    # halves, 2 points for a window; the median of 3; 6 epochs listed in a message
    "stability": {2: 5, 3: 2, 6: 1},
    # halves and 2-point minimums; the median of 3 (end levels); 5 points to measure noise
    # on; a quarter of the run for the gap's trend; the smoothing window's tenth of the
    # run (smooth_window's doc); the decay ratio kept within 0.05..0.95 so its log exists;
    # a division guard; per cent (one a rate shown to 2 significant digits); a ratio over
    # 1000 is not shown; 3 points at least for a validation loss's range
    "training": {5: 1, 2: 14, 3: 4, 0.95: 1, 4: 1, 0.05: 1, 1e-300: 1, 100: 5, 1000: 1,
                 10: 1},
    # Wilson's formula; 4 epochs to see a minimum before the end; halves; the median of 3;
    # per cent; 6 classes listed in a message
    "validation_setup": {4: 2, 2: 5, 3: 1, 100: 14, 6: 3},
}


def _detector_numbers(path: Path) -> dict[int | float, int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    skip: set[int] = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "round" and len(node.args) == 2):
            skip |= {id(n) for n in ast.walk(node.args[1])}
        if isinstance(node, ast.Subscript):
            skip |= {id(n) for n in ast.walk(node.slice)}
    found: dict[int | float, int] = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and type(node.value) in (int, float)
                and id(node) not in skip and node.value not in (0, 1)):
            found[node.value] = found.get(node.value, 0) + 1
    return found


def test_detectors_write_no_deciding_number() -> None:
    found = {path.stem: numbers
             for path in sorted((PACKAGE_DIR / "detectors").glob("*.py"))
             if (numbers := _detector_numbers(path))}
    assert found == DETECTOR_NUMBERS, (
        "a number in fitdoctor/detectors/: declare a threshold or factor as the rule's "
        "parameter in rules/*.toml, or list a number that decides nothing in "
        "DETECTOR_NUMBERS with its reason"
    )
