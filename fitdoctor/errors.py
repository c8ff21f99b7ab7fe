"""Exceptions raised by fitdoctor.

The tree::

    FitDoctorError                 base of everything fitdoctor raises on purpose
    ├── InputError(ValueError)     a run, history or CSV that cannot be used
    ├── ConfigError(ValueError)    a configuration or rule pack that cannot be used
    ├── MissingDependency(ImportError)  an optional dependency (matplotlib, keras) is absent
    └── MissingInput               raised by a detector: the run lacks what the rule needs

Domain code raises these and never prints or exits: ``InputError``, ``ConfigError`` and
``MissingDependency`` are what the CLI (:mod:`fitdoctor.cli.common`) turns into one line
on stderr and exit code 2. ``MissingInput`` never reaches a user: the engine records the rule as
skipped, with the reason and what would enable it.
"""

from __future__ import annotations


class FitDoctorError(Exception):
    """Base class of every exception fitdoctor raises on purpose."""


class InputError(FitDoctorError, ValueError):
    """The input (run file, history, CSV, object) cannot be used."""


class ConfigError(FitDoctorError, ValueError):
    """The configuration or a rule declaration cannot be used."""


class MissingDependency(FitDoctorError, ImportError):
    """An optional dependency is not installed; the message says what to install."""


#: ``MissingInput.needs`` of a rule that does not apply to the model (nothing is missing).
NOT_APPLICABLE = "not-applicable"


class MissingInput(FitDoctorError):
    """A detector cannot run because the run lacks an input.

    Args:
        reason: What is missing, e.g. ``"no validation curve (val_loss)"``.
        hint: What would enable the rule, e.g. ``"pass validation_split=0.2 to fit"``.
        needs: What kind of input is missing: ``"run-file"`` (facts only a run recorded
            by the callback holds: model, data, per-class metrics), ``"epochs"`` (a
            longer run), ``"input"`` (anything else, e.g. a curve that was not logged) or
            ``"not-applicable"`` (nothing is missing: the rule does not apply to this
            model, e.g. a training-loss check on a model with Dropout).
            Defaults to `"input"`.
    """

    def __init__(self, reason: str, hint: str = "", *, needs: str = "input") -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint
        self.needs = needs
