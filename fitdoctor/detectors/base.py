"""The detector registry and the types detectors exchange with the engine.

A detector is a pure function that *measures*::

    @detector("val-loss-divergence")
    def val_loss_divergence(ctx: Context, *, min_rise: float, min_epochs: int) -> Evidence | None:
        ...

It receives a :class:`Context` (the run plus cached curve computations) and the
rule's parameters as keyword-only arguments, and returns :class:`Evidence` (the
numbers that fill the rule's message and recommendations) or ``None`` when the
symptom is absent. It raises :class:`~fitdoctor.errors.MissingInput` when the run
lacks what it needs. It never decides severity or wording: rules do (``rules/*.toml``).

Most detectors measure a run. One that measures another kind of input declares it,
``@detector("...", input="learning-curve")``; the engine runs its rules only on that
input (a learning curve: :attr:`Context.learning_curve`), never on a run.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from fitdoctor import curves
from fitdoctor.errors import MissingInput
from fitdoctor.run import Run
from fitdoctor.vocabulary import is_accuracy

if TYPE_CHECKING:
    from fitdoctor.cv.results import LearningCurveResult

#: Parameter types a detector may declare.
PARAM_TYPES: dict[str, type] = {"float": float, "int": int, "bool": bool, "str": str}

#: What a detector can measure: a run (every built-in rule but the learning-curve
#: ones) or a learning curve (:class:`~fitdoctor.cv.LearningCurveResult`).
INPUTS = ("run", "learning-curve")


@dataclass
class Evidence:
    """What a detector measured.

    Args:
        values: Named measurements; they fill the rule's templates and appear in reports.
            Use ``None`` for a measurement that is unknown (recommendations needing it
            fall back or are left out). Keys starting with ``_`` fill templates only
            (wording helpers) and are left out of the finding's evidence.
        epoch: The epoch (1-based) where the problem starts, if it has one.
    """

    values: dict[str, Any] = field(default_factory=dict)
    epoch: int | None = None


@dataclass(frozen=True)
class DetectorSpec:
    """A registered detector.

    Args:
        name: Registry name (kebab-case).
        fn: The function.
        params: Keyword-only parameter name → Python type.
        doc: First line of the function's docstring.
        input: What it measures, one of :data:`INPUTS`. Defaults to `"run"`.
    """

    name: str
    fn: Callable[..., Evidence | None]
    params: dict[str, type]
    doc: str
    input: str = "run"


_REGISTRY: dict[str, DetectorSpec] = {}


def detector(
    name: str, *, input: str = "run"
) -> Callable[[Callable[..., Evidence | None]], Callable[..., Evidence | None]]:
    """Register a detector under ``name``.

    Args:
        name: The name rules use in ``detector = "..."``.
        input: What it measures, one of :data:`INPUTS`. Defaults to `"run"`.

    Returns:
        A decorator that registers the function and returns it unchanged.
    """
    if input not in INPUTS:
        raise ValueError(f"detector {name}: input must be one of {', '.join(INPUTS)}")

    def register(fn: Callable[..., Evidence | None]) -> Callable[..., Evidence | None]:
        if name in _REGISTRY:
            raise ValueError(f"detector {name!r} registered twice")
        sig = inspect.signature(fn, eval_str=True)
        params: dict[str, type] = {}
        for p in sig.parameters.values():
            if p.kind is inspect.Parameter.KEYWORD_ONLY:
                ann = p.annotation
                if ann not in (float, int, bool, str):
                    raise TypeError(
                        f"detector {name}: parameter {p.name} must be float/int/bool/str"
                    )
                params[p.name] = ann
        doc = (fn.__doc__ or "").strip().splitlines()
        _REGISTRY[name] = DetectorSpec(name, fn, params, doc[0] if doc else "", input)
        return fn

    return register


def registry() -> dict[str, DetectorSpec]:
    """All registered detectors, by name (importing the built-in ones first)."""
    import fitdoctor.detectors  # noqa: F401  (registers the built-ins)

    return dict(_REGISTRY)


#: Relative difference under which two logged curves are the same numbers (float32
#: logging of one value twice): an identity test, not a tuned threshold.
SAME_VALUES = 1e-6


def mirrored_loss_key(run: Run) -> str | None:
    """The training metric whose validation twin the validation loss is, when ``loss`` is not it.

    Keras logs ``val_loss`` from the same ``compute_loss`` as ``loss`` (penalties
    included), so a ``val_loss`` identical to ``val_mse`` on every epoch while the
    training ``loss`` differs from ``mse`` means the logged training loss holds a term
    the validation loss does not (a custom ``train_step`` or training loop adding a
    penalty, a loss logged before a reduction): KAN regressions log a training ``loss``
    of 0.3237 every epoch while ``mse`` falls 0.0053 -> 0.0015 and ``val_loss`` =
    ``val_mse`` falls with it. Judged on ``loss`` the run "does not move" and its
    validation loss sits 200x below training; ``mse`` is the curve that compares.

    Args:
        run: The run.

    Returns:
        ``<m>`` when ``val_loss`` equals ``val_<m>`` (within :data:`SAME_VALUES`) on at
        least two epochs where both are finite and on every such epoch, and the training
        ``loss`` differs from ``<m>`` by more than that on some epoch; else ``None``.
    """
    if not (run.has("loss") and run.has("val_loss")):
        return None
    val_loss = np.asarray(run.series("val_loss"), dtype=float)
    loss = np.asarray(run.series("loss"), dtype=float)
    for key in run.metrics:
        name = key[len("val_"):]
        if not key.startswith("val_") or key == "val_loss" or name == "loss" \
                or not run.has(name):
            continue
        twin = np.asarray(run.series(key), dtype=float)
        train = np.asarray(run.series(name), dtype=float)
        if twin.shape != val_loss.shape or train.shape != loss.shape:
            continue
        both = np.isfinite(twin) & np.isfinite(val_loss)
        if both.sum() < 2 or not _same(twin[both], val_loss[both]):
            continue
        logged = np.isfinite(train) & np.isfinite(loss)
        if logged.sum() >= 2 and not _same(train[logged], loss[logged]):
            return name
    return None


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Every pair equal within :data:`SAME_VALUES` of the larger magnitude."""
    scale = np.maximum(np.abs(a), np.abs(b))
    return bool(np.all(np.abs(a - b) <= SAME_VALUES * np.maximum(scale, 1e-300)))


class Context:
    """A run plus cached computations shared by all detectors of one analysis.

    Args:
        run: The run being analyzed.
        noise: Known epoch-to-epoch noise per metric (e.g. the fold spread of a
            cross-validation mean), used instead of the noise measured on the curve.
            Defaults to `None`.
        learning_curve: The learning curve being analyzed, when the input is one (then
            only the rules of learning-curve detectors run). Defaults to `None`.
    """

    def __init__(
        self,
        run: Run,
        noise: Mapping[str, float] | None = None,
        *,
        learning_curve: LearningCurveResult | None = None,
    ) -> None:
        self.run = run
        self._learning_curve = learning_curve
        self._noise_override = dict(noise or {})
        self._arrays: dict[str, np.ndarray] = {}
        self._smooth: dict[str, np.ndarray] = {}
        self._nonfinite: dict[str, np.ndarray] = {}
        #: Measurements shared by several detectors, computed once per analysis.
        self.memo: dict[str, Any] = {}

    @property
    def input(self) -> str:
        """What is analyzed, one of :data:`INPUTS`: only detectors of this input run."""
        return "learning-curve" if self._learning_curve is not None else "run"

    @property
    def learning_curve(self) -> LearningCurveResult:
        """The learning curve analyzed; MissingInput when the input is a run."""
        if self._learning_curve is None:
            raise MissingInput(
                "not a learning curve",
                "measure one with fitdoctor.validation.learning_curve(build_model, x, y)",
            )
        return self._learning_curve

    # ------------------------------------------------------------- curves
    def array(self, key: str) -> np.ndarray:
        """The metric as a float array, ``nan`` for gaps; raises MissingInput if absent."""
        if key not in self._arrays:
            if not self.run.has(key):
                raise MissingInput(f"no {key!r} curve in the run")
            self._arrays[key] = np.asarray(self.run.series(key), dtype=float)
        return self._arrays[key]

    def nonfinite(self, key: str) -> np.ndarray:
        """True where ``key`` was logged as NaN or infinite (gaps are not failures)."""
        if key not in self._nonfinite:
            logged = np.asarray([v is not None for v in self.run.metrics[key]], dtype=bool)
            self._nonfinite[key] = logged & ~np.isfinite(self.array(key))
        return self._nonfinite[key]

    def smooth(self, key: str) -> np.ndarray:
        """The metric smoothed with :func:`fitdoctor.curves.smooth` (gaps interpolated)."""
        if key not in self._smooth:
            self._smooth[key] = curves.smooth(self.array(key))
        return self._smooth[key]

    def known_noise(self, key: str) -> float | None:
        """The known noise band of ``key`` (a cross-validation's fold spread), if given."""
        return self._noise_override.get(key)

    def noise(self, key: str, values: np.ndarray | None = None) -> float:
        """Epoch-to-epoch noise of ``key``: the known band if given, else measured.

        Args:
            key: The metric.
            values: The part of the curve to measure. Defaults to `None` (all of it).
        """
        if key in self._noise_override:
            return self._noise_override[key]
        return curves.noise(self.array(key) if values is None else values)

    @property
    def epochs(self) -> list[int]:
        """Epoch numbers, 1-based."""
        return self.run.epochs

    @cached_property
    def loss_key(self) -> str:
        """The training loss key: ``"loss"``, or the metric the validation loss mirrors.

        Where ``val_loss`` is logged identical to ``val_<m>`` on every epoch and the
        training ``loss`` is not ``<m>`` (:func:`mirrored_loss_key`), the training curve
        comparable with the validation loss is ``<m>``: the rules judge it.
        """
        if self.run.has("loss"):
            return mirrored_loss_key(self.run) or "loss"
        raise MissingInput("no training loss ('loss') in the run", "log the loss per epoch")

    @cached_property
    def val_loss_key(self) -> str:
        """The validation loss key (``"val_loss"``); MissingInput when there is none."""
        if self.run.has("val_loss"):
            return "val_loss"
        raise MissingInput(
            "no validation curve (val_loss)",
            "pass validation_split=0.2 or validation_data=(x_val, y_val) to fit",
        )

    def require_epochs(self, n: int) -> None:
        """Raise MissingInput unless the run has at least ``n`` epochs."""
        if self.run.n_epochs < n:
            raise MissingInput(
                f"the run has {self.run.n_epochs} epoch{'s' if self.run.n_epochs != 1 else ''}; "
                f"at least {n} {'are' if n != 1 else 'is'} needed to judge this",
                f"train for at least {n} epoch{'s' if n != 1 else ''}",
                needs="epochs",
            )

    def accuracy_key(self, prefix: str = "") -> str | None:
        """The accuracy-like metric key (``accuracy``, ``acc``, ``*_accuracy``), if any."""
        for key in self.run.metrics:
            if not key.startswith(prefix):
                continue
            base = key[len(prefix):]
            if prefix == "" and base.startswith("val_"):
                continue
            if is_accuracy(base) and self.run.has(key):
                return key
        return None

    @cached_property
    def n_classes(self) -> int | None:
        """Number of classes, when the run's data facts say."""
        data = self.run.data
        if data is None:
            return None
        if data.n_classes:
            return data.n_classes
        if data.task == "binary":
            return 2
        return None


def epoch_at(ctx: Context, index: int) -> int:
    """The 1-based epoch number of row ``index``."""
    return ctx.epochs[index]


def finite(x: float) -> float | None:
    """``x`` as a float, or ``None`` when not finite (for JSON-safe evidence)."""
    return float(x) if math.isfinite(x) else None
