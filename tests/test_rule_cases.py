"""Data-driven rule cases, one file per rule: ``tests/rule_cases/FDnnn.toml``.

Each file names its rule and lists cases::

    rule = "FD101"

    [[case]]
    id = "gap_widens"              # test id becomes FD101_gap_widens
    expect = "fire"                # "silent" (the rule ran and said nothing) or "skipped"
    history = "histories/x.json"   # a file under tests/data (any loadable format) ...
    epoch = [5, 9]                 # optional: the finding's epoch must fall in this range
    severity = "warning"           # optional: the finding's severity
    status = "running"             # optional: the run's status (as a run file records it)
    restore_best_weights = true    # optional: EarlyStopping's, as a run file records it
    [case.metrics]                 # ... or an inline Keras-History-like dict
    loss = [1.0, 0.5, 0.3]
    [case.facts]                   # optional: task / n_classes a bare history lacks
    task = "multiclass"
    n_classes = 10
    [case.config]                  # optional: parameter overrides for this rule
    min_rise = 0.2
    doc_example = true             # the case is the rule's documented example
                                   # (``example`` in its TOML docs): it must fire

A silent case fails when the rule was skipped (it could not run, so it proved nothing):
say ``expect = "skipped"`` for that, and ``skip_needs = "run-file"`` to check why.

A run file (schema fitdoctor.run/1) can be given with ``history`` too, for rules that
need model, compile or data facts. For the model alone, list its layers inline (the
case then reads as a run file with that model)::

    [[case.layers]]
    class_name = "Dropout"   # name defaults to the class in lower case plus its index
    dropout = 0.5            # optional: the rate (a dropout layer's, or an RNN's own)
    units = 8                # optional: a Dense-like layer's units
    activation = "relu"      # optional
    l2 = 0.01                # optional: an L2 kernel regularizer's factor

Data facts a run file records (the training inputs' scale, say) are set inline on top of
the source, a bare history included (it then reads as a run file with those facts)::

    [case.data]
    input_std = 4.3          # any DataInfo field
    input_max = 16.0

``no_reference = true`` removes the reference model's score from a run file (as a run
recorded with ``FitDoctor(reference=False)`` has none).
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

import pytest

import fitdoctor
from fitdoctor.rules import Settings, load_rules
from fitdoctor.run import DataInfo, FitInfo, Layer, ModelInfo, Regularizer

CASES_DIR = Path(__file__).parent / "rule_cases"
DATA = Path(__file__).parent / "data"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        for case in spec["case"]:
            params.append(pytest.param(spec["rule"], case, id=f"{spec['rule']}_{case['id']}"))
    return params


def _source(case: dict[str, Any]) -> Any:
    if "history" in case:
        return DATA / case["history"]
    return dict(case["metrics"])


@pytest.mark.parametrize(("code", "case"), _cases())
def test_rule_case(code: str, case: dict[str, Any]) -> None:
    settings = Settings(select=[code], rule_options={code: dict(case.get("config", {}))})
    facts = case.get("facts", {})
    source = _source(case)
    if "layers" in case:
        source = fitdoctor.load(source)
        source.model = ModelInfo(layers=[
            Layer(name=spec.get("name", f"{spec['class_name'].lower()}_{i}"),
                  class_name=spec["class_name"], dropout=spec.get("dropout"),
                  units=spec.get("units"), activation=spec.get("activation"),
                  kernel_regularizer=Regularizer("L2", l2=spec["l2"]) if "l2" in spec else None)
            for i, spec in enumerate(case["layers"])
        ])
    if case.get("no_reference"):
        source = fitdoctor.load(source)
        assert source.baselines is not None, "no_reference: the run has no baselines"
        source.baselines = dataclasses.replace(
            source.baselines, reference_value=None, reference_metric=None, reference_model=None)
    if "data" in case:  # data facts on top of the source's
        source = fitdoctor.load(source)
        source.data = dataclasses.replace(source.data or DataInfo(), **case["data"])
    if "meta" in case:  # run-file facts the inline metrics cannot carry
        source = fitdoctor.load(source)
        source.meta.update(case["meta"])
    if "status" in case or "restore_best_weights" in case:
        source = fitdoctor.load(source)
        source.status = case.get("status", source.status)
        if "restore_best_weights" in case:
            source.fit = source.fit or FitInfo()
            source.fit.restore_best_weights = case["restore_best_weights"]
    report = fitdoctor.analyze(
        source, settings, task=facts.get("task"), n_classes=facts.get("n_classes")
    )
    hits = [f for f in report.findings if f.code == code]
    internal = [f for f in report.findings if f.diagnosis == "internal-error"]
    assert not internal, internal[0].message
    skipped = [s for s in report.skipped if s.code == code]
    if case["expect"] == "skipped":
        assert skipped, f"{code} ran; findings: {[f.message for f in hits]}"
        assert not hits
        if "skip_needs" in case:
            assert skipped[0].needs == case["skip_needs"], skipped[0]
        return
    assert not skipped, f"{code} was skipped ({skipped[0].reason}): the case proves nothing"
    if case.get("doc_example"):
        assert case["expect"] == "fire", "a rule's documented example fires it"
    if case["expect"] == "fire":
        assert hits, f"{code} stayed silent; skipped: {report.skipped}"
        if "epoch" in case:
            lo, hi = case["epoch"]
            assert hits[0].epoch is not None and lo <= hits[0].epoch <= hi, hits[0]
        for needle in case.get("message_contains", []):
            assert needle in hits[0].message, hits[0].message
        for action in case.get("actions", []):
            assert action in [r.action for r in hits[0].recommendations], hits[0]
        if "first_action" in case:  # what the user should try before anything else
            assert hits[0].recommendations, hits[0]
            assert hits[0].recommendations[0].action == case["first_action"], hits[0]
        for action in case.get("no_actions", []):  # what is already in force
            assert action not in [r.action for r in hits[0].recommendations], hits[0]
        texts = " | ".join(r.text for r in hits[0].recommendations)
        for needle in case.get("recommendation_contains", []):
            assert needle in texts, texts
        for needle in case.get("recommendation_lacks", []):
            assert needle not in texts, texts
        if "severity" in case:
            assert hits[0].severity.value == case["severity"], hits[0]
    else:
        assert case["expect"] == "silent"
        assert not hits, hits[0].message


def test_every_rule_has_fire_and_silent_cases() -> None:
    covered: dict[str, set[str]] = {}
    for path in CASES_DIR.glob("*.toml"):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        covered.setdefault(spec["rule"], set()).update(c["expect"] for c in spec["case"])
    for rule in load_rules():
        assert {"fire", "silent"} <= covered.get(rule.code, set()), f"{rule.code}: fire and silent"


def test_every_documented_example_is_a_case() -> None:
    examples: dict[str, int] = {}
    for path in CASES_DIR.glob("*.toml"):
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        examples[spec["rule"]] = sum(1 for c in spec["case"] if c.get("doc_example"))
    missing = [rule.code for rule in load_rules()
               if rule.docs.get("example") and not examples.get(rule.code)]
    assert missing == [], f"rules whose documented example no case runs: {missing}"
