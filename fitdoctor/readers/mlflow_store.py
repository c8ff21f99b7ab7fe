"""MLflow experiments: ``fitdoctor analyze mlflow:EXPERIMENT`` reads every run's curves.

The tracking store is the one MLflow itself would use: ``MLFLOW_TRACKING_URI`` when it is
set (``sqlite:///mlflow.db``, ``file:///.../mlruns``, ``http://host:5000``...), else
MLflow's own default (a ``./mlflow.db`` SQLite store, or ``./mlruns`` when that folder
holds runs). A local store that does not exist is refused rather than created: reading
never writes a database into the working directory. ``EXPERIMENT`` is an experiment's
name, or its id when no experiment has that name; an unknown one is refused with a list
of the experiments that exist.

**One MLflow run is one fitdoctor run** (deleted runs are not read), named
``mlflow:EXPERIMENT/RUN_NAME`` (with the run id's first 8 characters when two runs share
a name), oldest first. Each metric's history becomes a curve:

* ``step`` is the epoch, as ``mlflow.keras.autolog()`` and ``mlflow.tensorflow.autolog()``
  log it (0-based: epoch 1 is step 0) and as ``mlflow.log_metric(key, value, step=epoch)``
  does when a training loop logs it; steps that are not 0..n-1 or 1..n (a global step)
  become rows 1..n, with a note;
* a run with an ``epoch`` metric (PyTorch Lightning's ``MLFlowLogger``) has its steps
  grouped by that epoch: training metrics averaged, validation metrics the epoch's last
  value, as :mod:`fitdoctor.readers.tables` reads per-step tables;
* values all logged at one step (``log_metric`` without ``step``) are rows in the order
  they were logged;
* the steps going back to the run's first step (``fit`` called twice in one run, both
  counting from epoch 0) start a new fitdoctor run: ``... (fit 2 of 2)``;
* ``validation_<metric>``, which ``mlflow.keras.autolog()`` logs beside Keras's own
  ``val_<metric>`` with every value at step 0, is left out when ``val_<metric>`` exists;
* metrics with one value (``test_accuracy`` logged after training) are facts, not curves;
* ``mlflow.tensorflow.autolog()`` with ``EarlyStopping(restore_best_weights=True)`` logs
  the one-value metrics ``stopped_epoch`` and ``restored_epoch`` and then the restored
  epoch's metrics again, one step after the last epoch trained: that copy is no epoch
  and is left out (with a note), and the ``restore_best_weights`` param it logs fills
  the fit facts, so the run is known to have kept its best epoch.

Names are then read as everywhere (:mod:`fitdoctor.readers.names`): ``train_loss`` is
``loss``, ``val_loss`` and ``validation_loss`` are ``val_loss``. An infinite value, which
MLflow's SQL stores keep as the largest float, is infinite again.

The run's **params** become its facts (numbers as numbers, ``None`` params left out):
``epochs``, ``batch_size``, the optimizer and learning rate first, then the run's own
**tags** as ``tags.NAME`` (MLflow's ``mlflow.*`` and fitdoctor's ``fitdoctor.*`` tags
left out), the one-value metrics, the other params, and ``mlflow.run_id``. The params
``epochs``, ``batch_size``, ``steps_per_epoch``, ``validation_split``,
``validation_freq`` and ``initial_epoch`` (Keras's ``fit`` arguments, as autolog logs
them) fill the run's fit facts. The status follows MLflow's: ``RUNNING`` is running,
``FAILED`` and ``KILLED`` interrupted, ``FINISHED`` completed, or stopped early when
fewer epochs were trained than ``epochs`` asked for.

Runs with no metric logged more than once (a sweep's parent run, a scikit-learn fit)
hold no curve: they are left out, and so are runs whose curves hold no loss; the others
carry a note naming them. An experiment with no usable run is refused.

``Run.meta["mlflow"]`` keeps where each run came from (tracking URI, experiment, run id),
for :mod:`fitdoctor.mlflow_log` to write the verdict back.

MLflow is imported only here, and only when such a source is read: ``pip install
'fitdoctor[mlflow]'``.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from fitdoctor.errors import InputError, MissingDependency
from fitdoctor.readers._base import Source, finish, json_safe, one_line
from fitdoctor.readers.names import EPOCH_NAMES, STEP_NAMES
from fitdoctor.readers.tables import Table, drafts_from_table
from fitdoctor.run import FitInfo, Run

__all__ = ["INSTALL", "PREFIX", "SCHEME", "open_client", "read", "store_errors"]

#: The scheme of an MLflow source: ``mlflow:EXPERIMENT``.
SCHEME = "mlflow"
PREFIX = SCHEME + ":"

#: What to install when MLflow is missing.
INSTALL = "pip install 'fitdoctor[mlflow]'"

#: MLflow's SQL stores keep an infinite value as the largest float.
_FLOAT_MAX = sys.float_info.max

#: MLflow run status → fitdoctor run status (``FINISHED`` is decided from the epochs).
_STATUS = {
    "RUNNING": "running",
    "SCHEDULED": "running",
    "FAILED": "interrupted",
    "KILLED": "interrupted",
}

#: Keras ``fit`` arguments (as autolog logs them) that fill :class:`~fitdoctor.run.FitInfo`.
_FIT_INTS = ("epochs", "batch_size", "steps_per_epoch", "validation_freq", "initial_epoch")

#: Params shown first among the facts (the rest follow the tags, alphabetically).
_FIRST_PARAMS = (
    "epochs",
    "batch_size",
    "optimizer_name",
    "optimizer_learning_rate",
    "learning_rate",
    "lr",
    "validation_split",
)

#: How long a tracking server may keep a command waiting, unless the user says otherwise
#: (MLflow's own defaults retry for minutes: right for a training, not for a linter).
_HTTP_PATIENCE = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2", "MLFLOW_HTTP_REQUEST_TIMEOUT": "30"}

#: Runs read at most per page of ``search_runs``.
_PAGE = 1000


@dataclass
class _Point:
    step: int
    timestamp: int
    value: float


@dataclass
class _Fit:
    """The values of one ``fit`` of a run: metric → points, in the order logged."""

    points: dict[str, list[_Point]] = field(default_factory=dict)


# --------------------------------------------------------------------------- the store


def _import_mlflow(display: str) -> Any:
    try:
        import mlflow
    except ImportError as exc:
        if exc.name not in (None, "mlflow"):  # MLflow is there, one of its packages is not
            raise MissingDependency(
                f"{display}: MLflow cannot be imported ({_first_line(exc)}): {INSTALL}"
            ) from None
        raise MissingDependency(
            f"{display}: reading MLflow experiments needs MLflow: {INSTALL}"
        ) from None
    return mlflow


def _local_path(uri: str) -> tuple[str, str] | None:
    """``("sqlite" | "file", path)`` for a local store, ``None`` for any other."""
    if uri.startswith("sqlite:"):
        rest = uri[len("sqlite:") :]
        if rest.startswith("///"):
            path = unquote(rest[3:].split("?", 1)[0])
            return ("sqlite", path) if path and path != ":memory:" else None
        return None
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return "file", unquote(parsed.path)
    if parsed.scheme == "" or (len(parsed.scheme) == 1 and os.name == "nt"):
        return "file", uri
    return None


def open_client(display: str, uri: str | None = None) -> tuple[Any, str]:
    """An ``MlflowClient`` on the store in force (or ``uri``), refusing a missing local one.

    Args:
        display: The source, for errors.
        uri: The tracking URI. Defaults to `None` (the one MLflow would use).

    Returns:
        ``(client, uri)``.

    Raises:
        MissingDependency: MLflow, or what its store needs (SQLAlchemy), is not installed.
        InputError: A local store that does not exist, or one MLflow cannot open.
    """
    mlflow = _import_mlflow(display)
    uri = uri or str(mlflow.get_tracking_uri())
    local = _local_path(uri)
    if local is not None:
        kind, path = local
        missing = not os.path.isdir(path) if kind == "file" else (
            not os.path.isfile(path) or os.path.getsize(path) == 0
        )
        if missing:
            where = (
                "MLFLOW_TRACKING_URI"
                if os.environ.get("MLFLOW_TRACKING_URI")
                else "MLflow's default, as MLFLOW_TRACKING_URI is not set"
            )
            raise InputError(
                f"{display}: no MLflow tracking store at {path} ({where}); set "
                "MLFLOW_TRACKING_URI to the store the runs were logged to, e.g. "
                "sqlite:///path/to/mlflow.db or http://localhost:5000"
            )
    with store_errors(display, uri):
        client = mlflow.MlflowClient(tracking_uri=uri)
        if local is not None:
            client.search_experiments(max_results=1)  # opens the store: schema errors now
    return client, uri


@contextmanager
def _quiet() -> Iterator[None]:
    """MLflow's and Alembic's INFO logs and MLflow's warnings stay out of the output.

    A tracking server that does not answer fails within a minute (:data:`_HTTP_PATIENCE`,
    unless ``MLFLOW_HTTP_REQUEST_*`` are set).
    """
    loggers = [logging.getLogger(name) for name in ("mlflow", "alembic")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(max(lg.getEffectiveLevel(), logging.WARNING))
    patience = {k: v for k, v in _HTTP_PATIENCE.items() if k not in os.environ}
    os.environ.update(patience)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        for key in patience:
            os.environ.pop(key, None)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def store_errors(display: str, uri: str, doing: str = "read") -> Iterator[None]:
    """Talk to a store: its errors become one line, its INFO logs and warnings stay quiet.

    Args:
        display: What is being read or written, for the message.
        uri: The store's tracking URI, for the message.
        doing: What was being done, for the message. Defaults to ``"read"``.

    Yields:
        Nothing; the block runs inside.

    Raises:
        MissingDependency: The store needs a package that is not installed (SQLAlchemy
            for a SQLite store with only ``mlflow-skinny``).
        InputError: Any other error of the store (MLflow's, SQLAlchemy's, HTTP), as
            ``"<display>: cannot <doing> the tracking store <uri>: <first line>"``.
    """
    with _quiet():
        try:
            yield
        except (InputError, MissingDependency):
            raise
        except ImportError as exc:
            raise MissingDependency(
                f"{display}: the tracking store {uri} needs {exc.name or 'a package'}, "
                f"which is not installed: {INSTALL}"
            ) from None
        except Exception as exc:  # the store's own errors (MlflowException, SQLAlchemy, HTTP)
            raise InputError(
                f"{display}: cannot {doing} the tracking store {uri}: {_first_line(exc)}"
            ) from None


def _first_line(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    lines = [line for line in str(message).splitlines() if line.strip()]
    text = one_line(lines[0]) if lines else type(exc).__name__
    return text if len(text) <= 600 else text[:597] + "..."


def _experiment(client: Any, spec: str, display: str, uri: str) -> Any:
    """The experiment named ``spec`` (or with that id), refused with what exists."""
    found = client.get_experiment_by_name(spec) if spec else None
    if found is None and spec.isdigit():
        try:
            found = client.get_experiment(spec)
        except Exception:  # an unknown id: MLflow raises RESOURCE_DOES_NOT_EXIST
            found = None
    if found is not None and found.lifecycle_stage != "deleted":
        return found
    names = [e.name for e in client.search_experiments(max_results=50)]
    shown = ", ".join(repr(n) for n in names[:12]) + (", ..." if len(names) > 12 else "")
    if found is not None:
        problem = f"experiment {spec!r} is deleted (mlflow experiments restore brings it back)"
    elif not spec:
        problem = "no experiment named: write mlflow:EXPERIMENT"
    else:
        problem = f"no experiment {spec!r}"
    raise InputError(f"{display}: {problem} in {uri}; experiments: {shown or 'none'}")


def _runs(client: Any, experiment_id: str) -> list[Any]:
    runs: list[Any] = []
    token: str | None = None
    while True:
        page = client.search_runs(
            [experiment_id],
            max_results=_PAGE,
            order_by=["attributes.start_time ASC"],
            page_token=token,
        )
        runs.extend(page)
        token = getattr(page, "token", None)
        if not token:
            return runs


# --------------------------------------------------------------------------- reading


def read(source: Source) -> list[Run]:
    """Every run of the experiment ``source`` names (``mlflow:EXPERIMENT``).

    Args:
        source: The source; its display is ``mlflow:EXPERIMENT``.

    Returns:
        One run per MLflow run with curves (per ``fit`` when a run holds several).

    Raises:
        MissingDependency: MLflow (or what its store needs) is not installed.
        InputError: No store, an unknown experiment, or no run with a loss curve in it.
    """
    display = source.display
    spec = display[len(PREFIX) :] if display.startswith(PREFIX) else display
    client, uri = open_client(display)
    with store_errors(display, uri):
        experiment = _experiment(client, spec, display, uri)
        mlflow_runs = _runs(client, experiment.experiment_id)
        histories = [_histories(client, r) for r in mlflow_runs]
    if not mlflow_runs:
        raise InputError(f"{display}: experiment {experiment.name!r} has no run in {uri}")
    names = _run_names(mlflow_runs)
    runs: list[Run] = []
    left_out: list[str] = []
    for mlflow_run, history, name in zip(mlflow_runs, histories, names, strict=True):
        run_display = f"{PREFIX}{experiment.name}/{name}"
        run_source = Source(run_display, None, metric_map=source.metric_map)
        try:
            read_runs = _read_run(mlflow_run, history, run_source)
        except InputError as exc:
            reason = str(exc).removeprefix(run_display + ": ")
            left_out.append(f"{name} ({reason})")
            continue
        if not any("loss" in k for run in read_runs for k in run.metrics):
            # a file of accuracies alone is read (the loss checks skip); among a store's
            # runs, one without a loss curve is another kind of run (an evaluation's)
            left_out.append(f"{name} (no loss column: accuracies alone)")
            continue
        for run in read_runs:
            run.meta["mlflow"] = {
                "tracking_uri": uri,
                "experiment_id": str(experiment.experiment_id),
                "experiment": experiment.name,
                "run_id": mlflow_run.info.run_id,
                "run_name": mlflow_run.info.run_name or "",
            }
        runs.extend(read_runs)
    if not runs:
        raise InputError(
            f"{display}: no run of experiment {experiment.name!r} has a loss curve: "
            + "; ".join(left_out[:5])
            + ("; ..." if len(left_out) > 5 else "")
        )
    if left_out:
        shown = "; ".join(left_out[:5]) + ("; ..." if len(left_out) > 5 else "")
        note = f"{_count(len(left_out), 'other run')} of {display} left out: {shown}"
        for run in runs:
            run.meta.setdefault("notes", []).append(note)
    return runs


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _run_names(runs: Sequence[Any]) -> list[str]:
    names = [r.info.run_name or r.info.run_id for r in runs]
    twice = {n for n in names if names.count(n) > 1}
    return [
        f"{n} ({r.info.run_id[:8]})" if n in twice else n for n, r in zip(names, runs, strict=True)
    ]


def _histories(client: Any, mlflow_run: Any) -> dict[str, list[_Point]]:
    """Every metric's history, in the order logged (time, then step)."""
    out: dict[str, list[_Point]] = {}
    for key in sorted(mlflow_run.data.metrics):
        points = [
            _Point(int(m.step), int(m.timestamp), _value(m.value))
            for m in client.get_metric_history(mlflow_run.info.run_id, key)
        ]
        points.sort(key=lambda p: (p.timestamp, p.step))
        out[key] = points
    return out


def _value(v: Any) -> float:
    value = float(v)
    if abs(value) >= _FLOAT_MAX:
        return math.copysign(math.inf, value)
    return value


def _read_run(mlflow_run: Any, history: dict[str, list[_Point]], source: Source) -> list[Run]:
    """The runs of one MLflow run: one per ``fit`` it holds."""
    history = _without_autolog_copies(history)
    history, restored_note = _without_restored_copy(history)
    curves = {k: v for k, v in history.items() if len(v) > 1}
    if not curves:
        raise InputError(
            f"{source.display}: no per-epoch curve (no metric logged more than once)"
            if history
            else f"{source.display}: no metric logged"
        )
    params = _params(mlflow_run.data.params)
    first = {k: params[k] for k in _FIRST_PARAMS if k in params}
    facts: dict[str, Any] = dict(first)
    for key, value in sorted(mlflow_run.data.tags.items()):
        if not key.startswith(("mlflow.", "fitdoctor.")):
            facts[f"tags.{key}"] = value
    for key, points in history.items():
        if len(points) == 1 and key not in params:
            facts[key] = json_safe(points[0].value)
    facts.update((k, v) for k, v in params.items() if k not in first)
    facts["mlflow.run_id"] = mlflow_run.info.run_id
    fit = _fit_info(params)
    fits = _split_fits(curves)
    drafts = []
    for one in fits:
        table, counter_note = _table(one)
        framework = _framework(mlflow_run.data.tags, table, mlflow_run.data.metrics)
        for draft in drafts_from_table(table, source):
            draft.notes.extend(note for note in (counter_note, restored_note) if note)
            draft.framework, draft.keras_layout = framework, False
            drafts.append(draft)
    runs: list[Run] = []
    for i, draft in enumerate(drafts):
        draft.facts = dict(facts)
        draft.fit = fit if len(drafts) == 1 else None
        run = finish(draft, source, "mlflow")
        run.status = _status(mlflow_run.info.status, run, draft.fit)
        if len(drafts) > 1:
            run.name = f"{source.display} (fit {i + 1} of {len(drafts)})"
        else:
            run.name = source.display
        runs.append(run)
    return runs


def _without_autolog_copies(history: dict[str, list[_Point]]) -> dict[str, list[_Point]]:
    """Drop autolog's ``validation_<metric>`` (all at step 0) beside ``val_<metric>``."""
    out = {}
    for key, points in history.items():
        base = key[len("validation_") :] if key.startswith("validation_") else None
        if (
            base is not None
            and f"val_{base}" in history
            and len(history[f"val_{base}"]) > 1
            and len({p.step for p in points}) == 1
        ):
            continue
        out[key] = points
    return out


def _without_restored_copy(
    history: dict[str, list[_Point]],
) -> tuple[dict[str, list[_Point]], str | None]:
    """Drop the restored epoch's metrics that TensorFlow autolog logs again after training.

    With ``EarlyStopping(restore_best_weights=True)``, ``mlflow.tensorflow.autolog()``
    logs ``stopped_epoch`` and ``restored_epoch`` (one value each, 0-based epochs) and
    then every metric's value at ``restored_epoch`` once more, at step
    ``stopped_epoch + 1``. A point at that step, after every other point of its curve,
    holding its curve's value at ``restored_epoch``, is that copy, not an epoch.

    Returns:
        The history without the copies, and a note for the report (``None`` when there
        were none).
    """
    stopped, restored = (history.get(key, []) for key in ("stopped_epoch", "restored_epoch"))
    if len(stopped) != 1 or len(restored) != 1:
        return history, None
    copy_step, best_step = int(stopped[0].value) + 1, int(restored[0].value)
    out: dict[str, list[_Point]] = {}
    dropped = False
    for key, points in history.items():
        at_best = [p.value for p in points if p.step == best_step]
        last = points[-1] if len(points) > 1 else None
        if (last is not None and last.step == copy_step and at_best
                and all(p.step < copy_step for p in points[:-1])
                and (last.value == at_best[-1]
                     or (math.isnan(last.value) and math.isnan(at_best[-1])))):
            out[key] = points[:-1]
            dropped = True
        else:
            out[key] = points
    if not dropped:
        return history, None
    note = (f"the metrics of the restored epoch {best_step + 1} that mlflow.tensorflow.autolog() "
            f"logs again at step {copy_step}, after the last epoch trained, are left out")
    return out, note


def _framework(
    tags: Mapping[str, str], table: Table, metrics: Mapping[str, Any]
) -> str | None:
    """The framework the run proves, or ``None`` to read it from the names.

    MLflow tags a run its autologging made with the flavor (``mlflow.autologging``):
    ``keras`` or ``tensorflow`` autolog patches ``keras.Model.fit``; ``pytorch`` autolog
    patches Lightning's ``Trainer.fit`` (which logs an ``epoch`` metric with every
    step), else it copies ``torch.utils.tensorboard`` scalars. Without autologging, an
    ``epoch`` metric logged at the steps of the others is what Lightning's
    ``MLFlowLogger`` writes (its trainer adds ``epoch`` to every metrics dict it logs),
    and what the Hugging Face Trainer's ``MLflowCallback`` writes too (``Trainer.log``
    adds ``epoch`` to its logs): the Trainer's own metrics (``train_runtime``,
    ``eval_runtime``, ``total_flos``) tell it apart.
    """
    flavor = tags.get("mlflow.autologging", "")
    epoch_metric = table.names[:2] == ["step", "epoch"]
    if flavor in ("keras", "tensorflow"):
        return "keras"
    if not flavor and _HF_TRAINER_METRICS & set(metrics):
        return "transformers"
    if flavor == "pytorch":
        return "lightning" if epoch_metric else "pytorch"
    return "lightning" if epoch_metric else None


#: Metrics only the Hugging Face Trainer logs (its speed and FLOP counts).
_HF_TRAINER_METRICS = frozenset({
    "train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos",
    "eval_runtime", "eval_samples_per_second", "eval_steps_per_second",
})


def _params(params: Mapping[str, str]) -> dict[str, Any]:
    """Params as facts: numbers and booleans parsed, ``None`` left out."""
    out: dict[str, Any] = {}
    for key in sorted(params):
        value = params[key]
        if value in ("None", ""):
            continue
        out[key] = _parse(value)
    return out


def _parse(text: str) -> Any:
    if text in ("True", "False", "true", "false"):
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _fit_info(params: Mapping[str, Any]) -> FitInfo | None:
    values = {k: params[k] for k in _FIT_INTS if isinstance(params.get(k), int)}
    values = {k: v for k, v in values.items() if not isinstance(v, bool) and v >= 0}
    split = params.get("validation_split")
    if isinstance(split, (int, float)) and not isinstance(split, bool) and 0 < split < 1:
        values["validation_split"] = float(split)
    if not values:
        return None
    fit = FitInfo(**values)
    if fit.validation_split is not None:
        fit.validation = "split"
    restore = params.get("restore_best_weights")
    if isinstance(restore, bool):  # EarlyStopping's, as TensorFlow autolog logs it
        fit.restore_best_weights = restore
    return fit


def _status(mlflow_status: str, run: Run, fit: FitInfo | None) -> str:
    if mlflow_status in _STATUS:
        return _STATUS[mlflow_status]
    if mlflow_status != "FINISHED":
        return "unknown"
    if fit is not None and fit.epochs and run.epochs and run.epochs[-1] < fit.epochs:
        return "stopped-early"
    return "completed"


# --------------------------------------------------------------------------- fits, tables


def _split_fits(curves: dict[str, list[_Point]]) -> list[_Fit]:
    """The run's fits: a new one where the steps go back to the first step.

    The reference is the curve with the most values (a loss when there is a tie); a
    restart between two of its values puts the boundary halfway between their times,
    which separates the values of an epoch's end from the next fit's first epoch.
    """
    ref_key = max(curves, key=lambda k: (len(curves[k]), "loss" in k.lower(), k))
    ref = curves[ref_key]
    if len({p.step for p in ref}) == 1:  # logged without steps: one fit
        return [_Fit(dict(curves))]
    cuts: list[float] = []
    first = ref[0].step
    for prev, point in itertools.pairwise(ref):
        if point.step < prev.step and point.step <= first:
            cuts.append((prev.timestamp + point.timestamp) / 2)
            first = point.step
    if not cuts:
        return [_Fit(dict(curves))]
    fits = [_Fit() for _ in range(len(cuts) + 1)]
    for key, points in curves.items():
        for point in points:
            index = sum(1 for cut in cuts if point.timestamp > cut)
            fits[index].points.setdefault(key, []).append(point)
    return [f for f in fits if any(len(p) > 1 for p in f.points.values())]


def _table(fit: _Fit) -> tuple[Table, str]:
    """One fit's values as a table for :func:`~.tables.drafts_from_table`.

    Returns:
        ``(table, note)``: the note says how steps were read, when not as epochs.
    """
    counters = EPOCH_NAMES | STEP_NAMES
    stepped: dict[str, dict[int, float]] = {}
    stepless: dict[str, list[float]] = {}
    notes: list[str] = []
    epoch_metric: dict[int, float] | None = None
    twice: list[str] = []
    for key, points in fit.points.items():
        if len(points) > 1 and len({p.step for p in points}) == 1:
            stepless[key] = [p.value for p in points]
            continue
        by_step: dict[int, float] = {}
        for p in points:  # in the order logged: a step logged again keeps the later value
            if p.step in by_step:
                twice.append(key)
            by_step[p.step] = p.value
        if key.lower() in counters:
            if key.lower() in EPOCH_NAMES and epoch_metric is None:
                epoch_metric = by_step
            continue
        stepped[key] = by_step
    if twice:
        shown = ", ".join(sorted(set(twice))[:4])
        notes.append(f"steps logged twice in {shown}: the later values are kept")
    for key in [k for k in stepless if k.lower() in counters]:
        del stepless[key]
    note = ""
    if stepped:
        steps = sorted({s for values in stepped.values() for s in values})
        n = len(steps)
        rows: list[list[Any]]
        if epoch_metric is not None:
            names = ["step", "epoch", *stepped]
            rows = [[s, epoch_metric.get(s), *(v.get(s) for v in stepped.values())]
                    for s in steps]
        elif steps[0] in (0, 1) and steps[-1] - steps[0] == n - 1:
            names = ["epoch", *stepped]
            rows = [[s, *(v.get(s) for v in stepped.values())] for s in steps]
        else:
            names = list(stepped)
            rows = [[v.get(s) for v in stepped.values()] for s in steps]
            note = (
                f"MLflow steps {steps[0]}..{steps[-1]} are not epoch numbers: read as rows "
                f"1..{n}"
            )
        for key, values in stepless.items():
            if len(values) == n:
                names.append(key)
                for row, value in zip(rows, values, strict=True):
                    row.append(value)
            else:
                notes.append(
                    f"metric {key!r} left out: {len(values)} values logged without a step, "
                    f"for {n} steps"
                )
    else:
        n = max(len(v) for v in stepless.values())
        names = list(stepless)
        rows = [[v[i] if i < len(v) else None for v in stepless.values()] for i in range(n)]
        note = "metrics logged without a step: read in the order they were logged"
    return Table(names=names, rows=rows, text_cells=False, notes=notes), note
