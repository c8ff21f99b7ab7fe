"""The callback's per-class pass: one prediction over the validation sample per epoch.

:class:`PerClassPass` keeps an evenly spread sample of at most ``max_val_samples``
validation inputs and their class ids, predicts on them at each scheduled epoch (in
fixed-size chunks, see :meth:`PerClassPass.predict`), scores them
(:func:`fitdoctor.keras_facts.class_scores`) and keeps the confusion matrices of the
best epoch so far and of the last one, and their predictions: PR-AUC per class (a sort
per class, or a pass quadratic in the samples for many classes: most of the scoring's
cost) is computed for those two epochs only, when training ends (:meth:`finish`), as
no rule reads it anywhere else.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
import numpy as np

from fitdoctor import keras_facts as kf
from fitdoctor.run import DataInfo, FitInfo, PerClass, Run
from fitdoctor.vocabulary import is_score_monitor


class PerClassPass:
    """Per-class validation metrics of a training, epoch by epoch.

    Args:
        max_val_samples: Predict on at most this many validation samples.
        every: Compute them every this many epochs (and at the last one).
    """

    def __init__(self, max_val_samples: int, every: int) -> None:
        self.max_val_samples = max_val_samples
        self.every = every
        self.val_x: Any = None
        self.val_ids: np.ndarray | None = None
        self.predict_batch = 512
        #: Confusion matrices kept (non-zero cells, m × 3), by epoch: the best so far and
        #: the last.
        self.confusions: dict[int, np.ndarray] = {}
        #: The best epoch with per-class metrics so far and its monitored value.
        self.best: tuple[int, float] | None = None
        #: The last computed epoch is the best so far.
        self.new_best = False
        self._monitor: tuple[str, str] | None = None
        #: Model outputs of the best epoch so far and of the last one, by epoch (for
        #: their PR-AUC, computed by :meth:`finish`).
        self.outputs: dict[int, np.ndarray] = {}

    @property
    def best_epoch(self) -> int | None:
        """The best epoch with per-class metrics so far."""
        return self.best[0] if self.best is not None else None

    def prepare(self, data: DataInfo | None, fit: FitInfo | None, x_val: Any, y_val: Any,
                note: Callable[[str], None]) -> None:
        """Take the validation sample, or note why per-class metrics are skipped."""
        if data is None or data.task is None:
            note("per-class metrics skipped: the task type could not be inferred")
            return
        if data.task == "regression":
            return
        if data.task == "multilabel":
            note("per-class metrics skipped: multi-label tasks are not supported yet")
            return
        if x_val is None or y_val is None:
            note(
                "per-class metrics skipped: no validation arrays reachable (pass "
                "FitDoctor(validation_data=(x_val, y_val)))"
            )
            return
        ids = kf.class_ids(y_val, data.label_encoding)
        n = kf.n_samples(x_val)
        if ids is None or n is None:
            note("per-class metrics skipped: validation labels are not class labels")
            return
        index = kf.subsample(n, self.max_val_samples)
        self.val_x = kf.take(x_val, index)
        self.val_ids = ids[index]
        # Fewer, larger chunks cost less (each call has a fixed cost): up to 2,048 samples
        # while a chunk's inputs stay under 2M values, never fewer than a training batch.
        features = data.n_features or 0
        size = min(2048, 2**21 // features) if features else 512
        batch = fit.batch_size if fit is not None and fit.batch_size else 0
        self.predict_batch = max(512, size, batch)
        if len(index) < n:
            note(f"per-class metrics use {len(index)} of {n} validation samples")

    def due(self, epoch: int, last: int | None) -> bool:
        """Whether ``epoch`` (1-based) is scheduled, ``last`` being the last requested one."""
        return epoch % self.every == 0 or epoch == last

    def compute(self, model: Any, run: Run, epoch: int, *, direct: bool) -> PerClass | None:
        """Predict, score and append the epoch's per-class record to ``run``.

        Args:
            model: The model being trained.
            run: The run (its data facts give the classes).
            epoch: The epoch (1-based).
            direct: Call the model directly (multi-worker training) rather than
                ``predict_on_batch``.

        Returns:
            The record, or ``None`` when there is no validation sample.
        """
        if self.val_x is None or self.val_ids is None or run.data is None:
            return None
        pred = self.predict(model, self.val_x, len(self.val_ids), direct=direct)
        n_classes = run.data.n_classes or int(self.val_ids.max()) + 1
        from_logits = run.compile.from_logits if run.compile else None
        scores = kf.class_scores(self.val_ids, pred, n_classes=n_classes,
                                 from_logits=from_logits, pr_auc=False)
        pc = kf.to_per_class(epoch, scores, run.data.class_names)
        run.per_class.append(pc)
        # Keep the confusion matrices and the outputs of the best epoch so far and of this
        # (the last) one.
        self.new_best = self.is_best(run, epoch)
        best = self.best_epoch
        kept = {e: m for e, m in self.confusions.items() if e == best}
        kept[epoch] = scores.cells
        self.confusions = kept
        outputs = {e: o for e, o in self.outputs.items() if e == best}
        outputs[epoch] = pred
        self.outputs = outputs
        return pc

    def finish(self, run: Run) -> dict[int, list[float | None]]:
        """PR-AUC per class at the best and the last epochs, put into their records.

        Called when training ends (or the process exits). Each epoch's outputs are
        scored once; a record that already has PR-AUC is left as it is.

        Args:
            run: The run whose per-class records are completed.

        Returns:
            The values computed now, by epoch (what the run file's end line records).
        """
        if self.val_ids is None or run.data is None or not run.per_class:
            return {}
        last = run.per_class[-1].epoch
        wanted = {e: o for e, o in self.outputs.items() if e in (last, self.best_epoch)}
        n_classes = run.data.n_classes or int(self.val_ids.max()) + 1
        from_logits = run.compile.from_logits if run.compile else None
        done: dict[int, list[float | None]] = {}
        for pc in run.per_class:
            out = wanted.get(pc.epoch)
            if out is None or pc.pr_auc:
                continue
            pc.pr_auc = kf.class_pr_auc(self.val_ids, out, n_classes=n_classes,
                                        from_logits=from_logits)
            done[pc.epoch] = pc.pr_auc
        return done

    def is_best(self, run: Run, epoch: int) -> bool:
        """Whether ``epoch`` improves on the best epoch with per-class metrics so far.

        Judged as the report's best epoch is: ``val_loss`` (lowest) when logged, else the
        first validation accuracy or AUC (highest); a non-finite value never improves.
        """
        if self._monitor is None:
            if run.has("val_loss"):
                self._monitor = ("val_loss", "min")
            else:
                for key in run.metrics:
                    if is_score_monitor(key) and run.has(key):
                        self._monitor = (key, "max")
                        break
        if self._monitor is None:
            return False
        key, mode = self._monitor
        values = run.metrics.get(key)
        value = values[-1] if values else None
        if value is None or not math.isfinite(value):
            return False
        if self.best is not None:
            previous = self.best[1]
            if (value >= previous) if mode == "min" else (value <= previous):
                return False
        self.best = (epoch, value)
        return True

    def predict(self, model: Any, x: Any, n: int, *, direct: bool = False) -> np.ndarray:
        """``model.predict`` without its per-call set-up: ``predict_on_batch`` per chunk.

        ``predict`` builds an iterator and a callback list on every call, which costs
        several times the prediction itself on a few thousand samples. Every chunk has
        the same number of rows (the last one is padded by repeating its final row, and
        the padding's outputs are dropped), so the compiled predict function is traced
        once per training rather than twice (one shape for the full chunks, another for
        the remainder): a trace costs more than a whole epoch's prediction pass.

        Args:
            model: The model.
            x: The inputs.
            n: Their number of samples.
            direct: Call the model directly: under a multi-worker strategy
                ``predict_on_batch`` gathers across workers (a collective op every worker
                must join), so the chief calls the model. Defaults to `False`.

        Returns:
            The outputs, one row per sample.
        """
        if n < 1:
            raise ValueError("no validation samples to predict")
        chunks = -(-n // self.predict_batch)
        step = -(-n // chunks)  # at most self.predict_batch, and padding < chunks rows
        parts = []
        for i in range(0, n, step):
            index = np.minimum(np.arange(i, i + step), n - 1)
            batch = kf.take(x, index)
            out = model(batch, training=False) if direct else model.predict_on_batch(batch)
            parts.append(np.asarray(keras.ops.convert_to_numpy(out))[: min(step, n - i)])
        return np.concatenate(parts, axis=0)
