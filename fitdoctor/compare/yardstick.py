"""Which number judges a change: the yardstick of a comparison, and why it was chosen.

A comparison is only as fair as the number it judges on. Plain accuracy on an
imbalanced task rewards predicting the majority class (fitdoctor's own FD502/FD504 say
so), and the validation loss of a run with more L2 carries the penalty Keras adds to it.
So the yardstick depends on the task:

* **imbalanced classification** (a run knows its class counts and the largest class
  outnumbers the smallest by the class-imbalance rules' ``min_ratio``; without class
  counts, a class-imbalance rule fires on either run): the minority class's PR-AUC (average
  precision) from the per-class metrics the callback records: it ranks the predictions
  without a threshold, so class weights, which mostly move the threshold, neither
  fool it nor are punished by it. Without PR-AUC: the minority class's F1, then a
  logged PR/ROC AUC curve, then ``val_loss``. Never plain accuracy. The callback's
  per-class metrics are unweighted (computed from the predictions), and Keras applies
  ``class_weight`` to the training loss only.
* **regression**: the validation MAE when both runs log it (in the target's units),
  else ``val_loss``.
* **classification**: the validation accuracy when both runs log it (judged with a
  binomial interval), else a validation AUC, else ``val_loss``.

``--monitor METRIC`` (``monitor=``) overrides the choice with any validation curve both
runs log.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fitdoctor.errors import ConfigError, InputError
from fitdoctor.run import PerClass, Run

if TYPE_CHECKING:
    from fitdoctor.report import Report

__all__ = ["Yardstick", "choose", "default_monitor", "minority", "monitor_mode"]

_MAX_HINTS = ("acc", "auc", "prc", "precision", "recall", "f1", "iou", "r2")
_MIN_HINTS = ("loss", "error", "mae", "mse", "rmse", "mape", "msle", "crossentropy", "hinge")
_REGRESSION = re.compile(r"^val_(mae|mean_absolute_error|mse|mean_squared_error|rmse|"
                         r"root_mean_squared_error|mape|msle)$")
_ACCURACY = re.compile(r"^val_(acc|accuracy|\w+_accuracy)$")
_PR_AUC = re.compile(r"^val_(prc|pr_auc|auc_pr|average_precision)(_\d+)?$")
_AUC = re.compile(r"^val_(auc|\w+_auc)(_\d+)?$")

#: Largest/smallest class count from which a classification counts as imbalanced, when
#: the class-imbalance rules are not configured (their ``min_ratio`` default).
MIN_RATIO = 3.0

#: Per-class fields a yardstick may use, with their display names.
CLASS_FIELDS = {"pr_auc": "PR-AUC", "f1": "F1", "recall": "recall", "precision": "precision"}


def monitor_mode(monitor: str) -> str:
    """``"min"`` or ``"max"``: which way ``monitor`` improves (the Keras convention).

    The ``val_`` prefix is stripped; loss- and error-like names are minimised,
    accuracy-like names (accuracy, AUC, precision, recall, F1) are maximised.

    Args:
        monitor: The metric name.

    Returns:
        The direction.

    Raises:
        ConfigError: The name says neither; pass ``mode`` explicitly.
    """
    base = monitor.removeprefix("val_").lower()
    if any(h in base for h in _MIN_HINTS):
        return "min"
    if any(h in base for h in _MAX_HINTS):
        return "max"
    raise ConfigError(
        f"cannot tell whether a higher or lower {monitor!r} is better; pass mode='min' or 'max'"
    )


@dataclass(frozen=True)
class Yardstick:
    """The number a comparison judges on.

    Args:
        key: A validation curve (``"val_accuracy"``) or, for a per-class yardstick, the
            per-class field (``"pr_auc"``, ``"f1"``).
        mode: ``"min"`` or ``"max"``: which way it improves.
        reason: Why it was chosen, one sentence.
        label: The class of a per-class yardstick, else ``None``.
        task: ``"imbalanced"``, ``"classification"``, ``"regression"`` or ``"unknown"``.
        chosen_by: ``"task"`` (picked for the task) or ``"monitor"`` (``--monitor``).
    """

    key: str
    mode: str
    reason: str
    label: str | None = None
    task: str = "unknown"
    chosen_by: str = "task"

    @property
    def per_class(self) -> bool:
        """True when the yardstick is a per-class metric of one class."""
        return self.label is not None

    @property
    def name(self) -> str:
        """Display name: ``val_accuracy``, ``PR-AUC of class '1'``."""
        if self.label is None:
            return self.key
        return f"{CLASS_FIELDS.get(self.key, self.key)} of class {self.label!r}"

    @property
    def proportion(self) -> bool:
        """True for an accuracy-like rate of samples, judged with a binomial interval."""
        if self.label is not None:
            return self.key in ("recall", "pr_auc")
        return bool(_ACCURACY.match(self.key)) or self.key in ("val_recall", "val_precision")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "key": self.key,
            "class": self.label,
            "mode": self.mode,
            "task": self.task,
            "chosen_by": self.chosen_by,
            "reason": self.reason,
        }


def default_monitor(before: Run, after: Run) -> str:
    """The validation curve a balanced classification or a regression is judged on.

    Returns:
        An accuracy-like validation metric, else ``val_auc``/``val_mae``-like, when
        both runs log it; else ``val_loss``.
    """
    shared = _shared(before, after)
    for pattern in (_ACCURACY, _AUC, _REGRESSION):
        for key in shared:
            if pattern.match(key):
                return key
    return "val_loss"


def _shared(before: Run, after: Run) -> list[str]:
    return [k for k in before.metrics if k.startswith("val_") and before.has(k) and after.has(k)]


def _counts(run: Run) -> list[int] | None:
    data = run.data
    for counts in (
        data.train_class_counts if data else None,
        data.val_class_counts if data else None,
        run.per_class[-1].support if run.per_class else None,
    ):
        if counts and len(counts) >= 2 and sum(counts) > 0:
            return [int(c) for c in counts]
    return None


def _labels(run: Run, k: int) -> list[str]:
    data = run.data
    if data is not None and data.class_names and len(data.class_names) == k:
        return [str(n) for n in data.class_names]
    if run.per_class and len(run.per_class[-1].labels) == k:
        return [str(n) for n in run.per_class[-1].labels]
    return [str(i) for i in range(k)]


def minority(run: Run) -> tuple[str, float] | None:
    """The smallest class and how many times the largest outnumbers it.

    Training class counts when recorded, else validation counts or per-class support.

    Returns:
        ``(label, ratio)`` (the ratio is infinite for a class without samples), or
        ``None`` when the run has no class counts.
    """
    counts = _counts(run)
    if counts is None:
        return None
    i = min(range(len(counts)), key=lambda c: counts[c])
    ratio = max(counts) / counts[i] if counts[i] else math.inf
    return _labels(run, len(counts))[i], ratio


def task_of(run: Run) -> str | None:
    """The run's task as recorded, else ``"regression"`` when only regression metrics show."""
    if run.data is not None and run.data.task:
        return run.data.task
    keys = [k for k in run.metrics if run.has(k)]
    if any(_REGRESSION.match(k) for k in keys) and not any(
        _ACCURACY.match(k) or _AUC.match(k) for k in keys
    ):
        return "regression"
    return None


def _class_field(run: Run, label: str, key: str) -> bool:
    """True when some per-class record of ``run`` has a finite ``key`` for ``label``."""
    for record in run.per_class:
        value = class_value(record, label, key)
        if value is not None:
            return True
    return False


def class_value(record: PerClass, label: str, key: str) -> float | None:
    """``key`` (``recall``, ``precision``, ``f1``, ``pr_auc``) of class ``label`` in ``record``."""
    labels = [str(x) for x in record.labels]
    if label not in labels:
        return None
    values: list[Any] = getattr(record, key)
    i = labels.index(label)
    if i >= len(values) or values[i] is None:
        return None
    v = float(values[i])
    return v if math.isfinite(v) else None


def choose(
    before: Run,
    after: Run,
    reports: tuple[Report, Report],
    *,
    monitor: str | None = None,
    mode: str | None = None,
    min_ratio: float = MIN_RATIO,
) -> Yardstick:
    """The yardstick of a comparison (see the module docs).

    Args:
        before: BEFORE's run.
        after: AFTER's run.
        reports: Both runs' analyses (a class-imbalance finding marks the task).
        monitor: A validation curve to judge on instead. Defaults to `None` (by task).
        mode: ``"min"``/``"max"`` for ``monitor``. Defaults to `None` (from its name).
        min_ratio: Class-count ratio from which a classification is imbalanced.
            Defaults to :data:`MIN_RATIO`.

    Returns:
        The yardstick.

    Raises:
        InputError: A run lacks the ``monitor`` curve.
        ConfigError: ``mode`` is invalid, cannot be inferred, or comes without ``monitor``.
    """
    if mode is not None and mode not in ("min", "max"):
        raise ConfigError(f"mode must be 'min' or 'max', got {mode!r}")
    if mode is not None and monitor is None:
        raise ConfigError(
            "--mode applies to --monitor METRIC; the task's yardstick knows its direction"
        )
    if monitor is not None:
        for run, what in ((before, "BEFORE"), (after, "AFTER")):
            if not run.has(monitor):
                raise InputError(
                    f"{what} ({run.name or 'unnamed run'}) has no {monitor!r} curve; it logs: "
                    f"{', '.join(run.metrics) or 'nothing'}"
                )
        return Yardstick(monitor, mode or monitor_mode(monitor), "chosen with --monitor",
                         task=_task(before, after, reports, min_ratio)[0], chosen_by="monitor")
    task, why = _task(before, after, reports, min_ratio)
    if task == "imbalanced":
        return _imbalanced(before, after, why)
    shared = _shared(before, after)
    if task == "regression":
        for key in shared:
            if key in ("val_mae", "val_mean_absolute_error"):
                return Yardstick(key, "min", "a regression: the mean absolute error, in the "
                                 "target's units", task=task)
        return Yardstick("val_loss", "min", "a regression without a validation MAE in both "
                         "runs: the validation loss", task=task)
    for pattern, what in (
        (_ACCURACY, "the validation accuracy, judged with a binomial interval on the "
                    "validation samples"),
        (_AUC, "the validation AUC (no validation accuracy that both runs log)"),
    ):
        for key in shared:
            if pattern.match(key):
                return Yardstick(key, "max", f"{why}: {what}", task=task)
    return Yardstick(
        "val_loss", "min",
        f"{why}: the validation loss (no validation accuracy or AUC that both runs log; it "
        "includes the weight penalties of each run)", task=task,
    )


def _task(
    before: Run, after: Run, reports: tuple[Report, Report], min_ratio: float
) -> tuple[str, str]:
    """``(task, why)``: ``imbalanced``, ``regression``, ``classification`` or ``unknown``."""
    tasks = {task_of(before), task_of(after)} - {None}
    if "regression" in tasks:
        return "regression", "a regression"
    if tasks & {"multilabel"}:
        return "classification", "a multi-label classification"
    known = [m for m in (minority(before), minority(after)) if m is not None]
    for label, ratio in known:
        if ratio >= min_ratio:
            shown = "no sample" if math.isinf(ratio) else f"{ratio:.3g} times fewer samples"
            return "imbalanced", (
                f"imbalanced classes (class {label!r} has {shown} than the largest)"
            )
    if known:  # the counts say: balanced enough, whatever a threshold rule says
        return "classification", (
            f"balanced classes (the largest outnumbers the smallest {known[0][1]:.3g} times, "
            f"under {min_ratio:g})"
        )
    for report in reports:
        fired = [f.code for f in report.findings if f.diagnosis == "class-imbalance"]
        if fired:
            return "imbalanced", f"imbalanced classes ({fired[0]} fires on {report.source!r})"
    classification = bool(tasks) or any(_ACCURACY.match(k) for k in _shared(before, after))
    if classification:
        return "classification", (
            "a classification without class counts or a class-imbalance finding"
        )
    return "unknown", "the task is not recorded"


def _imbalanced(before: Run, after: Run, why: str) -> Yardstick:
    """Minority PR-AUC, else F1 (per class), else a PR/ROC AUC curve, else val_loss."""
    found = minority(before) or minority(after)
    if found is not None:
        label = found[0]
        for key, what in (
            ("pr_auc", "ranks the predictions without a threshold, so class weights (which "
                       "move the threshold) neither fool it nor count against it"),
            ("f1", "weighs its recall and precision together"),
        ):
            if _class_field(before, label, key) and _class_field(after, label, key):
                return Yardstick(
                    key, "max",
                    f"{why}: accuracy rewards predicting the majority; the minority class's "
                    f"{CLASS_FIELDS[key]} {what}",
                    label=label, task="imbalanced",
                )
    shared = _shared(before, after)
    for pattern, what in ((_PR_AUC, "PR-AUC"), (_AUC, "AUC")):
        for key in shared:
            if pattern.match(key):
                return Yardstick(
                    key, "max",
                    f"{why}: accuracy rewards predicting the majority; the validation {what} "
                    "does not (no per-class metrics that both runs hold)",
                    task="imbalanced",
                )
    return Yardstick(
        "val_loss", "min",
        f"{why}: accuracy rewards predicting the majority; without per-class metrics or an "
        "AUC that both runs hold, the validation loss (record the runs with FitDoctor() for "
        "per-class PR-AUC)",
        task="imbalanced",
    )
