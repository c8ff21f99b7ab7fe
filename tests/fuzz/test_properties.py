"""The contract under generated input, on a bounded budget (about a minute in all).

For every command line the generators make -- histories in every format, run files v1
and v2, cross-validation and learning-curve documents, configurations, rule packs,
every reporter, ``compare``, ``plot``, ``rules``, ``explain`` -- the outcome is a report
(exit 0/1, quiet stderr, strict JSON, nothing a terminal would interpret) or exit 2
with one ``fitdoctor: error:`` line per unusable input; and a well-formed file is read.
The oracle is ``tests/fuzz/oracle.py``; ``bench/fuzz_campaign.py`` runs the same
generators for tens of thousands of cases.

Failures inside the rule engine (rules.py, engine.py, detectors, templates, the
verdict) are asserted too: no FD000 internal finding on any input, no exit-0 run of no
epochs; and every rule, with its parameters anywhere in their declared ranges, runs on
any run without crashing.

The cases are derandomized, so CI runs the same ones every time; the campaign's
``--seed`` explores others.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitdoctor import engine, readers, reporters
from fitdoctor.errors import InputError
from fitdoctor.readers import Source
from fitdoctor.report import Severity
from fitdoctor.rules import Rule, load_rules
from fitdoctor.run import Run
from fitdoctor.sanitize import is_safe
from fuzz import oracle
from fuzz import strategies as gen


def budget(n: int) -> Any:
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


HISTORIES = ("keras-json", "records", "hf", "pandas", "csv", "console", "tensorboard",
             "bytes", "stdin")
DOCUMENTS = ("run1", "run2", "cv", "lc")


@budget(70)
@given(gen.analyze_scenarios(kinds=HISTORIES, configured=False))
def test_analyze_histories_of_every_format(sc: gen.Scenario) -> None:
    oracle.check(sc)


@budget(45)
@given(gen.analyze_scenarios(kinds=DOCUMENTS, configured=False))
def test_analyze_run_files_and_documents(sc: gen.Scenario) -> None:
    oracle.check(sc)


@budget(35)
@given(gen.analyze_scenarios())
def test_analyze_under_any_configuration(sc: gen.Scenario) -> None:
    oracle.check(sc)


@budget(25)
@given(gen.compare_scenarios())
def test_compare(sc: gen.Scenario) -> None:
    oracle.check(sc)


@budget(20)
@given(gen.rules_scenarios())
def test_rules_and_explain_under_any_configuration(sc: gen.Scenario) -> None:
    oracle.check(sc)


@pytest.mark.slow
@budget(6)
@given(gen.plot_scenarios())
def test_plot(sc: gen.Scenario) -> None:
    oracle.check(sc)


# ------------------------------------------------------------------ in-process API


@budget(80)
@given(gen.inputs(kinds=(*HISTORIES[:-1], *DOCUMENTS)))
def test_every_reader_gives_runs_or_one_input_error(item: gen.Input) -> None:
    """The readers alone (no CLI): runs, or an InputError of one printable line."""
    if item.kind in ("cv", "lc", "tensorboard"):
        return  # folders and documents are read by path: covered through the CLI
    (data,) = item.files.values()
    try:
        runs = readers.read_source(Source("<input>", None, data))
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc)
        assert not item.valid, f"a valid {item.kind} file was refused: {exc}"
        return
    assert runs and all(isinstance(r, Run) and r.n_epochs == len(r.epochs) for r in runs)


@st.composite
def run_and_format(draw: st.DrawFn) -> tuple[Run, str]:
    run = draw(gen.runs(max_epochs=25))
    h, _ = draw(gen.spoil_values({k: list(v) for k, v in run.metrics.items()}))
    for key, values in h.items():  # hostile floats into the run itself
        run.metrics[key] = [gen._plain_float(v) if not isinstance(v, (str, bool)) else None
                            for v in values]
    return run, draw(st.sampled_from((*reporters.FORMATS, "html")))


@budget(60)
@given(run_and_format(), st.integers(40, 160))
def test_every_reporter_renders_any_run(case: tuple[Run, str], width: int) -> None:
    """Any run the readers can produce renders in every format: printable, strict JSON."""
    run, fmt = case
    report = engine.analyze(run)
    text = reporters.render(report, fmt, width=width, run=run)
    assert text
    if fmt == "json":
        oracle.strict_json(text)
    elif fmt != "html":
        assert is_safe(text), [c for c in text if not is_safe(c)][:3]
    many = reporters.render_many([(report, run), (report, None)], fmt, width=width)
    if fmt == "json":
        for line in many.splitlines():
            oracle.strict_json(line)


@st.composite
def rules_in_range(draw: st.DrawFn) -> list[Rule]:
    """The built-in rules, every numeric parameter at its min, its max, or in between."""
    where = draw(st.sampled_from(("min", "max", "any")))
    rules = []
    for rule in load_rules():
        values = dict(rule.values)
        for p in rule.params.values():
            if p.min is None or p.max is None:
                continue
            if where == "any":
                value: float = draw(st.sampled_from((p.min, p.max, p.default))) \
                    if draw(st.booleans()) else draw(st.floats(p.min, p.max))
            else:
                value = p.min if where == "min" else p.max
            values[p.name] = int(value) if p.type is int else float(value)
        rules.append(dataclasses.replace(rule, values=values))
    return rules


@budget(40)
@given(gen.runs(max_epochs=25), rules_in_range())
def test_parameters_in_their_ranges_crash_no_rule(run: Run, rules: list[Rule]) -> None:
    """A value within a parameter's declared range is one its detector handles, on any run."""
    report = engine.analyze(run, rules=rules)
    assert not [f.message for f in report.findings if f.code == "FD000"]
    if run.n_epochs == 0:
        assert report.fails(Severity.ERROR) and not report.verdict.startswith("healthy")


ODD = st.sampled_from((math.nan, math.inf, -math.inf, 0.0, -1.0, 1e308, 0.5, None))


@st.composite
def runs_with_odd_facts(draw: st.DrawFn) -> Run:
    """A run whose recorded facts hold odd values: NaN, inf, 0, negative, null, huge."""
    from fitdoctor.run import Baselines, CompileInfo, DataInfo, FitInfo, PerClass

    run = draw(gen.runs(max_epochs=12))
    k = draw(st.sampled_from((1, 2, 3)))
    counts = st.lists(st.sampled_from((0, 1, 50, 10**20, -3)), min_size=k, max_size=k)
    run.data = DataInfo(
        task=draw(st.sampled_from(("binary", "multiclass", "regression", "multilabel", None))),
        label_encoding=draw(st.sampled_from(("one-hot", "sparse", "binary", None))),
        n_train=draw(st.sampled_from((None, 0, 1, 500, 10**20))),
        n_val=draw(st.sampled_from((None, 0, 1, 100))),
        n_classes=draw(st.sampled_from((None, 0, 1, k))),
        train_class_counts=draw(st.one_of(st.none(), counts)),
        val_class_counts=draw(st.one_of(st.none(), counts)),
    )
    run.baselines = Baselines(
        majority_accuracy=draw(ODD), prior_loss=draw(ODD), majority_class="0",
        reference_value=draw(ODD), reference_model="logistic regression",
        reference_metric=draw(st.sampled_from(("accuracy", "mse", None))),
    )
    run.compile = CompileInfo(loss=draw(st.sampled_from(("mse", "binary_crossentropy", None))),
                              learning_rate=draw(ODD), optimizer="SGD")
    run.fit = FitInfo(epochs=draw(st.sampled_from((None, 0, 1, 1000))))
    if run.epochs and draw(st.booleans()):
        run.per_class = [
            PerClass(epoch=e, labels=[str(c) for c in range(k)],
                     precision=[draw(ODD) for _ in range(k)],
                     recall=[draw(ODD) for _ in range(k)], f1=[draw(ODD) for _ in range(k)],
                     support=[draw(st.sampled_from((0, 5))) for _ in range(k)],
                     confusion=[], pr_auc=[], top_confusions=[])
            for e in run.epochs
        ]
    return run


@budget(40)
@given(runs_with_odd_facts())
def test_odd_recorded_facts_crash_no_rule(run: Run) -> None:
    """NaN, inf, null, zero, negative or huge facts (baselines, counts, per-class metrics)."""
    report = engine.analyze(run)
    assert not [f.message for f in report.findings if f.code == "FD000"]
    oracle.strict_json(json.dumps(report.to_dict(), allow_nan=False))


def test_strict_json_refuses_nan_tokens() -> None:
    """The oracle's own check: a report with NaN written as a token is not strict JSON."""
    with pytest.raises(ValueError, match="NaN"):
        oracle.strict_json(json.dumps({"x": math.nan}))
