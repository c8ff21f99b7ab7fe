"""When does FD201 miss underfitting? New recordings against FD201's verdict.

FD201 (``training-loss-plateaued-high``, underfitting, warning) fires when the training
loss has flattened at a level that is poor against the best bar the run offers: the
validation score of the reference model the callback fits (logistic regression, ridge,
gradient boosting), else the loss of predicting the class prior. This script trains small
Keras models on scikit-learn's bundled and generated data (never the corpus files)
through the corpus recorder (``tests/data/recorder/training.py``: FitDoctor's callback
plus a held-out test curve per epoch), labels each run with the corpus's rules
(``recorder/labels.py``; the underfitting label compares the final test score with the
data variant's achievable score), and prints FD201's verdict against the label, the
full report's warnings and, when FD201 is silent, which of its gates kept it silent
(column ``why``: the gate that alone unblocks it when opened; ``all``: only all
together; ``none``: not even then): ``short`` (min_epochs), ``plateau`` (no flat tail),
``falling`` (deferred to FD301 as still falling), ``bar`` (not poor against the
baseline), ``gap`` (validation loss far above training: read as variance),
``progress`` (the loss never moved).

Set-ups (seeds 5 and 6, which the corpus does not use): Dense networks of 1-8 units,
linear models on moons / friedman / linear data, six-layer sigmoid and tanh stacks
under SGD, L2 0.05-1.0, dropout 0.7-0.85, SGD at 3e-3 for 80-120 epochs, GRU / LSTM of
1-4 units on sine-frequency, parity and sum sequences, conv nets of 1-4 filters with
max or global pooling, validation sets of 40-629 rows, batches 16-256; and a healthy
near-neighbour of each (the same set-up at a sensible width, rate or strength).

Measured (2026-11-30, 55 trainings): 24 runs labelled underfitting, FD201 fired on 12
before this change and 17 after; on 15 healthy runs it fired on none before or after
(and no healthy run got any warning); it fires on no not-converged (12) or overfitting
(3) run. The five runs it now catches all had no headline at all before:

- **A reference that learned nothing was taken as the bar.** Logistic regression on
  sequences whose class is a frequency with a random phase scores 0.30 of three classes
  (below the largest class share): nothing linear to find. A one-unit GRU at 0.40-0.46
  validation accuracy "beat" it, so FD201 called its plateau (91-95% of the prior's loss)
  fine (sine_gru_1unit s5, s6; sine200_gru_1unit s5). A reference no better than
  ignoring the inputs (within ``reference_z`` SE of the largest validation class share;
  MSE at or above the prior's) is now no bar: the prior's loss judges instead, and the
  message says why.
- **Deferred to FD301, which stayed silent.** The same GRU's validation loss crept 0.8%
  over its last 9 epochs, 11% of its small whole fall (1.10 -> 1.03): FD201 called it
  unfinished (``max_share``), but FD301 does not call a fall under its ``min_gain`` (1%
  of the level) material, so the run got nothing. FD201 now uses the same floor
  (its own ``min_gain``).
- **A gap read as variance where the network lacks capacity.** 4 hidden units on digits
  (digits_4units_s6, digits_4units_val50_s5): validation loss 40-45% above training
  (``max_gap_ratio`` 0.25), yet the best training accuracy (0.92-0.93) is 4-7 points below
  what logistic regression reaches on the validation rows, beyond the noise of both.
  FD201 had this exception for MSE only; it now holds for accuracy, and the message
  names the training accuracy. Where the training shortfall is within noise
  (digits_4units_s5: 0.944 against 0.968, 2.4 points < 2 SE of 2.7) the gap still reads
  as variance.

Misses left (7), none with a false headline: sine_gru_2units_s5, s6 (0.91-0.92 where
16 units reach 1.0: the reference learned nothing and the loss is ~23% of the prior's,
so nothing in the run file says 0.91 is poor); digits_dropout0.85_s5 (best validation
accuracy within 3 points of the reference's: within the margin); digits_4units_s5
(above); friedman_deep_sigmoid_sgd_s5 (validation loss flat at the prior's from epoch
1, training loss creeping 4%: it learned nothing, FD302's case, where "widen" would be
the wrong advice; FD302 stays silent because the training loss moved more than its
bar); digits_8units_tanh_b256_s5 and sine_lstm_1unit_lr3e-3_s5 (both losses still
falling 2-4% over the tail: FD301 fires, and "train longer" is right advice; the
label's not-converged rule does not match them). One label judged wrong:
diabetes_l2_1_s5 is "diverged" because L2 1.0 makes the first epoch's loss 20x the
constant predictor's (the penalty on the initial weights), then the model settles at
the mean's loss: too much L2 collapsed it, and FD201's "lower the L2 factor" is the
advice.

Regression: a relative bar (the network's validation MSE over the reference's) was
considered in place of the share of the target's variance FD201 uses: on the dev half
and these probes healthy runs reach 1.26-1.45x the reference's MSE, not-converged ones
2-4x, underfitting ones 2.9x and more, so a ratio would not separate them; the variance
share orders them (underfitting >= 0.12 but for the two dev runs discussed below;
healthy <= 0.115, where L2's penalty, which Keras adds to val_loss, inflates it) and was
kept.

Dev-half misses (``--dev``): moons_mlp_3ep_s0-2 (3 epochs of a 32x32 network whose
60-epoch twin reaches 0.947: not converged, FD301's "train longer" is the right advice;
the label is arguably wrong); friedman200_big_es_norestore_s1 (a 512x512 network whose
training MSE fell to 0.023, then rose to 0.13 before EarlyStopping stopped it without
restoring: it had the capacity, FD412's instability headline is the right one);
sum_lstm_s1 (validation MSE 7% above ridge's, 0.1% of the target's variance: no
shortfall worth more units). On the dev half FD201's fires are unchanged (22/27
underfitting; FD404 now supersedes FD201 on the diverged runs where both fire).

Fourth batch (``--batch 4``, seeds 11-12, 43 trainings, 2026-11-30): data variants,
optimizers, batch sizes and validation sizes the batches above and the dev corpus's
underfit family did not use (digits300, digits_noisy20/40, moons_easy, clf_noisy30,
iris, clf200, friedman200, clf_sep, digits300_img; SGD at batch 8, momentum, RMSprop at
batches 128-256; validation sets of 21-63 rows; regression under heavy L2 and sigmoid
stacks), each with a healthy neighbour. The column ``twin`` is the label of the run's
validation twin (``bench/val_ceiling.py``: the corpus's rules applied to the validation
curve; ``=`` when it is the test label): a miss where it differs is not FD201's to fix.
16 runs labelled underfitting, 11 whose twin agrees. Run-view headline right on the
underfitting runs 11/16 before and 12/16 after (twin agrees: 8/11 -> 9/11), on
not-converged 5/9 -> 6/9, healthy 10/11 both (sep_dropout0.9_s11: FD704, dropout 0.9
keeps the training loss above the validation loss; not FD201; fixed since, see below).
FD201 fired on 11 -> 12 underfitting runs, 2 -> 1 not-converged, no healthy run. What the
batch showed:

- **"Train longer" where more epochs cannot close the shortfall.** digits_3units_val0.05
  s12: 3 units, validation accuracy 0.27 against logistic regression's 0.97; the
  validation loss still creeps 0.2% an epoch, so FD201 deferred to FD301 ("train
  longer"), but at the accuracy's pace (0.4 points an epoch over the tail) reaching the
  reference takes ~208 more epochs, 5x the run. FD201 now keeps the run when the catch-up
  exceeds ``max_catch_up`` (2) times the epochs run, and says so. On the dev half the
  runs this could take from FD301 (plain SGD at 1e-3 on diabetes, labelled not-converged)
  need 16-21 more epochs, ~1x their run; at 0.5 they would be taken, at 2 or 5 none is.
- **Two rules on one run that learned nothing.** iris_deep_sigmoid_sgd_s12: four sigmoid
  layers under SGD, the loss moved 2-3% (the label: stalled, not-converged): FD302 (3%
  band) and FD201 (``min_progress`` 2%) both fired, FD201 taking the headline with
  "widen". ``min_progress`` is now FD302's band (0.03).
- **"Widen" for a network that learned nothing.** iris_deep_sigmoid_sgd_s11 (0.286
  validation accuracy, the majority share, where logistic regression reaches 0.90) and
  noisy30_l2_0.3 (RMSprop, L2 0.3: at the prior's loss) got "widen the hidden layer"
  (16 -> 32, 64 -> 128) and "add a layer" first. A network whose best validation score
  is no better than ignoring the inputs is now told so; the advice is the optimisation (ReLU, Adam /
  RMSprop, scaled inputs) or, with an L2 factor in force, lowering it first; "widen" stays
  only for a layer narrower than the classes (a one-unit GRU on three classes), and
  "more features" goes where a reference learned from the same inputs.

Misses left: digits300_2units_sgd_b8_s11 (SGD at batch 8, training and validation losses
still falling 0.5% an epoch, no plateau: it looks like a slow run, and its s12 twin is
labelled not-converged; FD301's "train longer" is defensible), friedman200_deep_tanh_sgd
(training MSE 0.10, still falling, below gradient boosting's validation 0.18, validation
flat at 0.24: a gap FD201 reads as variance; the label's training bar, 0.9x achievable
MAE, is met by 6%: borderline), clf_4units_rmsprop_b256_s11 (twin healthy). Labels judged
wrong: noisy30_l2_0.3 and reg_linear_l2_3 are "diverged" because the L2 penalty on the
initial weights makes the first epoch's loss 13-70x the constant predictor's, as
diabetes_l2_1 above. Outside FD201: sum_lstm_1unit_rmsprop_s12 (not-converged: the test
loss falls 2% an epoch; FD301 calls neither its share nor its pace material, FD201 calls
it a plateau against ridge; fixed since, see below), noisy40_4units_s11 and
noisy40_mlp_s11 (twins disagree). Regression sigmoid stacks (diabetes, reg_linear)
stalled: FD302, right.

Loose ends closed (issue 10, the fourth batch re-judged with ``--load``): run-view
headline right on healthy 10/11 -> 11/11 (no healthy run warned), not-converged 6/9 ->
7/9, underfitting 12/16 unchanged; FD201 fires on no not-converged run (1 before).

- **sum_lstm_1unit_rmsprop_s12** (not-converged: the test loss falls 2% an epoch).
  FD301 was not silent: since its ``regression_pace`` (a regression's error still falling
  1% of its level an epoch, whatever its share of the whole fall) it fires on the
  validation loss's 1.8% an epoch, but FD201 called the run a plateau against ridge and
  superseded it, because FD201's still-falling guard knew only FD301's share and steep
  pace. The guard now reads FD301's own test (one function for both rules), so it defers;
  reaching ridge's MSE at the tail's pace takes ~47 epochs, under ``max_catch_up`` (2)
  times the 30 run: more epochs may close it, and "train longer" heads the report.
- **sep_dropout0.9_s11** (healthy) got an FD704 warning: a rule failure. Its escalation
  for a validation accuracy 15 points above training ("more than dropout usually
  explains") fired on Dropout(0.9), which keeps the training accuracy (measured with 90%
  of the units dropped) at 79% while validation is 100%, exactly what logistic
  regression scores on the same rows. FD704 now warns on that lead
  (``max_accuracy_lead``) only when nothing explains it: with dropout, noise,
  augmentation or a penalty in the model, a validation accuracy reaching the run's
  reference model's (within ``reference_z`` standard errors) says the rows are no easier
  than a simple model finds them, so the lead is the regularizer's, and the finding stays
  info and says why. Short of the reference it still warns (digits_dropout0.85_s5 of the
  first batches, underfitting: 0.93 against logistic regression's 0.97, training 0.39).

Run from the repository root (8-35 seconds a training on a busy machine; ``--save``
appends each record as it is trained and resumes an interrupted batch; the measurement
above trained every probe with ``--seeds 5``, then ``--seeds 6 --only sine_gru`` and
``--seeds 6 --only digits_4units`` into the same file)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/underfit_probe.py [--only SUBSTR]
        [--seeds 5] [--batch 1|4] [--save FILE | --load FILE] [--why] [--dev]

(the fourth batch: ``--batch 4 --seeds 11``, then ``--seeds 12`` on its under-fitting
set-ups, into one file.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "data"))
sys.path.insert(0, str(ROOT / "tests"))

import probe_common  # noqa: E402
from corpus import upgrade  # noqa: E402
from val_ceiling import twin_label  # noqa: E402

from fitdoctor import engine  # noqa: E402
from fitdoctor.rules import Settings  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

CONV = dict(model="conv", head=[])

#: (name, data variant, settings): each trained once per seed (``--seeds``). Every
#: under-fitting set-up has a healthy near-neighbour on the same data variant (the same
#: set-up at a sensible width, rate, strength or length), so that each variant's
#: achievable score (the label's bar) is set by a network too, as in the corpus.
PROBES: list[tuple[str, str, dict[str, Any]]] = [
    # too-narrow Dense networks (1-4 units) and their wide neighbours
    ("digits_4units", "digits", dict(units=[4], lr=1e-2, epochs=40)),
    ("digits_4units_val50", "digits", dict(units=[4], lr=1e-2, epochs=40, val_frac=0.5)),
    ("digits_64units", "digits", dict(units=[64], epochs=30)),
    ("moons_2units_tanh", "moons", dict(units=[2], act="tanh", lr=1e-2, epochs=60)),
    ("moons_mlp", "moons", dict(units=[32, 32], lr=3e-3, epochs=60)),
    ("wine_1unit", "wine", dict(units=[1], lr=1e-2, epochs=60, batch=16)),
    ("wine_mlp", "wine", dict(units=[32], lr=3e-3, epochs=60, batch=16)),
    # linear models on non-linear data, and on linear data (healthy)
    ("friedman_linear_sgd", "friedman", dict(units=[], opt="sgd", lr=0.01, epochs=60)),
    ("friedman_mlp", "friedman", dict(units=[64, 64], lr=3e-3, epochs=80)),
    ("friedman_3units_tinyval", "friedman", dict(units=[3], lr=1e-2, epochs=60, val="tiny",
                                                 val_n=40)),
    ("moons_linear_rmsprop", "moons", dict(units=[], opt="rmsprop", lr=1e-2, epochs=40)),
    ("reg_linear_linear", "reg_linear", dict(units=[], lr=1e-2, epochs=40)),
    ("reg_linear_1unit", "reg_linear", dict(units=[1], lr=1e-2, epochs=40)),
    ("bc_linear", "bc", dict(units=[], lr=1e-2, epochs=40, batch=16)),
    # sigmoid / tanh deep stacks
    ("clf_deep_sigmoid_sgd", "clf", dict(units=[32] * 6, act="sigmoid", opt="sgd", lr=0.1,
                                         epochs=40)),
    ("wine_deep_tanh_sgd", "wine", dict(units=[16] * 6, act="tanh", opt="sgd", lr=0.01,
                                        epochs=60, batch=16)),
    ("clf_mlp", "clf", dict(units=[128, 64], epochs=30)),
    # too-strong L2 or dropout, and sensible strengths
    ("moons_l2_0.05", "moons", dict(units=[32, 32], l2=0.05, lr=3e-3, epochs=60)),
    ("clf_l2_0.1", "clf", dict(units=[64], l2=0.1, epochs=40)),
    ("clf_l2_1e-4", "clf", dict(units=[64], l2=1e-4, epochs=40)),
    ("clf_dropout0.8", "clf", dict(units=[32], dropout=0.8, epochs=40)),
    ("friedman_dropout0.7", "friedman", dict(units=[64, 64], dropout=0.7, lr=3e-3,
                                             epochs=60)),
    ("diabetes_l2_1", "diabetes", dict(units=[64], l2=1.0, lr=3e-3, epochs=60)),
    ("diabetes_mlp", "diabetes", dict(units=[32], l2=1e-3, lr=3e-3, epochs=60)),
    # a tiny learning rate trained to a plateau
    ("moons_sgd_lr3e-3_long", "moons", dict(units=[32, 32], opt="sgd", lr=3e-3, epochs=120,
                                            batch=64)),
    ("digits_sgd_lr3e-3_long", "digits", dict(units=[64], opt="sgd", lr=3e-3, epochs=80,
                                              batch=64)),
    # recurrent models with too few units, and 16 units
    ("sine_gru_1unit", "seq_sine", dict(model="gru", units=[1], lr=1e-2, epochs=30)),
    ("sine_gru", "seq_sine", dict(model="gru", units=[16], lr=1e-2, epochs=25)),
    ("sum_gru_1unit", "seq_sum", dict(model="gru", units=[1], lr=1e-2, epochs=30)),
    ("sum_gru", "seq_sum", dict(model="gru", units=[16], lr=3e-3, epochs=30)),
    ("parity_lstm_2units", "seq_parity", dict(model="lstm", units=[2], lr=1e-2, epochs=40)),
    ("parity_gru", "seq_parity", dict(model="gru", units=[32], lr=1e-2, epochs=40)),
    # conv nets with too few filters / heavy pooling, and a healthy conv net
    ("conv_2filters", "digits_img", dict(**CONV, units=[2], lr=1e-2, epochs=30)),
    ("conv_4x3_pool", "digits_img", dict(**CONV, units=[4, 4, 4], lr=1e-2, epochs=30)),
    ("conv_16", "digits_img", dict(**CONV, units=[16], epochs=30)),
    # second batch: what the first showed (recurrent nets below a reference that learned
    # nothing; a narrow network with a gap), and more neighbours
    ("sine_gru_2units", "seq_sine", dict(model="gru", units=[2], lr=1e-2, epochs=30)),
    ("sine_lstm_2units_rmsprop", "seq_sine", dict(model="lstm", units=[2], opt="rmsprop",
                                                  lr=3e-3, epochs=30)),
    ("sine200_gru_1unit", "seq_sine200", dict(model="gru", units=[1], lr=1e-2, epochs=40,
                                               batch=16)),
    ("sine200_gru", "seq_sine200", dict(model="gru", units=[16], lr=1e-2, epochs=30,
                                         batch=16)),
    ("parity_gru_4units", "seq_parity", dict(model="gru", units=[4], lr=1e-2, epochs=40)),
    ("conv_1filter", "digits_img", dict(**CONV, units=[1], lr=1e-2, epochs=30)),
    ("reg_linear_mlp", "reg_linear", dict(units=[64], epochs=40)),
    ("friedman_deep_sigmoid_sgd", "friedman", dict(units=[32] * 5, act="sigmoid", opt="sgd",
                                                   lr=0.05, epochs=60)),
    ("digits_8units_tanh_b256", "digits", dict(units=[8], act="tanh", lr=3e-3, batch=256,
                                               epochs=60)),
    # third batch: heavy dropout, L2 on a narrow binary net, global pooling, a one-unit
    # LSTM at a lower rate, and a sigmoid unit under L2 on regression
    ("digits_dropout0.85", "digits", dict(units=[32], dropout=0.85, lr=3e-3, epochs=40)),
    ("bc_2units_l2_0.1", "bc", dict(units=[2], l2=0.1, lr=1e-2, epochs=40, batch=16)),
    ("conv_2filters_gap", "digits_img", dict(**CONV, units=[2], gap=True, lr=1e-2,
                                            epochs=30)),
    ("sine_lstm_1unit_lr3e-3", "seq_sine", dict(model="lstm", units=[1], lr=3e-3,
                                                epochs=40)),
    ("diabetes_1unit_sigmoid_l2", "diabetes", dict(units=[1], act="sigmoid", l2=0.3,
                                                   lr=1e-2, epochs=50)),
    ("sum_lstm_2units", "seq_sum", dict(model="lstm", units=[2], lr=1e-2, epochs=30)),
]

#: Fourth batch (``--batch 4``, seeds 11-13): data variants, optimizers, batch sizes and
#: validation sizes the first three batches and the dev corpus's underfit family did not
#: use, each under-fitting set-up with a healthy near-neighbour on its variant.
BATCH4: list[tuple[str, str, dict[str, Any]]] = [
    # a 300-row pool (60 validation rows), batch 8 under SGD
    ("digits300_2units_sgd_b8", "digits300", dict(units=[2], opt="sgd", lr=0.05, batch=8,
                                                   epochs=50)),
    ("digits300_mlp", "digits300", dict(units=[64], lr=3e-3, epochs=30)),
    # label noise: a narrow net and a sensible one, stopped before it memorises
    ("noisy20_3units", "digits_noisy20", dict(units=[3], lr=1e-2, epochs=40)),
    ("noisy20_mlp", "digits_noisy20", dict(units=[64], epochs=12)),
    # a linear model under momentum on nearly separable moons
    ("moons_easy_linear_momentum", "moons_easy", dict(units=[], opt="momentum", lr=0.01,
                                                      batch=16, epochs=40)),
    ("moons_easy_mlp", "moons_easy", dict(units=[32, 32], lr=3e-3, epochs=40)),
    # heavy L2 under RMSprop at batch 128, on 30% flipped labels
    ("noisy30_l2_0.3_rmsprop_b128", "clf_noisy30", dict(units=[64], l2=0.3, opt="rmsprop",
                                                        batch=128, epochs=30)),
    ("noisy30_mlp", "clf_noisy30", dict(units=[32], epochs=12)),
    # a deep sigmoid stack under plain SGD on iris (21 validation rows): learns nothing
    ("iris_deep_sigmoid_sgd", "iris", dict(units=[16] * 4, act="sigmoid", opt="sgd",
                                           lr=0.01, batch=8, epochs=60)),
    ("iris_mlp", "iris", dict(units=[16], lr=1e-2, batch=8, epochs=60)),
    # a 200-row pool (40 validation rows), batch 8
    ("clf200_2units_b8", "clf200", dict(units=[2], lr=1e-2, batch=8, epochs=60)),
    ("clf200_mlp", "clf200", dict(units=[32], l2=1e-3, lr=3e-3, epochs=40)),
    # regression: a linear model on Friedman #1 (200 rows), heavy L2 on linear data
    ("friedman200_linear", "friedman200", dict(units=[], lr=1e-2, batch=16, epochs=80)),
    ("friedman200_mlp", "friedman200", dict(units=[64, 64], l2=1e-3, lr=3e-3, batch=16,
                                            epochs=80)),
    ("reg_linear_l2_3", "reg_linear", dict(units=[64], l2=3.0, lr=3e-3, epochs=40)),
    ("reg_linear_linear_b512", "reg_linear", dict(units=[], lr=3e-2, batch=512, epochs=60)),
    # a narrow net at batch 256 under RMSprop, still creeping at a small rate
    ("clf_4units_rmsprop_b256", "clf", dict(units=[4], opt="rmsprop", lr=3e-3, batch=256,
                                            epochs=60)),
    ("clf_mlp_b256", "clf", dict(units=[128, 64], lr=3e-3, batch=256, epochs=40)),
    # three units on digits with 63 and 30 validation rows, and a wide neighbour
    ("digits_3units_val0.05", "digits", dict(units=[3], lr=1e-2, epochs=40, val_frac=0.05)),
    ("digits_3units_tinyval", "digits", dict(units=[3], lr=1e-2, epochs=40, val="tiny",
                                             val_n=30)),
    ("digits_mlp_rmsprop", "digits", dict(units=[64], opt="rmsprop", epochs=20)),
    # conv nets on a 300-row image pool: two filters with global pooling, and 16
    ("conv300_2filters_gap", "digits300_img", dict(**CONV, units=[2], gap=True, lr=1e-2,
                                                   epochs=40)),
    ("conv300_16", "digits300_img", dict(**CONV, units=[16], lr=3e-3, epochs=40)),
    # a one-unit LSTM on sequence sums under RMSprop, and 16 units
    ("sum_lstm_1unit_rmsprop", "seq_sum", dict(model="lstm", units=[1], opt="rmsprop",
                                               lr=3e-3, epochs=30)),
    ("sum_lstm_16", "seq_sum", dict(model="lstm", units=[16], lr=3e-3, epochs=30)),
    # regression that learns nothing (a tanh stack under SGD), 40% label noise, and a
    # near-separable task under dropout 0.9
    ("friedman200_deep_tanh_sgd", "friedman200", dict(units=[16] * 5, act="tanh", opt="sgd",
                                                       lr=0.01, batch=16, epochs=60)),
    ("noisy40_4units", "digits_noisy40", dict(units=[4], lr=1e-2, epochs=40)),
    ("noisy40_mlp", "digits_noisy40", dict(units=[64], epochs=10)),
    ("sep_dropout0.9", "clf_sep", dict(units=[16], dropout=0.9, lr=3e-3, epochs=40)),
    ("sep_mlp", "clf_sep", dict(units=[32], epochs=20)),
    # sigmoid stacks under SGD on regression: do they learn anything?
    ("diabetes_deep_sigmoid_sgd", "diabetes", dict(units=[32] * 5, act="sigmoid", opt="sgd",
                                                   lr=0.01, epochs=40)),
    ("diabetes_mlp", "diabetes", dict(units=[32], l2=1e-3, lr=3e-3, epochs=40)),
    ("reg_linear_deep_sigmoid_sgd", "reg_linear", dict(units=[32] * 5, act="sigmoid",
                                                       opt="sgd", lr=0.01, epochs=40)),
]

#: FD201 with one of its gates opened: which gate kept it silent?
GATES: dict[str, dict[str, Any]] = {
    "short": dict(min_epochs=1),
    "plateau": dict(min_plateau_fraction=0.0, min_plateau=1, plateau_tolerance=0.2),
    "falling": dict(max_share=1.0),
    "bar": dict(reference_margin=0.0, reference_z=0.0, baseline_fraction=0.0,
                chance_fraction=0.0, implied_fraction=0.0, max_accuracy=1.0),
    "gap": dict(max_gap_ratio=100.0),
    "progress": dict(min_progress=0.0),
}


def fd201(run: Run, options: dict[str, Any] | None = None) -> str | None:
    """FD201's message when it fires at warning or above, else None."""
    rules = [r for r in Settings(rule_options={"FD201": options} if options else {}).rules()
             if r.code == "FD201"]
    for f in engine.analyze(run, rules=rules).findings:
        if f.code == "FD201" and f.severity.rank >= 1:
            return f.message
    return None


def gates(run: Run) -> str:
    """The gates that alone unblock FD201 ('+' joined), or 'all' / 'none'."""
    opened = [name for name, opts in GATES.items() if fd201(run, opts)]
    if opened:
        return "+".join(opened)
    every: dict[str, Any] = {}
    for opts in GATES.values():
        every.update(opts)
    return "all" if fd201(run, every) else "none"


def headline(run: Run) -> str:
    """The report's headline diagnosis and the warning codes."""
    report = engine.analyze(run)
    codes = [f.code for f in report.findings if f.severity.rank >= 1]
    return ",".join(codes) or "-"


def twin(rec: dict[str, Any]) -> str:
    """The label of the record's validation twin (``bench/val_ceiling.py``), or ``-``.

    Where it differs from the test label, the validation curve the run file holds told
    another story than the held-out test curve, and no rule reading the run can be
    expected to match the label: such misses are not FD201's to fix.
    """
    return twin_label(rec) or "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--seeds", default="5", help="seeds to train (comma-separated)")
    ap.add_argument("--batch", type=int, choices=[1, 4], default=1,
                    help="1: the first three batches (PROBES); 4: the fourth (BATCH4)")
    ap.add_argument("--why", action="store_true", help="print each run's label reason")
    ap.add_argument("--dev", action="store_true",
                    help="judge the corpus's dev half instead (its stored labels; only "
                         "underfitting runs and FD201's fires)")
    args = ap.parse_args(argv)
    probes = BATCH4 if args.batch == 4 else PROBES
    recs = probe_common.records(args, probes, family="underfit-probe",
                                intended="underfitting")
    tally: dict[tuple[bool, str], int] = {}
    print(f"{'run':28s} {'FD201':5s} {'label':13s} {'twin':13s} {'why':14s} "
          f"{'warnings':20s} FD201's message")
    for rec in recs:
        run = Run.from_dict(upgrade(rec))
        msg = fd201(run)
        lab = rec["label"]
        if args.dev and msg is None and lab != "underfitting":
            continue
        tally[(msg is not None, lab)] = tally.get((msg is not None, lab), 0) + 1
        why = "" if msg else gates(run)
        tw = twin(rec)
        print(f"{rec['name']:28s} {'FIRE' if msg else '.':5s} {lab:13s} "
              f"{'=' if tw == lab else tw:13s} {why:14s} "
              f"{headline(run):20s} {msg or ''}")
        if args.why:
            print(f"{'':28s} label: {rec['label_reason']}")
    probe_common.print_tally("FD201 fired / silent, per label:", tally)
    return 0


if __name__ == "__main__":
    sys.exit(main())
