"""What a cross-validation file can cost: the largest one the caps allow against a usual one.

``fitdoctor analyze cv.json`` reads the document (every field checked) and analyzes
every fold plus the fold mean, so its time grows with models × epochs. The caps bound it
(``fitdoctor.cv.documents``: ``MAX_DOCUMENT_BYTES``, ``MAX_MODELS``, ``MAX_DEPTH``).
This script writes, in a temporary folder:

* a usual document: 10-fold CV repeated 10 times (100 models), 100 epochs each;
* the largest the caps allow: ``MAX_MODELS`` models with as many epochs as fit under
  ``MAX_DOCUMENT_BYTES``;
* one just over the byte cap and one just over the model cap (refused: how fast);
* a 100,000-deep nesting (refused without recursion);

then times ``fitdoctor.analyze(path)`` on each in this one process (after one warm-up
call) and prints seconds, CPU seconds and the ratio of CPU seconds to the usual document. Usage::

    .venv/bin/python bench/bench_cv_documents.py
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fitdoctor
from fitdoctor import cv
from fitdoctor.cv import documents
from fitdoctor.errors import InputError
from fitdoctor.run import DataInfo, Run


def fold(i: int, epochs: int) -> Run:
    e = list(range(1, epochs + 1))
    return Run(
        epochs=e,
        metrics={
            "loss": [1.0 / x + 0.001 * i for x in e],
            "val_loss": [1.1 / x + 0.1 + 2e-5 * x + 0.001 * i for x in e],
            "accuracy": [1 - 0.5 / x for x in e],
            "val_accuracy": [0.9 - 0.4 / x for x in e],
        },
        data=DataInfo(task="multiclass", n_train=900, n_val=100, n_classes=10),
        meta={"fold": i % 10, "repeat": i // 10},
    )


def write_cv(path: Path, models: int, epochs: int) -> int:
    result = cv.CVResult([fold(i, epochs) for i in range(models)], k=10,
                         repeats=max(1, models // 10), n_samples=1000)
    result.save(path)
    return path.stat().st_size


def timed(fn: Callable[[], Any]) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        fn()
        outcome = "report"
    except InputError as exc:
        outcome = f"refused: {str(exc).split(': ', 1)[1][:60]}"
    return time.perf_counter() - wall, time.process_time() - cpu, outcome


def main() -> None:
    """Write the documents, time them, print the table."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        usual = folder / "usual.json"
        size = write_cv(usual, 100, 100)
        fitdoctor.analyze(usual)  # warm-up: imports and rules are loaded once per process
        rows.append(("10×10 CV, 100 epochs", size, *timed(lambda: fitdoctor.analyze(usual))))
        # as many epochs as fill the byte cap with MAX_MODELS models (sized in two passes)
        largest = folder / "largest.json"
        models, cap = documents.MAX_MODELS, documents.MAX_DOCUMENT_BYTES
        epochs = 1000
        for _ in range(2):
            epochs = int(epochs * 0.98 * cap / write_cv(largest, models, epochs))
        size = write_cv(largest, models, epochs)
        rows.append((f"{models} models × {epochs} epochs (the caps)", size,
                     *timed(lambda: fitdoctor.analyze(largest))))
        over = folder / "over.json"
        size = write_cv(over, models, int(epochs * 1.05))
        rows.append(("over the byte cap", size, *timed(lambda: fitdoctor.analyze(over))))
        many = folder / "many.json"
        size = write_cv(many, documents.MAX_MODELS + 1, 5)
        rows.append(("over the model cap", size, *timed(lambda: fitdoctor.analyze(many))))
        deep = folder / "deep.json"
        text = json.dumps(cv.CVResult([fold(0, 5), fold(1, 5)], k=2).to_dict())
        text = text.replace('"meta": {}', '"meta": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}", 1)
        deep.write_text(text, encoding="utf-8")
        rows.append(("100,000-deep nesting", deep.stat().st_size,
                     *timed(lambda: fitdoctor.analyze(deep))))
    base = rows[0][3]  # CPU seconds: steadier than wall time on a shared machine
    print(f"load average {os.getloadavg()[0]:.1f}; caps: {documents.MAX_DOCUMENT_BYTES // 2**20}"
          f" MiB, {documents.MAX_MODELS} models, depth {documents.MAX_DEPTH}")
    print(f"{'document':<44} {'size':>10} {'wall s':>8} {'cpu s':>8} {'× usual':>8}  outcome")
    for name, size, wall, cpu_s, outcome in rows:
        mib = f"{size / 2**20:.1f} MiB"
        print(f"{name:<44} {mib:>10} {wall:>8.2f} {cpu_s:>8.2f} "
              f"{cpu_s / base if base else math.nan:>8.1f}  {outcome}")


if __name__ == "__main__":
    main()
