"""``fitdoctor lint MODEL``: the model-setup rules on real saved Keras models.

The models are tiny, built and saved by the tests (``.keras`` and legacy ``.h5``), never
trained: a faulty model must exit 1 and name its problem, its fixed twin must exit 0.
Bad inputs (missing, a SavedModel folder, weights only, damaged, custom classes,
Lambda layers) must give one line on stderr and exit 2.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fitdoctor import cli
from fitdoctor.report import Report, Severity, Skipped
from fitdoctor.saved_compile import compile_from_saved_config

runner = CliRunner()
ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}


def lint(*args: str | Path) -> Result:
    return runner.invoke(cli.app, ["lint", *map(str, args)], env=ENV)


def lint_json(*args: str | Path) -> tuple[int, dict[str, Any]]:
    result = lint(*args, "--format", "json")
    assert result.stderr == "", result.stderr
    return result.exit_code, json.loads(result.stdout)


def codes(report: dict[str, Any]) -> list[str]:
    return [f["code"] for f in report["findings"]]


# ------------------------------------------------------------------ saved models
def _build(keras: Any, layers: Callable[[], list[Any]], loss: Any,
           optimizer: Any = "rmsprop") -> Any:
    model = keras.Sequential([keras.Input((8,)), *layers()], name="model")
    if loss is not None:
        model.compile(optimizer=optimizer, loss=loss, metrics=["accuracy"])
    return model


def _cases(keras: Any) -> dict[str, tuple[Callable[[], list[Any]], Any]]:
    dense = keras.layers.Dense
    scce = keras.losses.SparseCategoricalCrossentropy
    return {
        # sigmoid over 10 classes trained with the categorical (one-distribution) loss
        "sigmoid_cce": (lambda: [dense(16, activation="relu", name="hidden"),
                                 dense(10, activation="sigmoid", name="out")],
                        "categorical_crossentropy"),
        "sigmoid_cce_fixed": (lambda: [dense(16, activation="relu", name="hidden"),
                                       dense(10, activation="softmax", name="out")],
                              "categorical_crossentropy"),
        # a hidden layer without activation: the network is one linear map
        "linear_hidden": (lambda: [dense(16, name="hidden"),
                                   dense(10, activation="softmax", name="out")],
                          "sparse_categorical_crossentropy"),
        "linear_hidden_fixed": (lambda: [dense(16, activation="relu", name="hidden"),
                                         dense(10, activation="softmax", name="out")],
                                "sparse_categorical_crossentropy"),
        # softmax probabilities fed to a loss told they are logits
        "softmax_logits": (lambda: [dense(16, activation="relu", name="hidden"),
                                    dense(10, activation="softmax", name="out")],
                           lambda: scce(from_logits=True)),
        "softmax_logits_fixed": (lambda: [dense(16, activation="relu", name="hidden"),
                                          dense(10, activation="softmax", name="out")],
                                 lambda: scce()),
        # saved before compile
        "sigmoid_uncompiled": (lambda: [dense(16, activation="relu", name="hidden"),
                                        dense(10, activation="sigmoid", name="out")], None),
    }


@pytest.fixture(scope="module")
def keras() -> Any:
    return pytest.importorskip("keras")


@pytest.fixture(scope="module")
def models(keras: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every case saved as ``<case>.keras`` and ``<case>.h5``: {"sigmoid_cce.h5": path}."""
    folder = tmp_path_factory.mktemp("models")
    out: dict[str, Path] = {}
    for name, (layers, loss) in _cases(keras).items():
        for ext in ("keras", "h5"):
            model = _build(keras, layers, loss() if callable(loss) else loss)
            path = folder / f"{name}.{ext}"
            model.save(path)
            out[path.name] = path
    return out


FAULTS = {
    "sigmoid_cce": ("FD603", "error", ["`out` has sigmoid over 10 unit(s)",
                                       "categorical_crossentropy"]),
    "linear_hidden": ("FD601", "error", ["`hidden` (16 units, activation=linear) feeds `out`"]),
    "softmax_logits": ("FD607", "error", ["from_logits=True", "`out` already applies softmax"]),
}


@pytest.mark.keras
@pytest.mark.parametrize("ext", ["keras", "h5"])
@pytest.mark.parametrize("case", list(FAULTS))
def test_faulty_model_exits_1_and_names_the_problem(models: dict[str, Path], case: str,
                                                    ext: str) -> None:
    code, severity, fragments = FAULTS[case]
    exit_code, report = lint_json(models[f"{case}.{ext}"])
    assert exit_code == 1, report
    (finding,) = [f for f in report["findings"] if f["code"] == code]
    assert finding["severity"] == severity
    for fragment in fragments:
        assert fragment in finding["message"], finding["message"]
    assert report["verdict"].startswith("model setup: 1 problem (1 error)"), report["verdict"]
    assert report["n_epochs"] == 0 and report["best_epoch"] is None
    assert report["run"]["source"] == "model-file"


@pytest.mark.keras
@pytest.mark.parametrize("ext", ["keras", "h5"])
@pytest.mark.parametrize("case", list(FAULTS))
def test_fixed_twin_exits_0(models: dict[str, Path], case: str, ext: str) -> None:
    exit_code, report = lint_json(models[f"{case}_fixed.{ext}"])
    assert exit_code == 0, report
    assert not [f for f in report["findings"] if f["severity"] != "info"], report["findings"]
    assert report["verdict"].startswith("model setup looks right"), report["verdict"]


@pytest.mark.keras
def test_text_report_speaks_of_the_setup_not_of_curves(models: dict[str, Path]) -> None:
    result = lint(models["sigmoid_cce.keras"], "--format", "text")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == ("verdict: model setup: 1 problem (1 error); 3 checks need a training run")
    assert lines[1] == "source: sigmoid_cce.keras"
    assert lines[2].startswith("run: saved model; model: Dense(16, relu) → Dense(10, sigmoid)")
    text = result.stdout
    for curve_word in ("epoch 0", "0 epochs", "best epoch", "loss curves", "too short"):
        assert curve_word not in text
    # what the file cannot hold is skipped with what would enable it on a model file
    assert "FD604 loss-label-encoding-mismatch: the label encoding is unknown" in text
    assert "add FitDoctor() to model.fit" in text
    assert "FD614 batch-size-not-power-of-two" in text and "pass --batch-size N" in text
    assert "FD616 inputs-not-standardized: the training inputs' scale is not recorded" in text
    assert "measures their scale" in text.replace("\n     ", "")


@pytest.mark.keras
@pytest.mark.parametrize("fmt", ["rich", "markdown", "github", "html"])
def test_every_format_renders_a_model_report(models: dict[str, Path], fmt: str) -> None:
    result = lint(models["linear_hidden.h5"], "--format", fmt)
    assert result.exit_code == 1, result.output
    assert "FD601" in result.stdout
    assert "model setup: 1 problem" in result.stdout
    assert "0 epochs" not in result.stdout and "Learning curves" not in result.stdout


@pytest.mark.keras
def test_model_saved_before_compile_skips_what_needs_the_loss(models: dict[str, Path]) -> None:
    exit_code, report = lint_json(models["sigmoid_uncompiled.keras"])
    assert exit_code == 0, report
    skipped = {s["code"]: s for s in report["skipped"]}
    assert {"FD603", "FD606", "FD607", "FD615"} <= set(skipped)
    assert "save the model after model.compile" in skipped["FD603"]["hint"]
    assert "--loss NAME" in skipped["FD603"]["hint"]
    # every hint is one a model file can act on, not the bare history's "record the run"
    for rule in report["skipped"]:
        assert "record the run" not in rule["hint"], rule
    assert report["verdict"] == (
        f"model setup looks right; {len(skipped)} checks need the compile settings or a "
        "training run"
    )
    # the flags give what the file lacks
    exit_code, report = lint_json(models["sigmoid_uncompiled.h5"], "--loss",
                                  "categorical_crossentropy", "--optimizer", "sgd",
                                  "--batch-size", "100")
    assert exit_code == 1, report
    assert codes(report) == ["FD603", "FD614", "FD615"]
    assert [s["code"] for s in report["skipped"]] == ["FD604", "FD616"]


@pytest.mark.keras
def test_loss_flags_replace_the_files(models: dict[str, Path]) -> None:
    # the softmax model compiled with from_logits=True: --no-from-logits fixes it
    exit_code, report = lint_json(models["softmax_logits.keras"], "--no-from-logits")
    assert exit_code == 0, report
    exit_code, report = lint_json(models["softmax_logits_fixed.keras"], "--from-logits")
    assert exit_code == 1 and codes(report) == ["FD607"], report
    exit_code, report = lint_json(models["sigmoid_cce.keras"], "--loss", "binary_crossentropy")
    assert exit_code == 0, report
    assert "--loss binary_crossentropy replaces the file's loss, categorical_crossentropy." \
        in report["notes"]


@pytest.mark.keras
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--loss", "crossentropy_of_doom"], "--loss 'crossentropy_of_doom': not a Keras loss"),
        (["--optimizer", "adamant"], "--optimizer 'adamant': not a Keras optimizer"),
        (["--loss", "mse", "--from-logits"], "--from-logits applies to a crossentropy loss"),
    ],
)
def test_unusable_flags_exit_2(models: dict[str, Path], args: list[str], message: str) -> None:
    result = lint(models["sigmoid_cce.keras"], *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"fitdoctor: error: {message}" + result.stderr.split(message)[1]
    assert result.stderr.count("\n") == 1


@pytest.mark.keras
def test_select_ignore_fail_on_and_exit_zero(models: dict[str, Path], tmp_path: Path) -> None:
    path = models["sigmoid_cce.keras"]
    assert lint(path, "--ignore", "FD603").exit_code == 0
    assert lint(path, "--exit-zero").exit_code == 0
    _, report = lint_json(path, "--select", "FD601,FD603")
    assert codes(report) == ["FD603"] and report["skipped"] == []
    hint = models["sigmoid_cce_fixed.keras"]
    assert lint(hint, "--batch-size", "100").exit_code == 0
    assert lint(hint, "--batch-size", "100", "--fail-on", "info").exit_code == 1
    config = tmp_path / "fitdoctor.toml"
    config.write_text('ignore = ["FD603"]\n', encoding="utf-8")
    assert lint(path, "--config", config).exit_code == 0
    # curve rules only: nothing checks the model, and the report says so
    exit_code, report = lint_json(path, "--select", "FD1")
    assert exit_code == 0 and report["findings"] == []
    assert any("--select FD6" in note for note in report["notes"]), report["notes"]


@pytest.mark.keras
def test_several_models_one_unusable(models: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.keras"
    result = lint(models["linear_hidden.keras"], missing, models["sigmoid_cce_fixed.h5"],
                  "--format", "text")
    assert result.exit_code == 2
    assert result.stderr == f"fitdoctor: error: {missing}: no such file\n"
    assert "source: linear_hidden.keras" in result.stdout
    assert "source: sigmoid_cce_fixed.h5" in result.stdout


@pytest.mark.keras
def test_file_name_does_not_matter(models: dict[str, Path], tmp_path: Path) -> None:
    for name in ("sigmoid_cce.keras", "sigmoid_cce.h5"):
        renamed = tmp_path / (name.replace(".", "_") + ".model")
        renamed.write_bytes(models[name].read_bytes())
        exit_code, report = lint_json(renamed)
        assert exit_code == 1 and "FD603" in codes(report), report


# ------------------------------------------------------------------ unusable files
def _one_error_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("fitdoctor: error: ") and result.stderr.count("\n") == 1, \
        result.stderr
    return result.stderr


@pytest.mark.keras
def test_savedmodel_folder_says_what_to_do(keras: Any, tmp_path: Path) -> None:
    model = _build(keras, lambda: [keras.layers.Dense(3, activation="softmax")],
                   "sparse_categorical_crossentropy")
    folder = tmp_path / "exported"
    model.export(folder, verbose=False)
    line = _one_error_line(lint(folder))
    assert "is a TensorFlow SavedModel folder" in line
    assert "model.save('model.keras')" in line


@pytest.mark.keras
def test_unusable_files_exit_2_in_one_line(keras: Any, models: dict[str, Path],
                                           tmp_path: Path) -> None:
    history = tmp_path / "history.json"
    history.write_text(json.dumps({"loss": [1.0, 0.5]}), encoding="utf-8")
    empty = tmp_path / "empty.keras"
    empty.write_bytes(b"")
    data = models["sigmoid_cce.keras"].read_bytes()
    truncated = tmp_path / "truncated.keras"
    truncated.write_bytes(data[: len(data) // 2])
    h5 = models["sigmoid_cce.h5"].read_bytes()
    truncated_h5 = tmp_path / "truncated.h5"
    truncated_h5.write_bytes(h5[: len(h5) // 2])
    weights = tmp_path / "model.weights.h5"
    _build(keras, lambda: [keras.layers.Dense(3)], None).save_weights(weights)
    expected = {
        tmp_path / "missing.keras": "missing.keras: no such file",
        tmp_path: "is a directory, not a saved model",
        history: "for a training history, use fitdoctor analyze",
        empty: "is empty, not a saved Keras model",
        truncated: "is a damaged .keras file",
        truncated_h5: "is a damaged HDF5 file",
        weights: "holds weights only (saved with save_weights)",
    }
    for path, fragment in expected.items():
        line = _one_error_line(lint(path))
        assert fragment in line, line
        assert "Traceback" not in line


CUSTOM_MODULE = '''
import keras

@keras.saving.register_keras_serializable(package="fdtest")
class Doubling(keras.layers.Layer):
    def call(self, x):
        return 2.0 * x
'''


@pytest.mark.keras
def test_custom_layer_needs_its_module(keras: Any, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "fdtest_layers.py").write_text(CUSTOM_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import fdtest_layers  # type: ignore[import-not-found]

    path = tmp_path / "custom.keras"
    _build(keras, lambda: [fdtest_layers.Doubling(), keras.layers.Dense(1)], "mse").save(path)
    # a fresh process would not know the class: forget it
    keras.saving.get_custom_objects().pop("fdtest>Doubling")
    monkeypatch.delitem(sys.modules, "fdtest_layers")
    line = _one_error_line(lint(path))
    assert "the model uses the custom class 'Doubling'" in line
    assert "pass --import MODULE" in line
    monkeypatch.chdir(tmp_path)  # --import looks in the working directory
    exit_code, report = lint_json(path, "--import", "fdtest_layers")
    assert exit_code == 0, report
    assert report["run"]["model"] == "Dense(1, linear)"
    line = _one_error_line(lint(path, "--import", "no_such_module_here"))
    assert "--import no_such_module_here: ModuleNotFoundError" in line


@pytest.mark.keras
def test_lambda_layer_needs_unsafe(keras: Any, tmp_path: Path) -> None:
    path = tmp_path / "lambda.keras"
    _build(keras, lambda: [keras.layers.Lambda(lambda x: x * 2.0),
                           keras.layers.Dense(3, activation="softmax")],
           "sparse_categorical_crossentropy").save(path)
    line = _one_error_line(lint(path))
    assert "Lambda layer" in line and "--unsafe" in line
    exit_code, _ = lint_json(path, "--unsafe")
    assert exit_code == 0


@pytest.mark.keras
def test_keras2_loss_object_read_from_the_saved_configuration(keras: Any,
                                                              tmp_path: Path) -> None:
    """Keras 2 saved loss objects with ``reduction="auto"``; Keras 3 cannot rebuild them,
    so the compile facts come from the file's ``training_config``."""
    import h5py

    path = tmp_path / "keras2.h5"
    _build(keras, lambda: [keras.layers.Dense(16, activation="relu"),
                           keras.layers.Dense(1, activation="sigmoid", name="out")],
           keras.losses.BinaryCrossentropy(from_logits=True)).save(path)
    with h5py.File(path, "r+") as fh:
        config = json.loads(fh.attrs["training_config"])
        config["loss"] = {"class_name": "BinaryCrossentropy", "config": {
            "reduction": "auto", "name": "binary_crossentropy", "from_logits": True,
            "label_smoothing": 0.0, "axis": -1, "fn": "binary_crossentropy"}}
        fh.attrs["training_config"] = json.dumps(config)
    exit_code, report = lint_json(path)
    assert exit_code == 1, report
    assert codes(report) == ["FD607"]
    assert report["run"]["loss"] == "binary_crossentropy"
    (note,) = report["notes"]
    assert note.startswith("Keras could not rebuild the compile settings saved in the file")


def test_compile_facts_from_saved_configurations() -> None:
    keras2 = compile_from_saved_config({
        "loss": {"class_name": "BinaryCrossentropy",
                 "config": {"reduction": "auto", "from_logits": True,
                            "fn": "binary_crossentropy"}},
        "metrics": [[{"class_name": "MeanMetricWrapper",
                      "config": {"name": "acc", "fn": "binary_accuracy"}}]],
        "optimizer_config": {"class_name": "Custom>SGD",
                             "config": {"learning_rate": 0.10000000149011612,
                                        "momentum": 0.0}},
        "optimizer": {"class_name": "Custom>SGD",
                      "config": {"learning_rate": 0.10000000149011612, "momentum": 0.0}},
    })
    assert (keras2.loss, keras2.from_logits, keras2.optimizer, keras2.learning_rate,
            keras2.metrics) == ("binary_crossentropy", True, "SGD", 0.1, ["acc"])
    keras3 = compile_from_saved_config({
        "loss": {"module": "keras.losses", "class_name": "SparseCategoricalCrossentropy",
                 "config": {"name": "sparse_categorical_crossentropy", "from_logits": False}},
        "optimizer": {"module": "keras.optimizers", "class_name": "RMSprop",
                      "config": {"name": "rmsprop", "learning_rate": 0.0010000000474974513}},
        "metrics": ["accuracy"],
    })
    assert (keras3.loss, keras3.from_logits, keras3.optimizer, keras3.learning_rate,
            keras3.metrics) == ("sparse_categorical_crossentropy", False, "RMSprop", 0.001,
                                ["accuracy"])
    named = compile_from_saved_config({"loss": "mse", "optimizer": "adam", "metrics": None})
    assert (named.loss, named.from_logits, named.optimizer) == ("mean_squared_error", None,
                                                                 "adam")
    function = compile_from_saved_config(
        {"loss": {"module": "keras.losses", "class_name": "function",
                  "config": "categorical_crossentropy"}})
    assert (function.loss, function.from_logits) == ("categorical_crossentropy", False)
    per_output = compile_from_saved_config({"loss": {"out": "binary_crossentropy"}})
    assert per_output.loss == "binary_crossentropy"


# ------------------------------------------------------------------ verdict, help
def _model_report(findings: list[tuple[str, Severity]], skipped: int, loss: bool) -> Report:
    from fitdoctor.report import Finding

    summary: dict[str, Any] = {"source": "model-file", "epochs": 0}
    if loss:
        summary["loss"] = "categorical_crossentropy"
    return Report(
        source="model.keras",
        findings=[Finding(code, "name", "model-setup", sev, "message") for code, sev in findings],
        skipped=[Skipped(f"FD6{i:02d}", "name", "reason") for i in range(skipped)],
        run_summary=summary,
    )


def test_model_file_verdicts() -> None:
    assert _model_report([], 0, True).verdict == "model setup looks right"
    assert _model_report([("FD611", Severity.INFO)], 1, True).verdict == (
        "model setup looks right (1 hint); 1 check needs a training run")
    assert _model_report([("FD601", Severity.ERROR), ("FD607", Severity.ERROR),
                          ("FD611", Severity.INFO), ("FD612", Severity.INFO)], 2,
                         True).verdict == (
        "model setup: 2 problems (2 errors) and 2 hints; 2 checks need a training run")
    assert _model_report([("FD601", Severity.WARNING)], 7, False).verdict == (
        "model setup: 1 problem (1 warning); 7 checks need the compile settings or a "
        "training run")


def test_help_says_it_imports_keras() -> None:
    result = runner.invoke(cli.app, ["lint", "-h"], env=ENV)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: fitdoctor lint [OPTIONS] MODEL...\n")
    assert "imports Keras and TensorFlow" in " ".join(result.stdout.split())
    listed = runner.invoke(cli.app, ["--help"], env=ENV).stdout
    assert "  lint " in listed


# ------------------------------------------------------------------ a real process
@pytest.mark.keras
@pytest.mark.slow
def test_real_process_keeps_stderr_quiet(models: dict[str, Path], tmp_path: Path) -> None:
    """TensorFlow's C++ start-up logs and Keras's load warnings never reach stderr."""
    env = {**os.environ, "NO_COLOR": "1"}
    for key in ("CI", "TF_CPP_MIN_LOG_LEVEL", "GITHUB_ACTIONS"):
        env.pop(key, None)
    code = textwrap.dedent(
        """
        import sys
        from fitdoctor.cli import main
        sys.argv = ["fitdoctor", "lint", *sys.argv[1:], "--format", "text"]
        main()
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(models["sigmoid_cce.h5"]),
         str(models["linear_hidden_fixed.keras"])],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    assert "FD603 sigmoid-with-categorical-loss" in proc.stdout


@pytest.mark.keras
def test_readme_output_is_what_lint_prints(keras: Any, tmp_path: Path) -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- lint-report -->\n```\n")[1].split("```\n<!-- /lint-report -->")[0]
    keras.backend.clear_session()  # layer names as in a fresh process: dense, dense_1
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, activation="relu"),
                              keras.layers.Dense(10, activation="sigmoid")])
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    path = tmp_path / "mnist_mlp.h5"
    model.save(path)
    result = lint(path, "--format", "text")
    assert result.exit_code == 1
    assert result.stdout.replace(str(tmp_path) + os.sep, "") == block


@pytest.mark.keras
def test_output_file_and_step_summary(models: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    summary = tmp_path / "summary.md"
    result = runner.invoke(
        cli.app,
        ["lint", str(models["softmax_logits.h5"]), "-f", "html", "-o", str(out), "--summary"],
        env={**ENV, "GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert "FD607" in page and "model setup: 1 problem" in page
    assert "FD607" in summary.read_text(encoding="utf-8")


@pytest.mark.keras
def test_classes_flag_enables_the_output_width_check(keras: Any, tmp_path: Path) -> None:
    path = tmp_path / "one_unit.keras"
    _build(keras, lambda: [keras.layers.Dense(16, activation="relu"),
                           keras.layers.Dense(1, activation="sigmoid", name="out")],
           "binary_crossentropy").save(path)
    exit_code, report = lint_json(path)
    assert exit_code == 0 and "FD605" not in codes(report), report
    exit_code, report = lint_json(path, "--task", "multiclass", "--classes", "10")
    assert exit_code == 1, report
    (finding,) = [f for f in report["findings"] if f["code"] == "FD605"]
    assert finding["message"].startswith("the output layer `out` has 1 unit (sigmoid) for 10 "
                                         "classes")
