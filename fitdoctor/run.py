"""The ``Run``: one training run, as fitdoctor knows it.

Everything upstream (the callback, the loaders) produces a :class:`Run`; everything
downstream (detectors, engine, reporters) consumes one. A run holds one row per epoch
(``epochs`` plus one list per metric, ``None`` where a metric was not logged that epoch,
e.g. ``val_*`` with ``validation_freq > 1``) and optional facts about the model, the
compile and fit calls, the data, per-class validation metrics and baselines.

Epoch numbers are 1-based, as Keras prints them ("Epoch 7/10").

The serialized form is JSON with ``"schema": "fitdoctor.run/1"``; the JSON Schema is
shipped as ``fitdoctor/schemas/run-1.schema.json``. ``Run.from_dict(run.to_dict())``
is lossless, NaN and infinities included. The callback writes the same facts as an
append-only run log, ``"schema": "fitdoctor.run/2"`` (:mod:`fitdoctor.runlog`,
``fitdoctor/schemas/run-2.schema.json``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from fitdoctor.errors import InputError
from fitdoctor.vocabulary import LEARNING_RATE_KEYS

if TYPE_CHECKING:
    import pandas as pd

RUN_SCHEMA = "fitdoctor.run/1"

#: Status values a run file may carry.
STATUSES = ("running", "completed", "interrupted", "stopped-early", "unknown")

#: Task types.
TASKS = ("binary", "multiclass", "multilabel", "regression")

#: Frameworks a run may be known to come from (``Run.framework``; ``""`` is unknown).
FRAMEWORKS = ("keras", "transformers", "lightning", "pytorch")
#: ``Run.meta`` key of the logged names that show a run of unknown framework is not
#: Keras's (``train_loss``: Keras never logs a ``train_`` prefix), set by the readers.
NOT_KERAS = "not_keras_names"
#: ``Run.meta`` key of the steps between a Hugging Face Trainer's evaluations when it
#: evaluated every N steps (``eval_strategy="steps"``): each row is an evaluation, not an
#: epoch, and the advice's code keeps that strategy.
EVAL_STEPS = "eval_steps"

#: ``Run.source`` of a run read from a saved model by ``fitdoctor lint``: it has no
#: epochs, only the model (and compile) facts.
MODEL_FILE = "model-file"

_T = TypeVar("_T")


@dataclass
class Regularizer:
    """A weight or activity regularizer.

    Args:
        kind: Class name, e.g. ``"L2"``, ``"L1L2"``, ``"OrthogonalRegularizer"``.
        l1: L1 factor (0 when absent).
        l2: L2 factor (0 when absent).
    """

    kind: str
    l1: float = 0.0
    l2: float = 0.0


@dataclass
class Layer:
    """One layer of the model, flattened (nested models contribute their layers).

    Args:
        name: Layer name, e.g. ``"dense_1"``.
        class_name: Keras class, e.g. ``"Dense"``.
        path: Names of the enclosing models and this layer, joined with ``/``.
        units: Output units of a Dense-like layer (``filters`` for convolutions).
        activation: Activation name (``"linear"`` when none), or ``None`` if the layer has none.
        kernel_regularizer: Kernel regularizer, if any.
        bias_regularizer: Bias regularizer, if any.
        activity_regularizer: Activity regularizer, if any.
        dropout: Dropout rate of a dropout layer (or a layer's own ``dropout``: a
            recurrent layer's, on its inputs).
        recurrent_dropout: A recurrent layer's ``recurrent_dropout`` (LSTM, GRU,
            SimpleRNN, ConvLSTM, also inside Bidirectional or ``RNN(cell)``): dropout on
            its state between time steps, on only while training, like ``dropout``.
            ``None`` when the layer has none or the run file predates it.
        params: Number of parameters.
        trainable_params: Number of trainable parameters.
        output_shape: Output shape with ``None`` for the batch axis.
    """

    name: str
    class_name: str
    path: str = ""
    units: int | None = None
    activation: str | None = None
    kernel_regularizer: Regularizer | None = None
    bias_regularizer: Regularizer | None = None
    activity_regularizer: Regularizer | None = None
    dropout: float | None = None
    recurrent_dropout: float | None = None
    params: int = 0
    trainable_params: int = 0
    output_shape: list[int | None] | None = None


@dataclass
class ModelInfo:
    """The model's architecture.

    Args:
        name: Model name.
        class_name: ``"Sequential"``, ``"Functional"`` or a subclass name.
        layers: Flattened layers, input to output.
        params: Total parameters.
        trainable_params: Trainable parameters.
        input_shape: Input shape with ``None`` for the batch axis.
        output_activation: Activation of the last layer that has one.
        output_units: Units of the output layer.
        input_ops: Operations that are not layers which the model applies to its inputs
            before its first layer, by class (``inputs / 255`` in a Keras 3 functional
            model is a ``TrueDivide``); ``None`` when not known.
    """

    name: str = ""
    class_name: str = ""
    layers: list[Layer] = field(default_factory=list)
    params: int = 0
    trainable_params: int = 0
    input_shape: list[int | None] | None = None
    output_activation: str | None = None
    output_units: int | None = None
    input_ops: list[str] | None = None


@dataclass
class CompileInfo:
    """What ``model.compile`` was given.

    Args:
        loss: Loss name, e.g. ``"categorical_crossentropy"``.
        from_logits: The loss's ``from_logits`` when it has one.
        optimizer: Optimizer class name, e.g. ``"RMSprop"``.
        learning_rate: Initial learning rate.
        optimizer_config: The optimizer's ``get_config()`` (JSON-safe values only).
        metrics: Metric names.
    """

    loss: str | None = None
    from_logits: bool | None = None
    optimizer: str | None = None
    learning_rate: float | None = None
    optimizer_config: dict[str, Any] = field(default_factory=dict)
    metrics: list[str] = field(default_factory=list)


@dataclass
class FitInfo:
    """What ``model.fit`` was given.

    Args:
        epochs: Epochs asked for.
        batch_size: Batch size, where Keras exposes it.
        steps_per_epoch: Steps per epoch.
        validation: ``"split"``, ``"data"`` or ``"none"``.
        validation_split: The ``validation_split`` fraction, if used.
        validation_freq: Validation frequency in epochs.
        initial_epoch: ``initial_epoch`` (0 unless resumed).
        restore_best_weights: ``restore_best_weights`` of the ``EarlyStopping`` among
            fit's callbacks; ``None`` without one, or when it could not be read. An
            early-stopped run that restored its best weights kept them; one that did not
            (Keras's default) kept the last epoch's.
        strategy: The distribution the model trained under, when not a single device:
            the ``tf.distribute`` strategy class (``"MultiWorkerMirroredStrategy"``) or the
            ``keras.distribution`` class (``"DataParallel"``).
        workers: Processes that trained together (1 for single-process training).
        replicas: Model replicas kept in sync (devices across all workers).
    """

    epochs: int | None = None
    batch_size: int | None = None
    steps_per_epoch: int | None = None
    validation: str | None = None
    validation_split: float | None = None
    validation_freq: int | None = None
    initial_epoch: int = 0
    restore_best_weights: bool | None = None
    strategy: str | None = None
    workers: int | None = None
    replicas: int | None = None


@dataclass
class DataInfo:
    """Facts about the training and validation data.

    Args:
        task: ``"binary"``, ``"multiclass"``, ``"multilabel"`` or ``"regression"``.
        label_encoding: ``"one-hot"``, ``"sparse"`` (integer class ids) or ``"binary"`` (0/1).
        n_train: Training samples.
        n_val: Validation samples.
        n_features: Features per sample (product of the input shape).
        n_classes: Number of classes.
        class_names: Class labels as strings, in class-id order.
        train_class_counts: Training samples per class.
        val_class_counts: Validation samples per class.
        val_fingerprint: Cheap hash of the validation arrays.
        val_spread_ratio: The validation inputs' spread over the training inputs' (median
            over the features of the ratio of standard deviations; about 1 when both come
            from the same preprocessing).
        val_mean_shift: The distance between the validation and training inputs' means,
            in training standard deviations (median over the features; about 0 when both
            come from the same preprocessing).
        input_std: The training inputs' median standard deviation over the features
            that vary (about 1 when standardized, 0.3 for pixels in [0, 1], 4.3 for
            raw 0..16 digits). ``None`` when the inputs were unreachable (a dataset, a
            generator) or the run file predates it.
        input_mean: The median over the same features of their mean's absolute value,
            in the inputs' units (about 0 when standardized).
        input_max: The largest absolute value in the training inputs' sample (16 for
            raw digits, 255 for raw pixels).
        input_scale_spread: The largest feature standard deviation over the median one
            (1 when standardized; thousands for raw features of mixed units, such as
            breast cancer's areas beside its smoothness values).

    The input facts are read on a strided sample of at most 2,000 rows and 2,048
    features (of a dict of named inputs, the first).
    """

    task: str | None = None
    label_encoding: str | None = None
    n_train: int | None = None
    n_val: int | None = None
    n_features: int | None = None
    n_classes: int | None = None
    class_names: list[str] | None = None
    train_class_counts: list[int] | None = None
    val_class_counts: list[int] | None = None
    val_fingerprint: str | None = None
    val_spread_ratio: float | None = None
    val_mean_shift: float | None = None
    input_std: float | None = None
    input_mean: float | None = None
    input_max: float | None = None
    input_scale_spread: float | None = None


@dataclass
class PerClass:
    """Per-class validation metrics at one epoch.

    Args:
        epoch: The epoch (1-based).
        labels: Class labels, in the order of the lists below.
        precision: Precision per class.
        recall: Recall per class.
        f1: F1 per class.
        support: Validation samples per class.
        confusion: Confusion matrix, rows true class, columns predicted.
        threshold: For binary tasks, the decision threshold that maximises F1.
        threshold_f1: F1 at that threshold.
        threshold_precision: Precision of class 1 at that threshold (what moving the
            threshold trades); ``None`` when not recorded (runs of older versions).
        threshold_recall: Recall of class 1 at that threshold.
        pr_auc: Average precision (area under the precision-recall curve) per class,
            one-vs-rest on the predicted probabilities; ``None`` for a class with no
            validation sample. Empty when not recorded (runs of older versions).
        top_confusions: The largest off-diagonal cells of the confusion matrix as
            ``[true, predicted, count]`` (class indices), largest first (at most 10).
            Recorded every epoch, also where ``confusion`` is not kept.

    The callback keeps ``confusion`` only at the best epoch (lowest ``val_loss``, or the
    highest validation accuracy, among the epochs with per-class metrics) and the last
    one: elsewhere it is an empty list. Precision, recall, F1, support, PR-AUC and
    ``top_confusions`` are kept every epoch.
    """

    epoch: int
    labels: list[str]
    precision: list[float]
    recall: list[float]
    f1: list[float]
    support: list[int]
    confusion: list[list[int]] = field(default_factory=list)
    threshold: float | None = None
    threshold_f1: float | None = None
    pr_auc: list[float | None] = field(default_factory=list)
    top_confusions: list[list[int]] = field(default_factory=list)
    threshold_precision: float | None = None
    threshold_recall: float | None = None


@dataclass
class Phase:
    """A part of one training that starts at an epoch: a frozen head, then fine-tuning.

    Args:
        epoch: First epoch of the phase (1-based).
        label: The phase's name as the source gives it (may be empty).
    """

    epoch: int
    label: str = ""


@dataclass
class Baselines:
    """What a model that learned nothing would score.

    Args:
        majority_accuracy: Validation accuracy of always predicting the majority class.
        prior_loss: Loss of predicting the class prior (classification) or the mean (regression).
        majority_class: Label of the majority class.
        reference_value: Validation score of a quick reference model fitted on (a sample
            of) the training data (:func:`fitdoctor.reference.fit_reference`): what the
            data allows with little effort.
        reference_metric: What ``reference_value`` measures: ``"accuracy"`` (higher is
            better) or ``"mse"`` (the validation mean squared error, lower is better).
        reference_model: The reference model, e.g. ``"logistic regression"``.
    """

    majority_accuracy: float | None = None
    prior_loss: float | None = None
    majority_class: str | None = None
    reference_value: float | None = None
    reference_metric: str | None = None
    reference_model: str | None = None


_NESTED: dict[str, Any] = {
    "model": ModelInfo,
    "compile": CompileInfo,
    "fit": FitInfo,
    "data": DataInfo,
    "baselines": Baselines,
}


@dataclass
class Run:
    """One training run: per-epoch curves plus what is known about the setup.

    Args:
        epochs: Epoch numbers, 1-based, one per row.
        metrics: Metric name → one value per row (``None`` = not logged that epoch).
        seconds: Wall time per epoch, if known.
        status: ``running``, ``completed``, ``interrupted``, ``stopped-early`` or ``unknown``.
        source: Where the run came from: ``"fitdoctor"``, ``"keras-history"``, ``"csv"``, ...
        framework: The framework that trained it, as the source proves it (one of
            :data:`FRAMEWORKS`) or as the user says (``--framework``); ``""`` when
            unknown. The advice's code is written in it.
        name: A display name (file name or user-given).
        model: Model architecture, if known.
        compile: Compile facts, if known.
        fit: Fit facts, if known.
        data: Data facts, if known.
        per_class: Per-class validation metrics, by epoch.
        baselines: Baselines, if known.
        meta: Free-form JSON-safe extras (library versions, timestamps, loader notes).
        metric_names: Metric name in the run → the name the source logged it under,
            for every metric a reader renamed (``{"val_loss": "dev_loss"}``).
        facts: Values the source holds beside the curves (``test_accuracy``,
            ``training_time``, a config object): JSON-safe, shown once, never judged.
        phases: Where the phases of one training start (a frozen head, then
            fine-tuning), when the source says; empty otherwise.
    """

    epochs: list[int]
    metrics: dict[str, list[float | None]]
    seconds: list[float | None] | None = None
    status: str = "unknown"
    source: str = "unknown"
    framework: str = ""
    name: str = ""
    model: ModelInfo | None = None
    compile: CompileInfo | None = None
    fit: FitInfo | None = None
    data: DataInfo | None = None
    per_class: list[PerClass] = field(default_factory=list)
    baselines: Baselines | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    metric_names: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)

    def __post_init__(self) -> None:
        n = len(self.epochs)
        for key, values in self.metrics.items():
            if len(values) != n:
                raise InputError(
                    f"metric {key!r} has {len(values)} values for {n} epochs"
                )
        if self.seconds is not None and len(self.seconds) != n:
            raise InputError(f"seconds has {len(self.seconds)} values for {n} epochs")
        if self.status not in STATUSES:
            raise InputError(f"unknown run status {self.status!r}")
        if self.framework and self.framework not in FRAMEWORKS:
            raise InputError(
                f"unknown framework {self.framework!r}; expected one of {', '.join(FRAMEWORKS)}"
            )

    # ------------------------------------------------------------------ access
    @property
    def n_epochs(self) -> int:
        """Number of epoch rows."""
        return len(self.epochs)

    def has(self, key: str) -> bool:
        """True when ``key`` is a metric with at least one logged value."""
        return any(v is not None for v in self.metrics.get(key, ()))

    def series(self, key: str) -> list[float]:
        """Values of ``key`` per row, with ``nan`` for gaps (``None``)."""
        return [math.nan if v is None else float(v) for v in self.metrics.get(key, ())]

    @property
    def train_keys(self) -> list[str]:
        """Training metric names (not ``val_``, not ``test_``, not the learning rate)."""
        return [
            k
            for k in self.metrics
            if not k.startswith(("val_", "test_")) and k not in LEARNING_RATE_KEYS
        ]

    def with_facts(
        self, *, task: str | None = None, n_classes: int | None = None
    ) -> Run:
        """Return this run with user-supplied data facts filled in.

        Args:
            task: Task type to record (see :data:`TASKS`). Defaults to `None` (keep).
            n_classes: Number of classes to record. Defaults to `None` (keep).

        Returns:
            The same run object, updated in place, for chaining.
        """
        if task is None and n_classes is None:
            return self
        if task is not None and task not in TASKS:
            raise InputError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
        if self.data is None:
            self.data = DataInfo()
        if task is not None:
            self.data.task = task
        if n_classes is not None:
            if n_classes < 1:
                raise InputError(f"--classes must be at least 1, got {n_classes}")
            self.data.n_classes = n_classes
        return self

    def with_curves(
        self,
        metrics: dict[str, list[float | None]],
        metric_names: dict[str, str],
        *,
        setup: bool = False,
        meta: dict[str, Any] | None = None,
    ) -> Run:
        """A view of this run with other curves, for rules that judge them.

        The same epochs, times, status, source, framework, name and fit facts; the
        model, compile, data and baselines facts too with ``setup``.

        Args:
            metrics: The view's curves.
            metric_names: What each of the view's curves is called in the run.
            setup: Keep what the run knows of its setup. Defaults to `False`.
            meta: The view's meta. Defaults to `None` (empty).

        Returns:
            A new run.
        """
        return Run(epochs=self.epochs, metrics=metrics, seconds=self.seconds,
                   status=self.status, source=self.source, framework=self.framework,
                   name=self.name, fit=self.fit, metric_names=metric_names,
                   meta=dict(meta or {}),
                   model=self.model if setup else None,
                   compile=self.compile if setup else None,
                   data=self.data if setup else None,
                   baselines=self.baselines if setup else None)

    # ------------------------------------------------------------ conversion
    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form (``"schema": "fitdoctor.run/1"``).

        NaN and infinities stay floats; ``json.dumps`` writes them as ``NaN`` /
        ``Infinity``, which :func:`fitdoctor.readers.load` reads back.
        """
        out: dict[str, Any] = {"schema": RUN_SCHEMA}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "metrics":
                value = {k: list(v) for k, v in value.items()}
            elif f.name in ("epochs", "seconds") and value is not None:
                value = list(value)
            elif f.name in ("per_class", "phases"):
                value = [asdict(p) for p in value]
            elif value is not None and f.name in _NESTED:
                value = asdict(value)
            elif f.name in ("meta", "facts", "metric_names"):
                value = copy.deepcopy(value)
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Run:
        """Build a run from its JSON form; raise :class:`InputError` if it does not fit.

        Args:
            data: A mapping as written by :meth:`to_dict`.

        Returns:
            The run.
        """
        if not isinstance(data, dict):
            raise InputError("a run must be a JSON object")
        schema = data.get("schema")
        if schema != RUN_SCHEMA:
            raise InputError(
                f"unsupported run schema {schema!r}; this fitdoctor reads {RUN_SCHEMA!r}"
            )
        from fitdoctor.schemacheck import check

        # Every field against the shipped schema (run-1.schema.json), named when wrong;
        # keys may be missing (files of earlier versions): they take their defaults.
        check(data, "run-1.schema.json", where="run", required=False)
        body = {k: v for k, v in data.items() if k != "schema"}
        if "framework" not in body and body.get("source") == "fitdoctor":
            body["framework"] = "keras"  # written by the Keras callback before the field
        try:
            return _build(cls, body, "run")
        except InputError:
            raise
        except (TypeError, ValueError, KeyError) as exc:
            raise InputError(f"malformed run file: {exc}") from None

    def to_frame(self) -> pd.DataFrame:
        """One row per epoch, indexed by epoch: metrics, then ``seconds`` if known."""
        import pandas as pd

        frame = pd.DataFrame(
            {k: [math.nan if v is None else v for v in vals] for k, vals in self.metrics.items()},
            index=pd.Index(self.epochs, name="epoch"),
        )
        if self.seconds is not None:
            frame["seconds"] = [math.nan if v is None else v for v in self.seconds]
        return frame


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"{where}: expected a number, got {type(value).__name__} {value!r}")
    try:
        return float(value)
    except OverflowError:  # an integer beyond the float range, as JSON's 1e400: infinite
        return math.inf if value > 0 else -math.inf


def _build(cls: type[_T], body: Any, where: str) -> _T:
    """Build dataclass ``cls`` from ``body`` strictly: unknown keys are errors."""
    if not isinstance(body, dict):
        raise InputError(f"{where}: expected an object")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(body) - names)
    if unknown:
        raise InputError(f"{where}: unknown key {unknown[0]!r}")
    kwargs: dict[str, Any] = {}
    for key, value in body.items():
        path = f"{where}.{key}"
        if cls is Run and key == "metrics":
            if not isinstance(value, dict):
                raise InputError(f"{path}: expected an object of lists")
            metrics: dict[str, list[float | None]] = {}
            for name, vals in value.items():
                if not isinstance(vals, list):
                    raise InputError(f"{path}.{name}: expected a list")
                metrics[str(name)] = [_number(v, f"{path}.{name}") for v in vals]
            kwargs[key] = metrics
        elif cls is Run and key == "seconds" and value is not None:
            if not isinstance(value, list):
                raise InputError(f"{path}: expected a list")
            kwargs[key] = [_number(v, path) for v in value]
        elif cls is Run and key == "epochs":
            if not isinstance(value, list) or not all(
                isinstance(e, int) and not isinstance(e, bool) for e in value
            ):
                raise InputError(f"{path}: expected a list of integers")
            kwargs[key] = value
        elif cls is Run and key in _NESTED:
            kwargs[key] = None if value is None else _build(_NESTED[key], value, path)
        elif cls is Run and key == "per_class":
            if not isinstance(value, list):
                raise InputError(f"{path}: expected a list")
            kwargs[key] = [_build(PerClass, v, f"{path}[{i}]") for i, v in enumerate(value)]
        elif cls is Run and key == "phases":
            if not isinstance(value, list):
                raise InputError(f"{path}: expected a list")
            kwargs[key] = [_build(Phase, v, f"{path}[{i}]") for i, v in enumerate(value)]
        elif cls is Run and key in ("meta", "facts", "metric_names"):
            if not isinstance(value, dict):
                raise InputError(f"{path}: expected an object")
            if key == "metric_names" and not all(isinstance(v, str) for v in value.values()):
                raise InputError(f"{path}: expected an object of names")
            kwargs[key] = value
        elif cls is ModelInfo and key == "layers":
            if not isinstance(value, list):
                raise InputError(f"{path}: expected a list")
            kwargs[key] = [_build(Layer, v, f"{path}[{i}]") for i, v in enumerate(value)]
        elif cls is Layer and key.endswith("_regularizer"):
            kwargs[key] = None if value is None else _build(Regularizer, value, path)
        else:
            kwargs[key] = value
    return cls(**kwargs)
