"""Backfill the data facts a newer callback records, without training.

Some facts ``FitDoctor`` records depend only on the arrays given to ``model.fit``, which
the recorder builds deterministically from (data variant, configuration), not on the
seed or the training. A corpus recorded before the callback recorded them can get them
from the same arrays, through the same function and the same arguments the callback
uses, instead of being retrained.

Backfilled so far: ``run.data.val_spread_ratio`` and ``run.data.val_mean_shift``
(:func:`fitdoctor.data_facts.input_shift`, rounded as ``data_info`` rounds them), written
into the stored records by ``record_corpus.py --backfill-facts``; and the training inputs'
scale, ``run.data.input_std``, ``input_mean``, ``input_max`` and ``input_scale_spread``
(:func:`fitdoctor.data_facts.input_scale`), filled in when a record is read
(``tests/corpus.py`` ``upgrade``, through :func:`scale_facts`), the stored records left as
they are.

What the callback reads (``fitdoctor.callback_facts.record_start``): ``x_train`` is the
``fit`` frame's ``x`` at ``on_train_begin`` and ``x_val`` the first element of its
``validation_data``. With ``validation_data=(xv, yv)`` these are the arrays given. With
``validation_split`` Keras replaces both (``array_slicing.train_validation_split``):
floating arrays not in ``floatx`` are cast to it, then the first
``floor(n * (1 - split))`` rows become ``x`` and the rest ``validation_data``, before any
shuffling. :func:`callback_inputs` rebuilds exactly those, and :func:`backfill_record`
checks them against the record's own ``n_train``, ``n_val`` and validation fingerprint
(which the callback hashed from the same arrays) before it writes anything.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fitdoctor.data_facts import data_info, fingerprint

from . import datasets
from .training import _encode, validation_arrays

#: The facts :func:`backfill_record` writes into ``record["run"]["data"]``.
BACKFILLED = ("val_spread_ratio", "val_mean_shift")
#: The facts :func:`scale_facts` rebuilds for ``tests/corpus.py`` to fill in on reading.
SCALE_FACTS = ("input_std", "input_mean", "input_max", "input_scale_spread")
FLOATX = "float32"  # keras.config.floatx(): the recorder never changes it


class BackfillMismatch(ValueError):
    """The rebuilt arrays are not the ones the callback saw when the run was recorded."""


def _keras_slice_cast(arr: np.ndarray) -> np.ndarray:
    """What ``train_validation_split`` does to a NumPy array before slicing it."""
    if np.issubdtype(arr.dtype, np.floating) and arr.dtype != np.dtype(FLOATX):
        return arr.astype(FLOATX)
    return arr


def callback_inputs(data: datasets.Data, cfg: dict[str, Any]) -> dict[str, Any]:
    """The arrays ``FitDoctor`` reads from the ``fit`` call the recorder makes.

    Args:
        data: The run's data variant (``datasets.load``).
        cfg: The run's configuration (``record["config"]``).

    Returns:
        ``x_train``, ``y_train``, ``x_val``, ``y_val`` as the callback sees them (labels
        encoded as ``fit`` gets them) and ``mode`` (``"validation_split"`` or
        ``"validation_data"``).
    """
    arrays = validation_arrays(data, cfg)
    onehot = cfg["onehot"]
    if "validation_split" in arrays["fit_kw"]:
        x = _keras_slice_cast(arrays["fit_x"])
        y = _keras_slice_cast(_encode(arrays["fit_y"], data, onehot))
        split_at = len(arrays["train"][0])  # floor(n * (1 - split)), as Keras computes it
        return dict(mode="validation_split", x_train=x[:split_at], y_train=y[:split_at],
                    x_val=x[split_at:], y_val=y[split_at:])
    xv, yv = arrays["fit_kw"]["validation_data"]
    return dict(mode="validation_data", x_train=arrays["fit_x"],
                y_train=_encode(arrays["fit_y"], data, onehot), x_val=xv,
                y_val=_encode(yv, data, onehot))


def input_facts(x_train: Any, x_val: Any) -> dict[str, float | None]:
    """The backfilled facts of these inputs (:data:`BACKFILLED` and :data:`SCALE_FACTS`),
    exactly as the callback's ``data_info`` computes and rounds them (only the inputs
    matter to them)."""
    info = data_info(None, None, x_train=x_train, x_val=x_val)
    return {key: getattr(info, key) for key in BACKFILLED + SCALE_FACTS}


def _checked_facts(record: dict[str, Any],
                   cache: dict[tuple[str, str], dict[str, Any]] | None) -> dict[str, Any]:
    """Every fact :func:`input_facts` rebuilds for ``record``, once the rebuilt arrays are
    checked against the record's ``n_train``, ``n_val`` and validation fingerprint.

    Raises:
        BackfillMismatch: They are not the arrays the callback saw.
    """
    import json

    key = (record["data"], json.dumps(record["config"], sort_keys=True))
    if cache is not None and key in cache:
        entry = cache[key]
    else:
        seen = callback_inputs(datasets.load(record["data"]), record["config"])
        entry = dict(
            facts=input_facts(seen["x_train"], seen["x_val"]),
            n_train=len(seen["x_train"]), n_val=len(seen["x_val"]),
            fingerprint=fingerprint(seen["x_val"], seen["y_val"]),
        )
        if cache is not None:
            cache[key] = entry
    data = record["run"]["data"]
    for what in ("n_train", "n_val"):
        if data.get(what) != entry[what]:
            raise BackfillMismatch(f"{record['name']}: {what} {entry[what]} rebuilt, "
                                   f"{data.get(what)} recorded")
    if data.get("val_fingerprint") != entry["fingerprint"]:
        raise BackfillMismatch(f"{record['name']}: validation fingerprint "
                               f"{entry['fingerprint']} rebuilt, "
                               f"{data.get('val_fingerprint')} recorded")
    return dict(entry["facts"])


def scale_facts(record: dict[str, Any],
                cache: dict[tuple[str, str], dict[str, Any]] | None = None
                ) -> dict[str, float | None]:
    """The training inputs' scale the callback would have recorded for ``record``.

    Args:
        record: A corpus record (``data``, ``config``, ``run``).
        cache: Facts already computed, by (data variant, configuration as JSON).

    Raises:
        BackfillMismatch: The rebuilt arrays are not the ones the callback saw.
    """
    facts = _checked_facts(record, cache)
    return {key: facts[key] for key in SCALE_FACTS}


def backfill_record(record: dict[str, Any],
                    cache: dict[tuple[str, str], dict[str, Any]] | None = None
                    ) -> dict[str, float | None]:
    """Write the backfilled facts into ``record["run"]["data"]``; return them.

    Args:
        record: A corpus record (``data``, ``config``, ``run``).
        cache: Facts already computed, by (data variant, configuration as JSON): every
            seed of a configuration fits on the same arrays.

    Raises:
        BackfillMismatch: The rebuilt validation rows do not match the record's
            ``n_train``, ``n_val`` or validation fingerprint.
    """
    facts = _checked_facts(record, cache)
    written = {key: facts[key] for key in BACKFILLED}
    record["run"]["data"].update(written)
    return written
