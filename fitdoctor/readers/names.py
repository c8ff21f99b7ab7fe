"""Metric names: from the names people log to the names Keras uses.

fitdoctor's rules read Keras's names: ``loss`` and ``val_loss``, ``accuracy`` (Keras 2:
``acc``) and ``val_accuracy``, ``val_<metric>`` for any other metric. Every reader passes
the names it finds through :func:`canonical_names`, which maps them as follows.

**Role** (train, validation, test), from a prefix or a suffix word:

==========================================================  =========  ===============
words (any case; separated by ``_`` ``-`` ``.`` ``/`` ``:``   role       becomes
space, or camelCase)
==========================================================  =========  ===============
``train``, ``training``, ``trn``, ``tr`` (or no role word)   train      ``<metric>``
``val``, ``validation``, ``valid``, ``va``                   val        ``val_<metric>``
``dev``, ``eval``, ``evaluation``                            val        ``val_<metric>``
``test``, ``testing``, ``te``                                test       ``test_<metric>``
==========================================================  =========  ===============

A test curve logged every epoch *is* a validation curve in practice: when a run has
``test_*`` curves and no ``val_*`` curve, they are read as ``val_*`` and a note says
that the test set, used to choose epochs, is then no longer an unbiased estimate.
With both, the test curves keep their ``test_`` names and no rule judges them.

Three readings use the other names of the run (each with a note and its override):

* ``train_loss`` beside a bare ``loss`` and no validation curve: the bare twin is the
  evaluation's (``val_loss``), as a loop that logs ``train_*`` and evaluates under
  ``model.evaluate``'s names writes it;
* curves named only ``train`` and ``val`` (``training``; ``valid``, ``validation``) in a
  run where no curve is named a loss: ``loss`` and ``val_loss``;
* ``<set>_val_<metric>`` (``real_val_loss``, ``font_val_loss``) with no ``val_*`` curve:
  named validation sets; the first in the file is judged as ``val_*``, the others keep
  their names.

**Metric**: the words left after the role, joined with ``_`` and lower-cased. A leading
``epoch`` (TensorBoard's ``epoch_loss``) and a trailing ``history``, ``hist``,
``values``, ``list``, ``curve``, ``log``, ``epoch`` or ``mean`` are dropped, and plurals
are made singular (``losses`` → ``loss``, ``accs`` → ``acc``, ``accuracies`` →
``accuracy``). Keras 2's ``acc`` stays ``acc`` (the rules read both spellings).

Examples: ``train_loss`` → ``loss``; ``dev_loss`` → ``val_loss``; ``val_losses`` →
``val_loss``; ``"Validation Loss"`` → ``val_loss``; ``"Training Accuracy"`` →
``accuracy``; ``train_acc_history`` → ``acc``; ``loss_val`` → ``val_loss``;
``Loss/train`` → ``loss``; ``valLoss`` → ``val_loss``; ``eval_loss`` → ``val_loss``;
``epoch_loss`` → ``loss``; ``train_loss_epoch`` (PyTorch Lightning) → ``loss``.

A Lightning-style ``*_step`` metric (logged every batch) is dropped when its ``*_epoch``
twin exists; readers that aggregate steps handle the rest. Names that already are
Keras names, or that carry no role word (``mae``, ``get_categorical_accuracy_keras``),
are kept as they are.

**Ambiguous readings** -- a role taken from ``dev``, ``eval`` or ``test`` -- are listed
in the run's notes ("read `dev_loss` as val_loss"). Every renaming is recorded in
``Run.metric_names`` (Keras name → original name). Users override any of it:
``--metric-map dev_loss=val_loss`` on the command line, or in configuration::

    [tool.fitdoctor.metrics]
    dev_loss = "val_loss"
    grad_norm = ""          # an empty name leaves the column out

Two names that would read as the same Keras name (``loss`` and ``train_loss``): the
one already spelled that way wins, the other keeps its own name, with a note.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "EPOCH_NAMES",
    "STEP_NAMES",
    "Reading",
    "canonical_names",
    "is_bare_split",
    "is_split_name",
    "parse_metric_map",
    "read_name",
    "split_metric",
]

#: Column / key names that number epochs.
EPOCH_NAMES = frozenset({"epoch", "epochs", "epoch_num", "epoch_number", "ep"})
#: Column / key names that number steps (batches, iterations) inside a training.
STEP_NAMES = frozenset(
    {"step", "steps", "global_step", "iteration", "iter", "iterations", "batch", "it"}
)

_ROLE_WORDS = {
    "train": "train",
    "training": "train",
    "trn": "train",
    "tr": "train",
    "val": "val",
    "va": "val",
    "validation": "val",
    "valid": "val",
    "dev": "val",
    "eval": "val",
    "evaluation": "val",
    "test": "test",
    "testing": "test",
    "te": "test",
}
#: Role words whose reading is an assumption worth telling the user about.
_AMBIGUOUS_ROLE_WORDS = frozenset({"dev", "eval", "evaluation", "test", "testing", "te"})
_NOISE_TAIL = frozenset({"history", "hist", "values", "list", "curve", "log", "epoch", "mean"})
_PLURALS = {
    "losses": "loss",
    "accs": "acc",
    "accuracies": "accuracy",
    "errors": "error",
    "aucs": "auc",
    "maes": "mae",
    "mses": "mse",
}
#: Words after a leading ``epoch`` that make it part of the name (``epoch_time``).
_TIME_WORDS = frozenset(
    {"time", "times", "duration", "durations", "seconds", "sec", "secs", "num", "number"}
)
_SPLIT = re.compile(r"[\s_\-./:()\[\]]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Reading:
    """How one logged name is read.

    Args:
        original: The name as logged.
        canonical: The Keras name it is read as (``""``: leave the column out).
        role: ``"train"``, ``"val"`` or ``"test"``.
        ambiguous: The reading is an assumption the report should state.
        step_level: A ``*_step`` name (one value per batch).
        user: The user's ``--metric-map`` chose it.
    """

    original: str
    canonical: str
    role: str
    ambiguous: bool = False
    step_level: bool = False
    user: bool = False


def _words(name: str) -> list[str]:
    # a per-cent sign says the unit, not the metric (``val_acc(%)``: the accuracy, whose
    # per-cent values the reader divides)
    spaced = _CAMEL.sub(" ", name.strip().replace("%", " "))
    return [w for w in _SPLIT.split(spaced.lower()) if w]


@functools.lru_cache(maxsize=4096)
def read_name(name: str) -> Reading:
    """Read one logged name (no user mapping, no knowledge of the other names).

    Args:
        name: The name as logged, e.g. ``"Validation Loss"``.

    Returns:
        Its reading.
    """
    words = _words(name)
    if not words:
        return Reading(name, name, "train")
    if len(words) == 1:
        single = _PLURALS.get(words[0], words[0])
        return Reading(name, single, "train") if single != name else Reading(name, name, "train")
    while len(words) > 1 and words[-1] in _NOISE_TAIL:
        words = words[:-1]
    step_level = len(words) > 1 and words[-1] == "step"
    if step_level:
        words = words[:-1]
    if len(words) > 1 and words[0] == "epoch" and words[1] not in _TIME_WORDS:
        words = words[1:]
    role, ambiguous = "train", False
    if len(words) > 1 and words[0] in _ROLE_WORDS:
        role = _ROLE_WORDS[words[0]]
        ambiguous = words[0] in _AMBIGUOUS_ROLE_WORDS
        words = words[1:]
    elif len(words) > 1 and words[-1] in _ROLE_WORDS:
        role = _ROLE_WORDS[words[-1]]
        ambiguous = words[-1] in _AMBIGUOUS_ROLE_WORDS
        words = words[:-1]
    words = [_PLURALS.get(w, w) for w in words]
    prefix = {"train": "", "val": "val_", "test": "test_"}[role]
    canonical = prefix + "_".join(words)
    if canonical == name:
        return Reading(name, name, role)
    return Reading(name, canonical, role, ambiguous=ambiguous, step_level=step_level)


def parse_metric_map(values: Iterable[str], *, where: str = "--metric-map") -> dict[str, str]:
    """Parse ``NAME=KERAS_NAME`` pairs (comma-separated, repeatable) into a mapping.

    Args:
        values: Option values such as ``["dev_loss=val_loss,dev_acc=val_accuracy"]``.
        where: What to name in an error. Defaults to ``"--metric-map"``.

    Returns:
        Logged name → Keras name (``""`` leaves the column out).

    Raises:
        ValueError: A pair without ``=``, or an empty logged name.
    """
    out: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            if not pair.strip():
                continue
            if "=" not in pair:
                raise ValueError(
                    f"{where}: {pair.strip()!r} is not NAME=KERAS_NAME (e.g. dev_loss=val_loss)"
                )
            original, target = (part.strip() for part in pair.split("=", 1))
            if not original:
                raise ValueError(f"{where}: {pair.strip()!r} has no logged name before '='")
            out[original] = target
    return out


def _user_target(name: str, overrides: Mapping[str, str]) -> str | None:
    if not overrides:
        return None
    if name in overrides:
        return overrides[name]
    folded = name.casefold()
    for key, target in overrides.items():
        if key.casefold() == folded:
            return target
    return None


def canonical_names(
    names: Iterable[str], overrides: Mapping[str, str] | None = None
) -> tuple[dict[str, Reading], list[str]]:
    """Read all the names of one run together.

    Args:
        names: The logged names, in file order (epoch and step columns excluded).
        overrides: The user's mapping (logged name → Keras name). Defaults to `None`.

    Returns:
        ``(readings, notes)``: each logged name's reading (``canonical == ""``: leave the
        column out), and notes for the report (ambiguous readings, a test curve used as
        validation, names that collided).
    """
    overrides = overrides or {}
    names = list(names)
    readings: dict[str, Reading] = {}
    for name in names:
        target = _user_target(name, overrides)
        if target is not None:
            role = "val" if target.startswith("val_") else "test" if target.startswith(
                "test_") else "train"
            readings[name] = Reading(name, target, role, user=True)
        else:
            readings[name] = read_name(name)
    notes: list[str] = []

    # Lightning: a *_step metric next to its *_epoch twin is the per-batch copy.
    epoch_level = {r.canonical for r in readings.values() if not r.step_level}
    for name, r in list(readings.items()):
        if r.step_level and not r.user and r.canonical in epoch_level:
            readings[name] = Reading(name, "", r.role, step_level=True)

    _named_validation_sets(readings, notes)
    # A test curve with no validation curve is the validation curve.
    kept = [r for r in readings.values() if r.canonical]
    if not any(r.role == "val" for r in kept) and any(
        r.role == "test" and not r.user for r in kept
    ):
        tests = [r for r in kept if r.role == "test" and not r.user]
        for r in tests:
            readings[r.original] = Reading(
                r.original, "val_" + r.canonical[len("test_"):], "val", ambiguous=False,
                step_level=r.step_level,
            )
        shown = ", ".join(f"`{r.original}`" for r in tests)
        notes.append(
            f"no validation curve: the test curve{'s' if len(tests) > 1 else ''} {shown} "
            f"{'are' if len(tests) > 1 else 'is'} read as validation; a test set watched "
            "every epoch guides the training, so it is no longer an unbiased estimate of "
            "the final model (keep a test set apart, or --metric-map to read it otherwise)"
        )

    _bare_twin_is_evaluation(readings, notes)
    # Collisions: the name already spelled the Keras way wins.
    by_target: dict[str, list[str]] = {}
    for name in names:
        r = readings[name]
        if r.canonical:
            by_target.setdefault(r.canonical, []).append(name)
    for target, originals in by_target.items():
        if len(originals) < 2:
            continue
        winner = target if target in originals else originals[0]
        for name in originals:
            if name == winner:
                continue
            own = readings[name]
            fallback = "" if name in by_target else name
            readings[name] = Reading(name, fallback, own.role, user=own.user)
            if fallback:
                notes.append(
                    f"`{winner}` and `{name}` would both read as {target}: `{winner}` is "
                    f"read as {target}, `{name}` keeps its name"
                )
            else:
                notes.append(f"`{name}` left out: `{winner}` is already read as {target}")

    _bare_role_curves(readings, notes)
    _one_named_loss(readings, notes)
    ambiguous = [
        r for r in readings.values() if r.ambiguous and r.canonical and not r.user
    ]
    if ambiguous:
        shown = ", ".join(f"`{r.original}` as {r.canonical}" for r in ambiguous)
        example = ambiguous[0]
        notes.append(
            f"read {shown} (say otherwise with --metric-map "
            f"{example.original}=NAME or [tool.fitdoctor.metrics])"
        )
    unused = _unused_overrides(names, overrides)
    if unused:
        logged = ", ".join(f"`{n}`" for n in names[:_NAMES_SHOWN])
        more = f" and {len(names) - _NAMES_SHOWN} more" if len(names) > _NAMES_SHOWN else ""
        notes.append(
            f"the metric map (--metric-map or [tool.fitdoctor.metrics]) names "
            f"{', '.join(f'`{k}`' for k in unused)}, which this run does not log (it logs "
            f"{logged}{more}): check the spelling"
        )
    return readings, notes


#: Logged names a note lists at most.
_NAMES_SHOWN = 12

_TRAIN_WORDS = frozenset({"train", "training", "trn", "tr"})
_VAL_WORDS = frozenset({"val", "validation", "valid", "va"})
#: First words of ``<set>_val_<metric>`` that qualify a curve rather than name a set.
_NOT_A_SET = frozenset(
    {"best", "min", "max", "lowest", "highest", "last", "final", "smoothed", "ema", "avg",
     "mean", "running", "moving"}
)


def _named_validation_sets(readings: dict[str, Reading], notes: list[str]) -> None:
    """``real_val_loss``, ``font_val_loss``: validation curves of named validation sets.

    Only when nothing already reads as validation, and only for a set whose name
    prefixes no other curve (``reg_loss`` beside ``reg_val_loss`` is a prefixed run of
    its own): the first set in the file is judged as ``val_*``; the others keep their
    names (their role is validation), with a note.
    A Keras multi-output model's ``val_out1_loss`` is read the same way: one set of
    ``val_*`` curves is judged, the rest keep their names.
    """
    if any(r.role == "val" and r.canonical for r in readings.values()):
        return
    sets: dict[str, list[tuple[str, str]]] = {}
    for name, r in readings.items():
        if r.user or not r.canonical or r.role != "train":
            continue
        words = _words(name)
        middle = [i for i in range(1, len(words) - 1) if words[i] in _VAL_WORDS]
        if len(middle) != 1 or any(w in _ROLE_WORDS for w in words[: middle[0]]):
            continue
        if words[0] in _NOT_A_SET:
            continue
        metric_words = [_PLURALS.get(w, w) for w in words[middle[0] + 1:]]
        sets.setdefault("_".join(words[: middle[0]]), []).append((name, "_".join(metric_words)))
    members = {name for found in sets.values() for name, _ in found}
    for set_name in list(sets):
        # ``reg_loss`` beside ``reg_val_loss``: a prefixed run (or output) of its own
        if any("_".join(_words(n)).startswith(set_name + "_")
               for n in readings if n not in members):
            del sets[set_name]
    if not sets or not any(
        metric == "loss" or metric.endswith("_loss") for found in sets.values()
        for _, metric in found
    ):
        return
    first, *others = sets
    for name, metric in sets[first]:
        readings[name] = Reading(name, "val_" + metric, "val")
    for other in others:
        for name, _ in sets[other]:
            readings[name] = Reading(name, name, "val")
    if others:
        rest = ", ".join(f"`{o}_val_*`" for o in others)
        example, example_metric = sets[others[0]][0]
        one = len(others) == 1
        notes.append(
            f"{len(sets)} validation sets: `{first}_val_*`, the first, is judged as val_*; "
            f"{rest} keep{'s' if one else ''} {'its' if one else 'their'} names "
            f"(--metric-map {example}=val_{example_metric} to judge "
            f"{'that one' if one else 'another'} instead)"
        )
    else:
        notes.append(
            f"`{first}_val_*` (validation set `{first}`) read as val_* (say otherwise with "
            f"--metric-map {sets[first][0][0]}=NAME)"
        )


def _bare_twin_is_evaluation(readings: dict[str, Reading], notes: list[str]) -> None:
    """``train_loss`` beside a bare ``loss`` and no validation curve: ``loss`` is held out.

    A loop that names its training values ``train_*`` and evaluates with
    ``model.evaluate``-like names logs ``{"train_loss": ..., "loss": ..., "precision":
    ...}``: the prefix is there to tell the two apart, so the bare twin is the
    evaluation's. Read only for bare names with an explicit ``train`` twin (the other
    bare metrics, which have no twin, keep their names), with a note and the override.
    """
    if any(r.role == "val" and r.canonical for r in readings.values()):
        return
    explicit = {
        r.canonical for name, r in readings.items()
        if not r.user and r.canonical and r.role == "train" and r.canonical != name
        and _TRAIN_WORDS & set(_words(name))
    }
    targets = {r.canonical for r in readings.values() if r.canonical}
    moved = []
    for name, r in list(readings.items()):
        if (not r.user and r.canonical == name and name in explicit
                and "val_" + name not in targets):
            readings[name] = Reading(name, "val_" + name, "val")
            moved.append(name)
    if moved:
        shown = ", ".join(f"`{m}`" for m in moved)
        notes.append(
            f"no validation curve, and {shown} logged beside `train_{moved[0]}`: "
            f"{shown} read as the evaluation's (val_{moved[0]}); if it is a training "
            f"value, say so with --metric-map {moved[0]}={moved[0]}"
        )


def is_split_name(name: str) -> bool:
    """``name`` is a split's name alone (``train``, ``val``, ``eval``, ``test``), no metric."""
    found = _words(name)
    return len(found) == 1 and found[0] in _ROLE_WORDS


def split_metric(split: str, metric: str) -> str:
    """The name ``metric`` has when logged for ``split``: ``val``, ``loss`` → ``val_loss``.

    A training split's metric keeps its bare name (``train``, ``loss`` → ``loss``).
    """
    return metric if is_bare_split(split) else f"{split}_{metric}"


def is_bare_split(name: str) -> bool:
    """``name`` is a training split's name alone (``train``, ``Training``), no metric."""
    return _one_word_of(name, _TRAIN_WORDS)


def _one_word_of(name: str, words: frozenset[str]) -> bool:
    found = _words(name)
    return len(found) == 1 and found[0] in words


def _bare_role_curves(readings: dict[str, Reading], notes: list[str]) -> None:
    """Curves named only ``train`` and ``val``, in a run with no loss name: the losses.

    ``{"train": [...], "val": [...]}`` (a ``loss_history.json``): the loss is what people
    leave unnamed. Read only when exactly one curve is a bare training word and none
    reads as a loss; a bare ``val`` (``valid``, ``validation``) is then the validation
    loss. Other named curves (``train_acc``) do not stop it: they are not the loss.
    """
    if any("loss" in r.canonical for r in readings.values()):
        return
    bare_train = [n for n, r in readings.items()
                  if not r.user and r.canonical and _one_word_of(n, _TRAIN_WORDS)]
    bare_val = [n for n, r in readings.items()
                if not r.user and r.canonical and _one_word_of(n, _VAL_WORDS)]
    if len(bare_train) != 1 or len(bare_val) > 1:
        return
    readings[bare_train[0]] = Reading(bare_train[0], "loss", "train")
    read = f"`{bare_train[0]}` as loss"
    if bare_val:
        readings[bare_val[0]] = Reading(bare_val[0], "val_loss", "val")
        read += f" and `{bare_val[0]}` as val_loss"
    notes.append(
        f"no curve is named a loss: read {read}, the only curves named by their split "
        f"alone (say otherwise with --metric-map {bare_train[0]}=NAME)"
    )


def _one_named_loss(readings: dict[str, Reading], notes: list[str]) -> None:
    """A run whose loss has a longer name (``log_loss``, ``avg_loss``, ``total_loss``).

    With no curve read as ``loss``, the one training curve with ``loss`` among its words
    is the loss, and its validation twin (``val_`` + the same name, or the same words with
    a validation word among them: ``avg_loss`` and ``avg_val_loss``, ``avg_train_loss``
    and ``avg_val_loss``) the validation loss. A name with a validation or test word in
    it (``avg_val_loss``, read as a training curve since its role word is not first or
    last) is no training curve, nor is a loss's scale or weight (``loss_scale``). With
    several (``loss_sup``, ``loss_unsup``,
    ``loss_total``) none is: which one is "the" loss would be a guess, and a total whose
    terms are weighted by a schedule (a semi-supervised term ramped up) rises while every
    term falls.
    """
    kept = {n: r for n, r in readings.items() if r.canonical}
    if any(r.canonical in ("loss", "val_loss") for r in kept.values()):
        return
    lossy = [n for n, r in kept.items()
             if r.role == "train" and not r.user and "loss" in r.canonical.split("_")
             and not _held_out_words(n) and not _NOT_A_LOSS & set(r.canonical.split("_"))]
    if len(lossy) != 1:
        return
    name = lossy[0]
    twin = "val_" + kept[name].canonical
    own = [w for w in _words(name) if _ROLE_WORDS.get(w) != "train"]
    val = [n for n, r in kept.items() if not r.user and (r.canonical == twin or (
        any(w in _VAL_WORDS for w in _words(n))
        and [w for w in _words(n) if w not in _VAL_WORDS] == own))]
    readings[name] = Reading(name, "loss", "train")
    read = f"`{name}` as loss"
    if len(val) == 1:
        readings[val[0]] = Reading(val[0], "val_loss", "val")
        read += f" and `{val[0]}` as val_loss"
    notes.append(
        f"no curve is named plain loss: read {read} (say otherwise with --metric-map "
        f"{name}=NAME)"
    )


#: Words that make a name with ``loss`` in it something else than a loss
#: (``loss_scale``: mixed precision's scale factor; ``loss_weight``: a term's weight).
_NOT_A_LOSS = frozenset({"scale", "scaler", "weight", "weights", "coef", "coefficient",
                         "lambda", "factor"})


def _held_out_words(name: str) -> bool:
    """Whether a name has a validation or test word anywhere in it (``avg_val_loss``)."""
    return any(_ROLE_WORDS.get(w) in ("val", "test") for w in _words(name))


def _unused_overrides(names: list[str], overrides: Mapping[str, str]) -> list[str]:
    """The user's mapped names that match no logged name.

    Matched as :func:`_user_target` matches: exactly or ignoring case. Column numbers
    (``1=epoch``, a headerless CSV's) name positions, not logged names, and are left out.
    """
    folded = {name.casefold() for name in names}
    return [key for key in overrides
            if not key.strip().isdigit() and key not in names and key.casefold() not in folded]
