"""The Run data model: lossless round trip, to_frame, with_facts, validation, JSON Schema."""

from __future__ import annotations

import dataclasses
import json
import math
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from fitdoctor import readers, storage
from fitdoctor.errors import InputError
from fitdoctor.run import (
    RUN_SCHEMA,
    Baselines,
    CompileInfo,
    DataInfo,
    FitInfo,
    Layer,
    ModelInfo,
    PerClass,
    Regularizer,
    Run,
)

INPUTS = Path(__file__).parent / "data" / "inputs"


def rich_run() -> Run:
    """A run with every nested fact filled in, gaps, NaN and infinities."""
    nan, inf = math.nan, math.inf
    dense = Layer(
        name="dense",
        class_name="Dense",
        path="sequential/dense",
        units=512,
        activation="relu",
        kernel_regularizer=Regularizer(kind="L2", l2=1e-4),
        bias_regularizer=Regularizer(kind="L1L2", l1=1e-5, l2=2e-5),
        activity_regularizer=None,
        params=401920,
        trainable_params=401920,
        output_shape=[None, 512],
    )
    drop = Layer(name="dropout", class_name="Dropout", dropout=0.5, output_shape=[None, 512])
    out = Layer(
        name="dense_1",
        class_name="Dense",
        units=3,
        activation="softmax",
        activity_regularizer=Regularizer(kind="L1", l1=0.01),
        params=1539,
        trainable_params=1539,
        output_shape=[None, 3],
    )
    return Run(
        epochs=[1, 2, 3, 4],
        metrics={
            "loss": [1.2, 0.8, nan, inf],
            "accuracy": [0.4, 0.6, 0.7, 0.1],
            "val_loss": [None, 0.9, None, -inf],
            "learning_rate": [1e-3, 1e-3, 5e-4, 5e-4],
        },
        seconds=[0.52, 0.31, None, 0.3],
        status="stopped-early",
        source="fitdoctor",
        name="iris-mlp",
        model=ModelInfo(
            name="sequential",
            class_name="Sequential",
            layers=[dense, drop, out],
            params=403459,
            trainable_params=403459,
            input_shape=[None, 784],
            output_activation="softmax",
            output_units=3,
        ),
        compile=CompileInfo(
            loss="sparse_categorical_crossentropy",
            from_logits=False,
            optimizer="RMSprop",
            learning_rate=1e-3,
            optimizer_config={"name": "rmsprop", "rho": 0.9, "clipnorm": None},
            metrics=["accuracy"],
        ),
        fit=FitInfo(
            epochs=10,
            batch_size=128,
            steps_per_epoch=3,
            validation="split",
            validation_split=0.2,
            validation_freq=2,
            initial_epoch=0,
        ),
        data=DataInfo(
            task="multiclass",
            label_encoding="sparse",
            n_train=120,
            n_val=30,
            n_features=784,
            n_classes=3,
            class_names=["setosa", "versicolor", "virginica"],
            train_class_counts=[40, 40, 40],
            val_class_counts=[10, 10, 10],
            val_fingerprint="ab12cd34",
        ),
        per_class=[
            PerClass(
                epoch=2,
                labels=["setosa", "versicolor", "virginica"],
                precision=[1.0, 0.5, nan],
                recall=[1.0, 0.7, 0.0],
                f1=[1.0, 0.58, 0.0],
                support=[10, 10, 10],
                confusion=[[10, 0, 0], [3, 7, 0], [0, 10, 0]],
            ),
            PerClass(
                epoch=4,
                labels=["no", "yes"],
                precision=[0.9, 0.4],
                recall=[0.8, 0.6],
                f1=[0.85, 0.48],
                support=[25, 5],
                threshold=0.31,
                threshold_f1=0.55,
            ),
        ],
        baselines=Baselines(majority_accuracy=1 / 3, prior_loss=math.log(3), majority_class="0"),
        meta={"keras": "3.15.0", "started": "2026-11-29T01:00:00Z", "notes": ["a note"]},
    )


def isnan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def canonical(run: Run) -> str:
    """A comparable text form: NaN == NaN here, unlike dataclass equality."""
    return json.dumps(run.to_dict(), sort_keys=True, allow_nan=True)


# ------------------------------------------------------------------------ round trip


def test_round_trip_through_dict_is_lossless() -> None:
    run = rich_run()
    back = Run.from_dict(run.to_dict())
    assert canonical(back) == canonical(run)
    assert isinstance(back.model, ModelInfo)
    assert isinstance(back.model.layers[0], Layer)
    assert back.model.layers[0].kernel_regularizer == Regularizer(kind="L2", l1=0.0, l2=1e-4)
    assert back.model.layers[2].activity_regularizer == Regularizer(kind="L1", l1=0.01)
    assert back.model.layers[1].kernel_regularizer is None
    assert isinstance(back.compile, CompileInfo)
    assert back.fit == run.fit
    assert back.data == run.data
    assert back.baselines == run.baselines
    assert isinstance(back.per_class[0], PerClass)
    assert back.per_class[0].confusion == [[10, 0, 0], [3, 7, 0], [0, 10, 0]]
    assert back.per_class[1].threshold == 0.31
    assert isnan(back.metrics["loss"][2])
    assert back.metrics["loss"][3] == math.inf
    assert back.metrics["val_loss"] == [None, 0.9, None, -math.inf]
    assert back.seconds == [0.52, 0.31, None, 0.3]


def test_round_trip_through_json_text_and_file(tmp_path: Path) -> None:
    run = rich_run()
    text = json.dumps(run.to_dict())
    assert "NaN" in text and "-Infinity" in text
    assert canonical(Run.from_dict(json.loads(text))) == canonical(run)
    path = tmp_path / "run.json"
    storage.save(run, path)
    loaded = readers.load(path)
    assert canonical(loaded) == canonical(run)
    assert loaded.name == "iris-mlp"  # the run's own name is kept
    assert loaded.source == "fitdoctor"


def test_round_trip_of_a_minimal_run() -> None:
    run = Run(epochs=[1], metrics={"loss": [0.5]})
    data = run.to_dict()
    assert data["schema"] == RUN_SCHEMA
    assert data["model"] is None and data["per_class"] == [] and data["meta"] == {}
    assert canonical(Run.from_dict(data)) == canonical(run)


def test_to_dict_has_every_field_of_every_dataclass() -> None:
    data = rich_run().to_dict()
    assert set(data) == {"schema"} | {f.name for f in dataclasses.fields(Run)}
    assert set(data["model"]["layers"][0]) == {f.name for f in dataclasses.fields(Layer)}
    assert set(data["per_class"][0]) == {f.name for f in dataclasses.fields(PerClass)}


# ------------------------------------------------------------------------- to_frame


def test_to_frame() -> None:
    frame = rich_run().to_frame()
    assert frame.index.name == "epoch"
    assert list(frame.index) == [1, 2, 3, 4]
    assert list(frame.columns) == ["loss", "accuracy", "val_loss", "learning_rate", "seconds"]
    assert isnan(frame.loc[1, "val_loss"])  # a gap becomes NaN
    assert frame.loc[2, "val_loss"] == 0.9
    assert frame.loc[4, "loss"] == math.inf
    assert isnan(frame.loc[3, "seconds"])
    assert frame["accuracy"].dtype.kind == "f"


def test_to_frame_without_seconds() -> None:
    frame = Run(epochs=[3, 4], metrics={"loss": [1.0, None]}).to_frame()
    assert list(frame.columns) == ["loss"]
    assert list(frame.index) == [3, 4]
    assert isnan(frame.loc[4, "loss"])


# ----------------------------------------------------------------------- with_facts


def test_with_facts_fills_data_in_place() -> None:
    run = Run(epochs=[1], metrics={"loss": [1.0]})
    assert run.with_facts() is run and run.data is None
    assert run.with_facts(task="binary", n_classes=2) is run
    assert run.data == DataInfo(task="binary", n_classes=2)
    run.with_facts(n_classes=5)
    assert run.data == DataInfo(task="binary", n_classes=5)


def test_with_facts_keeps_existing_data() -> None:
    run = rich_run()
    run.with_facts(task="multilabel")
    assert run.data is not None
    assert run.data.task == "multilabel" and run.data.n_train == 120


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"task": "clustering"}, "unknown task 'clustering'"), ({"n_classes": 0}, "at least 1")],
)
def test_with_facts_rejects_bad_facts(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InputError, match=match):
        Run(epochs=[1], metrics={"loss": [1.0]}).with_facts(**kwargs)


# ------------------------------------------------------------------ run validation


def test_run_rejects_metric_of_wrong_length() -> None:
    with pytest.raises(InputError, match="metric 'val_loss' has 1 values for 2 epochs"):
        Run(epochs=[1, 2], metrics={"loss": [1.0, 0.9], "val_loss": [1.0]})


def test_run_rejects_seconds_of_wrong_length() -> None:
    with pytest.raises(InputError, match="seconds has 3 values for 2 epochs"):
        Run(epochs=[1, 2], metrics={"loss": [1.0, 0.9]}, seconds=[1.0, 1.0, 1.0])


def test_run_rejects_unknown_status() -> None:
    with pytest.raises(InputError, match="unknown run status 'done'"):
        Run(epochs=[1], metrics={"loss": [1.0]}, status="done")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"schema": "fitdoctor.run/2"}, "unsupported run schema 'fitdoctor.run/2'"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"metrics": {"loss": [True]}},
         r"run\.metrics\.loss\[0\]: expected a number or null, got the boolean true"),
        ({"metrics": {"loss": ["0.5"]}},
         r"run\.metrics\.loss\[0\]: expected a number or null, got text '0.5'"),
        ({"metrics": {"loss": 0.5}}, r"run\.metrics\.loss: expected a list"),
        ({"epochs": [1.5]}, r"run\.epochs\[0\]: expected an integer >= 1, got the number 1.5"),
        ({"model": {"layers": [{"name": "d"}]}}, "malformed run file"),
        ({"fit": {"epochs": 3, "speed": 1}}, r"run\.fit: unknown key 'speed'"),
    ],
)
def test_from_dict_rejects_malformed_runs(change: dict[str, Any], match: str) -> None:
    data = Run(epochs=[1], metrics={"loss": [1.0]}).to_dict()
    data.update(change)
    with pytest.raises(InputError, match=match):
        Run.from_dict(data)


def test_from_dict_rejects_non_objects() -> None:
    with pytest.raises(InputError, match="must be a JSON object"):
        Run.from_dict([1, 2])  # type: ignore[arg-type]


# ---------------------------------------------------------------------- JSON Schema


def schema() -> dict[str, Any]:
    text = resources.files("fitdoctor").joinpath("schemas/run-1.schema.json").read_text("utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


def validator() -> jsonschema.Draft202012Validator:
    spec = schema()
    jsonschema.Draft202012Validator.check_schema(spec)
    return jsonschema.Draft202012Validator(spec)


def test_schema_ships_inside_the_package_and_is_valid_2020_12() -> None:
    spec = schema()
    assert spec["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert spec["properties"]["schema"]["const"] == RUN_SCHEMA
    validator()


@pytest.mark.parametrize(
    ("definition", "cls"),
    [
        (None, Run),
        ("model", ModelInfo),
        ("layer", Layer),
        ("regularizer", Regularizer),
        ("compile", CompileInfo),
        ("fit", FitInfo),
        ("data", DataInfo),
        ("per_class", PerClass),
        ("baselines", Baselines),
    ],
)
def test_schema_lists_exactly_the_dataclass_fields(definition: str | None, cls: type) -> None:
    spec = schema()
    node = spec if definition is None else spec["$defs"][definition]
    names = {f.name for f in dataclasses.fields(cls)} | ({"schema"} if cls is Run else set())
    assert set(node["properties"]) == names
    assert set(node["required"]) == names
    assert node["additionalProperties"] is False


def test_rich_and_minimal_runs_validate_against_the_schema() -> None:
    check = validator()
    check.validate(rich_run().to_dict())
    check.validate(Run(epochs=[1], metrics={"loss": [0.5]}).to_dict())
    check.validate(json.loads(json.dumps(rich_run().to_dict())))


def test_loaded_inputs_validate_against_the_schema() -> None:
    check = validator()
    files = sorted(p for p in INPUTS.iterdir() if p.suffix in (".json", ".csv"))
    assert len(files) >= 8
    for path in files:
        check.validate(readers.load(path).to_dict())


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(extra=1), "$"),
        (lambda d: d["model"]["layers"][0].update(units="512"), "$.model"),
        (lambda d: d["metrics"]["loss"].__setitem__(0, "1.0"), "$.metrics.loss[0]"),
        (lambda d: d.update(status="done"), "$.status"),
        (lambda d: d["fit"].pop("epochs"), "$.fit"),
        (lambda d: d.update(epochs=[0, 1, 2, 3]), "$.epochs[0]"),
    ],
)
def test_schema_rejects_what_run_does_not_write(change: Any, path: str) -> None:
    data = rich_run().to_dict()
    change(data)
    errors = list(validator().iter_errors(data))
    assert errors
    assert any(e.json_path.startswith(path) for e in errors)
