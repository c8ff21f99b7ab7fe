"""How much can the validation curve tell? The corpus's labels applied to it.

Every corpus label is derived from a held-out TEST curve (``tests/data/recorder/labels.py``)
that fitdoctor never sees. fitdoctor judges from what the run recorded: the training curve
and the *validation* curve. Where the validation set is small, the two curves can tell
different stories (the test loss rises 34% while the validation loss keeps falling), and
no judge that reads the run can be right there.

This script measures that limit. For each run it builds a *validation twin* of the
record, the test curve replaced by the validation curve (loss, metric, number of rows,
the restored epoch's loss when early stopping restored weights) and labels it with the
corpus's own rules, unchanged. Where the twin's label is the test label, the run file
held what was needed; where it differs, the validation curve said something else.

What the twin keeps from the record (a generous ceiling): the training curve, the data
facts, the achievable score (measured on the test set) and the ``validation-broken`` label
(corrupted validation data is the one thing the validation curve cannot show about
itself, and fitdoctor has other means: class counts, chance levels, constant curves).

Printed per half: per test label, how many twins agree, what the others say; the share of
all runs where they agree (the best a validation-reading judge following the label rules
exactly could score); and, with ``--against-fitdoctor``, fitdoctor's run-view headline
accuracy split by whether the twin agrees, so that its misses divide into those the run
file could have avoided and those it could not.

Run from the repository root::

    .venv/bin/python bench/val_ceiling.py [--half dev|holdout|both] [--against-fitdoctor]
                                          [--list]

``--half`` defaults to ``dev`` (the half rules are studied on), as
``bench/overfitting_visibility.py`` does.

It changes nothing and tunes nothing: the labels' rules are imported as they are.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "data"))

from corpus import CorpusRun, load_corpus  # noqa: E402
from recorder import labels  # noqa: E402


def _num(x: float | None) -> float:
    return math.nan if x is None else float(x)


def validation_twin(rec: dict[str, Any]) -> dict[str, Any] | None:
    """The record with its test curve replaced by the validation curve, or ``None``.

    ``None`` when the run has no validation curve with one value per epoch (no validation,
    or ``validation_freq`` > 1). Where the training loss went non-finite, the validation
    values the run file holds as ``null`` stay (as NaN): the labels read them as divergence.
    """
    metrics = rec["run"]["metrics"]
    epochs = len(metrics["loss"])
    mname = rec["test"]["metric_name"]
    vloss = metrics.get("val_loss") or []
    vmetric = metrics.get(f"val_{mname}") or []
    if len(vloss) != epochs or len(vmetric) != epochs:
        return None
    train = [_num(x) for x in metrics["loss"]]
    if all(math.isfinite(x) for x in train) and any(x is None for x in [*vloss, *vmetric]):
        return None  # validation_freq > 1: epochs without a validation value
    twin = copy.deepcopy(rec)
    facts = twin["facts"]
    n_val = facts.get("n_val")
    if not n_val:
        return None
    restored = bool(facts.get("restored")) and (facts.get("best_val_epoch") or epochs) < epochs
    final = int(facts["best_val_epoch"]) - 1 if restored else epochs - 1
    twin["test"] = dict(loss=[_num(x) for x in vloss], metric=[_num(x) for x in vmetric],
                        metric_name=mname, n=int(n_val), final_loss=_num(vloss[final]),
                        final_metric=_num(vmetric[final]))
    # the constant predictor's loss on the held-out rows: the training rows' is what the
    # run knows (the test set's own was measured on the test set)
    facts["constant_test_loss"] = facts["constant_loss"]
    return twin


def twin_label(rec: dict[str, Any], *, grant_broken: bool = True) -> str | None:
    """The corpus label of a labelled record's validation twin (``None``: no twin).

    With ``grant_broken``, a record labelled ``validation-broken`` keeps that label:
    corrupted validation data is not something its own curve can show.
    """
    if grant_broken and rec["label"] == "validation-broken":
        return str(rec["label"])
    twin = validation_twin(rec)
    if twin is None:
        return None
    return str(labels.label(twin)["label"])


def fitdoctor_right(run: CorpusRun, rules: list[Any]) -> bool:
    """Whether fitdoctor's run-view headline is right (as ``bench/accuracy.py`` judges)."""
    import accuracy

    from fitdoctor import engine

    return accuracy.judge(run.label, engine.analyze(run.run(), rules=rules))[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # dev by default: the holdout half is the lead's to measure, once, after merging
    parser.add_argument("--half", choices=["dev", "holdout", "both"], default="dev")
    parser.add_argument("--against-fitdoctor", action="store_true",
                        help="split fitdoctor's run-view accuracy by twin agreement")
    parser.add_argument("--list", action="store_true",
                        help="(dev only) one line per run whose twin disagrees")
    args = parser.parse_args(argv)
    halves = ["dev", "holdout"] if args.half == "both" else [args.half]
    rules: list[Any] = []
    if args.against_fitdoctor:
        sys.path.insert(0, str(ROOT / "bench"))
        from fitdoctor.rules import Settings

        rules = Settings().rules()
    for half in halves:
        runs = load_corpus(half)
        per: dict[str, Counter[str]] = defaultdict(Counter)
        agree = total = 0
        split: Counter[tuple[bool, bool]] = Counter()
        fd: dict[str, Counter[tuple[bool, bool]]] = defaultdict(Counter)
        for run in runs:
            tl = twin_label(run.record)
            shown = tl if tl is not None else "(no twin)"
            per[run.label][shown] += 1
            ok = tl == run.label
            agree += ok
            total += 1
            if args.against_fitdoctor:
                right = fitdoctor_right(run, rules)
                split[(ok, right)] += 1
                fd[run.label][(ok, right)] += 1
            if args.list and half == "dev" and not ok:
                print(f"  {run.name:40s} test {run.label:18s} val {shown}")
        print(f"\n{half}: validation twin's label = test label on {agree}/{total} "
              f"= {agree / total:.0%}")
        print(f"{'test label':18s} {'runs':>5s} {'twin agrees':>14s}  "
              + ("fitdoctor right: twin agrees / not  " if args.against_fitdoctor else "")
              + "twin says otherwise")
        for lab in sorted(per):
            c = per[lab]
            n = sum(c.values())
            others = ", ".join(f"{k} {v}" for k, v in c.most_common() if k != lab)
            f = fd[lab]
            split_txt = (f"{f[(True, True)]:3d}/{c[lab]:<3d} {f[(False, True)]:3d}/"
                         f"{n - c[lab]:<3d}                  " if args.against_fitdoctor
                         else "")
            print(f"{lab:18s} {n:5d} {c[lab]:6d}/{n:<3d} = {c[lab] / n:4.0%}  {split_txt}"
                  f"{others}")
        if args.against_fitdoctor:
            a_n = split[(True, True)] + split[(True, False)]
            d_n = split[(False, True)] + split[(False, False)]
            print(f"fitdoctor right (run view) where the twin agrees: "
                  f"{split[(True, True)]}/{a_n}; where it does not: "
                  f"{split[(False, True)]}/{d_n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
