"""Overfitting on new configurations: where FD101-FD103 stay silent (docstring: findings below).

Run from the repository root::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/overfit_probe.py [--only SUBSTR]
        [--seeds 5,6] [--save FILE | --load FILE]
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
    if args.dev:
        from corpus import load_corpus

        wanted = set(args.dev.split(","))
        recs = [dict(c.record) for c in load_corpus("dev") if c.label in wanted]
    elif args.load is not None:
        recs = probe_common.read_records(args.load)
    else:
        recs = probe_common.train_probes(
            PROBES, [int(x) for x in args.seeds.split(",")], only=args.only,
            save=args.save, family="overfit-probe", intended="overfitting")
    if not args.dev:
        probe_common.label_all(recs)
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
