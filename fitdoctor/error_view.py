"""A run of accuracies with no loss curve, seen as error rates judged in the loss's place.

Some histories keep accuracies only (a loop that prints ``Train Acc`` and ``Val Acc``, a
CSV of ``acc,val_acc``). The error rate, 1 − accuracy, is the loss those runs do show:
the 0-1 loss, falling as the model learns and rising when the validation accuracy falls
while training keeps improving. The engine judges it with the rules that declare
``error_rate = true`` (a rising validation error, a training error still falling, a
validation error swinging), on a view of the run whose ``loss`` and ``val_loss`` are the
error rates; their findings are renamed back (:func:`rename`) so that they name what was
judged. The view's ``meta[ERROR_VIEW]`` names the accuracies the error rates came from,
for a detector that judges error rates apart from losses (a 0-1 loss on ``n``
validation rows moves in steps of ``1/n``).
"""

from __future__ import annotations

import dataclasses
import math
import re

from fitdoctor.report import Finding, Skipped
from fitdoctor.run import Run
from fitdoctor.vocabulary import LEARNING_RATE_KEYS, is_accuracy

#: ``Run.meta`` key of an error view: ``{"loss": <training accuracy>, "val_loss": <validation
#: accuracy>}`` (either may be missing), the logged names the error rates were made of.
ERROR_VIEW = "error_rate_of"
#: The names the error rates carry in findings: never a name a history logs as a loss.
ERROR_NAMES = {"loss": "error", "val_loss": "val_error"}


def _accuracy_pair(run: Run) -> tuple[str | None, str | None]:
    """The training accuracy and its validation twin (``accuracy`` first), either ``None``.

    A training accuracy is one of the run's training curves (:attr:`Run.train_keys`: not a
    ``test_`` accuracy measured on held-out rows).
    """
    trains = [k for k in run.train_keys if is_accuracy(k)]
    vals = [k for k in run.metrics if k.startswith("val_") and is_accuracy(k[4:])]
    order = ("accuracy", "acc")
    train = min(trains, key=lambda k: (k not in order, trains.index(k)), default=None)
    if train is not None and f"val_{train}" in vals:
        return train, f"val_{train}"
    val = min(vals, key=lambda k: (k[4:] not in order, vals.index(k)), default=None)
    return train, val


def _fractions(values: list[float | None]) -> bool:
    """Whether the logged values are accuracies as fractions: finite ones in [0, 1]."""
    seen = [v for v in values if v is not None and math.isfinite(v)]
    return bool(seen) and all(0.0 <= v <= 1.0 for v in seen)


def _error(accuracy: float | None) -> float | None:
    """1 − ``accuracy``; ``None`` for an accuracy not logged or not finite.

    A NaN accuracy is an epoch not measured (a loop that skipped validation), not a
    blow-up as a NaN loss is: its error is left out, not read as the loss gone.
    """
    if accuracy is None or not math.isfinite(accuracy):
        return None
    return 1.0 - accuracy


def error_view(run: Run) -> Run | None:
    """The run with its error rates as ``loss`` and ``val_loss``, or ``None``.

    ``None`` unless the run logs no loss at all (no metric with ``loss`` in its name) and
    an accuracy as a fraction: a training accuracy becomes ``loss`` (1 − it, NaN left
    out: :func:`_error`), its validation twin (or the run's validation accuracy)
    ``val_loss``. The view keeps the accuracies (rules that read them still can), the
    learning rate, what the run knows of its setup and its meta (a Trainer's evaluations
    every N steps, the callbacks recorded).

    Args:
        run: The run.

    Returns:
        The view, or ``None``.
    """
    if any("loss" in key for key in run.metrics):
        return None
    train, val = _accuracy_pair(run)
    made: dict[str, str] = {}
    metrics: dict[str, list[float | None]] = {}
    for plain, key in (("loss", train), ("val_loss", val)):
        if key is None or not run.has(key) or not _fractions(run.metrics[key]):
            continue
        metrics[plain] = [_error(v) for v in run.metrics[key]]
        made[plain] = key
    if "val_loss" not in made and "loss" not in made:
        return None
    for key, values in run.metrics.items():
        if key in made.values() or key in LEARNING_RATE_KEYS:
            metrics[key] = values
    return run.with_curves(
        metrics,
        {**{k: v for k, v in run.metric_names.items() if k in metrics},
         **{plain: ERROR_NAMES[plain] for plain in made}},
        setup=True,
        meta={**run.meta,
              ERROR_VIEW: {plain: run.metric_names.get(key, key) for plain, key in made.items()}},
    )


_LOSS_WORDS = re.compile(r"\b(training|validation) loss\b")
_VAL_LOSS = re.compile(r"(?<![\w.])val_loss(?![\w])")
#: ``loss`` as a word or the training curve's name (``loss was still falling``), not an
#: argument in code (``compile(loss="mse")``, ``"loss": ...``).
_LOSS = re.compile(r"(?<![\w.=\"'])loss(?![\w=\"'])")
_ERROR_MONITOR = re.compile(r'monitor="val_(?:loss|error)"')
_VAL_ERROR = re.compile(r"(?<![\w.])val_error(?![\w])")
_EVAL_LOSS = re.compile(r"(?<![\w.])eval_loss(?![\w])")
#: The logged name a skipped rule found missing (``no training loss ('loss') in the run``):
#: on an error view, the error rate it would have judged is what is missing.
_QUOTED_LOSS = re.compile(r" \('(?:val_)?loss'\)")


def rename(text: str, view: Run, *, advice: bool = False) -> str:
    """A finding's text on an error view, naming what was judged.

    ``val_loss`` becomes ``val_error`` in what is said, and the validation accuracy itself
    in advice (:func:`_advice_names`); "training loss" and "validation loss" become
    "training error" and "validation error", and ``loss`` itself (the training curve's
    name, or the word) "error".

    Args:
        text: A message or recommendation.
        view: The error view the finding was made on.
        advice: ``text`` is a recommendation (code names a logged metric).

    Returns:
        The text renamed.
    """
    if advice:
        text = _advice_names(text, view.meta.get(ERROR_VIEW, {}).get("val_loss"))
    else:
        text = _VAL_LOSS.sub(ERROR_NAMES["val_loss"], text)
    text = _LOSS_WORDS.sub(lambda m: f"{m.group(1)} error", text)
    return _LOSS.sub("error", text)


def _advice_names(text: str, val_name: str | None) -> str:
    """Advice's code naming the logged validation accuracy ``val_name``, to be maximised.

    A monitor of the validation loss (Keras's literal ``val_loss``; Lightning's, rendered
    from the view's ``val_error``, a name no run logs) monitors the accuracy with
    ``mode="max"`` (Lightning's EarlyStopping and ModelCheckpoint minimise by default);
    the Trainer's ``eval_loss`` becomes the accuracy's ``eval_`` name
    (``metric_for_best_model``: a name not ending in ``loss`` is maximised). Unchanged
    without a validation accuracy.
    """
    if not val_name:
        return text
    text = _ERROR_MONITOR.sub(lambda _: f'monitor="{val_name}", mode="max"', text)
    text = _VAL_ERROR.sub(lambda _: val_name, _VAL_LOSS.sub(lambda _: val_name, text))
    plain = val_name.removeprefix("val_")
    eval_name = val_name if val_name.startswith("eval_") else f"eval_{plain}"
    return _EVAL_LOSS.sub(lambda _: eval_name, text)


def rename_finding(finding: Finding, view: Run) -> Finding:
    """``finding``, made on the error view, with its message, advice and evidence renamed."""
    finding.message = rename(finding.message, view)
    for rec in finding.recommendations:
        rec.text = rename(rec.text, view, advice=True)
    finding.evidence = {
        k: ERROR_NAMES.get(v, v) if isinstance(v, str) else v
        for k, v in finding.evidence.items()
    }
    return finding


def rename_skipped(skipped: Skipped, view: Run) -> Skipped:
    """``skipped``, a rule that could not judge the error view, with its reason renamed.

    The reason names the error rate (``the validation error is missing at 1 of 5
    epochs``, ``no training error in the run``); the hint, what would enable the rule,
    is kept.
    """
    reason = rename(_QUOTED_LOSS.sub("", skipped.reason), view)
    return dataclasses.replace(skipped, reason=reason)


def note(view: Run, codes: list[str]) -> str:
    """The report's note that error rates were judged, and by which rules."""
    made = view.meta.get(ERROR_VIEW, {})
    parts = [f"{ERROR_NAMES[plain]} = 1 − {name}" for plain, name in made.items()]
    return (f"no loss curve: {', '.join(codes)} judged the error rate in its place "
            f"({'; '.join(parts)}); the other checks of a loss cannot run")
