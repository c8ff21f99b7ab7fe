"""``FitDoctor``: a Keras callback that records a training run and diagnoses it at the end.

Importing this module imports keras; ``import fitdoctor`` does not (``fitdoctor.FitDoctor``
loads this module on first use).

One class, one job: the training's hooks, the live diagnosis and the report. What it
records at the start is :mod:`fitdoctor.callback_facts`, its per-class prediction pass
:mod:`fitdoctor.callback_perclass`, the file it writes :mod:`fitdoctor.callback_file`.
Over 600 lines because the class docstring (about 190) is the callback's user manual.
"""

from __future__ import annotations

import atexit
import dataclasses
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import keras
import numpy as np

from fitdoctor import classmetrics
from fitdoctor import keras_facts as kf
from fitdoctor.callback_facts import collect_reference, record_start, record_trial
from fitdoctor.callback_file import RunFile
from fitdoctor.callback_perclass import PerClassPass
from fitdoctor.live import LiveDiagnosis, Stop, check_stop_on, fired_line, stop_line
from fitdoctor.run import PerClass, Run
from fitdoctor.tuner_trial import current_trial

if TYPE_CHECKING:
    from fitdoctor.live_plot import LivePlot
    from fitdoctor.reference import ReferenceJob
    from fitdoctor.report import Report
    from fitdoctor.rules import Settings

_T = TypeVar("_T")

#: ``report`` values the callback accepts.
REPORT_FORMATS = ("auto", "rich", "text")
#: Seconds a finished training waits at most for the reference model still fitting;
#: after that the run is recorded without one (a note says so).
REFERENCE_WAIT = 10.0


class FitDoctor(keras.callbacks.Callback):  # type: ignore[misc]
    """Records a training run, saves it after every epoch and prints a diagnosis at the end.

    Each epoch adds one row to a :class:`fitdoctor.Run` (every log value, the learning
    rate in force, the epoch's wall time) together with what fitdoctor learns from the
    model (layers, units, activations, regularizers, dropout), the compile call (loss,
    ``from_logits``, optimizer and its configuration, metrics), the fit call (epochs,
    batch size, validation) and the data (task type, label encoding, sample, feature
    and class counts, per-class validation metrics, baselines). The run is written to
    ``path`` as a run log (``"schema": "fitdoctor.run/2"``, JSON Lines, see
    :mod:`fitdoctor.runlog`): a header when training starts, then one appended line per
    epoch holding only that epoch's data, so saving costs the same at epoch 1,000 as at
    epoch 1, whatever the number of classes. A process killed at any moment leaves a
    file that ``fitdoctor analyze`` reads with every finished epoch (status
    ``"running"``). When training ends the
    status becomes ``"completed"`` or ``"stopped-early"`` (a callback such as
    ``EarlyStopping`` set ``model.stop_training``). Keras does not call ``on_train_end``
    when ``fit`` ends with an exception (``KeyboardInterrupt``, an out-of-memory error): the
    file then says ``"interrupted"`` once the process exits, and ``"running"`` until it does
    (or for good, if the process is killed). The rules then run and the report prints.
    Afterwards ``callback.run`` and ``callback.report`` hold the run and the
    :class:`fitdoctor.Report`. Each ``fit`` call starts a new run. A later ``fit`` with
    the same callback (fine-tuning, a new phase) writes its own file beside ``path``
    (``run-fit2.json``, ``run-fit3.json``, ...) and says so on stderr, so the earlier
    fit's epochs stay; ``path`` is overwritten only by a new callback (a script run
    again).

    Keras gives callbacks neither the training arrays nor the batch size nor the
    validation arrays (with ``validation_split`` the split is made inside ``fit``).
    FitDoctor reads them from the arguments of the ``fit`` call that runs it, when they
    are arrays; for ``tf.data`` datasets and generators, pass ``validation_data`` and
    ``y_train`` here to get class counts, baselines and per-class metrics. Facts that
    cannot be reached stay ``null`` and the rules that need them are reported as skipped.

    Per-class metrics come from one prediction pass over at most ``max_val_samples``
    validation samples per scheduled epoch and one confusion matrix: precision, recall,
    F1 and support per class, and the largest confusions, every such epoch; the full
    confusion matrix and PR-AUC per class (computed when training ends, from the kept
    predictions) at the best epoch (lowest ``val_loss``, else highest validation
    accuracy) and the last one.

    The callback never breaks a training: any error inside it becomes one warning (per
    kind of error) and the training continues; a log value that is not a number is noted
    and left out, the rest of the epoch is recorded. It overrides only epoch-level hooks,
    so Keras keeps its asynchronous batch dispatch. It works on every Keras backend
    (TensorFlow, JAX, PyTorch). In multi-worker training (``tf.distribute``
    ``MultiWorkerMirroredStrategy``, a multi-process ``keras.distribution`` or
    ``torch.distributed``) every worker records the run, only the chief writes the file
    and prints the report, and the per-class prediction pass runs on the chief alone,
    calling the model directly rather than through the strategy's collective
    operations, so the other workers never wait for it.

    **Live diagnosis** (``live=True``): after every epoch the curve rules judge the run
    so far, as if training ended there (:mod:`fitdoctor.live`), and each finding is
    printed the first time it *fires*, in one line with its epoch. A finding fires once
    it has held at as many consecutive epochs as its rule's ``min_epochs`` (a NaN or an
    exploding loss at once, a blow-up once the next epoch confirms it), so a validation
    loss that turns up for two epochs and falls again is not printed. In a Jupyter
    notebook the learning curves are shown too, redrawn in place with the best epoch and
    the findings marked. ``stop_on=["diverged", "overfitting"]`` stops training
    (``model.stop_training = True``) the epoch such a finding fires; for overfitting,
    once the best epoch is ``patience`` epochs back. The report says why: a note, the
    status ``"stopped-early"`` and ``run.meta["stopped_by"]``. With
    ``restore_best_weights=True`` the weights of the best epoch are restored when
    training ends, as ``EarlyStopping(restore_best_weights=True)`` does.

    **Inside KerasTuner** (``tuner.search(..., callbacks=[FitDoctor()])``): each trial's
    run is written to ``fitdoctor-run.json`` in the trial's folder (instead of ``path``),
    named ``trial_<id>``, with the trial id and its hyperparameter values as facts, so
    ``fitdoctor analyze`` on the tuner's project folder relates the findings to the
    hyperparameters.

    Args:
        path: File the run is written to (a run log, ``"schema": "fitdoctor.run/2"``),
            or ``None`` to write nothing. Defaults to `"fitdoctor-run.json"`.
        validation_data: ``(x_val, y_val)`` for per-class metrics and validation class
            counts, when ``fit`` got a dataset or generator. Defaults to `None` (use the
            validation arrays of the ``fit`` call when it has them).
        y_train: Training labels, for class counts and baselines, when ``fit`` got a
            dataset or generator. Defaults to `None` (use the ``fit`` call's ``y``).
        per_class: Compute per-class validation precision, recall, F1, support,
            PR-AUC and the confusion matrix (one prediction pass per scheduled epoch).
            Defaults to `True`.
        per_class_every: Compute them every this many epochs (and at the last requested
            epoch). Defaults to `1`.
        max_val_samples: Predict on at most this many validation samples, evenly spread
            over the validation set. Defaults to `2000`.
        report: How to print the report at the end: ``"auto"`` (``"rich"`` on a terminal,
            ``"text"`` otherwise), ``"rich"``, ``"text"``, or ``None`` to print nothing.
            Defaults to `"auto"`.
        settings: Rule selection and configuration for the analysis. Defaults to `None`
            (all built-in rules, as configured in ``pyproject.toml``/``fitdoctor.toml``
            if the analysis finds one).
        inspect_fit: Read the ``fit`` call's arguments (training labels, batch size,
            validation arrays, EarlyStopping's ``restore_best_weights``) from its frame.
            Defaults to `True`.
        reference: Fit a quick scikit-learn reference model (logistic or ridge
            regression, and gradient boosting for tabular data of at most 200 features
            whose features times classes are at most 500) on at most 5,000 training
            samples of at most 4,096 features, on one background thread started with
            training, within a few seconds, and record its validation score
            (``run.baselines.reference_*``, in the run file's end line): the underfitting
            rule then compares the network with what a simple model reaches on the same
            data. A training that ends first waits for it at most
            :data:`REFERENCE_WAIT` (10) seconds, then records the run without it.
            Needs the training and validation arrays in memory. Defaults to `True`.
        verbose: ``1`` prints where the run was saved and why any facts are missing;
            ``0`` prints only the report. Defaults to `1`.
        live: Judge the curve rules after every epoch and print each finding the first
            time it fires (one line with its epoch); in a Jupyter notebook, also show the
            learning curves redrawn in place. Defaults to `False`.
        live_plot: With ``live``, show the curves in an IPython display: ``None`` when
            running in a Jupyter kernel, ``True`` in any IPython shell (needs
            matplotlib), ``False`` never. Defaults to `None`.
        stop_on: Diagnoses (``"diverged"``, ``"overfitting"``, ``"underfitting"``,
            ``"unstable"``, ``"not-converged"``) or rule codes whose findings stop
            training the epoch they fire (judged every epoch, printed or not).
            Defaults to none.
        patience: Epochs past the best epoch before an overfitting finding stops
            training. Defaults to `None` (the patience the report recommends for
            ``EarlyStopping``: the longest wait for a new best before the best epoch,
            plus one, from 2 to 10).
        restore_best_weights: Keep the weights of the best epoch (lowest ``val_loss``,
            else highest validation accuracy) and restore them when training ends.
            Defaults to `False`.

    Example:
    ```python
    from fitdoctor import FitDoctor

    doctor = FitDoctor(path="runs/mnist.json")
    model.fit(x, y, epochs=10, batch_size=128, validation_split=0.2, callbacks=[doctor])
    doctor.report.verdict

    # print findings as they fire; stop when the run diverges or overfits for good
    doctor = FitDoctor(live=True, stop_on=["diverged", "overfitting"],
                       restore_best_weights=True)
    ```
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = "fitdoctor-run.json",
        *,
        validation_data: tuple[Any, Any] | None = None,
        y_train: Any = None,
        per_class: bool = True,
        per_class_every: int = 1,
        max_val_samples: int = 2000,
        report: str | None = "auto",
        settings: Settings | None = None,
        inspect_fit: bool = True,
        reference: bool = True,
        verbose: int = 1,
        live: bool = False,
        live_plot: bool | None = None,
        stop_on: Sequence[str] = (),
        patience: int | None = None,
        restore_best_weights: bool = False,
    ) -> None:
        super().__init__()
        if report is not None and report not in REPORT_FORMATS:
            raise ValueError(
                f"report must be one of {', '.join(map(repr, REPORT_FORMATS))} or None, "
                f"got {report!r}"
            )
        if per_class_every < 1:
            raise ValueError(f"per_class_every must be at least 1, got {per_class_every}")
        if max_val_samples < 1:
            raise ValueError(f"max_val_samples must be at least 1, got {max_val_samples}")
        if validation_data is not None and (
            not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3)
        ):
            raise ValueError("validation_data must be a tuple (x_val, y_val)")
        if patience is not None and patience < 1:
            raise ValueError(f"patience must be at least 1, got {patience}")
        self.stop_on = check_stop_on(stop_on)
        self.path = None if path is None else Path(path)
        self._path = self.path
        self._fits = 1  # fit calls recorded to a file by this callback
        self.validation_data = validation_data
        self.y_train = y_train
        self.per_class = per_class
        self.per_class_every = per_class_every
        self.max_val_samples = max_val_samples
        self.report_format = report
        self.settings = settings
        self.inspect_fit = inspect_fit
        self.reference = reference
        self.verbose = verbose
        self.live = live
        self.live_plot = live_plot
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        #: The live diagnosis of the training (``live`` or ``stop_on``), ``None`` otherwise.
        self.live_diagnosis: LiveDiagnosis | None = None
        #: Why FitDoctor stopped the last training, if it did.
        self.stopped: Stop | None = None
        self._plot: LivePlot | None = None
        self._best_weights: list[Any] | None = None
        self._best_weights_epoch: int | None = None
        #: Live lines waiting to be printed (after Keras's own line for the epoch).
        self._lines: list[str] = []
        #: The run being recorded (``None`` before training starts).
        self.run: Run | None = None
        #: The report of the last training (``None`` until it ends).
        self.report: Report | None = None
        self._warned: set[str] = set()
        self._chief = True
        self._epoch_start = 0.0
        self._lr_begin: float | None = None
        self._atexit: Callable[[], None] | None = None
        self._training = False
        self._dist = kf.Distribution()
        self._noted: set[str] = set()
        self._pass = PerClassPass(max_val_samples, per_class_every)
        self._file = RunFile(None, self._warn)
        #: The reference model being fitted on a background thread, until collected.
        self._reference: ReferenceJob | None = None
        #: The baselines changed after the header was written (the end line records them).
        self._late_baselines = False
        #: PR-AUC computed when training ended, by epoch (the end line records it).
        self._pr_auc: dict[int, list[float | None]] = {}

    # ----------------------------------------------------------------- safety
    def _warn(self, kind: str, exc: BaseException) -> None:
        key = f"{kind}:{type(exc).__name__}"
        if self.run is not None:
            errors = self.run.meta.setdefault("errors", [])
            if len(errors) < 20:
                errors.append(f"{kind}: {type(exc).__name__}: {exc}")
        if key in self._warned:
            return
        self._warned.add(key)
        warnings.warn(
            f"fitdoctor: {kind} failed ({type(exc).__name__}: {exc}); "
            + ("training continues" if self._training else "the recorded run is kept"),
            RuntimeWarning,
            stacklevel=3,
        )

    def _safe(self, kind: str, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
        """Call ``fn``; on any exception warn once per kind and return ``None``."""
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # the callback must never break training
            self._warn(kind, exc)
            return None

    def _note(self, text: str, key: str | None = None) -> None:
        """Add a note to the run (once per ``key``, or per text when no key is given)."""
        key = text if key is None else key
        if self.run is not None and key not in self._noted:
            self._noted.add(key)
            notes = self.run.meta.setdefault("notes", [])
            if text not in notes:
                notes.append(text)

    # ------------------------------------------------------------------ hooks
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Start a new run and record the model, compile, fit and data facts."""
        logs = logs or {}
        self._training = True
        self._safe("on_train_begin", self._train_begin)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Start the epoch's clock and note the learning rate in force."""
        logs = logs or {}
        if self._lines:
            self._print_lines()
        self._epoch_start = time.perf_counter()
        # Kept for an optimizer whose rate changes every step (a schedule), where the rate
        # read at the epoch's end is not the one the epoch trained with; a fixed rate is
        # read once, at the end (reading a backend variable costs a device read).
        optimizer = getattr(self.model, "optimizer", None)
        self._lr_begin = self._safe("reading the learning rate", kf.learning_rate, optimizer) \
            if kf.is_scheduled(optimizer) else None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Record the epoch's row and per-class metrics, then save the run."""
        logs = logs or {}
        seconds = time.perf_counter() - self._epoch_start
        if self.run is None:  # on_train_begin failed: start a bare run
            self.run = self._new_run()
        if not self._safe("recording the epoch", self._record, epoch, dict(logs), seconds):
            return
        pc = None
        self._pass.new_best = False
        if self.per_class and self._chief and \
                self._pass.due(epoch + 1, (self.params or {}).get("epochs")):
            pc = self._safe("per-class metrics", self._per_class, epoch + 1)
        self._save_epoch(pc)
        if self._reference is not None and self._reference.done():
            self._collect_reference(None)
        if self.live_diagnosis is not None or self.restore_best_weights:
            self._safe("the live diagnosis", self._live_epoch)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Set the final status, save, analyze and print the report."""
        logs = logs or {}
        self._training = False
        if self._lines:
            self._print_lines()
        self._safe("finishing the run", self._train_end)

    # ------------------------------------------------------------- internals
    def _new_run(self) -> Run:
        name = self.path.stem if self.path is not None else ""
        run = Run(epochs=[], metrics={}, seconds=[], status="running", source="fitdoctor",
                  framework="keras", name=name)
        run.meta["started"] = datetime.now(UTC).isoformat(timespec="seconds")
        return run

    def _train_begin(self) -> None:
        before = (self.path, self.run.n_epochs) if self.run is not None and \
            self._file.saved and self._chief else None
        self.path = self._path
        trial = self._safe("finding the KerasTuner trial", current_trial)
        if trial is not None and self.path is not None:
            self.path = Path(trial.run_file())
        elif before is not None and before[1] and self.path is not None:
            # a second fit (fine-tuning, a new phase) with the same callback: the first
            # fit's file is what the user recorded and stays; this fit gets its own
            self._fits += 1
            self.path = self.path.with_name(
                f"{self.path.stem}-fit{self._fits}{self.path.suffix}")
            if self.verbose:
                print(
                    f"fitdoctor: fit called again with the same FitDoctor: this fit is "
                    f"recorded in {self.path}; {before[0]} keeps the previous fit's "
                    f"{before[1]} epoch(s)",
                    file=sys.stderr,
                )
        self.run = run = self._new_run()
        if trial is not None:
            self._safe("recording the KerasTuner trial", record_trial, run, trial)
        self.report = None
        self.stopped = None
        self._plot = None
        self._best_weights = self._best_weights_epoch = None
        self.live_diagnosis = None
        self._lines = []
        if self.live or self.stop_on:
            self.live_diagnosis = self._safe(
                "starting the live diagnosis", LiveDiagnosis, self.settings,
                stop_on=self.stop_on, patience=self.patience)
        self._noted = set()
        self._pass = PerClassPass(self.max_val_samples, self.per_class_every)
        self._reference = None
        self._late_baselines = False
        self._pr_auc = {}
        self._file.close()
        start = record_start(
            run, self.model, self.params or {}, safe=self._safe, note=self._note,
            y_train=self.y_train, validation_data=self.validation_data,
            inspect_fit=self.inspect_fit, reference=self.reference,
        )
        self._chief = start.chief
        self._dist = start.distribution
        self._reference = start.reference
        self._file = RunFile(self.path if self._chief else None, self._warn)
        if self.per_class:
            self._safe("preparing per-class metrics", self._pass.prepare, run.data, run.fit,
                       start.x_val, start.y_val, self._note)
        if self._chief:
            self._register_exit()
        self._write(None)
        if self._chief and (self.verbose or self.report_format is not None or self.live):
            self._safe("checking the model setup", self._preflight, run)
        if self._chief and self.live and self.live_diagnosis is not None:
            self._safe("showing the live curves", self._open_plot)

    def _preflight(self, run: Run) -> None:
        """Before the first step: print setup errors and warnings (FD6xx) at once.

        Some setup bugs (integer labels with ``categorical_crossentropy``) crash Keras in
        its first step, before any report could print; others waste the whole training.
        """
        from fitdoctor import engine
        from fitdoctor.report import Severity
        from fitdoctor.rules import Settings

        settings = self.settings or Settings()
        rules = [r for r in settings.rules() if r.diagnosis == "model-setup"]
        report = engine.analyze(run, rules=rules)
        for finding in report.findings:
            if finding.severity is Severity.INFO:
                continue
            fix = f" Fix: {finding.recommendations[0].text}" if finding.recommendations else ""
            print(
                f"fitdoctor: before training: {finding.severity.value} {finding.code} "
                f"{finding.name}: {finding.message}.{fix}",
                file=sys.stderr,
            )

    # ------------------------------------------------------------------- live
    def _open_plot(self) -> None:
        """Start the notebook display of the curves, when there is a notebook to show it."""
        from fitdoctor.live_plot import LivePlot, in_notebook

        wanted = in_notebook() if self.live_plot is None else self.live_plot
        if not wanted:
            return
        plot = LivePlot()
        try:
            plot.open()
        except ImportError as exc:
            self._note(f"live curves not shown: {exc.name or exc} is not installed "
                       "(pip install 'fitdoctor[notebook]')", key="live_plot")
            return
        except RuntimeError as exc:
            self._note(f"live curves not shown: {exc}", key="live_plot")
            return
        self._plot = plot

    def _live_epoch(self) -> None:
        """Judge the run so far: print what fired, keep the best weights, stop if asked."""
        run = self.run
        assert run is not None
        diagnosis = self.live_diagnosis
        step = diagnosis.update(run) if diagnosis is not None else None
        if self.restore_best_weights:
            if step is not None:
                best = step.report.best_epoch
            else:
                from fitdoctor.engine import best_epoch

                best = best_epoch(run)
            if best is not None and best.epoch == run.epochs[-1]:
                self._best_weights = self.model.get_weights()
                self._best_weights_epoch = best.epoch
        if step is None:
            return
        total = (self.params or {}).get("epochs")
        printing = self._chief and self.live
        if printing:
            self._lines.extend(fired_line(f, total) for f in step.fired if f.printed)
        if step.stop is not None:
            self.stopped = step.stop
            self.model.stop_training = True
            run.meta["stopped_by"] = step.stop.to_dict()
            if self._chief and (self.verbose or self.live):
                keep = self._best_weights_epoch if self.restore_best_weights else None
                self._lines.append(stop_line(step.stop, keep))
        plot = self._plot
        if plot is not None and diagnosis is not None:
            force = step.stop is not None or any(f.printed for f in step.fired)
            if plot.due(force=force):
                shown = dataclasses.replace(step.report, findings=diagnosis.marked())
                label = f"{run.name or 'run'}, epoch {run.epochs[-1]}" + \
                    (f"/{total}" if total else "")
                # the curve panels only: the per-class ones double a drawing's cost and come
                # with the final drawing (the report's figure)
                plot.draw(dataclasses.replace(run, per_class=[]), shown, label)

    def _print_lines(self) -> None:
        """Print the live lines of the last epoch.

        They wait for the next hook: Keras prints its own line for an epoch (``verbose``)
        after every callback's ``on_epoch_end``, and a finding reads best below it.
        """
        lines, self._lines = self._lines, []
        print("\n".join(lines), file=sys.stdout, flush=True)

    def _restore(self) -> int | None:
        """Restore the best epoch's weights; the epoch they come from (``None``: none kept)."""
        if self._best_weights is None or self._best_weights_epoch is None:
            return None
        run = self.run
        if run is not None and run.epochs and run.epochs[-1] != self._best_weights_epoch:
            self.model.set_weights(self._best_weights)
            run.meta["restored_epoch"] = self._best_weights_epoch
            return self._best_weights_epoch
        return None

    def _record(self, epoch: int, logs: dict[str, Any], seconds: float) -> bool:
        """Add the epoch's row, value by value; ``True`` once the row is in the run.

        A value that is not a number is noted and left out, never the whole epoch.
        """
        run = self.run
        assert run is not None
        row: dict[str, float | None] = {}
        for key, value in logs.items():
            name = str(key)
            try:
                row[name] = self._number(name, value, epoch + 1)
            except Exception as exc:  # noted and left out: the rest of the epoch counts
                self._note(f"log {name!r} is not a number at epoch {epoch + 1} ({exc}): "
                           "not recorded", key=f"log:{name}")
        if "learning_rate" not in row:
            optimizer = getattr(self.model, "optimizer", None)
            lr = self._lr_begin if kf.is_scheduled(optimizer) else \
                self._safe("reading the learning rate", kf.learning_rate, optimizer)
            if lr is not None:
                row["learning_rate"] = lr
        # Only appends from here on: every list of the run grows by one.
        n = run.n_epochs
        for key in row:
            if key not in run.metrics:
                run.metrics[key] = [None] * n
        for key, values in run.metrics.items():
            values.append(row.get(key))
        run.epochs.append(epoch + 1)
        if run.seconds is not None:
            run.seconds.append(round(seconds, 4))
        return True

    def _number(self, key: str, value: Any, epoch: int) -> float:
        """One log value as a float, on any backend (Python, numpy, TF, JAX, torch scalars).

        A number beyond the float range (a Python int such as ``10**400``) is recorded as
        ``±inf`` with a note. Raises for anything that is not one number.
        """
        if type(value) is float:
            return value
        try:
            return float(value)
        except OverflowError:
            negative = value < 0
            self._note(f"log {key!r} is {_magnitude(value)} at epoch {epoch}, beyond the "
                       f"float range: recorded as {'-inf' if negative else 'inf'}",
                       key=f"overflow:{key}")
            return -math.inf if negative else math.inf
        except (TypeError, ValueError):
            if value is None or isinstance(value, (str, bytes, bool, complex, dict)):
                raise ValueError(f"a {type(value).__name__}") from None
        array = np.asarray(keras.ops.convert_to_numpy(value))
        if array.size != 1 or array.dtype.kind not in "fiu":
            raise ValueError(f"an array of shape {tuple(array.shape)}")
        return float(array.reshape(-1)[0])

    def _per_class(self, epoch: int) -> PerClass | None:
        run = self.run
        if run is None:
            return None
        return self._pass.compute(self.model, run, epoch, direct=self._dist.multi_worker)

    def _train_end(self) -> None:
        run = self.run
        if run is None:
            return
        requested = (self.params or {}).get("epochs")
        last = run.epochs[-1] if run.epochs else 0
        stopped = bool(getattr(self.model, "stop_training", False))
        run.status = "stopped-early" if stopped and requested and last < requested else \
            "completed"
        if run.fit is not None and run.fit.validation is None:
            run.fit.validation = "data" if any(k.startswith("val_") for k in run.metrics) \
                else "none"
        run.meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
        restored = self._safe("restoring the best weights", self._restore) \
            if self.restore_best_weights else None
        if self.stopped is not None:
            self._note(stop_line(self.stopped, restored), key="stopped_by")
        elif restored is not None:
            self._note(f"the weights of epoch {restored} (the best) were restored "
                       "(restore_best_weights=True)", key="restored")
        self._unregister_exit()
        if self._reference is not None:
            self._collect_reference(REFERENCE_WAIT)
        self._keep_confusions()
        self._save_end()
        self._file.close()
        if not self._chief:
            return
        self.report = self._safe("analyzing the run", self._analyze, run)
        if self.report is not None and self._plot is not None:
            label = f"{run.name or 'run'}, {run.n_epochs} epochs"
            self._safe("drawing the live curves", self._plot.draw, run, self.report, label)
        if self.report is not None and self.report_format is not None:
            self._safe("printing the report", self._print_report, self.report, run)
        if self.verbose and self.path is not None and self._file.saved:
            print(f"fitdoctor: run saved to {self.path}", file=sys.stdout)

    def _analyze(self, run: Run) -> Report:
        from fitdoctor import engine

        return engine.analyze(run, self.settings)

    def _print_report(self, report: Report, run: Run) -> None:
        import shutil

        from fitdoctor import reporters

        isatty_fn = getattr(sys.stdout, "isatty", None)
        isatty = bool(isatty_fn()) if isatty_fn is not None else False
        fmt = self.report_format
        if fmt == "auto":
            fmt = reporters.choose_auto(isatty, os.environ)
        color = fmt == "rich" and reporters.wants_color(isatty, os.environ)
        width = min(120, shutil.get_terminal_size((100, 24)).columns) if isatty else 100
        text = reporters.render(report, str(fmt), width=width, color=color, run=run)
        if text:
            print(text if text.endswith("\n") else text + "\n", end="", file=sys.stdout)

    # ------------------------------------------------------------------ saving
    def _write(self, record: dict[str, Any] | None) -> None:
        """Start the file (``record`` ``None``) or append one line (see :class:`RunFile`)."""
        if self.run is not None:
            self._file.write(self.run, record, self._pass)

    def _save_epoch(self, pc: PerClass | None) -> None:
        if self.run is not None:
            self._file.epoch(self.run, pc, self._pass)

    def _save_end(self) -> None:
        if self.run is not None:
            self._file.end(self.run, self._pass, pr_auc=self._pr_auc,
                           baselines=self._late_baselines)

    def _keep_confusions(self) -> None:
        """Complete the best and last epochs' records: confusion matrices and PR-AUC."""
        run = self.run
        if run is None:
            return
        for pc in run.per_class:
            cells = self._pass.confusions.get(pc.epoch)
            if cells is not None and not pc.confusion:
                pc.confusion = classmetrics.dense_matrix(cells, len(pc.support)).tolist()
        if self._chief:
            self._pr_auc.update(self._safe("per-class PR-AUC", self._pass.finish, run) or {})

    def _collect_reference(self, timeout: float | None) -> None:
        """Record the reference model fitted in the background (waiting ``timeout`` s).

        A reference still fitting after ``timeout`` seconds is left out (a note says so):
        training does not wait longer for it.
        """
        job, self._reference = self._reference, None
        if job is None or self.run is None:
            return
        if not job.wait(timeout):
            self._note(f"no reference model: it was still fitting {timeout:g} s after "
                       "training ended, and training does not wait longer for it",
                       key="reference")
            return
        if self._safe("fitting a reference model", collect_reference, self.run, job, timeout):
            self._late_baselines = True

    def record_meta(self, **values: Any) -> None:
        """Add JSON-ready facts to ``run.meta`` and append them to the run file.

        :func:`fitdoctor.validation.evaluate` records the test scores this way after
        training.

        Args:
            **values: The keys and values to set.
        """
        if self.run is None:
            return
        self.run.meta.update(values)
        self._write({"kind": "meta"})
        self._file.close()

    def _register_exit(self) -> None:
        self._unregister_exit()

        def at_exit() -> None:
            run = self.run
            if run is not None and run.status == "running":
                run.status = "interrupted"
                run.meta["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
                if self._reference is not None:
                    self._collect_reference(5.0)
                self._keep_confusions()
                self._save_end()
                self._file.close()

        self._atexit = at_exit
        atexit.register(at_exit)

    def _unregister_exit(self) -> None:
        if self._atexit is not None:
            atexit.unregister(self._atexit)
            self._atexit = None


def _magnitude(value: Any) -> str:
    """A huge integer in words: ``10**400`` is "a number of about 401 digits"."""
    if isinstance(value, int):  # str() of a huge int is refused past 4,300 digits
        digits = int(abs(value).bit_length() * math.log10(2)) + 1
        return f"a number of about {digits} digits"
    return "too large"
