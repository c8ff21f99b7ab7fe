"""The run file the callback writes: a header, one appended line per epoch, an end line.

:class:`RunFile` wraps a :class:`~fitdoctor.runlog_writer.RunLogWriter` for one training: it
starts the file the first time it writes, appends the epoch records (with the per-class
metrics and the confusion matrix of a new best epoch) and the end record (status, final
fit facts, the last epoch's confusion matrix, PR-AUC at the best and last epochs, the
baselines when they changed after the header), and turns a failure to write into one
warning: the callback never breaks a training.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fitdoctor import runlog_writer
from fitdoctor.callback_perclass import PerClassPass
from fitdoctor.run import PerClass, Run


class RunFile:
    """The run log of one training (nothing is written when ``path`` is ``None``).

    Args:
        path: The file, or ``None``.
        warn: Called with what failed and the exception when writing fails.
    """

    def __init__(self, path: Path | None,
                 warn: Callable[[str, BaseException], None]) -> None:
        self.path = path
        self._warn = warn
        self._writer: runlog_writer.RunLogWriter | None = None
        #: Something was written.
        self.saved = False

    def write(self, run: Run, record: dict[str, Any] | None, per_class: PerClassPass) -> None:
        """Start the file (``record`` ``None``) or append one line; failures warn once."""
        if self.path is None:
            return
        options = {"confusions": per_class.confusions, "best_epoch": per_class.best_epoch}
        try:
            if self._writer is None:
                self._writer = runlog_writer.RunLogWriter(self.path)
                self._writer.start(run, **options)
            elif record is None:
                self._writer.start(run, **options)
            else:
                self._writer.append(record, run, **options)
            self.saved = True
        except Exception as exc:  # the callback must never break training
            self._warn(f"saving the run to {self.path}", exc)

    def epoch(self, run: Run, pc: PerClass | None, per_class: PerClassPass) -> None:
        """Append the last epoch's line (with ``pc``, the epoch's per-class record)."""
        if self.path is None:
            return
        record = None
        if pc is not None:
            confusion = per_class.confusions.get(pc.epoch) if per_class.new_best else None
            record = runlog_writer.per_class_record(pc, confusion, best=per_class.new_best)
        self.write(run, runlog_writer.epoch_record(run, run.n_epochs - 1, per_class=record),
                   per_class)

    def end(self, run: Run, per_class: PerClassPass, *,
            pr_auc: Mapping[int, list[float | None]] | None = None,
            baselines: bool = False) -> None:
        """The end line: status, final fit facts and the last epoch's confusion matrix.

        Args:
            run: The run.
            per_class: The per-class pass (its kept confusion matrices).
            pr_auc: PR-AUC per class computed at the end, by epoch. Defaults to `None`.
            baselines: Record ``run.baselines`` (they changed after the header: a
                reference model fitted during training). Defaults to `False`.
        """
        if self.path is None:
            return
        record: dict[str, Any] = {"kind": "end", "status": run.status}
        if run.fit is not None:
            record["fit"] = dataclasses.asdict(run.fit)
        if baselines and run.baselines is not None:
            record["baselines"] = dataclasses.asdict(run.baselines)
        if pr_auc:
            record["pr_auc"] = [{"epoch": e, "values": v} for e, v in sorted(pr_auc.items())]
        last = run.per_class[-1].epoch if run.per_class else None
        best = per_class.best_epoch
        cells = per_class.confusions.get(last) if last is not None else None
        if cells is not None and last != best:
            record["confusion"] = {"epoch": last, "cells": cells.tolist()}
        self.write(run, record, per_class)

    def close(self) -> None:
        """Close the file (a failure warns)."""
        if self._writer is not None:
            try:
                self._writer.close()
            except Exception as exc:  # the callback must never break training
                self._warn(f"saving the run to {self.path}", exc)
