"""The run's framework: what each reader proves, and the advice written in it.

Readers set ``Run.framework`` only from what the source shows; the engine picks each
recommendation's wording for it (``[rule.recommendations.lightning]`` ...), and a run
of unknown framework keeps Keras's code with a note. A Keras run's advice is unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import cli, engine, readers
from fitdoctor.errors import ConfigError
from fitdoctor.reporters.text import render_report
from fitdoctor.rules import Settings, settings_from_mapping
from fitdoctor.run import NOT_KERAS, Run

DATA = Path(__file__).parent / "data"

LOSS = [1.0, 0.8, 0.6, 0.45, 0.35, 0.27, 0.2, 0.15, 0.11, 0.08, 0.06, 0.045]
VAL = [1.02, 0.85, 0.7, 0.62, 0.6, 0.61, 0.64, 0.68, 0.72, 0.77, 0.82, 0.88]

KERAS_STOP = (
    'Stop at epoch 5: EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)'
)
KERAS_L2 = (
    "Add weight regularization: kernel_regularizer=keras.regularizers.L2(1e-4) on the hidden "
    "Dense layers"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def hf_state() -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    for i, (loss, val) in enumerate(zip(LOSS, VAL, strict=True)):
        records.append({"epoch": i + 1.0, "loss": loss, "learning_rate": 5e-5, "step": 10 * i + 10})
        records.append({"epoch": i + 1.0, "eval_loss": val, "step": 10 * i + 10})
    return {"log_history": records, "num_train_epochs": 12, "global_step": 120}


def lightning_csv() -> str:
    rows = ["epoch,step,train_loss_epoch,train_loss_step,val_loss"]
    for epoch, (loss, val) in enumerate(zip(LOSS, VAL, strict=True)):
        rows.append(f"{epoch},{2 * epoch},,{loss + 0.01},")
        rows.append(f"{epoch},{2 * epoch + 1},,{loss - 0.01},")
        rows.append(f"{epoch},{2 * epoch + 1},,,{val}")
        rows.append(f"{epoch},{2 * epoch + 1},{loss},,")
    return "\n".join(rows) + "\n"


def overfit(framework: str = "", **meta: Any) -> Run:
    return Run(epochs=list(range(1, 13)), metrics={"loss": list(LOSS), "val_loss": list(VAL)},
               source="keras-history", framework=framework, meta=dict(meta))


def advice(report: Any, code: str) -> dict[str, str]:
    finding = next(f for f in report.findings if f.code == code)
    return {rec.action: rec.text for rec in finding.recommendations}


# ------------------------------------------------------------------------------ readers
def test_hugging_face_trainer_state_is_transformers(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "trainer_state.json", json.dumps(hf_state())))
    assert run.framework == "transformers"


def test_lightning_step_epoch_twins_are_lightning(tmp_path: Path) -> None:
    run = readers.load(write(tmp_path, "metrics.csv", lightning_csv()))
    assert run.framework == "lightning"
    assert NOT_KERAS not in run.meta


def test_keras_csvlogger_is_keras(tmp_path: Path) -> None:
    # CSVLogger writes `epoch`, then the logs' keys sorted
    rows = ["epoch,accuracy,learning_rate,loss,val_accuracy,val_loss"]
    rows += [f"{i},0.5,0.001,{a},0.5,{b}" for i, (a, b) in enumerate(zip(LOSS, VAL, strict=True))]
    assert readers.load(write(tmp_path, "training.log", "\n".join(rows))).framework == "keras"


def test_a_dict_or_csv_of_keras_names_does_not_prove_keras(tmp_path: Path) -> None:
    # PyTorch loops build history = {'loss': [], 'val_loss': [], 'acc': [], 'val_acc': []}
    # and json.dump it: the names are Keras's, the training is not
    history = {"loss": LOSS, "val_loss": VAL, "acc": [0.5] * 12, "val_acc": [0.5] * 12}
    run = readers.load(write(tmp_path, "h.json", json.dumps(history)))
    assert run.framework == "" and NOT_KERAS not in run.meta
    assert readers.from_any(history).framework == ""
    configured = engine.analyze(run, Settings(framework="pytorch"))
    assert configured.run_summary["framework"] == "pytorch"
    # a CSV in the loop's own order, not CSVLogger's sorted keys
    rows = ["epoch,loss,acc,val_loss,val_acc"]
    rows += [f"{i},{a},0.5,{b},0.5" for i, (a, b) in enumerate(zip(LOSS, VAL, strict=True))]
    assert readers.load(write(tmp_path, "log.csv", "\n".join(rows))).framework == ""


def test_custom_names_prove_not_keras_only(tmp_path: Path) -> None:
    # Keras never logs a train_ prefix or plurals: not Keras, but nothing says what it is
    custom = {"train_losses": LOSS, "val_losses": VAL}
    run = readers.load(write(tmp_path, "custom.json", json.dumps(custom)))
    assert run.framework == ""
    assert run.meta[NOT_KERAS] == ["train_losses", "val_losses"]
    text = "Epoch,Train Loss,Validation Loss\n" + "\n".join(
        f"{i + 1},{a},{b}" for i, (a, b) in enumerate(zip(LOSS, VAL, strict=True)))
    run = readers.load(write(tmp_path, "log.csv", text))
    assert run.framework == "" and run.meta[NOT_KERAS] == ["Train Loss", "Validation Loss"]


def test_layouts_keras_does_not_write_stay_unknown(tmp_path: Path) -> None:
    # per-epoch JSON records and a CSV without CSVLogger's epoch column: any loop writes them
    records = [{"epoch": i, "loss": a, "val_loss": b}
               for i, (a, b) in enumerate(zip(LOSS, VAL, strict=True))]
    run = readers.load(write(tmp_path, "r.json", json.dumps(records)))
    assert run.framework == "" and NOT_KERAS not in run.meta
    text = "loss,val_loss\n" + "\n".join(f"{a},{b}" for a, b in zip(LOSS, VAL, strict=True))
    assert readers.load(write(tmp_path, "t.csv", text)).framework == ""


def test_console_tensorboard_and_run_files() -> None:
    logs = sorted((DATA / "console").glob("keras*.log"))
    assert logs and all(r.framework == "keras" for p in logs for r in readers.load_runs(p))
    assert {r.framework for r in readers.load_runs(DATA / "tensorboard" / "logs")} == {"keras"}
    pytorch = readers.load(DATA / "tensorboard" / "pytorch")  # Loss/train: a SummaryWriter's
    assert pytorch.framework == "" and pytorch.meta[NOT_KERAS]


def test_run_file_framework_round_trips_and_old_files_default(tmp_path: Path) -> None:
    run = overfit("lightning")
    assert Run.from_dict(run.to_dict()).framework == "lightning"
    old = overfit().to_dict()
    del old["framework"]
    assert Run.from_dict(old).framework == ""  # a keras-history: not known
    old["source"] = "fitdoctor"
    assert Run.from_dict(old).framework == "keras"  # the Keras callback wrote it
    bad = overfit().to_dict() | {"framework": "jax"}
    with pytest.raises(Exception, match="framework"):
        Run.from_dict(bad)


# ------------------------------------------------------------------------------- advice
def test_fd101_advice_in_each_framework() -> None:
    keras = advice(engine.analyze(overfit("keras")), "FD101")
    assert keras["early-stopping"] == KERAS_STOP
    assert keras["raise-regularization"] == KERAS_L2

    hf = advice(engine.analyze(overfit("transformers")), "FD101")
    assert "EarlyStoppingCallback(early_stopping_patience=2)" in hf["early-stopping"]
    assert 'metric_for_best_model="eval_loss"' in hf["early-stopping"]
    assert hf["early-stopping"].startswith("Stop at epoch 5:")
    assert "TrainingArguments(weight_decay=" in hf["raise-regularization"]
    assert "hidden_dropout_prob" in hf["add-dropout"]

    pl = advice(engine.analyze(overfit("lightning")), "FD101")
    assert 'EarlyStopping(monitor="val_loss", patience=2)' in pl["early-stopping"]
    assert 'ModelCheckpoint(monitor="val_loss", save_top_k=1)' in pl["early-stopping"]
    assert 'ckpt_path="best"' in pl["early-stopping"]
    assert "weight_decay=2 * 1e-4" in pl["raise-regularization"]
    assert "torch.nn.Dropout(p=0.3)" in pl["add-dropout"]

    pt = advice(engine.analyze(overfit("pytorch")), "FD101")
    assert "for 2 epochs" in pt["early-stopping"]
    assert "load_state_dict(best)" in pt["early-stopping"]
    assert "torch.optim.Adam(model.parameters()" in pt["raise-regularization"]
    for texts in (hf, pl, pt):
        assert not any("keras" in text.lower() for text in texts.values())
        assert set(texts) == set(keras)  # the same actions, in every framework


def test_unknown_framework_keeps_keras_code_with_a_note() -> None:
    report = engine.analyze(overfit())
    assert advice(report, "FD101")["early-stopping"] == KERAS_STOP
    assert report.run_summary.get("framework") is None
    (note,) = [n for n in report.notes if "is Keras's" in n]
    assert "early-stopping, raise-regularization, add-dropout" in note
    assert "--framework" in note
    foreign = engine.analyze(overfit(**{NOT_KERAS: ["train_loss"]}))
    assert any(n.startswith("`train_loss` is not a name Keras logs") for n in foreign.notes)
    # a Keras run gets no note
    assert not [n for n in engine.analyze(overfit("keras")).notes if "Keras's" in n]


def test_configured_framework_fills_unknown_and_override_wins() -> None:
    configured = Settings(framework="lightning")
    report = engine.analyze(overfit(), configured)
    assert "ModelCheckpoint" in advice(report, "FD101")["early-stopping"]
    assert report.run_summary["framework"] == "lightning" and not report.notes
    # a run that proves its framework keeps it over the configuration
    hf = engine.analyze(overfit("transformers"), configured)
    assert "EarlyStoppingCallback" in advice(hf, "FD101")["early-stopping"]
    forced = engine.analyze(overfit("transformers"), Settings(framework_override="pytorch"))
    assert "load_state_dict" in advice(forced, "FD101")["early-stopping"]


def test_report_of_another_framework_shows_no_keras_call() -> None:
    run = overfit("lightning")
    text = render_report(engine.analyze(run), run=run)
    assert "framework: lightning" in text
    assert "restore_best_weights" not in text
    assert "best epoch 5 of 12 (val_loss 0.6); training ran 7 epochs past it." in text
    keras = overfit("keras")
    assert "To stop there:" in render_report(engine.analyze(keras), run=keras)


def test_verdict_says_the_run_file_is_keras_s_for_another_framework() -> None:
    # FitDoctor() is a Keras callback: "need a run file (FitDoctor())" reads as a step a
    # Lightning user could take
    def healthy(framework: str) -> str:
        val = [1.0, 0.7, 0.5, 0.4, 0.35, 0.33, 0.32, 0.315, 0.312, 0.311, 0.3105, 0.3102]
        run = Run(epochs=list(range(1, 13)), metrics={"loss": list(LOSS), "val_loss": val},
                  source="keras-history", framework=framework)
        return engine.analyze(run).verdict

    assert "need what Keras's FitDoctor() callback records" in healthy("lightning")
    for framework in ("keras", ""):
        assert "need a run file (FitDoctor())" in healthy(framework)


def test_a_wording_table_is_checked_when_rules_load(tmp_path: Path) -> None:
    from fitdoctor.rules import load_rules

    rule = (tmp_path / "r.toml")
    rule.write_text(
        '[[rule]]\ncode = "FD990"\nname = "x-test"\ndiagnosis = "model-setup"\n'
        'severity = "info"\ndetector = "linear-hidden-layer"\nmessage = "m"\n'
        "[[rule.recommendations]]\naction = \"early-stopping\"\ntext = \"t\"\n"
        "[rule.recommendations.lightning]\ntxt = \"x\"\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lightning: unknown key 'txt'"):
        load_rules([tmp_path])


# ----------------------------------------------------------------------- cli and config
runner = CliRunner()


def test_cli_framework_override(tmp_path: Path) -> None:
    path = write(tmp_path, "h.json", json.dumps({"loss": LOSS, "val_loss": VAL}))
    result = runner.invoke(cli.app, ["analyze", str(path), "--framework", "lightning",
                                     "-f", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["run"]["framework"] == "lightning"
    texts = [r["text"] for f in report["findings"] for r in f["recommendations"]]
    assert any("ModelCheckpoint" in t for t in texts)
    bad = runner.invoke(cli.app, ["analyze", str(path), "--framework", "jax"])
    assert bad.exit_code == 2
    assert len(bad.output.strip().splitlines()) == 1 and "--framework" in bad.output


def test_config_framework_key(tmp_path: Path) -> None:
    settings = settings_from_mapping({"framework": "pytorch"}, base=tmp_path, origin="cfg")
    assert settings.framework == "pytorch"
    with pytest.raises(ConfigError, match="framework = 'jax'; expected one of keras"):
        settings_from_mapping({"framework": "jax"}, base=tmp_path, origin="cfg")
    (tmp_path / "pyproject.toml").write_text('[tool.fitdoctor]\nframework = "jax"\n')
    path = write(tmp_path, "h.json", json.dumps({"train_loss": LOSS, "val_loss": VAL}))
    result = runner.invoke(cli.app, ["analyze", str(path), "--config",
                                     str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "framework" in result.output


def test_conditions_join_with_and() -> None:
    from fitdoctor.templates import parse_condition

    cond = parse_condition("early_stopped and framework == lightning", "here")
    assert cond.text == "early_stopped and framework == lightning"
    assert cond.holds({"early_stopped": True, "framework": "lightning"}, {})
    assert not cond.holds({"early_stopped": True, "framework": "keras"}, {})
    assert not cond.holds({"early_stopped": False, "framework": "lightning"}, {})
    with pytest.raises(ConfigError, match="joined by 'and'"):
        parse_condition("early_stopped and x ~ 3", "here")


def test_stopped_early_is_told_in_the_run_framework() -> None:
    run = overfit("lightning")
    run.status = "stopped-early"
    message = next(f.message for f in engine.analyze(run).findings if f.code == "FD101")
    assert "ModelCheckpoint on val_loss" in message and "restore_best_weights" not in message
    run.framework = "keras"
    message = next(f.message for f in engine.analyze(run).findings if f.code == "FD101")
    assert "restore_best_weights=True (not Keras's default)" in message


def test_every_wording_needs_only_values_the_keras_wording_has() -> None:
    # so a framework's advice is given exactly when Keras's would be
    from fitdoctor.templates import template_fields

    worded = 0
    for rule in Settings().rules():
        for tmpl in rule.recommendations:
            # plus the context values every finding has (the run's own name of val_loss, a
            # Trainer's steps between evaluations)
            keras = [set(template_fields(t)) | {"val_loss_name", "eval_steps"}
                     for t in (tmpl.text, tmpl.fallback) if t]
            for framework, wording in tmpl.frameworks.items():
                worded += 1
                for text in (wording.text, wording.fallback):
                    if text is not None:
                        assert any(set(template_fields(text)) <= k for k in keras), (
                            rule.code, tmpl.action, framework, text)
                if tmpl.fallback is not None:  # Keras's falls back, so must this one
                    assert wording.fallback is not None or set(
                        template_fields(wording.text)) <= set(template_fields(tmpl.fallback)), (
                        rule.code, tmpl.action, framework)
    assert worded >= 111  # the loop saw the wordings (more may be added)


def test_trainer_early_stopping_advice_sets_what_it_requires() -> None:
    # EarlyStoppingCallback asserts load_best_model_at_end and metric_for_best_model, and
    # TrainingArguments refuses load_best_model_at_end unless the save strategy matches the
    # eval strategy (its default saves every 500 steps): advice that sets up the callback
    # sets them all, or it raises in the user's script
    setups = 0
    for rule in Settings().rules():
        for tmpl in rule.recommendations:
            wording = tmpl.frameworks.get("transformers")
            for text in (wording.text, wording.fallback) if wording else ():
                if text and "EarlyStoppingCallback(early_stopping_patience=" in text:
                    setups += 1
                    strategy = "steps" if "{eval_steps}" in text else "epoch"
                    for needed in (f'eval_strategy="{strategy}"', f'save_strategy="{strategy}"',
                                   "load_best_model_at_end=True", "metric_for_best_model="):
                        assert needed in text, (rule.code, tmpl.action, needed)
                    if strategy == "steps":
                        assert "save_steps={eval_steps}" in text, (rule.code, tmpl.action)
    assert setups >= 5


def test_k_fold_advice_a_bare_history_can_get_is_in_each_framework() -> None:
    # fitdoctor.validation.cross_validate trains Keras models: a Trainer, Lightning or
    # plain PyTorch run is told K-fold with scikit-learn's splitters and its own loop.
    # FD412, FD701 and FD702 fire on histories any framework writes (FD101's, FD103's,
    # FD703's and FD713's need what only the Keras callback records)
    covered = 0
    for rule in Settings().rules():
        if rule.code not in ("FD412", "FD701", "FD702"):
            continue
        for tmpl in rule.recommendations:
            if "cross_validate" not in f"{tmpl.text} {tmpl.fallback}":
                continue
            for framework in ("transformers", "lightning", "pytorch"):
                wording = tmpl.frameworks[framework]
                for text in (wording.text, wording.fallback):
                    if text:
                        assert "cross_validate" not in text and "KFold(n_splits=" in text
                covered += 1
    assert covered == 3 * 5


def test_no_validation_trainer_run_gets_k_fold_in_its_terms(tmp_path: Path) -> None:
    log = [{"loss": 0.7 - 0.01 * i, "learning_rate": 1e-5, "epoch": (i + 1) / 5,
            "step": 10 * (i + 1)} for i in range(30)]
    run = readers.load(write(tmp_path, "trainer_state.json", json.dumps({"log_history": log})))
    text = advice(engine.analyze(run), "FD701")["k-fold"]
    assert "dataset.select(train_idx)" in text and "fitdoctor.validation" not in text


def hf_steps_log(val: list[float], every: int = 100, per_epoch: int = 333) -> list[Any]:
    """A Trainer's log_history with eval_strategy="steps": an evaluation every 100 steps."""
    log: list[dict[str, Any]] = []
    for i, v in enumerate(val, start=1):
        step = every * i
        log.append({"loss": 0.9 / i, "learning_rate": 2e-5, "epoch": round(step / per_epoch, 4),
                    "step": step})
        log.append({"eval_loss": v, "eval_runtime": 3.1, "epoch": round(step / per_epoch, 4),
                    "step": step})
    return log


def test_trainer_evaluating_every_n_steps_is_advised_in_steps(tmp_path: Path) -> None:
    overfits = hf_steps_log([0.7, 0.5, 0.42, 0.38, 0.36, 0.37, 0.41, 0.45, 0.5, 0.55])
    run = readers.load(write(tmp_path, "a.json", json.dumps({"log_history": overfits})))
    assert run.meta["eval_steps"] == 100
    stop = advice(engine.analyze(run), "FD101")["early-stopping"]
    assert stop.startswith("Stop at evaluation 5 (one every 100 steps):")
    assert 'eval_strategy="steps", eval_steps=100, save_strategy="steps", save_steps=100' in stop
    falling = hf_steps_log([1.0, 0.8, 0.66, 0.55, 0.46, 0.39, 0.33, 0.28])
    run = readers.load(write(tmp_path, "b.json", json.dumps({"log_history": falling})))
    longer = advice(engine.analyze(run), "FD301")["train-longer"]
    assert "max_steps=" in longer and "* 100" in longer and "num_train_epochs" not in longer
    text = render_report(engine.analyze(run), run=run)
    assert "run: 8 evaluations, every 100 steps; metrics:" in text
    cmp = runner.invoke(cli.app, ["compare", str(tmp_path / "a.json"), str(tmp_path / "b.json"),
                                  "--format", "text"]).output
    assert "a.json (10 evaluations, every 100 steps):" in cmp
    assert "10 (evaluations of 100 steps)" in cmp
    # evaluations on whole epochs keep the epoch strategy
    state = json.loads(json.dumps(hf_state()))
    epochs = readers.load(write(tmp_path, "trainer_state.json", json.dumps(state)))
    assert "eval_steps" not in epochs.meta


def test_explain_shows_each_framework_wording() -> None:
    result = runner.invoke(cli.app, ["explain", "FD402"])
    assert result.exit_code == 0
    assert "in lightning: Clip gradients: Trainer(gradient_clip_val=1.0)" in result.output
    data = json.loads(runner.invoke(cli.app, ["explain", "FD402", "-f", "json"]).output)
    rec = next(r for r in data["recommendations"] if r["action"] == "clip-gradients")
    assert set(rec["frameworks"]) == {"transformers", "lightning", "pytorch"}


def test_lightning_code_monitors_the_name_the_run_logged(tmp_path: Path) -> None:
    text = lightning_csv().replace(",val_loss\n", ",valid_loss\n", 1)
    path = write(tmp_path, "metrics.csv", text)
    run = readers.load(path)
    assert run.framework == "lightning" and run.metric_names["val_loss"] == "valid_loss"
    stop = advice(engine.analyze(run), "FD101")["early-stopping"]
    assert 'EarlyStopping(monitor="valid_loss", patience=2)' in stop
    assert 'ModelCheckpoint(monitor="valid_loss", save_top_k=1)' in stop


def _trainer_state(early_stopping: bool) -> dict[str, Any]:
    """An 8-epoch Trainer run whose eval_loss turns up after epoch 4, stopped at step 800."""
    log: list[dict[str, Any]] = []
    evals = [0.52, 0.44, 0.40, 0.39, 0.41, 0.44, 0.47, 0.50]
    accs = [0.78, 0.81, 0.83, 0.84, 0.835, 0.83, 0.825, 0.82]
    train = [0.60, 0.45, 0.36, 0.29, 0.22, 0.16, 0.11, 0.08]
    for e, (t, v, a) in enumerate(zip(train, evals, accs, strict=True), start=1):
        log.append({"epoch": float(e), "learning_rate": 2e-5, "loss": t, "step": 100 * e})
        log.append({"epoch": float(e), "eval_loss": v, "eval_accuracy": a,
                    "eval_runtime": 1.0, "step": 100 * e})
    log.append({"epoch": 8.0, "step": 800, "total_flos": 1.0, "train_loss": 0.3,
                "train_runtime": 100.0})
    callbacks: dict[str, Any] = {"TrainerControl": {"args": {"should_training_stop": True},
                                                    "attributes": {}}}
    if early_stopping:
        callbacks["EarlyStoppingCallback"] = {
            "args": {"early_stopping_patience": 4, "early_stopping_threshold": 0.0},
            "attributes": {"early_stopping_patience_counter": 4},
        }
    return {"best_model_checkpoint": "out/checkpoint-400", "global_step": 800,
            "max_steps": 2000, "num_train_epochs": 20, "log_history": log,
            "stateful_callbacks": callbacks}


def test_trainer_early_stopping_callback_restored_the_best_checkpoint(tmp_path: Path) -> None:
    # EarlyStoppingCallback refuses to run without load_best_model_at_end=True: a state that
    # holds it kept the best checkpoint, and training that ended before max_steps stopped early
    path = tmp_path / "trainer_state.json"
    path.write_text(json.dumps(_trainer_state(early_stopping=True)))
    run = readers.load(path)
    assert run.fit is not None and run.fit.restore_best_weights is True
    assert run.status == "stopped-early"
    assert run.facts["early_stopping_patience"] == 4
    fd101 = next(f for f in engine.analyze(run).findings if f.code == "FD101")
    assert fd101.severity.value == "info"
    assert "EarlyStoppingCallback stopped training 4 epochs after the best" in fd101.message
    # without the callback nothing says the best checkpoint was loaded: a warning
    path.write_text(json.dumps(_trainer_state(early_stopping=False)))
    run = readers.load(path)
    assert run.fit is not None and run.fit.restore_best_weights is None
    assert run.status == "unknown"
    fd101 = next(f for f in engine.analyze(run).findings if f.code == "FD101")
    assert fd101.severity.value == "warning"


# ----------------------------------------------------------------------- skip hints
@pytest.mark.parametrize("framework", ["transformers", "lightning", "pytorch"])
def test_skip_hints_do_not_send_other_frameworks_to_the_keras_callback(framework: str) -> None:
    report = engine.analyze(overfit(framework))
    hints = {s.code: s.hint for s in report.skipped}
    # no "record the run with FitDoctor()": the callback is Keras's
    assert not any(h.startswith("record the run with FitDoctor") for h in hints.values()), hints
    # the other way a hint names stays ...
    assert hints["FD404"].startswith("pass --classes N")
    assert hints["FD501"].startswith("give the training class counts")
    # ... where there is none, it says whose facts they are
    assert hints["FD601"] == "only a run Keras's FitDoctor() callback records holds it"
    # an accuracy is logged the framework's way, not with model.compile
    assert "compile" not in hints["FD202"] and "accuracy" in hints["FD202"]


def test_a_keras_runs_skip_hints_are_unchanged() -> None:
    hints = {s.code: s.hint for s in engine.analyze(overfit("keras")).skipped}
    assert hints["FD601"] == "record the run with FitDoctor()"
    assert hints["FD202"].startswith("log an accuracy: model.compile")
