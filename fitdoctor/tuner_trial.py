"""The KerasTuner trial a ``model.fit`` runs in, if any (for the callback inside ``tuner.search``).

``tuner.search(x, y, callbacks=[FitDoctor()])`` deep-copies the callbacks for every
trial and calls ``model.fit`` from ``Tuner.run_trial(trial, ...)``; nothing in the
``fit`` call names the trial. :func:`current_trial` finds it on the call stack: the
frame of the tuner method that holds ``self`` (the tuner: it has ``get_trial_dir``)
and ``trial`` (a ``Trial``: ``trial_id`` and ``hyperparameters.values``). It reads
attributes only and imports nothing: with no tuner on the stack, or a KerasTuner whose
names changed, it returns ``None`` and the callback behaves as outside a tuner.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

#: Frames looked at, from the caller up.
MAX_DEPTH = 60


@dataclass(frozen=True)
class TrialInfo:
    """The trial being trained.

    Args:
        trial_id: KerasTuner's id (``"03"``).
        folder: The trial's folder (``directory/project_name/trial_03``).
        hyperparameters: Name → value (KerasTuner's ``trial.hyperparameters.values``).
        execution: Which execution of the trial (``executions_per_trial``), from 0.
    """

    trial_id: str
    folder: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    execution: int = 0

    def run_file(self, name: str = "fitdoctor-run.json") -> str:
        """Where the trial's run file goes: ``name`` in the trial folder.

        A second execution of the same trial gets ``-2`` before the extension.
        """
        if self.execution:
            stem, ext = os.path.splitext(name)
            name = f"{stem}-{self.execution + 1}{ext}"
        return os.path.join(self.folder, name)


def current_trial() -> TrialInfo | None:
    """The KerasTuner trial on the call stack, or ``None``.

    Returns:
        The trial, or ``None`` outside ``tuner.search`` (or when KerasTuner is not
        imported at all, which is checked first and costs nothing).
    """
    if "keras_tuner" not in sys.modules:
        return None
    frame = sys._getframe(1)
    for _ in range(MAX_DEPTH):
        if frame is None:
            return None
        found = _trial_in(frame.f_locals)
        if found is not None:
            return found
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _trial_in(names: dict[str, Any]) -> TrialInfo | None:
    tuner, trial = names.get("self"), names.get("trial")
    trial_id = getattr(trial, "trial_id", None)
    trial_dir = getattr(tuner, "get_trial_dir", None)
    if trial_id is None or not callable(trial_dir):
        return None
    values = getattr(getattr(trial, "hyperparameters", None), "values", None)
    try:
        folder = str(trial_dir(trial_id))
    except Exception:  # a tuner that cannot say: not one we know
        return None
    execution = names.get("execution")
    return TrialInfo(
        trial_id=str(trial_id),
        folder=folder,
        hyperparameters=dict(values) if isinstance(values, dict) else {},
        execution=execution if isinstance(execution, int) else 0,
    )


__all__ = ["TrialInfo", "current_trial"]
