"""The facts ``FitDoctor`` records when training starts: model, compile, fit, data.

:func:`record_start` fills a new :class:`~fitdoctor.run.Run` with what the model, its
compile call, the running ``fit`` call and the reachable arrays say (through
:mod:`fitdoctor.keras_facts`), the baselines and, when asked, a reference model's score,
and says where each fact came from (``run.meta["fact_sources"]``). It returns what the
callback needs afterwards: whether this process is the chief worker, the distribution,
the validation arrays for the per-class pass and the reference model being fitted on a
background thread (:class:`fitdoctor.reference.ReferenceJob`), which
:func:`collect_reference` records in the run once it is done.

Every piece is read through the callback's ``safe`` wrapper: a piece that fails is one
warning and a missing fact, never a broken training.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fitdoctor import keras_facts as kf
from fitdoctor.run import Run
from fitdoctor.tuner_trial import TrialInfo

if TYPE_CHECKING:
    from fitdoctor.reference import ReferenceJob

#: ``safe(kind, fn, *args, **kwargs)``: ``fn``'s result, or ``None`` (one warning) when it raises.
Safe = Callable[..., Any]
#: ``note(text, key=None)``: add a note to the run, once per key.
Note = Callable[..., None]


@dataclass
class StartFacts:
    """What the callback keeps from the start of training.

    Args:
        chief: This process writes the file and prints the report.
        distribution: How the model trains across devices and processes.
        x_val: Validation inputs, when reachable as arrays.
        y_val: Validation labels, when reachable as arrays.
        reference: The reference model being fitted, if one is.
    """

    chief: bool = True
    distribution: kf.Distribution = field(default_factory=kf.Distribution)
    x_val: Any = None
    y_val: Any = None
    reference: ReferenceJob | None = None


def record_start(
    run: Run,
    model: Any,
    params: Mapping[str, Any],
    *,
    safe: Safe,
    note: Note,
    y_train: Any = None,
    validation_data: tuple[Any, Any] | None = None,
    inspect_fit: bool = True,
    reference: bool = True,
) -> StartFacts:
    """Record the model, compile, fit and data facts of the training starting now.

    Args:
        run: The new run (its model, compile, fit, data, baselines and meta are set).
        model: The model ``fit`` trains.
        params: The callback's ``params`` (``epochs``, ``steps``, ``verbose``).
        safe: Calls a function, turning an exception into one warning and ``None``.
        note: Adds a note to the run.
        y_train: Training labels given to the callback. Defaults to `None` (the ``fit``
            call's ``y``).
        validation_data: ``(x_val, y_val)`` given to the callback. Defaults to `None`
            (the ``fit`` call's validation arrays).
        inspect_fit: Read the ``fit`` call's arguments from its frame. Defaults to `True`.
        reference: Fit a reference model when the arrays are reachable. Defaults to `True`.

    Returns:
        The chief flag, the distribution and the validation arrays.
    """
    start = StartFacts()
    start.chief = bool(safe("checking the chief worker", kf.is_chief, model) in (True, None))
    start.distribution = safe("reading the distribution", kf.distribution, model) or \
        kf.Distribution()
    versions = safe("reading library versions", kf.versions)
    if versions:
        run.meta["versions"] = versions
    if not run.name:
        run.name = str(getattr(model, "name", ""))
    run.model = safe("reading the model", kf.model_info, model)
    outputs = getattr(model, "outputs", None)
    if isinstance(outputs, (list, tuple)) and len(outputs) > 1:
        note(f"the model has {len(outputs)} outputs: the facts describe the first")
    run.compile = safe("reading the compile settings", kf.compile_info, model)
    args = safe("reading the fit arguments", kf.fit_call_args, model) if inspect_fit else None
    sources: dict[str, str] = {}
    if args is not None:  # class_weight, sample_weight, callbacks: unknown without args
        run.meta.update(safe("reading what fit applied", kf.applied, args) or {})
    # Training labels and sample count.
    if y_train is not None:
        sources["y_train"] = "FitDoctor(y_train=...)"
    elif args is not None and kf.as_array(args.y) is not None:
        y_train = args.y
        sources["y_train"] = "fit(y=...)"
    n_train = kf.n_samples(args.x) if args is not None else None
    if n_train is None:
        n_train = kf.n_samples(y_train)
    # Validation arrays.
    x_val = y_val = None
    if validation_data is not None:
        x_val, y_val = kf.unpack_xy(validation_data)
        sources["validation"] = "FitDoctor(validation_data=...)"
    elif args is not None and args.validation_data is not None:
        vx, vy = kf.unpack_xy(args.validation_data)
        if kf.as_array(vx) is not None and kf.as_array(vy) is not None:
            x_val, y_val = vx, vy
            sources["validation"] = (
                "fit(validation_split=...)" if args.validation_split else
                "fit(validation_data=...)"
            )
        else:
            note(
                "fit's validation data is not an array (a dataset or generator): pass "
                "FitDoctor(validation_data=(x_val, y_val)) for per-class metrics"
            )
    elif args is None and inspect_fit:
        note(
            "could not read the fit call's arguments: pass FitDoctor(validation_data=..., "
            "y_train=...) for class counts, baselines and per-class metrics"
        )
    start.x_val, start.y_val = x_val, y_val
    n_val = kf.n_samples(x_val) if x_val is not None else None
    fit = safe("reading the fit settings", kf.fit_info, params, args, n_train=n_train)
    run.fit = fit
    dist = start.distribution
    if fit is not None and dist.strategy is not None:
        fit.strategy = dist.strategy
        fit.workers = dist.workers
        fit.replicas = dist.replicas
    if fit is not None and fit.batch_size is not None:
        if args is not None and args.batch_size:
            sources["batch_size"] = "fit(batch_size=...)"
        elif args is not None and kf.as_array(args.x) is not None and \
                args.steps_per_epoch is None:
            sources["batch_size"] = "keras default"
        else:
            sources["batch_size"] = "inferred: the only size that gives this many steps"
    x_train = args.x if args is not None else None
    run.data = safe(
        "reading the data", kf.data_info, run.model, run.compile,
        y_train=y_train, y_val=y_val, x_val=x_val, x_train=x_train, n_train=n_train,
        n_val=n_val,
    )
    if run.data is not None:
        loss = run.compile.loss if run.compile else None
        run.baselines = safe(
            "computing baselines", kf.baselines, run.data, loss, y_train=y_train, y_val=y_val
        )
        if run.baselines is not None and y_val is None:
            sources["baselines"] = "training labels (no validation labels reachable)"
    if reference and start.chief and run.data is not None and x_val is not None \
            and kf.as_array(x_train) is not None and kf.as_array(y_train) is not None:
        start.reference = safe("fitting a reference model", _start_reference, run.data.task,
                               x_train, y_train, x_val, y_val)
    if sources:
        run.meta["fact_sources"] = sources
    return start


def record_trial(run: Run, trial: TrialInfo) -> None:
    """The trial's id and hyperparameters as the run's facts (their names in the meta)."""
    hp = {
        str(k): v for k, v in trial.hyperparameters.items()
        if k != "tuner/trial_id" and (v is None or isinstance(v, (bool, int, float, str)))
    }
    run.name = f"trial_{trial.trial_id}"
    run.facts = {"trial_id": trial.trial_id, **hp}
    run.meta["hyperparameters"] = list(hp)
    run.meta["keras_tuner"] = {"trial_id": trial.trial_id, "folder": trial.folder,
                               "execution": trial.execution}


def _start_reference(task: str | None, x_train: Any, y_train: Any, x_val: Any,
                     y_val: Any) -> ReferenceJob:
    """Start fitting a reference model on a background thread (fitdoctor.reference)."""
    from fitdoctor.reference import ReferenceJob

    return ReferenceJob(task, x_train, y_train, x_val, y_val)


def collect_reference(run: Run, job: ReferenceJob, timeout: float | None = None) -> bool:
    """Record the reference model ``job`` fitted in ``run`` (baselines and fact source).

    Args:
        run: The run.
        job: The finished (or finishing) job.
        timeout: Seconds to wait for it. Defaults to `None` (as long as it takes).

    Returns:
        Whether a reference was recorded (``False``: the data allows none).

    Raises:
        TimeoutError: The job did not finish within ``timeout``.
        Exception: What fitting raised.
    """
    from fitdoctor.reference import record_reference

    ref = job.result(timeout)
    if ref is None:
        return False
    record_reference(run, ref)
    sources = run.meta.setdefault("fact_sources", {})
    if isinstance(sources, dict):
        sources["reference"] = (
            f"{ref.model} fitted on {ref.n_train:,} training samples in {ref.seconds:.1f} s"
        )
    return True
