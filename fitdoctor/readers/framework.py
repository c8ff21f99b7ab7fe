"""Which framework trained a run, as far as the logged names prove it.

The advice's code is written in the run's framework (``Run.framework``), so a reader
sets it only from what its source itself proves, and leaves it unknown (``""``) when in
doubt. Readers that know their writer say so (a Hugging Face ``log_history`` is the
Trainer's, a Keras console log or KerasTuner project is Keras's, the fitdoctor callback
is Keras's); for the others :func:`from_names` reads the metric names:

* ``lightning``: a ``*_step`` metric beside its ``*_epoch`` twin (``train_loss_step``
  and ``train_loss_epoch``): what ``self.log(..., on_step=True, on_epoch=True)`` writes,
  and nothing else does (the CSV reader also knows the file CSVLogger writes,
  ``version_N/metrics.csv``, whatever its names);
* ``keras``: a source laid out as Keras writes it (Keras's progress bars, a
  ``CSVLogger`` file: its ``epoch`` column first, the other keys sorted) whose names are
  all Keras's own (``loss``, ``val_loss``, ``accuracy``, ... read as themselves). A
  dict of curves with Keras's names proves nothing: PyTorch loops build
  ``history = {"loss": [], "val_loss": [], ...}`` as often as Keras users dump
  ``history.history``;
* not Keras (the framework stays unknown): a name Keras never writes, one the name
  reader had to rename (``train_loss``, ``val_losses``, ``Validation Accuracy``,
  ``valLoss``). It says what the run is *not*: a PyTorch loop, JAX or scikit-learn may
  all write ``train_loss``, so no framework is claimed, and the report says which
  names showed it (:data:`NOT_KERAS`).
"""

from __future__ import annotations

from collections.abc import Mapping

from fitdoctor.readers.names import Reading, read_name
from fitdoctor.run import NOT_KERAS

__all__ = ["NOT_KERAS", "from_names"]


def from_names(
    readings: Mapping[str, Reading], *, keras_layout: bool
) -> tuple[str, list[str]]:
    """The framework the logged names prove, and the names that prove it is not Keras.

    Args:
        readings: Each logged name's reading (as :func:`~.names.canonical_names` gives).
        keras_layout: The source is laid out as Keras writes it (progress bars, a
            CSVLogger file), so Keras's own names make it Keras's.

    Returns:
        ``(framework, foreign)``: ``"lightning"``, ``"keras"`` or ``""``; and, for
        ``""``, the logged names Keras never writes (empty when nothing shows it).
    """
    names = list(readings)
    lowered = {name.lower() for name in names}
    for name in names:
        low = name.lower()
        if low.endswith("_step") and low[: -len("_step")] + "_epoch" in lowered:
            return "lightning", []
    # renamed by the name reader (not by the user's --metric-map): not a Keras name
    foreign = [
        name for name, reading in readings.items()
        if not reading.user and read_name(name).canonical != name
    ]
    if foreign:
        return "", foreign
    if keras_layout and "loss" in names:
        return "keras", []
    return "", []
