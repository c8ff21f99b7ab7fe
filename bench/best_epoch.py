"""Which epoch to keep? The regret of each way of choosing it, on held-out test curves.

fitdoctor reports a best epoch judged on validation data only. Plain argmin of a noisy
validation loss picks lucky dips; this bench measures, on runs whose held-out TEST loss
was recorded every epoch, how much worse the test loss at the chosen epoch is than the
best test loss of the run (the regret), for several choosers, including the one
``fitdoctor.engine.best_epoch`` uses.

Corpora: the recorded corpus (``tests/data/corpus``, half ``holdout`` by default: tuning
happens on ``dev``) when present, else the old histories (``tests/data/histories``,
whose labels hold the test curves).

Run from the repository root::

    .venv/bin/python bench/best_epoch.py [--corpus old|dev|holdout] [--partial FILE]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fitdoctor  # noqa: E402
from fitdoctor import curves, engine  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

Chooser = Callable[[np.ndarray, np.ndarray | None], int | None]


def argmin_raw(val: np.ndarray, acc: np.ndarray | None) -> int | None:
    return curves.best_index(val)


def accuracy_within_noise(val: np.ndarray, acc: np.ndarray | None) -> int | None:
    """The one-standard-error rule with the accuracy as judge.

    Epochs whose validation loss is within one noise band of the minimum cannot be told
    apart by the loss; among them, keep the one with the best validation accuracy (then
    the lowest loss).
    """
    i = curves.best_index(val)
    if i is None or acc is None:
        return i
    near = np.flatnonzero(np.isfinite(val) & (val <= val[i] + curves.noise(val)))
    scores = np.where(np.isfinite(acc[near]), acc[near], -np.inf)
    top = near[scores == scores.max()]
    return int(top[np.argmin(val[top])])


def argmin_median3(val: np.ndarray, acc: np.ndarray | None) -> int | None:
    filled = curves.fill_gaps(val)
    if filled.size < 3 or not np.isfinite(filled).all():
        return curves.best_index(val)
    med = curves._median3(filled)
    return _logged_near(val, int(np.argmin(med)))


def argmin_smooth(val: np.ndarray, acc: np.ndarray | None) -> int | None:
    s = curves.smooth(val)
    if not np.isfinite(s).all():
        return curves.best_index(val)
    return _logged_near(val, int(np.argmin(s)))


def fitdoctor_choice(val: np.ndarray, acc: np.ndarray | None) -> int | None:
    metrics = {"val_loss": [None if not math.isfinite(v) else float(v) for v in val]}
    if acc is not None:
        metrics["val_accuracy"] = [None if not math.isfinite(v) else float(v) for v in acc]
    run = Run(epochs=list(range(1, val.size + 1)), metrics=metrics)
    best = engine.best_epoch(run)
    return None if best is None else best.epoch - 1


def _logged_near(val: np.ndarray, i: int) -> int:
    """The logged epoch nearest to ``i`` (validation_freq leaves gaps)."""
    logged = np.flatnonzero(np.isfinite(val))
    return int(logged[np.argmin(np.abs(logged - i))])


CHOOSERS: dict[str, Chooser] = {
    "argmin val_loss": argmin_raw,
    "accuracy within the loss noise": accuracy_within_noise,
    "argmin of running median-3": argmin_median3,
    "argmin of smoothed val_loss": argmin_smooth,
    "fitdoctor (engine.best_epoch)": fitdoctor_choice,
}


Case = tuple[str, np.ndarray, np.ndarray | None, np.ndarray]


def _curves(run: Run) -> tuple[np.ndarray, np.ndarray | None]:
    acc_key = next((k for k in run.metrics if k in ("val_accuracy", "val_acc")), None)
    acc = np.asarray(run.series(acc_key)) if acc_key and run.has(acc_key) else None
    return np.asarray(run.series("val_loss")), acc


def _old_corpus() -> Iterator[Case]:
    folder = ROOT / "tests" / "data" / "histories"
    labels = json.loads((folder / "labels.json").read_text())
    for name, info in sorted(labels.items()):
        run = fitdoctor.load(folder / f"{name}.json")
        if not run.has("val_loss") or not info.get("test_loss"):
            continue
        val, acc = _curves(run)
        yield name, val, acc, np.asarray(info["test_loss"], float)


def _new_corpus(half: str, partial: Path | None = None) -> Iterator[Case]:
    from corpus import load_corpus, load_partial  # tests/corpus.py

    cases = load_partial(half, partial) if partial is not None else load_corpus(half)
    for case in cases:
        run = case.run()
        test = case.record.get("test", {}).get("loss")
        if not run.has("val_loss") or not test:
            continue
        val, acc = _curves(run)
        yield case.name, val, acc, np.asarray(test, float)


@dataclass
class Regrets:
    """Per chooser: the regret (test loss at the chosen epoch minus the run's best test
    loss) and the same relative to the best, over ``used`` runs."""

    used: int
    absolute: dict[str, list[float]]
    relative: dict[str, list[float]]

    def row(self, chooser: str) -> tuple[float, float, float, float, float]:
        """(mean, median, mean relative, p90 relative, share with no regret)."""
        r, q = np.asarray(self.absolute[chooser]), np.asarray(self.relative[chooser])
        return (float(r.mean()), float(np.median(r)), float(q.mean()),
                float(np.quantile(q, 0.9)), float(np.mean(r == 0)))


def measure(runs: Iterable[Case]) -> Regrets:
    """The regret of every chooser on runs with a finite test loss every epoch."""
    absolute: dict[str, list[float]] = {name: [] for name in CHOOSERS}
    relative: dict[str, list[float]] = {name: [] for name in CHOOSERS}
    used = 0
    for _name, val, acc, test in runs:
        n = min(val.size, test.size)
        val, test = val[:n], test[:n]
        acc = acc[:n] if acc is not None else None
        if not np.isfinite(test).all() or np.isfinite(val).sum() < 3:
            continue  # diverged runs: no test loss to regret
        used += 1
        best = float(test.min())
        for cname, choose in CHOOSERS.items():
            i = choose(val, acc)
            if i is None:
                continue
            absolute[cname].append(float(test[i]) - best)
            relative[cname].append((float(test[i]) - best) / best if best > 0 else 0.0)
    return Regrets(used, absolute, relative)


def markdown(regrets: Regrets) -> list[str]:
    """The regret table in Markdown (README)."""
    # the median relative regret, not the mean: runs whose best test loss is ~0 make a
    # relative mean meaningless (a regret of 0.01 on a best of 1e-5 is 100,000%)
    out = ["| epoch kept | mean regret | median regret | median relative | p90 relative | "
           "runs with no regret |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for cname in CHOOSERS:
        mean, med, _, p90, zero = regrets.row(cname)
        rel_med = float(np.median(np.asarray(regrets.relative[cname])))
        out.append(f"| {cname} | {mean:.4f} | {med:.4f} | {100 * rel_med:.2f}% | "
                   f"{100 * p90:.2f}% | {zero:.0%} |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", choices=("old", "dev", "holdout"), default=None)
    parser.add_argument("--partial", type=Path, default=None,
                        help="a recording in progress (its .partial.jsonl), with --corpus dev")
    args = parser.parse_args()
    has_new = (ROOT / "tests" / "data" / "corpus").is_dir() and any(
        (ROOT / "tests" / "data" / "corpus").glob("*.jsonl.gz")
    )
    which = args.corpus or ("holdout" if has_new else "old")
    runs = _old_corpus() if which == "old" else _new_corpus(which, args.partial)
    regrets = measure(runs)
    print(f"corpus: {which}; {regrets.used} runs with a finite test loss every epoch")
    print(f"{'chooser':32s} {'mean regret':>12s} {'median':>9s} {'mean rel.':>10s} "
          f"{'p90 rel.':>9s} {'zero':>6s}")
    for cname in CHOOSERS:
        mean, med, rel, p90, zero = regrets.row(cname)
        print(f"{cname:32s} {mean:12.5f} {med:9.5f} {100 * rel:9.2f}% "
              f"{100 * p90:8.2f}% {zero:6.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
