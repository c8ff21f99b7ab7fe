"""Overfitting the validation curve does not show: FD101-FD103 against new recordings.

The corpus labels a run ``overfitting`` from its held-out TEST loss (it ends > 10% and two
noise-widths above its minimum while the training loss keeps falling). This script trains
NEW configurations (not the corpus's: other widths, optimizers, rates, batch sizes,
validation sizes, with seeds 5 and 6, which the corpus never uses) through the corpus
recorder (``tests/data/recorder``: FitDoctor's callback plus a test curve per epoch),
labels them with the corpus's rules, and prints per run the headline, which of
FD101-FD103 fired, FD101's own measures on the validation loss (``vrise``: the end over
the smoothed minimum; ``bands``: the late median's excess over the minimum in FD101's noise
bands, > 1 to fire), the test loss's rise, for regression the validation and training
losses against the reference model's validation MSE (``v/ref``, ``t/ref``), the
validation and reference accuracy, Dense weights per training row and the training loss as
a share of the constant predictor's (median of the last three, lowest of the last five).
Each configuration has a healthy neighbour (``_ok``: the same set-up at a sensible width,
rate, length or with L2). ``--dev LABELS`` prints the same table for dev records.

Measured (2026-11-30, 56 trainings: 28 configurations x seeds 5, 6; labels: healthy 37,
overfitting 15, unstable 3, not-converged 1): FD101-FD103 fired on 12 of 15 overfitting
runs, on 2 of 3 unstable ones (diabetes 128x128: test loss +63-98%, the labeller tries
unstable first) and on 5 of 37 healthy runs (below).

- **Root cause fixed: Dropout / GaussianNoise keep Keras's training loss up.** Keras
  measures the training loss with the training noise on; a memorised big network's
  readings then swing between ~0.1% and ~3% of the constant predictor's, and FD103 read
  the median of the last three. Dev misses with no headline: bc_big_noise_s0-s2 and
  bc_big_dropout_s1 (512x512 on 318 rows, 877 weights per row; median of three 1.2-2.6%
  of the prior's, lowest of the last five 0.13-0.61%; 0-1 of the 80 validation samples wrong,
  test loss +85-320%). FD103 now reads the lowest of the last ``noisy_window`` (5) epochs
  when the model injects training noise. Dev, run view: overfitting 52/71 -> 56/71, FD103
  11 -> 15 fires (all overfitting), no new warning on the 105 healthy runs; bare view
  unchanged (FD103 needs a run file). On the probes it fires on digits300 384x384 +
  Dropout 0.4 (736 weights per row) at both seeds: seed 5 overfitting (test +15%; the
  median of three, 0.63%, fired already), seed 6 labelled healthy (median 1.29%, lowest
  0.71%): its test loss rose 6% from epoch 25 to 40 (the label's bar is 10%) while its 60
  validation digits stayed at 1 error; the same trade-off FD103 documents for memorised
  networks (bench/fd103_probe.py). With L2 1e-3 on the same network (``_l2_ok``) the
  training loss stays at 12-13% of the prior's: silent; so do 256x256 + Dropout 0.3 on
  moons (22%: noisy labels cannot be memorised by 119 weights a row) and on breast
  cancer with L2 (10-11%). 256x256 + Dropout 0.3 on wine (709 per row, 25 validation
  rows) is labelled healthy at both seeds: FD103 fires on seed 6 with either reading
  (0.15% of the prior's; wine is near separable, the false alarm FD103 documents) and
  FD101 on seed 5 (validation +121%). bench/fd103_probe.py's 44 saved records re-judged:
  the same verdicts as before the change.
- **Small rises of the validation loss do not separate.** FD101's measures on dev
  overfitting misses: diabetes_mlp_s1 5.7% (13.8 bands), diabetes_momentum_lr0.01_s1 1.2%
  (4.8), diabetes_sgd_lr0.1_s1/s2 2.3% (2.9) / 1.5% (1.7); probe diabetes RMSprop s5 7.5%
  (4.3; s6 9.5% fires). Healthy runs rise as much: dev diabetes_mlp_s0/s2 1.9-2.0% (2.3-4.5),
  diabetes_momentum_lr0.01_s0/s2 1.6-3.3% (2.6-3.1), friedman_mlp_exp_s0/s2 2.2-3.0% (8.8-
  10.5), friedman_b8_s2 4.2% (2.2), clf_mlp_es_s0-s2 4.2-5.3% (2.4-3.5); probes moons
  momentum 60 epochs s6 6.3% (1.8), friedman200 32x32 s5 2.1% (5.4). The 62 validation
  rows cannot tell a test rise of 5% (the healthy twins) from 11-16% (the labelled ones);
  lowering ``min_rise`` to 5% would catch diabetes_mlp_s1 and the RMSprop probe and warn
  on the healthy moons probe. Not changed.
- **The reference model gives no overfitting signal.** Regression, the network's
  validation and training losses over the reference's validation MSE: overfitting misses
  diabetes_big_l2_s0 1.37 / 0.25, friedman_mlp_exp_s1 1.15 / 0.01, diabetes_mlp_s1 1.00 /
  0.65; healthy runs friedman200_big_s1/s2 1.43 / 0.01 and 1.26 / 0.02, friedman_b8_s1/s2
  1.27-1.51 / 0.12-0.15, friedman_mlp_s1 1.20 / 0.05, friedman_mlp_exp_s2 1.18 / 0.01,
  diabetes_big_l2_s1/s2 1.38-1.47 / 0.25-0.28; probes friedman200 32x32 1.63-1.71 / 0.32.
  "Fits its rows far better than a simple model yet validates worse" is the rule on
  Friedman #1, where gradient boosting is strong, healthy or not: it measures a level (a
  simple model does better), not a model getting worse over time, and the advice (stop
  earlier) would be wrong for it. Classification runs record only the reference's
  accuracy: the bc misses validate at 100% against the reference's 98.8%.
- **Nothing to see.** bc_sgd_lr1_s0-s2 (and probe bc 16x16 60 epochs s6): the 80
  validation rows are all right and their loss falls to the last epoch (0.011-0.020)
  while the test loss on 171 rows rises 34-166% from epoch 3-4; the validation split is
  easier than the test split (at the end, validation loss 0.01-0.02, test loss 0.13-0.15)
  and the network is small (2-6 Dense weights per row), so neither FD101 nor FD103 has
  anything to read. sine200_lstm_big_s1 (40 validation sequences all right, loss lowest
  at the last epoch) and probe GRU 64 on seq_sine200 s5 (3.9%, 2.3 bands) likewise.
- **Labels to question.** wine_rmsprop_lr0.02_b4_s0: test loss 0.0022 -> 0.0052 at 100%
  test accuracy on 54 rows (a near-zero loss creeping, no held-out error; its twins are
  healthy); sine_gru_s1: test loss 0.007 -> 0.07 while test accuracy went 100% -> 99.1%
  in the last epochs of a GRU at rate 1e-2 (its twin s0 is labelled unstable).
- **FD101's own alarms on healthy probes** (unchanged by this work): friedman200 32x32
  + L2 s6 (40 validation rows: +8.7%, 8.3 bands, test flat), moons momentum 0.05, 60
  epochs s5 (140 rows: +21%, 4.3 bands, test +3%), wine 256x256 + Dropout s5 (25 rows:
  +121%, 7.0 bands, a near-zero test loss +28% at 100% accuracy): the validation rows
  rose where the test rows did not; the band measures epoch-to-epoch noise, not which
  rows were drawn.

Run from the repository root (10-50 seconds a training on a busy machine; ``--save``
appends each record as it is trained and resumes an interrupted batch)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/overfit_probe.py [--only SUBSTR]
        [--seeds 5,6] [--save FILE | --load FILE] [--why] [--dev LABELS]
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

from fitdoctor import curves, engine  # noqa: E402
from fitdoctor.detectors.stability import training_noise  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

#: (name, data variant, settings). Names ending in ``_ok`` are the healthy neighbours:
#: the same set-up at a sensible width, rate or length.
PROBES: list[tuple[str, str, dict[str, Any]]] = [
    # regression MLPs trained long
    ("diabetes_w128", "diabetes", dict(units=[128, 128], lr=3e-3, epochs=60)),
    ("diabetes_w32_ok", "diabetes", dict(units=[32], epochs=25)),
    ("diabetes_rms", "diabetes", dict(units=[64], opt="rmsprop", lr=3e-3, batch=16,
                                      epochs=50)),
    ("diabetes_rms_ok", "diabetes", dict(units=[32], opt="rmsprop", epochs=25)),
    ("friedman200_w128", "friedman200", dict(units=[128, 128], lr=3e-3, batch=8,
                                             epochs=60)),
    ("friedman200_ok", "friedman200", dict(units=[32, 32], lr=3e-3, l2=1e-3, epochs=40)),
    # small networks trained long
    ("wine_w16_long", "wine", dict(units=[16], lr=3e-3, batch=4, epochs=60)),
    ("wine_w16_ok", "wine", dict(units=[16], batch=16, epochs=30)),
    ("bc_w16_long", "bc", dict(units=[16, 16], lr=3e-3, batch=8, epochs=60)),
    ("bc_w16_ok", "bc", dict(units=[16, 16], batch=16, epochs=20)),
    ("moons_momentum_long", "moons", dict(units=[64, 64], opt="momentum", lr=0.05,
                                          batch=16, epochs=60)),
    ("moons_momentum_ok", "moons", dict(units=[32, 32], opt="momentum", lr=0.05,
                                        epochs=30)),
    # recurrent models
    ("sine200_gru64", "seq_sine200", dict(model="gru", units=[64], lr=3e-3, batch=16,
                                          epochs=50)),
    ("sine200_gru_ok", "seq_sine200", dict(model="gru", units=[16], lr=1e-2, epochs=25)),
    # dropout / noise keeping the training loss up
    ("clf200_dropout", "clf200", dict(units=[256], dropout=0.3, lr=3e-3, batch=8,
                                      epochs=40)),
    ("clf200_dropout_ok", "clf200", dict(units=[64], dropout=0.3, epochs=30)),
    ("digits300_noise", "digits300", dict(units=[256, 256], noise=0.2, opt="rmsprop",
                                          batch=16, epochs=50)),
    ("digits300_noise_ok", "digits300", dict(units=[128], noise=0.2, epochs=30)),
    # medium validation sets (100-300 rows)
    ("clf_val10_big", "clf", dict(units=[256, 256], val_frac=0.1, batch=64, epochs=40)),
    ("clf_val10_ok", "clf", dict(units=[64], val_frac=0.1, epochs=20)),
    ("bc_val30_sgd", "bc", dict(units=[128, 128], opt="sgd", lr=0.3, val_frac=0.3,
                                batch=16, epochs=50)),
    ("bc_val30_ok", "bc", dict(units=[32], opt="sgd", lr=0.05, val_frac=0.3, epochs=30)),
    # big networks (>= 100 Dense weights per training row) under Dropout / GaussianNoise,
    # whose training loss Keras measures with the noise on (FD103's reading)
    ("digits300_w384_dropout", "digits300", dict(units=[384, 384], dropout=0.4, batch=16,
                                                  epochs=40)),
    ("clf200_w384_noise", "clf200", dict(units=[384, 384], noise=0.3, batch=16, epochs=40)),
    ("moons_w256_dropout", "moons", dict(units=[256, 256], dropout=0.3, batch=16,
                                         epochs=40)),
    ("wine_w256_dropout_ok", "wine", dict(units=[256, 256], dropout=0.3, batch=8,
                                          epochs=40)),
    ("bc_w256_dropout_l2_ok", "bc", dict(units=[256, 256], dropout=0.5, l2=1e-3, batch=16,
                                         epochs=40)),
    ("digits300_w384_dropout_l2_ok", "digits300", dict(units=[384, 384], dropout=0.4,
                                                       l2=1e-3, batch=16, epochs=40)),
]


def fd101_measures(run: Run) -> dict[str, float] | None:
    """FD101's own measures on the validation loss (its default parameters).

    ``rise``: the end level (median of the last three) over the smoothed minimum;
    ``bands``: how far the median of the late half after the minimum sits above the
    minimum, in FD101's noise bands (it fires above 1); ``best``: the minimum's epoch.
    ``None`` when the minimum is within the last three epochs (nothing rose).
    """
    vr = np.asarray(run.series("val_loss"), dtype=float)
    n = vr.size
    v = curves.smooth(vr, window=min(5, max(3, (n // 10) | 1)))
    b = int(np.argmin(v))
    after = vr[b + 1:]
    after = after[np.isfinite(after)]
    if after.size < 3:
        return None
    level = float(v[b])
    seg = vr[b:] if np.isfinite(vr[b:]).sum() >= 5 else vr[-5:]
    sigma = curves.scatter(seg)
    late = after[after.size // 2:]
    band = sigma * (1.5 + 2.5 / math.sqrt(late.size))
    excess = curves.median(late) - level
    return dict(best=b + 1, rise=(curves.median(after[-3:]) - level) / level,
                bands=excess / band if band > 0 else math.inf)


def features(rec: dict[str, Any], run: Run) -> dict[str, Any]:
    """What the run file and the test curve say, beside FD101's measures."""
    out: dict[str, Any] = dict(n_val=rec["facts"]["n_val"], E=len(run.epochs))
    T = np.asarray(rec["test"]["loss"], dtype=float)
    out["t_rise"] = float(np.mean(T[-2:]) / T.min() - 1)
    out["t_best"] = int(np.argmin(T)) + 1
    train = np.asarray(run.series("loss"), dtype=float)
    val = np.asarray(run.series("val_loss"), dtype=float)
    base = run.baselines
    out["v_ref"] = out["t_ref"] = float("nan")
    if base is not None and base.reference_metric == "mse" and base.reference_value:
        # regression: the network's losses against a simple model's validation MSE
        out["v_ref"] = float(np.median(val[-3:])) / base.reference_value
        out["t_ref"] = float(np.median(train[-3:])) / base.reference_value
    key = next((k for k in run.metrics if k.startswith("val_") and "acc" in k), None)
    out["vacc"] = float(run.series(key)[-1] or float("nan")) if key else float("nan")
    out["ref_acc"] = (base.reference_value if base is not None
                      and base.reference_metric == "accuracy" else float("nan"))
    noisy = training_noise(run)
    out["noise"] = "noise" if noisy else ""
    if run.model is not None and run.data is not None and run.data.n_train:
        dense = sum(int(layer.params or 0) for layer in run.model.layers
                    if layer.class_name in ("Dense", "EinsumDense"))
        out["w_row"] = dense / run.data.n_train
    prior = base.prior_loss if base is not None else None
    clf = run.data is not None and run.data.task in ("binary", "multiclass")
    out["share3"] = float(np.median(train[-3:])) / prior if prior and clf else float("nan")
    out["share5"] = float(np.min(train[-5:])) / prior if prior and clf else float("nan")
    return out


def verdicts(run: Run) -> tuple[str, str]:
    """(the headline's diagnosis, the overfitting rules that fired at warning or above)."""
    report = engine.analyze(run)
    raised = [f for f in report.findings if f.severity.rank >= 1]
    head = raised[0].diagnosis if raised else "(none)"
    return head, ",".join(f.code for f in raised if f.code.startswith("FD10"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--seeds", default="5,6", help="seeds to train (comma-separated)")
    ap.add_argument("--why", action="store_true", help="print each run's label reason")
    ap.add_argument("--dev", default="",
                    help="print the same table for the dev half's records with these "
                         "labels (comma-separated) instead")
    args = ap.parse_args(argv)
    recs = probe_common.records(args, PROBES, family="overfit-probe", intended="overfitting")
    head = (f"{'run':31s} {'label':13s} {'headline':13s} {'FD10x':11s} {'ep':>3s} "
            f"{'nval':>4s} {'vbest':>5s} {'vrise':>6s} {'bands':>6s} {'tbest':>5s} "
            f"{'trise':>6s} {'v/ref':>5s} {'t/ref':>5s} {'vacc':>5s} {'refac':>5s} "
            f"{'w/row':>6s} {'shr3':>6s} {'shr5':>6s} noise")
    print(head)
    print("-" * len(head))
    tally: dict[tuple[bool, str], int] = {}
    for rec in sorted(recs, key=lambda r: r["name"]):
        run = Run.from_dict(upgrade(rec))
        headline, fired = verdicts(run)
        m = fd101_measures(run) or dict(best=len(run.epochs), rise=0.0, bands=0.0)
        f = features(rec, run)
        lab = rec["label"]
        tally[(bool(fired), lab)] = tally.get((bool(fired), lab), 0) + 1
        print(f"{rec['name']:31s} {lab:13s} {headline:13s} {fired or '.':11s} {f['E']:3d} "
              f"{f['n_val']:4d} {m['best']:5d} {m['rise']:6.1%} {m['bands']:6.2f} "
              f"{f['t_best']:5d} {f['t_rise']:6.0%} {f['v_ref']:5.2f} {f['t_ref']:5.2f} "
              f"{f['vacc']:5.3f} {f['ref_acc']:5.3f} {f.get('w_row', 0):6.0f} "
              f"{f['share3']:6.4f} {f['share5']:6.4f} {f['noise']}")
        if args.why:
            print(f"{'':31s} label: {rec['label_reason']}")
    probe_common.print_tally("FD101-FD103 fired (warning or above) / silent, per label:",
                             tally)
    return 0


if __name__ == "__main__":
    sys.exit(main())
