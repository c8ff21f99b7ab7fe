"""Run files are checked against their shipped JSON Schemas: the checker agrees with jsonschema.

``fitdoctor.schemacheck`` implements the part of JSON Schema the run schemas use, so
that reading a run file needs no dependency. These properties hold it to the reference
validator (``jsonschema``) on generated documents, run/1 and every kind of run/2 line,
broken field by field: a document is refused by one exactly when it is refused by
the other. The one documented liberty: an integer is a JSON number written without a
fraction (the reference's type checker is told the same).
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from fitdoctor import schemacheck
from fitdoctor.errors import InputError
from fitdoctor.readers._base import json_loads
from fitdoctor.run import Run
from fuzz import strategies as gen

BUDGET = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))


def _without_required(node: Any) -> Any:
    """The schema with every ``required`` removed: readers accept older files lacking keys."""
    if isinstance(node, dict):
        return {k: _without_required(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_without_required(v) for v in node]
    return node


def _validator(name: str, pointer: str = "") -> jsonschema.protocols.Validator:
    schemas = {n: _without_required(schemacheck.schema(f"{n}.schema.json"))
               for n in ("run-1", "run-2")}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())
    checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _c, x: isinstance(x, int) and not isinstance(x, bool))
    cls = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=checker)
    root = schemas[name.removesuffix(".schema.json")]
    target: Any = root
    for part in (p for p in pointer.split("/") if p):
        target = target[part]
    spec = {**target, "$id": root["$id"], "$defs": root["$defs"]} if pointer else root
    return cls(spec, registry=registry)


VALIDATORS = {
    ("run-1.schema.json", ""): _validator("run-1.schema.json"),
    **{("run-2.schema.json", f"/$defs/{d}"): _validator("run-2.schema.json", f"/$defs/{d}")
       for d in ("header", "epoch", "end", "meta_line")},
}


def _parsed(value: Any) -> Any | None:
    """The value as fitdoctor's JSON parser reads it back (``None``: not parseable)."""
    try:
        return json_loads(gen.dump_json(value))
    except (ValueError, RecursionError):
        return None


def agree(doc: Any, name: str, pointer: str = "") -> None:
    reference = VALIDATORS[(name, pointer)].is_valid(doc)
    try:
        schemacheck.check(doc, name, pointer, where="doc", required=False)
    except InputError as exc:
        assert not reference, f"refused a valid document: {exc}"
        message = str(exc)
        assert message.startswith("doc") and "\n" not in message
        return
    assert reference, "accepted an invalid document: " + str(
        next(VALIDATORS[(name, pointer)].iter_errors(doc)).message)[:300]


@BUDGET
@given(st.data())
def test_run1_documents(data: st.DataObject) -> None:
    tree = gen.run1_tree(data.draw(gen.runs(max_epochs=8)))
    if data.draw(st.integers(0, 4)):
        tree, _ = data.draw(gen.mutate_tree(tree))
    doc = _parsed(tree)
    if doc is not None:
        agree(doc, "run-1.schema.json")


DEFINITION = {"epoch": "epoch", "end": "end", "meta": "meta_line"}


@BUDGET
@given(st.data())
def test_run2_lines(data: st.DataObject) -> None:
    lines = gen.run2_lines(data.draw(gen.runs(max_epochs=5)))
    lines.append({"kind": "meta", "meta": {"test_accuracy": 0.9}})
    i = data.draw(st.integers(0, len(lines) - 1))
    line = lines[i]
    if data.draw(st.integers(0, 4)):
        line, _ = data.draw(gen.mutate_tree(line))
    doc = _parsed(line)
    if not isinstance(doc, dict):
        return
    kind = doc.get("kind")
    definition = "header" if i == 0 else DEFINITION.get(kind if isinstance(kind, str) else "",
                                                        "epoch")
    agree(doc, "run-2.schema.json", f"/$defs/{definition}")


@BUDGET
@given(gen.runs(max_epochs=8))
def test_the_loader_reads_every_run_it_writes(run: Run) -> None:
    again = Run.from_dict(json_loads(json.dumps(run.to_dict(), allow_nan=True)))
    assert again.epochs == run.epochs and again.metrics.keys() == run.metrics.keys()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"epochs": [1, 2, 3, 4]}, "metric 'loss' has 3 values for 4 epochs"),
        ({"seconds": [1.0]}, "seconds has 1 values for 3 epochs"),
    ],
)
def test_beyond_the_schema_the_loader_checks_lengths(change: dict[str, Any], message: str) -> None:
    """What a JSON Schema cannot say (lists of one length) the loader still checks."""
    doc = copy.deepcopy(Run([1, 2, 3], {"loss": [1.0, 0.5, 0.4]}).to_dict())
    doc.update(change)
    schemacheck.check(doc, "run-1.schema.json", required=False)  # fits the schema
    with pytest.raises(InputError, match=message):
        Run.from_dict(doc)


def test_a_schema_keyword_the_checker_does_not_know_is_an_error() -> None:
    with pytest.raises(ValueError, match="not supported"):
        schemacheck._check(1, {"type": "integer", "multipleOf": 2}, "run-1.schema.json", "x",
                           True)


@pytest.mark.parametrize(("value", "expected"), [
    ({"epochs": ["a"]}, "run.epochs[0]: expected an integer >= 1, got text 'a'"),
    ({"metrics": {"loss": [True]}}, "run.metrics.loss[0]: expected a number or null, got "
                                    "the boolean true"),
    ({"model": {"layers": [{"name": "d", "class_name": "Dense", "units": "x"}]}},
     "run.model.layers[0].units: expected an integer or null, got text 'x'"),
    ({"fit": {"validation": "maybe"}}, 'run.fit.validation: expected one of "split", "data", '
                                       "\"none\", null, got text 'maybe'"),
    ({"per_class": [{"epoch": 1, "labels": ["a"], "precision": [0.5], "recall": [0.5],
                     "f1": [0.5], "support": [-1]}]},
     "run.per_class[0].support[0]: expected an integer >= 0, got the number -1"),
    ({"phases": [{"epoch": 0, "label": "x"}]},
     "run.phases[0].epoch: expected an integer >= 1, got the number 0"),
])
def test_messages_name_the_field_and_what_it_should_be(value: dict[str, Any],
                                                       expected: str) -> None:
    doc = Run([1], {"loss": [1.0]}).to_dict()
    doc.update(value)
    with pytest.raises(InputError) as info:
        Run.from_dict(doc)
    assert str(info.value) == expected
