"""Broken validation in bare histories: FD705-FD709 on new runs, run file against bare.

The corpus labels a run ``validation-broken`` when its validation set was corrupted by
construction (a class-sorted ``validation_split``, validation inputs left unscaled,
shuffled validation labels, ...) and the validation curve then disagrees with the
held-out test curve, or when the validation set holds one class (``recorder/labels.py``).
The run file knows the class counts and the input statistics (FD707, FD709); a bare
``history.history`` has only the curves (FD705 at chance, FD706 constant, FD708 a loss
off the scale). This script trains new variants of each kind through the corpus recorder
(never the corpus files), each with a healthy neighbour (the same set-up with a sound
split), labels them with the corpus's rules and prints, per run: the label, the label of
its validation twin without the validation-broken grant (``bench/val_ceiling.py``: what
the validation curve alone would be labelled), the headline of the run file and of the
bare history, which FD70x fired in each (lower case: info), and what the bare rules read:
the validation size read off the accuracy's steps, the first and late validation and
training accuracies, whether the validation loss ever fell below its first epoch, the
late validation loss against the loss scale (median of the first three training losses),
against the late training loss, and against the loss its own accuracy would give at
honest confidence (``span.honest_loss``), and the test loss for comparison.

Two kinds the corpus recorder does not build are added here by wrapping
``training.validation_arrays`` (the label rule reads any ``corruption``): ``shifted``
(validation_data whose inputs are the pool's rows plus ``SHIFT`` training standard
deviations, a validation set from another distribution: another sensor, another site)
and ``constant`` (validation_data whose inputs are one row repeated, with a little noise:
a pipeline bug that fills the validation inputs).

Run from the repository root (a few seconds per training on one core)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/valbroken_probe.py
        [--seeds 21,22] [--only NAME] [--save FILE] [--load FILE] [--dev]
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

import numpy as np
from probe_common import Probe, add_io_arguments, records
from recorder import training

import fitdoctor
from fitdoctor.detectors.span import honest_loss
from fitdoctor.report import Report

#: Validation inputs of the ``shifted`` kind: the rows plus this many standard deviations.
SHIFT = 1.5

_M = dict(units=[32], epochs=30, batch=16)
PROBES: list[Probe] = [
    # class-sorted validation_split: multi-class and binary, fractions 0.1-0.4
    ("wine_sorted_split0.3", "wine", dict(_M, val="sorted", val_frac=0.3)),
    ("wine_split0.3", "wine", dict(_M, val="split", val_frac=0.3)),
    ("iris_sorted_split0.1", "iris", dict(units=[16], epochs=60, batch=8, lr=3e-3,
                                          val="sorted", val_frac=0.1)),
    ("moons_sorted_split0.4", "moons", dict(units=[32, 32], epochs=30, lr=3e-3,
                                            val="sorted", val_frac=0.4)),
    ("moons_split0.4", "moons", dict(units=[32, 32], epochs=30, lr=3e-3, val="split",
                                     val_frac=0.4)),
    ("clf_sorted_split0.15", "clf", dict(units=[64], epochs=20, opt="rmsprop",
                                         val="sorted", val_frac=0.15)),
    ("digits_sorted_split0.1", "digits", dict(units=[64], epochs=15, val="sorted",
                                              val_frac=0.1)),
    ("digits_split0.1", "digits", dict(units=[64], epochs=15, val="split", val_frac=0.1)),
    # validation inputs left unscaled (strongly: iris; mildly: moons), shuffled labels
    ("iris_unscaled_val", "iris", dict(units=[16], epochs=60, batch=8, lr=3e-3,
                                       val="unscaled", val_frac=0.3)),
    ("iris_data0.3", "iris", dict(units=[16], epochs=60, batch=8, lr=3e-3, val="data",
                                  val_frac=0.3)),
    ("digits_raw_unscaled_val", "digits", dict(units=[64], epochs=15, opt="rmsprop",
                                               val="unscaled", val_frac=0.3)),
    ("wine_shuffled_val", "wine", dict(_M, val="shuffled", val_frac=0.3)),
    ("digits_shuffled_val", "digits", dict(units=[64], epochs=15, val="shuffled",
                                           val_frac=0.3)),
    # a validation set from another distribution; constant validation inputs
    ("clf_shifted_val", "clf", dict(units=[64], epochs=20, val="shifted", val_frac=0.2)),
    ("clf_data0.2", "clf", dict(units=[64], epochs=20, val="data", val_frac=0.2)),
    ("moons_constant_val", "moons", dict(units=[32, 32], epochs=30, lr=3e-3,
                                         val="constant", val_frac=0.2)),
    ("digits_constant_val", "digits", dict(units=[64], epochs=15, val="constant",
                                           val_frac=0.2)),
    ("digits_data0.3", "digits", dict(units=[64], epochs=15, val="data", val_frac=0.3)),
]

_CODES = ("FD705", "FD706", "FD707", "FD708", "FD709")
_original_arrays = training.validation_arrays


def _arrays(data: Any, cfg: dict[str, Any]) -> dict[str, Any]:
    """``training.validation_arrays`` with the ``shifted`` and ``constant`` kinds added."""
    mode = cfg["val"]
    if mode not in ("shifted", "constant"):
        return _original_arrays(data, cfg)
    out = _original_arrays(data, dict(cfg, val="data"))
    xt = out["train"][0]
    xv, yv = out["val"]
    if mode == "shifted":
        xv = (xv + SHIFT * xt.std(axis=0, keepdims=True)).astype("float32")
    else:
        rng = np.random.default_rng(7)
        xv = (np.broadcast_to(xv[:1], xv.shape) + rng.normal(0, 1e-3, xv.shape)).astype(
            "float32")
    out.update(fit_kw={"validation_data": (xv, yv)}, val=(xv, yv), corruption=mode)
    return out


training.validation_arrays = _arrays


def _head(report: Report) -> str:
    bad = [f for f in report.findings if f.severity.rank >= 1]
    return bad[0].diagnosis if bad else "(none)"


def _codes(report: Report) -> str:
    return ",".join(f.code if f.severity.rank >= 1 else f.code.lower()
                    for f in report.findings if f.code in _CODES) or "-"


def _bare_numbers(run: fitdoctor.Run, n_classes: int) -> str:
    """What the bare rules read (see the module docstring)."""
    from fitdoctor.detectors.validation_setup import validation_size

    hist = {k: np.asarray(run.series(k), float) for k in run.metrics}
    loss, vloss = hist.get("loss"), hist.get("val_loss")
    if loss is None or vloss is None or loss.size < 3:
        return ""
    acc_key = next((k for k in hist if k in ("accuracy", "acc", "sparse_categorical_accuracy",
                                              "binary_accuracy", "categorical_accuracy")),
                   None)
    scale = float(np.median(loss[:3]))
    half = loss.size // 2
    v_late = float(np.median(vloss[half:]))
    t_late = float(np.median(loss[half:]))
    fell = bool(np.min(vloss[1:]) < vloss[0])
    out = (f"vL/scale {v_late / scale:6.3g} vL/L {v_late / t_late:6.3g} "
           f"fell {'y' if fell else 'n'}")
    if acc_key and f"val_{acc_key}" in hist:
        va, ta = hist[f"val_{acc_key}"], hist[acc_key]
        found = validation_size(run, f"val_{acc_key}", max_n=20000, max_false=0.001)
        va_late, ta_late = float(np.median(va[half:])), float(np.median(ta[half:]))
        honest = honest_loss(1 - va_late, max(n_classes, 2))
        out += (f" n~{found[0] if found else '?':>4} va {float(np.median(va[:3])):.2f}->"
                f"{va_late:.2f} ta {ta_late:.2f} vL/honest {v_late / max(honest, 1e-9):6.3g}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="21,22")
    ap.add_argument("--dev", action="store_true",
                    help="the same table for the dev half's validation-broken runs")
    add_io_arguments(ap)
    args = ap.parse_args(argv)
    from accuracy import judge
    from corpus import from_record
    from val_ceiling import twin_label

    recs = records(args, PROBES, family="val-broken", intended="validation-broken")
    if args.dev:
        recs = [r for r in recs if r["label"] == "validation-broken"]
    tally: dict[tuple[str, str], int] = {}
    for rec in recs:
        case = from_record({"half": "probe", "group": rec["name"].rsplit("_s", 1)[0], **rec})
        run_r = fitdoctor.analyze(case.run())
        bare = case.bare()
        bare_r = fitdoctor.analyze(bare)
        twin = twin_label(rec, grant_broken=False) or "-"
        k = int(rec["facts"].get("n_classes") or rec["run"].get("data", {}).get(
            "n_classes") or 2)
        t_loss = rec["test"]["loss"]
        print(f"{case.name:28s} {case.label:17s} twin {twin:17s} "
              f"run {_head(run_r):16s} {_codes(run_r):11s} "
              f"bare {_head(bare_r):16s} {_codes(bare_r):11s} "
              f"T {float(np.median(t_loss[-max(2, math.ceil(0.2 * len(t_loss))):])):.3g} "
              f"{_bare_numbers(bare, k)}")
        for view, rep in (("run", run_r), ("bare", bare_r)):
            right = judge(case.label, rep)[0]
            key = (case.label, view)
            tally[key] = tally.get(key, 0) + 1
            tally[(case.label, view + "_right")] = tally.get(
                (case.label, view + "_right"), 0) + right
    print()
    for lab in sorted({k[0] for k in tally}):
        n = tally[(lab, "run")]
        print(f"  {lab:18s} runs {n:3d}  right: run {tally[(lab, 'run_right')]:3d}  "
              f"bare {tally[(lab, 'bare_right')]:3d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
