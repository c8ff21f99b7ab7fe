"""When is a memorising network healthy? New recordings against FD103's verdict.

FD103 (``training-set-memorised``) warns when a classifier with at least
``min_weights_per_row`` Dense weights per training row drives its training loss under
``max_train_loss_share`` of the constant predictor's. This script trains small Keras
models on scikit-learn's bundled data (never the corpus files) through the corpus
recorder (``tests/data/recorder/training.py``: FitDoctor's callback plus a held-out test
curve per epoch), labels each run with the corpus's rules (``recorder/labels.py``), and
prints FD103's verdict against the label with the features that could separate healthy
memorisers from overfitting ones: weights per row, training loss share of the prior's,
validation size and errors at the end, the validation loss's rise from its minimum,
epochs since the training loss reached the threshold, and the regularisation.

Hypotheses the configurations test: easy, near-separable data (wine, iris, breast
cancer, easy moons) where memorising costs nothing; big networks with L2 / dropout
whose training loss still ends near 0; validation sets with several errors whose loss
does not rise; many epochs after the training loss reached ~0 against few.

Measured (2026-11-30, 44 trainings, seeds 0 and 1): FD103 fired on 16 healthy and 22
overfitting runs and stayed silent on 2 healthy and 4 overfitting ones (L2 1e-4 keeps the
training loss at 2-4% of the prior's; on 40 moons the loss stays at 12%).

- Healthy memorisers are the ones that make (almost) no mistake on new data: wine, moons
  with noise 0.05 and 0.10, class_sep 3 (0-2 test errors; test loss +0-3%), or whose
  test loss had not yet risen 10% (digits100: +8-9%; moons with noise 0.12 after 60
  epochs: +6-8%). Nothing else in the table separates them.
- A validation set with several errors and a flat loss does not vouch for health: 6-7
  errors in 120 digits, validation loss flat (+0%), test loss +12-15% (overfitting).
- A large validation set with no errors does not either: moons with noise 0.12, 0-1
  errors in 140 validation rows and a flat validation loss in both runs, are healthy
  after 60 epochs (+6-8%) and overfit after 200 (+103-108%, 3 test errors in 300).
  Breast cancer: 0 errors in 80 validation rows, 8 in 171 test rows, test loss +131%.
- Epochs after the memorisation decide only for a given data set (moons 0.12: 10-14
  epochs healthy, 150 overfit); across data sets they do not (wine: 51 epochs after,
  healthy; breast cancer: 1 epoch after, +50%).
- Dropout 0.5 still drives the training loss under 1% of the prior's; its runs split
  (wine +2% / +37%, digits300 +9% / +24%).

So the warning is a false alarm exactly where the held-out error rate is ~0, and no
validation set the network gets all right can tell that apart from a few percent.

Since then (bench/overfit_probe.py batch 2): FD103 is info when the validation set's
errors bound the error rate on new data at most ``max_error_bound`` (3%, Wilson 95%:
0 errors in 125+ rows). The moons runs here re-recorded (``--only moons_n1``, the same
figures as above): moons_n10_big s0/s1 and moons_n12_big_s1 (healthy, 0 errors in 140)
go to info; moons_n12_big_long_s1 (overfitting, 0 errors in 140, test loss +108% at 3
test errors in 300) goes to info too, the price; moons_n12_big_s0 and _long_s0 (1 error,
bound 3.9%) still warn.

Batch 2 (``--batch 2``, seeds 51-53; 2026-11-30, 36 trainings: 12 configurations x 3
seeds; labels: healthy 26, overfitting 6, unstable 2, not-converged 1, underfitting 1).
Question: bench/overfit_probe.py batch 4's ``conv300_32x64_long`` (Conv 32-64 + Flatten +
Dense 128 on 240 digits, 60 epochs; 142 Dense weights per row) is healthy at all three
seeds and FD103 warns on each. Does a Dense head that reads convolution (or recurrent)
features memorise without the held-out cost, so that FD103 should count it differently?
Columns added: ``twin`` (the validation twin's label, bench/val_ceiling.py), ``kind``
(what the first Dense layer reads: raw inputs ``mlp``, a Flatten of conv maps ``conv``,
GlobalAveragePooling ``gap``, a recurrent state ``gru``), ``all/r`` (every weight per
training row), ``mem`` (the epoch the training loss first fell under 1% of the prior's).
FD103 warned on 20 of the 26 healthy runs, all 6 overfitting runs and 1 of 2 unstable.

- **No: the conv head memorises like an MLP, only later.** The same conv net trained 150
  epochs instead of 60 (``conv300_32x64_h128_150ep``): test loss +22% / +11% / +9%
  (2 of 3 overfitting; 123-129 epochs after the memorisation against 37-40), training
  loss 0.007-0.009% of the prior's against 0.06-0.08%. Its MLP twin with the same Dense
  weights per row (``mlp300_w460``: Dense 460 on the 64 pixels, 144 per row) is healthy
  after 60 epochs (+0-1%) and overfits after 150 (``_150ep``: +10-11%, 2 of 3); the
  297-per-row twins agree too (conv 16-32 + Dense 512 +3-5%, MLP Dense 960 +3%, 60
  epochs). Every twin of the six overfitting runs is healthy: the 60 validation digits
  (0-1 errors) do not show the rise, which is what FD103 is for. A warning at epoch 60
  names a real memorisation whose cost is still small (the label's bar is 10%), and its
  advice holds: the L2 1e-3 neighbour (``_l2_ok``) ends at +0% with no more test errors
  (21-25 of 540 against 25) and its training loss at 6% of the prior's (FD103 silent).
- **Weights per row do not separate, nor does the layer kind.** 142 per row is healthy
  at 60 epochs and overfit at 150; 1,098 (conv 32 without pooling + Dense 128) overfit at
  60 epochs in 2 of 3 (+9-14%); 1,254 (GlobalAveragePooling + Dense 512x512, an MLP on 64
  learned features) healthy in 2 (+5%) and unstable in 1; 218 on 628 digits (629
  validating, 12-16 errors, Wilson bound 3.3-4.1%, so still a warning) healthy at
  +0-10%. Counting every weight (conv kernels too) moves each configuration alike (142
  -> 221 per row): no separation either.
- **What tracks the cost on 240 digits is the training loss at the end**, the margin
  grown past the memorisation: without Dropout, test +0-5% while it stays above ~0.05% of
  the prior's (conv 0.06-0.09%, MLPs 0.18-0.4%, GAP 0.05%), +9-22% below it (the 150-epoch
  runs 0.007-0.048%, conv without pooling 0.04%; dev's digits300_big 0.015-0.02%,
  +14-22%); one GAP run labelled unstable rose 24% at 0.26% with its validation loss
  (+150%). It carries neither to more rows of the same data (628 digits: +0-10% at
  0.036-0.041%) nor to other data (batch 1: breast cancer +50-66% at 0.8%, one epoch past
  the bar; dev's bc_big_noise at median readings of 1.2-2.6%): lowering
  ``max_train_loss_share`` would drop dev's breast-cancer catches (dev overfitting recall
  56/71) to silence digits runs. Nothing else the run file records separates them
  (validation errors 0-2 in 60 on both sides; validation loss flat on both sides).
- **GRU + Dense 256x256 on seq_sine200** (469 per row, 160 sequences, 45 epochs):
  healthy at all 3 seeds with 0-3 test errors in 450, FD103 warns (the near-separable
  case batch 1 documents: 0 errors in 40 validation rows bound the error rate only at
  8.8%); two twins are overfitting / unstable (validation loss +185-618% on 40 rows, the
  test loss flat). Its 15-epoch neighbour is not healthy (unstable / not-converged /
  underfitting at Adam 3e-3). Conv + Dropout 0.5 (142 per row) keeps the training loss
  at 1.6-3% of the prior's: silent (healthy, test +6-11%).

Not changed (a finding with figures, not a rule): ``min_weights_per_row``'s doc now says
it gates capacity, not the cost, with these figures. Dev and wild unchanged.

Run from the repository root (44 trainings of 5-30 seconds each on a busy machine; batch
2: 36 of 7-45 seconds)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/fd103_probe.py [--only SUBSTR]
        [--batch 2] [--save FILE | --load FILE]
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
from recorder import datasets  # noqa: E402
from val_ceiling import twin_label  # noqa: E402

from fitdoctor import engine  # noqa: E402
from fitdoctor.detectors.span import recorded_prior_loss  # noqa: E402
from fitdoctor.rules import Settings  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

BIG = [512, 512]
MID = [256, 256]

#: Moons noisier than the corpus's ``moons_easy`` (0.05) and quieter than ``moons`` (0.25):
#: a held-out error rate of about 1% (an SVC makes 2-3 errors in the 300 test rows and none
#: in the 140 validation rows), to test whether a validation set with no errors vouches
#: for a healthy memoriser.
EXTRA_MOONS = {"moons_n10": 0.10, "moons_n12": 0.12}
_corpus_base_arrays = datasets._base_arrays


def _base_arrays(base: str) -> tuple[np.ndarray, np.ndarray]:
    if base in EXTRA_MOONS:
        from sklearn.datasets import make_moons

        x, y = make_moons(n_samples=1000, noise=EXTRA_MOONS[base], random_state=0)
        return np.asarray(x, dtype="float64"), np.asarray(y)
    return _corpus_base_arrays(base)


datasets._base_arrays = _base_arrays
for _name, _noise in EXTRA_MOONS.items():
    datasets.VARIANTS[_name] = datasets.Variant(_name, "binary", scaling="none",
                                                notes=f"make_moons noise {_noise}")

#: (name, data variant, settings): each trained with seeds 0 and 1.
PROBES: list[tuple[str, str, dict[str, Any]]] = [
    # easy, near-separable data: memorising may cost nothing
    ("wine_big", "wine", dict(units=BIG, epochs=60)),
    ("iris_big", "iris", dict(units=BIG, epochs=80)),
    ("bc_big", "bc", dict(units=BIG, epochs=40)),
    ("moons_easy_big", "moons_easy", dict(units=MID, epochs=40, batch=64)),
    ("clf_sep_big", "clf_sep", dict(units=BIG, epochs=25, batch=64)),
    # ~1% held-out errors, none in the validation set: does memorising cost something?
    ("moons_n10_big", "moons_n10", dict(units=MID, epochs=60, batch=64)),
    ("moons_n12_big", "moons_n12", dict(units=MID, epochs=60, batch=64)),
    ("moons_n12_big_long", "moons_n12", dict(units=MID, epochs=200, batch=64)),
    # the same, few epochs past the memorisation
    ("wine_big_short", "wine", dict(units=BIG, epochs=15)),
    ("bc_big_short", "bc", dict(units=BIG, epochs=12)),
    # big validation sets (several errors possible): does their loss show the rise?
    ("bc_big_val40", "bc", dict(units=BIG, epochs=40, val_frac=0.4)),
    ("digits300_big_val40", "digits300", dict(units=BIG, epochs=60, val_frac=0.4)),
    ("bc40_big", "bc40", dict(units=BIG, epochs=80, val_frac=0.25)),
    # tiny validation sets
    ("bc_big_tiny", "bc", dict(units=BIG, epochs=40, val="tiny", val_n=10)),
    ("iris30_big", "iris30", dict(units=BIG, epochs=150, val_frac=0.2)),
    # regularised big networks whose training loss may still end near 0
    ("bc_big_l2", "bc", dict(units=BIG, epochs=40, l2=1e-4)),
    ("wine_big_dropout", "wine", dict(units=BIG, epochs=60, dropout=0.5)),
    ("digits300_big_l2", "digits300", dict(units=BIG, epochs=60, l2=1e-4)),
    ("digits300_big_dropout", "digits300", dict(units=BIG, epochs=60, dropout=0.5)),
    # harder data: memorising should cost something
    ("moons40_big", "moons40", dict(units=BIG, epochs=150)),
    ("clf200_big", "clf200", dict(units=BIG, epochs=60)),
    ("digits100_big", "digits100", dict(units=BIG, epochs=80)),
]
SEEDS = (0, 1)

#: Batch 2 (seeds 51-53): Dense layers that read learned features, not the raw inputs.
#: Conv nets on 240 digits (``digits300_img``) trained long, with Flatten heads of 128-512
#: units and a GlobalAveragePooling head, with Dropout / L2, on 628 rows (``digits_img``
#: with half the pool validating), MLP twins on the same digits with the same Dense
#: weights per row, and a GRU with a Dense head (probe-only ``head`` for recurrent
#: models) on ``seq_sine200``. ``_ok``: healthy neighbours.
CONV = dict(model="conv", batch=16, epochs=60)
PROBES_2: list[tuple[str, str, dict[str, Any]]] = [
    # conv features -> Dense: 142, 297 weights per row (Flatten of 2x2x64 / 2x2x32);
    # overfit_probe.py batch 4's conv300_32x64_long (60 epochs, healthy) trained 150
    ("conv300_32x64_h128_150ep", "digits300_img", dict(CONV, units=[32, 64], head=[128],
                                                       epochs=150)),
    ("conv300_32x64_h128_drop", "digits300_img", dict(CONV, units=[32, 64], head=[128],
                                                      dropout=0.5)),
    ("conv300_32x64_h128_l2_ok", "digits300_img", dict(CONV, units=[32, 64], head=[128],
                                                       l2=1e-3)),
    ("conv300_16x32_h512", "digits300_img", dict(CONV, units=[16, 32], head=[512])),
    # no pooling: Flatten of 8x8x32 -> 128, 1,093 per row (dev's conv300_big: 4,370)
    ("conv300_32np_h128", "digits300_img", dict(CONV, units=[32], pool=False,
                                                head=[128])),
    # 64 pooled features -> 512x512: an MLP on learned features, 1,252 per row
    ("conv300_32x64_gap_h512x2", "digits300_img", dict(CONV, units=[32, 64], gap=True,
                                                       head=[512, 512])),
    # 628 training rows, 629 validating: 217 per row
    ("conv628_32x64_h512", "digits_img", dict(CONV, units=[32, 64], head=[512],
                                              val_frac=0.5, batch=32, epochs=50)),
    # MLP twins on the raw pixels with the same Dense weights per row (142, 297)
    ("mlp300_w460", "digits300", dict(units=[460], batch=16, epochs=60)),
    ("mlp300_w960", "digits300", dict(units=[960], batch=16, epochs=60)),
    ("mlp300_w460_150ep", "digits300", dict(units=[460], batch=16, epochs=150)),
    # a GRU's last state -> Dense 256x256: 506 per row on 160 sequences
    ("gru200_32_h256x2", "seq_sine200", dict(model="gru", units=[32], head=[256, 256],
                                             lr=3e-3, batch=16, epochs=45)),
    ("gru200_32_h256x2_short_ok", "seq_sine200", dict(model="gru", units=[32],
                                                      head=[256, 256], lr=3e-3, batch=16,
                                                      epochs=15)),
]
SEEDS_2 = (51, 52, 53)


def _dense_weights(run: Run) -> int:
    model = run.model
    if model is None:
        return 0
    return sum(int(layer.params or 0) for layer in model.layers
               if layer.class_name in ("Dense", "EinsumDense"))


def features(rec: dict[str, Any], share: float) -> dict[str, Any]:
    """What fitdoctor can see of one run, and what the test curve says."""
    run = Run.from_dict(upgrade(rec))
    m = rec["run"]["metrics"]
    loss = np.array([np.nan if v is None else v for v in m["loss"]], dtype=float)
    prior = recorded_prior_loss(run) or math.nan
    n_train, n_val = rec["facts"]["n_train"], rec["facts"]["n_val"]
    level = float(np.median(loss[-3:]))
    below = np.flatnonzero(loss <= share * prior)
    val = np.array([v for v in m.get("val_loss", []) if v is not None], dtype=float)
    vacc = [v for v in m.get("val_accuracy", []) if v is not None]
    val_errors = round(n_val * (1 - vacc[-1])) if vacc else None
    val_rise = (float(np.median(val[-3:])) / float(val.min()) - 1) if val.size else math.nan
    test = np.array(rec["test"]["loss"], dtype=float)
    t_end = float(np.mean(test[-2:]))
    cfg = rec["config"]
    kinds = [layer.class_name for layer in run.model.layers] if run.model else []
    kind = next((k.lower()[:4] for k in kinds if k in ("Conv2D", "GRU", "LSTM")), "mlp")
    if "GlobalAveragePooling2D" in kinds:
        kind = "gap"
    total = sum(int(layer.params or 0) for layer in run.model.layers) if run.model else 0
    return dict(
        kind=kind, all_wpr=total / n_train, mem=int(below[0]) + 1 if below.size else None,
        wpr=_dense_weights(run) / n_train, share=level / prior, n_train=n_train,
        n_val=n_val, val_err=val_errors, val_rise=val_rise,
        after=(len(loss) - 1 - int(below[0])) if below.size else None, epochs=len(loss),
        reg=(f"l2={cfg['l2']:g}" if cfg["l2"] else "") + (f" do={cfg['dropout']:g}"
                                                           if cfg["dropout"] else ""),
        test_rise=t_end / float(test.min()) - 1, test_acc=rec["test"]["final_metric"],
        test_err=round(rec["test"]["n"] * (1 - rec["test"]["final_metric"])),
    )


def verdict(rec: dict[str, Any]) -> tuple[bool, str]:
    """(FD103 fired at warning or above, the full analysis's headline diagnosis)."""
    run = Run.from_dict(upgrade(rec))
    rules = Settings().rules()
    fd103 = [r for r in rules if r.code == "FD103"]
    fired = any(f.code == "FD103" and f.severity.rank >= 1
                for f in engine.analyze(run, rules=fd103).findings)
    full = engine.analyze(run, rules=rules)
    head = next((f"{f.code}" for f in full.findings if f.severity.rank >= 1), "-")
    return fired, head


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--batch", type=int, default=1, choices=(1, 2),
                    help="1: the first 44 trainings (seeds 0-1); 2: Dense layers reading "
                         "conv / recurrent features and MLP twins (seeds 51-53)")
    args = ap.parse_args(argv)
    if args.load is not None:
        recs = probe_common.read_records(args.load)
    else:
        probes, seeds = (PROBES, SEEDS) if args.batch == 1 else (PROBES_2, SEEDS_2)
        recs = probe_common.train_probes(probes, seeds, only=args.only, save=args.save,
                                         family="fd103-probe", intended="healthy")
    probe_common.label_all(recs)
    share = next(r for r in Settings().rules() if r.code == "FD103").params[
        "max_train_loss_share"].default
    head = (f"{'run':30s} {'FD103':5s} {'full':6s} {'label':13s} {'twin':13s} {'kind':4s} "
            f"{'w/row':>6s} {'all/r':>6s} {'share':>8s} {'mem':>4s} {'after':>5s} "
            f"{'ep':>4s} {'nval':>4s} {'verr':>4s} {'vrise':>6s} {'trise':>6s} "
            f"{'terr':>4s} reg")
    print(head)
    print("-" * len(head))
    tally: dict[tuple[bool, str], int] = {}
    for rec in recs:
        f = features(rec, float(share))
        fired, full = verdict(rec)
        lab = "overfitting" if rec["label"] == "overfitting" else rec["label"]
        tally[(fired, lab)] = tally.get((fired, lab), 0) + 1
        after = "-" if f["after"] is None else str(f["after"])
        verr = "-" if f["val_err"] is None else str(f["val_err"])
        twin = str(twin_label(rec))
        mem = "-" if f["mem"] is None else str(f["mem"])
        print(f"{rec['name']:30s} {'FIRE' if fired else '.':5s} {full:6s} {lab:13s} "
              f"{twin:13s} {f['kind']:4s} {f['wpr']:6.0f} {f['all_wpr']:6.0f} "
              f"{f['share']:8.2g} {mem:>4s} {after:>5s} {f['epochs']:4d} "
              f"{f['n_val']:4d} {verr:>4s} {f['val_rise']:6.0%} {f['test_rise']:6.0%} "
              f"{f['test_err']:4d} {f['reg']}")
    probe_common.print_tally("FD103 fired / silent, per label:", tally)
    return 0


if __name__ == "__main__":
    sys.exit(main())
