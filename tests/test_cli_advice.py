"""``fitdoctor analyze`` on run files: advice that depends on what the run file records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fitdoctor import cli, runlog_writer
from fitdoctor.run import CompileInfo, FitInfo, Layer, ModelInfo, Run

ENV = {"NO_COLOR": "1", "CI": None, "GITHUB_ACTIONS": None, "FORCE_COLOR": None,
       "GITHUB_STEP_SUMMARY": None, "COLUMNS": "100"}


def overfit_run(optimizer: str, lr: float, momentum: float | None = 0.0) -> Run:
    """A run file whose validation loss turns up at epoch 7 while the training loss falls.

    ``momentum=None``: an SGD config that does not record its momentum.
    """
    n = 30
    loss = [1.0 * 0.88**i for i in range(n)]
    val = [1.0 - 0.08 * min(i, 6) + 0.04 * max(0, i - 6) for i in range(n)]
    config: dict[str, Any] = {"name": optimizer.lower(), "learning_rate": lr}
    if optimizer == "SGD" and momentum is not None:
        config |= {"momentum": momentum, "nesterov": False}
    layers = [
        Layer(name="dense", class_name="Dense", path="dense", units=128, activation="relu",
              params=384, trainable_params=384, output_shape=[None, 128]),
        Layer(name="dense_1", class_name="Dense", path="dense_1", units=1,
              activation="sigmoid", params=129, trainable_params=129, output_shape=[None, 1]),
    ]
    return Run(
        epochs=list(range(1, n + 1)), metrics={"loss": loss, "val_loss": val},
        status="completed", source="fitdoctor", name="overfit",
        model=ModelInfo(name="sequential", class_name="Sequential", layers=layers,
                        output_activation="sigmoid", output_units=1),
        compile=CompileInfo(loss="binary_crossentropy", from_logits=False, optimizer=optimizer,
                            learning_rate=lr, optimizer_config=config),
        fit=FitInfo(epochs=n, batch_size=8, validation="split", validation_split=0.3),
    )


def fd101_advice(tmp_path: Path, run: Run) -> list[dict[str, str]]:
    path = tmp_path / "run.json"
    path.write_text(runlog_writer.dumps(run), encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["analyze", str(path), "-f", "json", "--exit-zero"],
                                env=ENV)
    assert result.exit_code == 0, result.output
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["code"] == "FD101")
    return list(finding["recommendations"])


def test_fd101_asks_plain_sgd_at_a_large_rate_to_lower_it(tmp_path: Path) -> None:
    """Plain SGD at 10× Keras's default or more: ``sgd_lr_factor`` (a tenth) of the rate,
    after early stopping."""
    recs = fd101_advice(tmp_path, overfit_run("SGD", 0.5))
    actions = [r["action"] for r in recs]
    ranks = [actions.index(a) for a in
             ("early-stopping", "lower-learning-rate", "raise-regularization")]
    assert ranks == sorted(ranks)
    text = next(r["text"] for r in recs if r["action"] == "lower-learning-rate")
    assert text.startswith("Lower the learning rate from 5e-1 to 5e-2: plain SGD's steps")
    assert text.endswith("sooner and further than at 0.1× the rate")


def test_fd101_plain_sgd_factor_is_the_rules_parameter(tmp_path: Path) -> None:
    """``sgd_lr_factor`` configured: the proposed rate and the wording follow it."""
    (tmp_path / "fitdoctor.toml").write_text("[rule.FD101]\nsgd_lr_factor = 0.3\n",
                                             encoding="utf-8")
    path = tmp_path / "run.json"
    path.write_text(runlog_writer.dumps(overfit_run("SGD", 0.5)), encoding="utf-8")
    result = CliRunner().invoke(
        cli.app, ["analyze", str(path), "-f", "json", "--exit-zero",
                  "--config", str(tmp_path / "fitdoctor.toml")], env=ENV)
    assert result.exit_code == 0, result.output
    finding = next(f for f in json.loads(result.stdout)["findings"] if f["code"] == "FD101")
    text = next(r["text"] for r in finding["recommendations"]
                if r["action"] == "lower-learning-rate")
    assert text.startswith("Lower the learning rate from 5e-1 to 0.15: plain SGD's steps")
    assert text.endswith("sooner and further than at 0.3× the rate")


@pytest.mark.parametrize(
    ("optimizer", "lr", "momentum"),
    [("SGD", 0.05, 0.0),  # under 10× the default
     ("SGD", 0.5, 0.9),  # momentum: not plain steps, not what was measured
     ("SGD", 0.5, None),  # a config that does not say its momentum (review8)
     ("Adam", 0.05, 0.0)],  # adaptive: a tenth of the rate did not cure its overfitting
)
def test_fd101_leaves_the_rate_alone_elsewhere(
    tmp_path: Path, optimizer: str, lr: float, momentum: float | None
) -> None:
    recs = fd101_advice(tmp_path, overfit_run(optimizer, lr, momentum))
    assert "raise-regularization" in [r["action"] for r in recs]
    assert "lower-learning-rate" not in [r["action"] for r in recs]
