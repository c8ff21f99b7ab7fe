"""Bare histories of runs near a blow-up: FD403/FD404 without a run file, on new runs.

A bare ``history.history`` tells neither the loss of a constant predictor nor the class
count. FD403 and FD404 then hold a classifier (a history that logs an accuracy) to ln
``max_classes``, the most any constant prediction loses (``rules/curves.toml``): a first
epoch ``blowup_factor`` times that is a blow-up whatever the class count, and after it
a network that is dead or frozen (FD403), or whose loss stays above ln ``max_classes``
and ``class_factor`` times what its own predictions would lose at honest confidence
(FD404), diverged. This script trains the neighbours of the dev runs that taught it
(RMSprop, Adam and SGD at learning rates of 0.5-10 on binary and multi-class data, through
the corpus recorder, never the corpus files), labels them with the corpus's rules and
prints, per run, the label, the headline of the run file and of the bare history, which
of FD403/FD404 fired in each, and the numbers the bare rules read: the first epoch over
ln ``max_classes``, the late loss and training accuracy, and the honest loss.

Measured (2026-11-30, 27 trainings, seeds 11-13; "before" = the rules without the ln
``max_classes`` bound and without the late freeze): 20 runs labelled diverged, run view
15 -> 17 right, bare view 3 -> 10; 4 unstable (1 right, both views, unchanged); 3 healthy
(silent, both views, unchanged). Gained: bare FD403 on wine RMSprop lr 2 (3 seeds, frozen
after a first epoch 128-270× ln 100000), clf RMSprop lr 10 s11, moons RMSprop lr 5 s13,
breast cancer RMSprop lr 5 s13 (dead or frozen); both views FD403 on wine Adam lr 5 s11
and bc RMSprop lr 5 s13 (frozen only in the last 7 epochs). Still missed in the bare
view: the binary runs whose late loss is 1.3-2.1 at 56-73% accuracy (clf RMSprop lr
2/10, clf Adam lr 5, moons RMSprop lr 5): 2-3× ln 2, but well within what a classifier
of thousands of classes could lose, so without the class count nothing says it is worse
than a constant prediction (their first epochs, 18-484× ln 100000, mostly do not reach
50×, or the network is not dead after them); the bare headlines there are unstable,
underfitting or none.

Run from the repository root (about a minute per seed on one core)::

    nice -n 10 .venv/bin/python bench/diverge_probe.py [--seeds 11,12,13] [--only NAME]
        [--save FILE] [--load FILE]
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

import numpy as np
from probe_common import Probe, add_io_arguments, records

import fitdoctor
from fitdoctor.detectors.span import honest_loss
from fitdoctor.report import Report

PROBES: list[Probe] = [
    ("clf_rmsprop_lr2", "clf", dict(opt="rmsprop", lr=2.0, epochs=20)),
    ("clf_rmsprop_lr10", "clf", dict(opt="rmsprop", lr=10.0, epochs=20)),
    ("clf_adam_lr5", "clf", dict(opt="adam", lr=5.0, epochs=20)),
    ("moons_rmsprop_lr5", "moons", dict(opt="rmsprop", lr=5.0, epochs=20)),
    ("bc_rmsprop_lr5", "bc", dict(opt="rmsprop", lr=5.0, epochs=20)),
    ("wine_rmsprop_lr2", "wine", dict(opt="rmsprop", lr=2.0, epochs=20)),
    ("wine_adam_lr5", "wine", dict(opt="adam", lr=5.0, epochs=20)),
    ("digits_rmsprop_lr5", "digits", dict(opt="rmsprop", lr=5.0, epochs=20)),
    ("digits_sgd_lr0.5", "digits", dict(opt="sgd", lr=0.5, epochs=20)),
]


def _fd404_params() -> tuple[int, float]:
    """FD404's ``max_classes`` and ``window_fraction`` as the rules declare them."""
    from fitdoctor.rules import Settings

    params = next(r for r in Settings().rules() if r.code == "FD404").params
    return int(params["max_classes"].default), float(params["window_fraction"].default)


def _head(report: Report) -> str:
    bad = [f for f in report.findings if f.severity.value in ("warning", "error")]
    return bad[0].diagnosis if bad else "(none)"


def _codes(report: Report) -> str:
    return ",".join(f.code for f in report.findings if f.code in ("FD403", "FD404")) or "-"


def _numbers(history: dict[str, Any]) -> str:
    loss = np.asarray(history.get("loss", []), float)
    acc = np.asarray(history.get("accuracy", []), float)
    if loss.size < 3 or acc.size != loss.size:
        return ""
    max_classes, window_fraction = _fd404_params()
    w = max(2, math.ceil(window_fraction * loss.size))
    late, a = float(np.median(loss[-w:])), float(np.median(acc[-w:]))
    bound = math.log(max_classes)
    return (f"first/lnK {loss[0] / bound:8.3g}  late {late:8.3g}  acc {a:.3f}  "
            f"honest {honest_loss(1 - a, max_classes):.3g}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="11")
    add_io_arguments(ap)
    args = ap.parse_args(argv)
    sys.path.insert(0, "tests")
    from corpus import from_record

    recs = records(args, PROBES, family="lr-sweep", intended="diverged")
    for rec in recs:
        case = from_record({"half": "probe", "group": rec["name"].rsplit("_s", 1)[0], **rec})
        run_r = fitdoctor.analyze(case.run())
        bare_r = fitdoctor.analyze(case.bare())
        print(f"{case.name:24s} {case.label:14s} run {_head(run_r):13s} {_codes(run_r):11s} "
              f"bare {_head(bare_r):13s} {_codes(bare_r):11s} {_numbers(case.history())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
