"""The final fit after a cross-validation, in agreement with the report's findings.

Chollet's procedure: once the cross-validation has chosen the epoch count (the median of
the folds' best epochs), retrain on all the samples for that many epochs and evaluate
once on the test set. That count is only known when the folds reached their best epoch:
when a finding of the cross-validation's report recommends training longer (its
recommendations carry the ``train-longer`` action), the median best epoch is a lower
bound, and the advice is to cross-validate longer first -- never a number the report
contradicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fitdoctor.cv.results import CVResult
    from fitdoctor.report import Report

__all__ = ["FinalFit", "final_fit"]

#: The recommendation action that says the folds had not reached their best epoch.
_LONGER = "train-longer"


@dataclass(frozen=True)
class FinalFit:
    """What the final fit on all the data should be.

    Args:
        epochs: The median of the folds' best epochs (``None``: no fold has validation
            data).
        best_range: The lowest and highest of the folds' best epochs.
        n_samples: Samples cross-validated (training + validation), if known.
        waits_for: Codes of the report's findings that recommend training longer: while
            there are any, ``epochs`` is a lower bound and the final fit waits.
    """

    epochs: int | None
    best_range: tuple[int, int] | None
    n_samples: int | None
    waits_for: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        """True when the epoch count is known and no finding asks to train longer."""
        return self.epochs is not None and not self.waits_for

    @property
    def text(self) -> str | None:
        """The procedure in one sentence, or ``None`` when no fold has validation data."""
        if self.epochs is None:
            return None
        n = f"all {self.n_samples:,} samples" if self.n_samples else "all the data"
        if self.ready:
            s = "s" if self.epochs != 1 else ""
            return (
                f"retrain on {n} (training + validation) for {self.epochs} epoch{s}, "
                "then evaluate once on the test set"
            )
        who = " and ".join(self.waits_for)
        verb = "recommends" if len(self.waits_for) == 1 else "recommend"
        return (
            f"not yet: {who} {verb} training longer, so the folds' best epochs "
            f"(median {self.epochs}) are only a lower bound; cross-validate again with more "
            f"epochs, then retrain on {n} (training + validation) for the median of the "
            "folds' best epochs and evaluate once on the test set"
        )

    @property
    def note(self) -> str | None:
        """The report's note: the sentence with where the epoch count comes from."""
        text = self.text
        if text is None:
            return None
        if not self.ready:
            return f"final fit: {text}."
        spread = f"{self.best_range[0]}-{self.best_range[1]}" if self.best_range else "?"
        return f"final fit: {text} (median of the folds' best epochs, which range {spread})."


def final_fit(
    cv: CVResult, report: Report, *, best_epochs: Sequence[int | None] | None = None
) -> FinalFit:
    """The final fit for ``cv``, agreeing with ``report`` (its analysis).

    Args:
        cv: The cross-validation.
        report: Its report (from :func:`fitdoctor.cv.analyze_cv`).
        best_epochs: ``cv.best_epochs()``, when already computed. Defaults to `None`.

    Returns:
        The final fit.
    """
    known = cv.best_epochs() if best_epochs is None else best_epochs
    best = [b for b in known if b is not None]
    epochs = cv.final_epochs(best_epochs=known)
    waits = tuple(
        dict.fromkeys(
            f.code for f in report.findings
            if any(r.action == _LONGER for r in f.recommendations)
        )
    )
    return FinalFit(
        epochs=epochs,
        best_range=(min(best), max(best)) if best else None,
        n_samples=cv.n_samples,
        waits_for=waits,
    )
