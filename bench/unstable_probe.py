"""What does the validation curve show when the test curve swings? FD411-FD413 on new runs.

The corpus labels a run ``unstable`` when its training loss or its held-out *test*
loss oscillates (``recorder/labels.py``, rule 6). FD411 (training loss oscillating),
FD412 (validation loss oscillating) and FD413 (training loss spiking) see the training
and validation curves only. This script trains small Keras models on scikit-learn's
bundled data (never the corpus files) through the corpus recorder
(``tests/data/recorder/training.py``: FitDoctor's callback plus a held-out test curve
per epoch) in the set-ups where the test loss swings (Adam/RMSprop at 0.01-0.05, SGD
with momentum at high rates, batches of 4-16, recurrent models with RMSprop, conv nets
at high rates; validation sets of 25-280 rows), labels each run with the corpus's rules,
and prints, against the label, the three rules' verdicts, the full analysis's headline
and the swings measured the way FD412 measures them (second half: upward share of the
movement, median epoch-to-epoch change over the training-loss scale, mean accuracy
change) on the validation curve *and* on the test curve, plus the label's wiggle ratios
(training, validation, test loss).

Columns: ``why`` = which half of the label's rule 6 matched (``train``: training loss
oscillates; ``test``: test loss oscillates); ``Vup``/``Vamp``/``Vacc`` = the three
measures FD412 used before 2026-11-30, on the validation curve (its bars then: up share
0.3-0.8, amplitude 8% of the loss scale, accuracy swing 1 point); ``Vlvl`` = the same
median change over the validation curve's own late level (the label's yardstick);
``Tup``/``Tamp``/``Tacc`` = the same measures on the test curve; ``wL``/``wV``/``wT`` =
the label's wiggle ratios.

Measured (2026-11-30, 36 trainings, seeds 3 and 4; ``--dev unstable,healthy`` prints
the same table for the corpus's dev records). 20 runs labelled unstable: 11 get an
FD411/FD412/FD413 headline, 2 more fire one of them but the headline is FD402
(diverged: wine momentum 0.2 with 25 validation rows, conv momentum 0.2). The 7 missed
fall into four kinds, and so do 4 of the 7 dev misses (12 of 19 caught):

- **The validation curve swings with the test curve, but below FD412's bars** (the
  most common; new: digits RMSprop 0.02 b16 s3/s4, digits momentum 0.3 s3, digits
  Adam 0.01 b4 s3; dev: digits_rmsprop_lr0.01_b8_s2, clf_momentum_lr0.5_s0,
  sum_gru_rmsprop_s1/s2). The amplitude bar misses most: 5.0-6.9% of the loss scale
  against 8%, although that is 11-41% of the validation loss's own level (the test
  loss swings alike: wT 19-59%). The accuracy bar misses twice by a hair (0.9 and 0.97
  points against 1), the up-share bar once (26% against 30%: the second half starts
  on a spike, so it mostly falls). Regression (sum_gru_rmsprop, 210 validation rows)
  swings 2.8-3.8% of the scale, 28-38% of its level.
- **Swings over by the second half** (digits Adam 0.03 b16 s3): the validation and test
  losses jump in epochs 2-10, then settle flat (0.052 for 8 epochs, test accuracy
  0.976-0.978). FD41x judge the second half; the label's wiggle spans the whole run.
  The label is arguable: the model the user ends with is stable.
- **One collapse seen only in the validation curve** (sine GRU RMSprop 0.03 s4): at
  epoch 8 the validation loss jumps 0.0035 -> 2.96 (accuracy 1.00 -> 0.59) and recovers
  the next epoch, while the training loss only goes 0.040 -> 0.101 (one FD413 spike; it
  needs two, or one that undoes half the fall). No rule reads a spike of the
  validation loss; FD412 judges only the second half's up share (0% there).
- **Swings at ~100% accuracy** (sine LSTM RMSprop 0.01 s3: validation loss 0.0002-0.008
  at 99.5-100% accuracy): FD412 stays silent by design; the label fires because the
  test accuracy's wiggle counts an epoch-2 dip (0.92). The label is arguable.

The other 3 dev misses: clf_momentum_lr0.5_s2 (FD411 and FD412 fire; the headline is
FD101), and two labelled from the training loss alone while the validation and test
curves stay calm, so no validation signal exists to find: clf_x100_adam_s1 (training
wiggle 10% of its level, at the label's bar; wV 3%, wT 1%) and sine_gru_s0 (one
training-loss bump 0.032 -> 0.147 -> 0.032 at epoch 8, one FD413 spike; wV 1%, wT 0%).

No change to FD411-FD413 follows from this. Measured the same way, healthy dev runs sit
where the misses sit: conv300_big_dropout_shift (60 validation rows) swings 18-26% of
its level with an accuracy swing of 1.0-2.5 points (one sample is 1.7 points there);
healthy regression (friedman200, diabetes_big_l2, 40-62 rows) swings 2-5% of the scale,
as much as the unstable sum_gru runs. Lowering the amplitude bar to ~5%, or measuring
against the level, would trade misses for false alarms on small validation sets; the
level yardstick separates only regression (healthy <= 13%, unstable 28-47%), on three
dev runs. Among new runs not labelled unstable, FD412 fired on 2 overfitting runs
(clf Adam 0.02 b16, whose headline stays FD101) and on no healthy one.

**Re-measured after FD412's change (2026-11-30, the same 36 configurations re-trained,
``--save``)**: FD412 now judges the validation loss's wiggle beyond "falls, then rises"
against its late level (bar 15%, the label's own on the test curve) and against the
validation set's size (1.2/sqrt(n_val)). This probe was not used to choose the measure
(dev and the wild corpus were). Unstable runs with an FD411-FD413 headline: 14 of 20 (11
before); overfitting runs: none fired; healthy runs: 1 of 7 now warned
(friedman_adam_0.02_b8_s3, regression on 140 validation rows: its validation loss wiggles
16% of its level, its test loss 14%, just under the label's 15%). The probe's Vup/Vamp/
Vlvl columns are the old measures, kept for comparison.

Run from the repository root (36 trainings of 10-20 seconds each on a busy machine)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/unstable_probe.py [--only SUBSTR]
                                                  [--save FILE | --load FILE | --dev LABELS]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "data"))
sys.path.insert(0, str(ROOT / "tests"))

import probe_common  # noqa: E402
from corpus import upgrade  # noqa: E402
from recorder import labels  # noqa: E402

from fitdoctor import curves, engine  # noqa: E402
from fitdoctor.rules import Settings  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

CONV = dict(model="conv", units=[16], head=[])

#: (name, data variant, settings): each trained with SEEDS (not the corpus's 0-2).
PROBES: list[tuple[str, str, dict[str, Any]]] = [
    # Adam / RMSprop at 0.01-0.05 with small batches (validation sets of 250-280 rows)
    ("digits_adam_0.01_b16", "digits", dict(units=[128], lr=0.01, batch=16, epochs=20)),
    ("digits_adam_0.03_b16", "digits", dict(units=[128], lr=0.03, batch=16, epochs=20)),
    ("digits_rms_0.02_b16", "digits", dict(units=[128], opt="rmsprop", lr=0.02, batch=16,
                                           epochs=20)),
    ("clf_adam_0.02_b16", "clf", dict(units=[128, 128], lr=0.02, batch=16, epochs=20)),
    ("clf_rms_0.01_b8", "clf", dict(units=[128], opt="rmsprop", lr=0.01, batch=8,
                                    epochs=20)),
    ("bc_adam_0.03_b8", "bc", dict(units=[64, 64], lr=0.03, batch=8, epochs=25)),
    # SGD with momentum at high rates
    ("digits_mom_0.3_b16", "digits", dict(units=[128], opt="momentum", lr=0.3, batch=16,
                                          epochs=20)),
    ("clf_mom_0.5_b32", "clf", dict(units=[128], opt="momentum", lr=0.5, batch=32,
                                    epochs=20)),
    ("moons_mom_0.5_b16", "moons", dict(units=[64, 64], opt="momentum", lr=0.5, batch=16,
                                        epochs=25)),
    ("wine_mom_0.2_b8", "wine", dict(units=[32], opt="momentum", lr=0.2, batch=8,
                                     epochs=30)),
    # recurrent models with RMSprop
    ("sine_lstm_rms_0.01_b16", "seq_sine", dict(model="lstm", units=[32], opt="rmsprop",
                                                lr=0.01, batch=16, epochs=15)),
    ("sine_gru_rms_0.03_b16", "seq_sine", dict(model="gru", units=[32], opt="rmsprop",
                                               lr=0.03, batch=16, epochs=15)),
    # conv nets at high rates
    ("conv_mom_0.2_b16", "digits_img", dict(**CONV, opt="momentum", lr=0.2, batch=16,
                                            epochs=15)),
    ("conv_adam_0.01_b16", "digits_img", dict(**CONV, lr=0.01, batch=16, epochs=15)),
    # regression
    ("friedman_adam_0.02_b8", "friedman", dict(units=[128, 128], lr=0.02, batch=8,
                                               epochs=25)),
    ("diabetes_rms_0.02_b8", "diabetes", dict(units=[64], opt="rmsprop", lr=0.02, batch=8,
                                              epochs=25)),
    # batch 4
    ("digits_adam_0.01_b4", "digits", dict(units=[128], lr=0.01, batch=4, epochs=12)),
    ("clf_sep_adam_0.02_b8", "clf_sep", dict(units=[128, 128], lr=0.02, batch=8,
                                             epochs=25)),
]
SEEDS = (3, 4)


def _floats(xs: list[Any]) -> np.ndarray:
    return np.array([math.nan if v is None else v for v in xs], dtype=float)


def fd412_measure(x: np.ndarray, train: np.ndarray) -> tuple[float, float, float]:
    """(upward share, median |change| / scale) of the second half, as FD412 measured
    before 2026-11-30 (it now measures :func:`fitdoctor.curves.wiggle`),
    and the median |change| over the curve's own late level (the label's yardstick)."""
    x = x[np.isfinite(x)]
    diffs = np.diff(x)
    half = diffs.size // 2
    tail = diffs[half:]
    movement = float(np.abs(tail).sum())
    late = abs(curves.median(curves.smooth(x)[half + 1:]))
    t = train[np.isfinite(train)]
    scale = min(abs(float(t[0])), 10 * late)
    if movement == 0 or scale <= 0:
        return math.nan, math.nan, math.nan
    amp = curves.median(np.abs(tail))
    return float(tail[tail > 0].sum()) / movement, amp / scale, amp / late if late else math.nan


def acc_swing(a: np.ndarray) -> float:
    """Mean |epoch-to-epoch change| over the second half (FD412's accuracy bar)."""
    a = a[np.isfinite(a)]
    tail = a[a.size // 2:]
    return float(np.mean(np.abs(np.diff(tail)))) if tail.size >= 3 else math.nan


def wiggle_ratio(s: np.ndarray, first: float, const: float) -> float:
    """The label's wiggle(s) over max(median of the second half, 0.1 min(first, C))."""
    s = s[np.isfinite(s)]
    base = max(float(np.median(s[s.size // 2:])), 0.1 * min(first, const))
    return labels.wiggle(list(s)) / base if base > 0 else math.nan


def features(rec: dict[str, Any]) -> dict[str, Any]:
    """Swings of the validation and test curves, measured alike."""
    m = rec["run"]["metrics"]
    L, V = _floats(m["loss"]), _floats(m.get("val_loss", []))
    T = np.array(rec["test"]["loss"], dtype=float)
    acc = "accuracy" if "val_accuracy" in m else None
    va = _floats(m["val_accuracy"]) if acc else np.array([])
    ta = np.array(rec["test"]["metric"], dtype=float)
    f = rec["facts"]
    C = f.get("constant_loss") or float(L[0])
    Ct = f.get("constant_test_loss") or float(T[0])
    vup, vamp, vlvl = fd412_measure(V, L)
    tup, tamp, _ = fd412_measure(T, L)
    reason = rec["label_reason"]
    return dict(
        n_val=f["n_val"], vup=vup, vamp=vamp, vlvl=vlvl, tup=tup, tamp=tamp,
        vacc=acc_swing(va) if acc else math.nan,
        tacc=acc_swing(ta) if acc else math.nan,
        wl=wiggle_ratio(L, float(L[0]), C), wv=wiggle_ratio(V, float(V[0]), C),
        wt=wiggle_ratio(T, float(T[0]), Ct),
        why=("train" if reason.startswith("train loss osc") else
             "test" if reason.startswith("test loss osc") else ""),
    )


def verdict(rec: dict[str, Any]) -> tuple[dict[str, bool], str]:
    """(FD411/FD412/FD413 fired at warning or above, alone; the full headline)."""
    run = Run.from_dict(upgrade(rec))
    rules = Settings().rules()
    fired = {}
    for code in ("FD411", "FD412", "FD413"):
        one = [r for r in rules if r.code == code]
        fired[code] = any(f.code == code and f.severity.rank >= 1
                          for f in engine.analyze(run, rules=one).findings)
    full = engine.analyze(run, rules=rules)
    head = next((f.code for f in full.findings if f.severity.rank >= 1), "-")
    return fired, head


def _p(x: float, fmt: str = "4.0%") -> str:
    return f"{'-':>4s}" if x is None or math.isnan(x) else format(x, fmt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--dev", default="",
                    help="judge the corpus's DEV records with these labels (comma-separated, "
                         "e.g. unstable,healthy) instead of training; never the holdout")
    args = ap.parse_args(argv)
    recs = probe_common.records(args, PROBES, family="unstable-probe", intended="unstable",
                                seeds=SEEDS)
    params = {r.code: r.params for r in Settings().rules() if r.code == "FD412"}["FD412"]
    print(f"FD412 bars: wiggle {params['min_wiggle'].default:g} of the late level and "
          f"{params['noise_rows'].default:g}/sqrt(n_val), validation accuracy swing "
          f"{params['min_accuracy_swing'].default:g} (Vup/Vamp/Vlvl: the measures FD412 "
          f"used before 2026-11-30, kept for comparison)")
    head = (f"{'run':27s} {'label':13s} {'why':5s} {'411':3s} {'412':3s} {'413':3s} "
            f"{'head':5s} {'nval':>4s} | {'Vup':>4s} {'Vamp':>5s} {'Vlvl':>4s} {'Vacc':>5s} | "
            f"{'Tup':>4s} {'Tamp':>5s} {'Tacc':>5s} | {'wL':>4s} {'wV':>4s} {'wT':>4s}")
    print(head)
    print("-" * len(head))
    tally: dict[str, list[int]] = {}
    for rec in recs:
        f = features(rec)
        fired, full = verdict(rec)
        any_fired = any(fired.values())
        t = tally.setdefault(rec["label"], [0, 0, 0])
        t[0] += 1
        t[1] += any_fired
        t[2] += full in ("FD411", "FD412", "FD413")
        print(f"{rec['name']:27s} {rec['label']:13s} "
              f"{f['why']:5s} "
              + " ".join(f"{'F' if fired[c] else '.':3s}" for c in ("FD411", "FD412", "FD413"))
              + f" {full:5s} {f['n_val']:4d} | {_p(f['vup'])} {_p(f['vamp'], '5.1%')} "
              f"{_p(f['vlvl'])} {_p(f['vacc'], '5.1%')} | {_p(f['tup'])} {_p(f['tamp'], '5.1%')} "
              f"{_p(f['tacc'], '5.1%')} | {_p(f['wl'])} {_p(f['wv'])} {_p(f['wt'])}")
    print()
    print("per label: runs, any of FD411-413 fired, headline is one of them")
    for lab, (n, fired_n, head_n) in sorted(tally.items()):
        print(f"  {lab:15s} {n:3d} {fired_n:3d} {head_n:3d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
