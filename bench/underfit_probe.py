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

Fifth batch (``--batch 5``, seeds 21-22, 38 trainings, 2026-11-30; saved at
/tmp/uf7/batch5.jsonl): conv nets with one or two filters under two or three
conv+pool stages (8x8 -> 1x1), GRU/LSTM of 2-8 units, Dense bottlenecks of 1-2 units
between wide layers, ReLU networks at rates so low they stall (SGD 3e-4, Adam 3e-5),
L2 0.05-0.1 and Dropout 0.9 on tabular data under SGD and momentum, sigmoid-output
regressions (``out_act``, probe-only: the recorder's model with its output activation
replaced before ``fit``, so the run file records a sigmoid output), SGD at batches of
512-1024, validation sets of 10-30% or 50 rows; every variant with a healthy neighbour
(seed 21), 9 of the 16 under-fitting set-ups also with seed 22 (the rest cut short: a
training took up to 9 minutes on the loaded machine), and moons_mlp_3ep's set-up trained
3x longer. Run view, before -> after (``--load``): the underfitting runs' headline right
7 -> 8 of 13 (twin agrees: 6 -> 7 of 10); healthy 8/10, not-converged 10/12, overfitting
3/3 unchanged (the two healthy runs warned have twins that disagree: sine200_lstm_16_s21
FD101, twin overfitting; sine200_lstm_3units_s22 FD301, twin not-converged); FD201 fired
on 9 of 13 underfitting runs and on no healthy (10), not-converged (12) or overfitting
(3) run. Bare view unchanged (underfitting 3/13). What it showed:

- **A plateau judged by a better score the network had lost.** moons_l2_0.1_val50_s21:
  L2 0.1 lets the network reach 0.83 training and 0.80 validation accuracy by epoch 3,
  then the penalty pulls every weight to zero and it sits at the class prior (ln 2, 0.42
  on its 50 validation rows) for 34 epochs. FD201 set the reference (gradient boosting,
  0.88) against the best of the whole run, 0.80, within two standard errors on 50 rows:
  silent (the bare view, comparing the plateau's own accuracy with the assumed 0.7,
  fired). A network whose best training accuracy before its plateau exceeds the
  plateau's by ``noise_factor`` noise-widths and by ``reference_margin`` lost that fit:
  it is now judged by its plateau's scores, says so, is found to have learned nothing
  there, and is told to lower the L2 factor (it was, where FD201 fired on such a run
  anyway, told to widen first: the rule case's recording, L2 0.3).
- **"Widen" for a regression through a sigmoid output.** friedman_sigmoid_out and
  diabetes_sigmoid_out (standardised targets, half below 0): FD201 fired, rightly, but
  advised 64 -> 128 units, another layer, more features. No width reaches a target below
  0; the message now names the bounded output and its range and the advice is a linear
  output (or targets rescaled into the range) only.
- Not FD201's: a 1-unit bottleneck on digits stalls (s21, FD302) or still falls (s22,
  FD301), labelled not-converged; 2 units between layers of 128 on clf under RMSprop
  overfit (FD101, label overfitting); SGD 3e-4 and Adam 3e-5 are still falling at the
  end (label not-converged, FD301: they did not stall within 40 epochs); L2 0.05 under
  SGD on wine is healthy, Dropout 0.9 under momentum on clf twin-healthy.

Misses left (twin agrees): conv_1x2pool_val0.1_s22 (one filter, two pools: 4 features
for 10 classes; its training loss still falls 1% an epoch, so FD201 sees no plateau and
FD301's "train longer" heads the report; at its validation accuracy's tail pace, 1.1
points an epoch, logistic regression's 0.98 is 40 epochs (1.3x the run) away, within
``max_catch_up``, so even on a plateau FD201 would leave it to FD301, while seed 21 of
the same set-up plateaus at 0.69); clf_sgd_b1024_s21 (2 steps an epoch under SGD: the
loss still falls steadily and test accuracy rose 2.8 points over the last 20 epochs; at
its validation accuracy's pace, 0.02 points an epoch, gradient boosting's 0.89 is ~416
epochs (7x the run) away, while Adam reaches 0.886 validation accuracy by epoch 5 with
128x64 units (clf_mlp_s21): the optimisation is the cause, FD615's "Adam or RMSprop" the
fix, and FD201's "widen" would be wrong; FD301 heads it, the nearest right diagnosis,
and the label's not-converged rule counts the gain within 2 SE); friedman_mlp_s21 (the
healthy neighbour: Adam at 3e-3 blew the training loss up 12x in its last 5 epochs,
0.0058 -> 0.072, so the final MAE misses the bar; instability, not capacity: the label's
explosion test compares only with the first epoch).

Dev misses (run view), judged: moons_mlp_3ep_s0..2 -- the label is wrong. The
not-converged rule measures the test loss's noise on the second half of the curve, which
for 3 epochs is its last 2 points: the noise is the last step itself (0.07), so a test
loss falling 11-12% an epoch steadily (0.637 -> 0.563 -> 0.492) never exceeds twice its
"noise" and the run falls through to underfitting. Trained 3x longer (moons_mlp_9ep_s21)
the same set-up is still falling 4.8% an epoch (label not-converged) at logistic
regression's 0.853; at 60 epochs (moons_mlp_s21, healthy) it reaches 0.943, above
gradient boosting's 0.93. FD301's "train longer" is the right advice; "widen" would be
wrong. friedman200_big_es_norestore_s1 -- the training loss fell to 0.023 and rose 6x to
0.146 before EarlyStopping stopped without restoring (its twin seed s2, labelled healthy,
does the same less): the same late instability as friedman_mlp_s21 above, not capacity.
sum_lstm_s1 -- its validation twin is healthy (val_ceiling): not FD201's.

Bare view: a bare history has no reference and no target scale. digits_noisy40_small_l2
s0..2 (healthy; FD201 warned bare only): 64 units on digits with 40% of the labels
flipped plateau at a training accuracy of 0.57, what those labels allow, under the
assumed-poor 0.7; the validation loss, lowest at epoch 15-17, rose 1.1-1.5% over the rest
while the training loss fell 5-6% and the training accuracy still rose: the network still
fits its training rows better and the fit no longer carries to unseen ones. Against a bar
the curves only imply (chance, the prior, an accuracy assumed poor), that is now variance,
not bias: FD201 stays silent (a reference's validation score still stands). Across the
earlier batches it costs one bare catch, digits_3units_tinyval_s12 (3 units, 30 validation
rows whose loss rose 2.4% while training improved), and noisy40_4units_s11 (label
overfitting) no longer gets an underfitting headline bare; no healthy run in the other
probes' recordings (169 runs) changed. sum_lstm_1unit_l2: a bare regression's MSE has no
scale to be poor against (the first epoch's loss is not the mean's: the L2 penalty, or
unscaled targets, inflate it), so FD201 skips it; what the bare curves do show is a
validation MAE flat to 0.3% while the loss fell 27% (the fall was the penalty's), but
slow learners move their MAE only 2-4% (sum_lstm_lr1e-4, not-converged), so no rule reads
that yet.

Sixth batch (``--batch 6``, seeds 31-32, 39 trainings, 2026-11-30; saved at
/tmp/uf8/batch6.jsonl): set-ups none of the batches above nor the dev corpus used:
stride-2 conv nets with no Dense layer (``strides``, probe-only: 8x8 -> 4x4 -> 2x2, 2-4
filters, Flatten or global pooling), Dense nets with tanh / sigmoid hidden layers under
Adam at 1e-4..3e-4, EarlyStopping with patience 1-2 on 40 validation rows (restore on and
off), ReduceLROnPlateau cutting the rate tenfold after one flat epoch, label smoothing
0.2-0.3 (``smoothing``, probe-only), regressions trained on MAE (``loss="mae"``,
probe-only), and Dense(8) / Dense(4) under Dropout 0.3 / L2 0.03 whose validation
accuracy leads the training accuracy; each with a healthy neighbour (seed 31 only), the
under-fitting set-ups also with seed 32. Labels: 14 underfitting (10 whose validation
twin agrees), 19 healthy, 5 not-converged, 1 overfitting. Run view, before -> after:
underfitting 6 -> 10 of 14 (twin agrees: 4 -> 8 of 10), healthy 17 -> 18 of 19,
not-converged 4/5 unchanged; bare view unchanged (underfitting 0/14, healthy 17/19). On the
761 records the earlier probes of every label saved (17 files, ``/tmp/sup2.py``'s list and
the batch files of the underfitting, overfitting, not-converged, unstable and healthy
probes), run view: healthy 332 -> 334 of 384 right, every other label unchanged; bare view
unchanged. Dev half and wild corpus unchanged. What it showed:

- **FD704 superseded the underfitting finding and blamed the validation set.**
  digits_8units_dropout0.3_s31, s32: Dense(8) + Dropout(0.3), training loss 2.0-2.2x the
  validation loss (Keras measures it with the dropout on), training accuracy 0.67-0.70,
  validation accuracy 0.92-0.94, 3-5 points short of logistic regression's 0.97 on the
  same rows (test: 0.91-0.92 against 0.98 achievable). FD704's lead escalation ("short
  of the reference keeps the warning") made it a validation-setup warning whose first
  advice was to check for leakage, and its ``supersedes = ["FD201"]`` removed FD201.
  Leakage lifts a validation accuracy to or above what a simple model scores; short of
  it with a regularizer in force the shortfall is the regularizer's cost, underfitting.
  Now FD704 no longer supersedes FD201 and stays info whenever the recorded model has
  dropout, noise or a penalty; FD201 measures the handicap itself (``handicap_ratio``,
  FD704's 1.25: the training loss over the plateau that many times the validation
  loss): with such a regularizer recorded, only the validation score against a
  reference judges (not the training loss's level against the prior or chance, not the
  training accuracy against the reference) and "lower the regularization" comes first;
  with none recorded (or a bare history) the gap is FD704's question and FD201 stays
  silent, as the supersession had it. Removing the supersession alone (measured:
  ``handicap_ratio`` 1000, FD704 superseding nothing) changes nothing on dev but warns
  on two healthy bare histories of the earlier probes (bc_val30_ok_s6, bc_mom_b32_s9:
  the implied-entropy bar read off a training loss above the validation loss) and reads
  clf_dropout0.9_momentum_s21's dropout-handicapped training accuracy (0.80 under
  Dropout(0.9)) as "does not fit even its training data", advising "widen" first; with
  the handicap read, neither happens (that run's validation shortfall, 3.6 points on 280
  rows, is within 2 SE, and its twin is healthy). digits_dropout0.85_s5 (batch 1,
  underfitting, twin agrees) loses its FD704 warning and has no headline: its best
  validation accuracy is within ``reference_margin`` of the reference (a miss either way,
  now without the leakage advice).
- **Two rows called a shortfall.** digits_rlrop_f0.1_p1_s31 (healthy, 40 validation
  rows): best validation accuracy 0.95 against logistic regression's 1.0 on the same 40
  rows, "5.0 points short"; FD201 took the reference's standard error (0.024: near 100%
  it collapses) as the noise. The network's own accuracy on those rows is as noisy
  (0.040), and the label's rule uses the run's own accuracy's SE since issue 10: the
  validation shortfall must now exceed ``reference_z`` times the larger of the two (the
  training-accuracy confirmation keeps the reference's, the training rows being many).
  It also clears two healthy false alarms of the earlier probes (clf_mom0.97_0.001_b32
  s21: 0.850 against gradient boosting's 0.889 on 280 rows, 3.9 points < 2 x 0.021;
  digits300_noise_ok_s6: 0.933 against 0.983 on 60 rows, 5.0 < 2 x 0.035); no
  underfitting run is lost. On the dev half only bc_raw_adam_s1 (overfitting) changes:
  FD201 -> FD301 heads it, wrong both ways; per-label counts unchanged in both views.
- **An MAE-trained regression had no bar.** friedman_mae_linear_s31, s32: a linear model
  trained on the mean absolute error flattens at a validation MAE of 0.43, where gradient
  boosting's MSE is 0.095. The callback's reference scores an MSE and FD201 compared only
  MSE losses, so it was silent. A network's MSE is at least the square of its MAE (0.187
  here): FD201 now compares that bound (``reference_mae``), which can only flatter the
  network; diabetes_mae_2units s31, s32 (healthy: validation MAE 0.57-0.63, squared 0.33-0.40,
  under ridge's MSE of 0.47) stay silent.
- Caught already: the stride-2 conv nets (4 of 4, FD201). Not the set-ups intended: the
  early stops and rate cuts came late enough on these data, and the tanh / sigmoid
  nets at Adam 1e-4..3e-4 on digits and wine are still falling (not-converged, FD301
  right, 4 of 4). EarlyStopping at patience 1-2 gave 5 healthy runs and one overfitting
  (digits_es_p2_norestore_s31, twin healthy); ReduceLROnPlateau at factor 0.1 / patience 1
  gave 4 healthy runs.

Misses left: clf_tanh_adam1e-4_s31 (twin agrees; 16 tanh units under Adam at 1e-4: the
training loss never flattens (FD201's plateau gate) and the validation loss still falls
0.6% an epoch, so FD301 heads it with "train longer"; the test loss too still falls 0.5% an
epoch while the test accuracy sits at 0.82-0.83 for 12 epochs: a slow learner's pause the
label calls a plateau, and "train longer" (or a higher rate) is the nearer advice than
"widen"; s32's twin is not-converged);
digits_ls0.3_8units_s31 (twin agrees: best validation accuracy 0.944, 2.4 points under
logistic regression's 0.968, within ``reference_margin``; s32's twin is healthy);
clf_4units_l2_0.03_s31, s32 are caught though their twins are healthy. Outside FD201:
clf_tanh_adam3e-3_s31 (healthy, FD301 on a validation loss still falling),
friedman_mae_mlp_s31 (not-converged, no headline), digits_es_p2_norestore_s31
(overfitting, twin healthy). Bare view: bc_ls0.3_s31 (healthy) gets FD201 bare only: label
smoothing 0.3 keeps a binary cross-entropy above 0.42 however right the model is, above
the entropy of its 0.94 accuracy that the implied bar assumes; a bare history cannot say
the loss was smoothed (the run view, judged against the reference, is silent). The
dropout runs' bare view still heads with FD704 (a bare history cannot say what explains
a validation accuracy 25 points above training).

Seventh batch (``--batch 7``, seeds 64-65, 36 trainings, 2026-11-30; saved at
/tmp/uf11/batch7.jsonl): set-ups none of the batches above nor the dev corpus used: conv
nets of 2-4 filters with global pooling and no Dense head (no pooling before it, RMSprop;
momentum at batch 16; 40 validation rows), GRU / LSTM of 1-3 units (RMSprop on 200-row
sine sequences, momentum at batch 64 on sums, batch 64 on parity), Dense nets held back
by L2 0.05-0.1 (friedman, a 4-unit bc net under momentum) or dropout 0.5-0.7 (clf under
RMSprop, friedman, wine), sigmoid / tanh stacks of 4-5 layers of 6-8 units under SGD,
narrow nets run 120-150 epochs, and 24-32 validation rows on a narrow or linear net;
each variant with a healthy neighbour (seed 64 only). Labels: 11 underfitting (8 whose
validation twin agrees), 11 healthy, 11 not-converged, 2 overfitting, 1 unstable. Run
view, before -> after: underfitting 8 -> 9 of 11 (twin agrees: 7 -> 8 of 8), healthy
10/11, not-converged 8/11, overfitting 2/2 unchanged; bare view unchanged (underfitting
0/11, healthy 9/11). What it showed:

- **A validation set easier than the training rows silenced FD201.**
  friedman_linear_val24_s64 (a linear model, 24 validation rows, twin agrees): validation
  MSE 0.195, 22-28% below the training MSE of 0.249, where gradient boosting reaches
  0.074 on the same 24 rows (10% of the target's variance, beyond 2 SE of an MSE on 24
  rows). FD201 read the training loss above the validation loss as a handicap, found no
  dropout or noise to explain it, and stayed silent ("FD704's question"); FD704 said
  "check for leakage" as info; the run had no headline. Rows that are easier are as easy
  for the reference scored on them, so that comparison still measures capacity: with the
  gap unexplained, FD201 now judges only the validation score against the reference on
  the same rows (as under a dropout handicap, without the regularization advice), and
  says why; a bare history, or a model with any regularizer (a penalty: review8's case
  stays silent), keeps the silence. A first version compared the *training* fit with the
  reference's validation score instead; it warned on the healthy clf_2units_val32_s64
  (32 validation rows on which logistic regression scores 0.97 where its test accuracy
  is ~0.83; the network's training accuracy 0.85): the reference's score on easy rows is
  as inflated as the network's, so only the same-rows comparison is fair. On the 800
  records the earlier probes of every label saved (18 files) nothing changes in either
  view; dev per-label counts (both views) and wild agreement unchanged.
- **FD201's catch-up now reads ``reference_mae``** (review finding): a still-falling
  MAE-trained regression is measured on its validation MAE against the root of the
  reference's MSE (its MSE is at least its MAE squared, so the count stays a lower bound);
  before, every such run was left to FD301. Where it can matter: a tail falling at
  FD301's ``regression_pace`` (1% of its level an epoch) closes any distance below its
  level within 100 epochs, so past 50 epochs only a creep that holds a large share of a
  small whole fall (a network that barely learned) can exceed ``max_catch_up``; none of
  the saved MAE runs (batch 6) changes, and a test builds the case (tests/test_judgments.py).
  Trained here to find one, 2-unit / linear / tanh nets on Friedman under MAE at low
  rates were still falling in both losses (no training plateau: FD301's, rightly).
- Caught already: friedman_l2_0.05 (s64, s65: L2 0.05 on 64x64, validation MSE 0.42-0.44
  vs gradient boosting's 0.095), friedman_2units_tanh_120ep (s64, s65: truly flat for 84
  epochs), moons_2units_150ep (s64 twin healthy, s65), friedman_linear_val24_s65 (its gap
  under ``handicap_ratio``), friedman_16x2_dropout0.5_s65 (s64: not-converged). Not the
  set-ups intended: three stalled (conv of 3 filters + GAP under RMSprop, a 3-unit LSTM
  on parity at batch 64, five
  8-unit sigmoid layers under SGD: FD302's, right), four still falling at the end (a
  2-unit GRU on sine200, conv of 2-4 filters + GAP, six-unit tanh stacks under SGD:
  FD301's "train longer", right while the loss still falls 1-3% an epoch).

Misses left: clf_dropout0.6_rmsprop (s64, s65: twins healthy; best validation accuracy
0.86 against gradient boosting's 0.889 on 280 rows, within 2 SE: not FD201's);
sum_gru_1unit_momentum_s64 and friedman_16x2_dropout0.5_s64 (labelled not-converged,
twins underfitting: not FD201's; the GRU's validation MSE, 0.029 against ridge's 0.0118,
is 1.9% of the target's variance, under ``reference_margin``); conv_16_rmsprop_s64
(healthy, FD301 on a validation loss still falling at epoch 20 of 20); bare view:
wine_8units_dropout0.7_s65 (healthy) is headed by FD704 (a bare history cannot say that
Dropout(0.7) explains a validation accuracy above training). Tried and not
kept: judging the network by the median of its last epochs' validation accuracy instead
of its best (the best of many noisy epochs is biased up against a reference scored
once): on the saved probes it catches 3 more underfitting runs (2 twin-agreeing:
digits_dropout0.85_s5, digits_ls0.3_8units_s31) but warns on 2 more healthy runs and 1
not-converged one, all with swinging validation accuracies (RMSprop at 0.05 with batches
of 8, momentum 0.97); a rolling 3-epoch median's best catches one (digits_ls0.3) and
changes nothing else: too little for a new parameter.

Dev misses (thread 3 of this round), re-read: moons_mlp_3ep_s0..2 -- FD301's "train
longer" is the right advice (the fifth batch trained it 9 and 60 epochs: still falling
4.8% an epoch at 9, 0.943 at 60, above gradient boosting): the label's not-converged
rule cannot see a 3-epoch fall (its noise is its own last step), so it falls through to
underfitting; FD201 should not win there and no supersession was declared.
friedman200_big_es_norestore_s1 -- a training loss that fell to 0.023 and rose 6x before
EarlyStopping stopped without restoring: instability, not capacity (no headline now;
not FD201's). sum_lstm_s1 -- validation twin healthy. Dev counts unchanged in both views.

Run from the repository root (8-35 seconds a training on a busy machine; ``--save``
appends each record as it is trained and resumes an interrupted batch; the measurement
above trained every probe with ``--seeds 5``, then ``--seeds 6 --only sine_gru`` and
``--seeds 6 --only digits_4units`` into the same file)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/underfit_probe.py [--only SUBSTR]
        [--seeds 5] [--batch 1|4|5|6|7] [--save FILE | --load FILE] [--why] [--dev]

(the fourth batch: ``--batch 4 --seeds 11``, then ``--seeds 12`` on its under-fitting
set-ups, into one file; the fifth: ``--batch 5 --seeds 21``, then ``--seeds 22 --only``
its under-fitting set-ups, cut short on a loaded machine; the sixth: ``--batch 6 --seeds
31``, then ``--seeds 32 --only`` the set-ups not in ``BATCH6_HEALTHY``; the seventh:
``--batch 7 --seeds 64``, then ``--seeds 65 --only`` a subset of its under-fitting
set-ups, cut short on a loaded machine.)
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

#: Fifth batch (``--batch 5``, seeds 21-23): set-ups none of the batches above nor the dev
#: corpus's underfit family used: conv nets with too few filters under too much pooling,
#: recurrent nets of 2-8 units, a Dense bottleneck (width 1-2 between wide layers), ReLU
#: networks at a rate so low they stall, heavy L2 / dropout on tabular data under other
#: optimizers, sigmoid-output regressions (``out_act``, a probe-only setting: standardised
#: targets leave the sigmoid's range), and SGD at batches of 512-1024; each variant with a
#: healthy neighbour, and validation sets of 10-30% or 50 rows.
BATCH5: list[tuple[str, str, dict[str, Any]]] = [
    # conv: two filters, three conv+pool stages (8x8 -> 1x1), momentum at batch 16
    ("conv_2x3pool_momentum", "digits_img", dict(**CONV, units=[2, 2, 2], opt="momentum",
                                                 lr=0.01, batch=16, epochs=30)),
    ("conv_1x2pool_val0.1", "digits_img", dict(**CONV, units=[1, 1], lr=1e-2, epochs=30,
                                               val_frac=0.1)),
    ("conv_16x2", "digits_img", dict(**CONV, units=[16, 16], lr=3e-3, epochs=20)),
    # recurrent nets of 2-8 units
    ("sine200_lstm_3units", "seq_sine200", dict(model="lstm", units=[3], lr=1e-2,
                                                 batch=16, epochs=30)),
    ("sine200_lstm_16", "seq_sine200", dict(model="lstm", units=[16], lr=1e-2, batch=16,
                                            epochs=30)),
    ("sum_gru_2units_rmsprop", "seq_sum", dict(model="gru", units=[2], opt="rmsprop",
                                               lr=1e-3, epochs=30, val_frac=0.3)),
    ("sum_gru_16", "seq_sum", dict(model="gru", units=[16], lr=3e-3, epochs=30)),
    ("parity_lstm_8units", "seq_parity", dict(model="lstm", units=[8], lr=3e-3, epochs=30)),
    ("parity_gru_32", "seq_parity", dict(model="gru", units=[32], lr=1e-2, epochs=40)),
    # a Dense bottleneck of 1-2 units between wide layers
    ("digits_bottleneck1", "digits", dict(units=[64, 1, 64], lr=3e-3, epochs=30)),
    ("digits_bottleneck16", "digits", dict(units=[64, 16, 64], lr=3e-3, epochs=20)),
    ("clf_bottleneck2_rmsprop", "clf", dict(units=[128, 2, 128], opt="rmsprop", lr=1e-3,
                                            epochs=30)),
    ("clf_mlp", "clf", dict(units=[128, 64], epochs=30)),
    # ReLU networks at a rate so low they stall
    ("bc_sgd_lr3e-4", "bc", dict(units=[32], opt="sgd", lr=3e-4, batch=16, epochs=40)),
    ("bc_mlp", "bc", dict(units=[32], lr=1e-3, batch=16, epochs=30)),
    ("moons_adam_lr3e-5", "moons", dict(units=[32, 32], lr=3e-5, epochs=40)),
    ("moons_mlp", "moons", dict(units=[32, 32], lr=3e-3, epochs=60)),
    # heavy L2 and dropout on tabular data
    ("wine_l2_0.05_sgd", "wine", dict(units=[32], l2=0.05, opt="sgd", lr=0.05, batch=16,
                                      epochs=60)),
    ("wine_mlp", "wine", dict(units=[32], lr=3e-3, batch=16, epochs=60)),
    ("clf_dropout0.9_momentum", "clf", dict(units=[64], dropout=0.9, opt="momentum",
                                            lr=0.01, epochs=30)),
    ("moons_l2_0.1_val50", "moons", dict(units=[32, 32], l2=0.1, lr=3e-3, epochs=40,
                                         val="tiny", val_n=50)),
    # sigmoid-output regressions (standardised targets: half of them below 0)
    ("friedman_sigmoid_out", "friedman", dict(units=[64, 64], out_act="sigmoid", lr=3e-3,
                                              epochs=40)),
    ("friedman_mlp", "friedman", dict(units=[64, 64], lr=3e-3, epochs=40)),
    ("diabetes_sigmoid_out", "diabetes", dict(units=[32], out_act="sigmoid", lr=3e-3,
                                              epochs=40)),
    ("diabetes_mlp", "diabetes", dict(units=[32], l2=1e-3, lr=3e-3, epochs=40)),
    # SGD at batches of 512-1024
    ("digits_sgd_b512", "digits", dict(units=[64], opt="sgd", lr=0.02, batch=512,
                                       epochs=40)),
    ("clf_sgd_b1024", "clf", dict(units=[64], opt="sgd", lr=0.05, batch=1024, epochs=60)),
    ("digits_mlp", "digits", dict(units=[64], epochs=30)),
    # the dev miss moons_mlp_3ep trained 3x longer (9 epochs)
    ("moons_mlp_9ep", "moons", dict(units=[32, 32], epochs=9)),
]

#: Batch 5's healthy neighbours, trained with its first seed only (the under-fitting
#: set-ups with two).
BATCH5_HEALTHY = {"conv_16x2", "sine200_lstm_16", "sum_gru_16", "parity_gru_32",
                  "digits_bottleneck16", "clf_mlp", "bc_mlp", "moons_mlp", "wine_mlp",
                  "friedman_mlp", "diabetes_mlp", "digits_mlp", "moons_mlp_9ep"}


#: Sixth batch (``--batch 6``, seeds 31-33): set-ups none of the batches above nor the dev
#: corpus used: conv nets of stride-2 convolutions and no Dense layer (``strides``, a
#: probe-only setting), Dense nets with tanh / sigmoid hidden layers at Adam 1e-4..3e-4,
#: EarlyStopping with patience 1-2 on small validation sets (restore on and off),
#: ReduceLROnPlateau cutting the rate tenfold after one flat epoch, label smoothing 0.2-0.3
#: (``smoothing``, probe-only: the loss recompiled with it), regressions trained on MAE
#: (``loss="mae"``, probe-only), and small Dense nets under Dropout 0.3 / L2 whose
#: validation accuracy leads the training accuracy (FD704's case); each with a healthy
#: neighbour on its variant.
BATCH6: list[tuple[str, str, dict[str, Any]]] = [
    # stride-2 conv nets without a Dense layer (8x8 -> 4x4 -> 2x2 -> Flatten)
    ("conv_s2_2x2", "digits_img", dict(**CONV, units=[2, 2], strides=2, pool=False, lr=1e-2,
                                       epochs=30)),
    ("conv_s2_4_gap", "digits_img", dict(**CONV, units=[4, 4], strides=2, pool=False,
                                         gap=True, lr=1e-2, epochs=30)),
    ("conv_s2_16x32", "digits_img", dict(**CONV, units=[16, 32], strides=2, pool=False,
                                         lr=3e-3, epochs=20)),
    # tanh / sigmoid hidden layers under Adam at 1e-4..3e-4
    ("clf_tanh_adam1e-4", "clf", dict(units=[16], act="tanh", lr=1e-4, epochs=40)),
    ("digits_sigmoid_adam3e-4", "digits", dict(units=[16], act="sigmoid", lr=3e-4,
                                               epochs=40)),
    ("wine_sigmoid_adam1e-4", "wine", dict(units=[32, 32], act="sigmoid", lr=1e-4,
                                           batch=16, epochs=60)),
    ("clf_tanh_adam3e-3", "clf", dict(units=[64], act="tanh", lr=3e-3, epochs=30)),
    # EarlyStopping with patience 1-2 on 40 validation rows (a noisy validation loss)
    ("digits_es_p1_restore", "digits", dict(units=[64], lr=3e-3, epochs=60, val="tiny",
                                            val_n=40, es=dict(patience=1, restore=True))),
    ("digits_es_p2_norestore", "digits", dict(units=[64], lr=3e-3, epochs=60, val="tiny",
                                              val_n=40, es=dict(patience=2, restore=False))),
    ("clf_es_p1_norestore", "clf", dict(units=[64], lr=1e-3, epochs=60, val="tiny", val_n=40,
                                        es=dict(patience=1, restore=False))),
    ("digits_es_p8", "digits", dict(units=[64], lr=3e-3, epochs=60,
                                    es=dict(patience=8, restore=True))),
    # ReduceLROnPlateau cutting the rate tenfold after one flat epoch
    ("digits_rlrop_f0.1_p1", "digits", dict(units=[64], opt="sgd", lr=0.05, epochs=40,
                                            val="tiny", val_n=40,
                                            rlrop=dict(factor=0.1, patience=1, min_lr=1e-8))),
    ("clf_rlrop_f0.1_p1", "clf", dict(units=[64], lr=1e-3, epochs=40, val="tiny", val_n=40,
                                      rlrop=dict(factor=0.1, patience=1, min_lr=1e-8))),
    ("clf_rlrop", "clf", dict(units=[64], lr=1e-3, epochs=40,
                              rlrop=dict(factor=0.5, patience=3, min_lr=1e-5))),
    # label smoothing (a loss floor well above 0 on a healthy net)
    ("digits_ls0.3_8units", "digits", dict(units=[8], onehot=True, smoothing=0.3, lr=3e-3,
                                            epochs=40)),
    ("digits_ls0.2", "digits", dict(units=[64], onehot=True, smoothing=0.2, epochs=30)),
    ("bc_ls0.3", "bc", dict(units=[32], smoothing=0.3, lr=1e-3, batch=16, epochs=30)),
    # regressions trained on MAE
    ("friedman_mae_linear", "friedman", dict(units=[], loss="mae", lr=1e-2, epochs=60)),
    ("diabetes_mae_2units", "diabetes", dict(units=[2], loss="mae", lr=1e-2, epochs=60)),
    ("friedman_mae_mlp", "friedman", dict(units=[64, 64], loss="mae", lr=3e-3, epochs=60)),
    # validation accuracy above training under Dropout 0.3 / L2, short of the reference
    ("digits_8units_dropout0.3", "digits", dict(units=[8], dropout=0.3, lr=3e-3, epochs=40)),
    ("digits_dropout0.3", "digits", dict(units=[64], dropout=0.3, lr=1e-3, epochs=40)),
    ("clf_4units_l2_0.03", "clf", dict(units=[4], l2=0.03, lr=3e-3, epochs=40)),
]

#: Batch 6's healthy neighbours, trained with seed 31 only (the rest also with 32).
BATCH6_HEALTHY = {"conv_s2_16x32", "clf_tanh_adam3e-3", "digits_es_p8", "clf_rlrop",
                  "digits_ls0.2", "friedman_mae_mlp", "digits_dropout0.3"}


#: Seventh batch (``--batch 7``, seeds 64-65): set-ups none of the batches above nor the
#: dev corpus used: conv nets of 2-4 filters with global pooling and no Dense head (no
#: pooling before it; 40 validation rows; momentum), GRU / LSTM of 1-3 units under
#: RMSprop, momentum and batch 64, Dense nets held back by L2 0.05-0.1 or dropout 0.5-0.7
#: on clf / friedman / bc / wine, sigmoid / tanh stacks of 4-5 layers of 6-8 units under
#: SGD, narrow nets run 120-150 epochs, and tiny validation sets (24-32 rows) on an
#: under-fitting net; each variant with a healthy neighbour (seed 64 only,
#: ``BATCH7_HEALTHY``).
BATCH7: list[tuple[str, str, dict[str, Any]]] = [
    # conv: 3-4 filters, global pooling, no Dense head
    ("conv_3f_nopool_gap_rmsprop", "digits_img", dict(**CONV, units=[3], pool=False,
                                                      gap=True, opt="rmsprop", lr=3e-3,
                                                      epochs=30)),
    ("conv_4f_gap_val40", "digits_img", dict(**CONV, units=[4], gap=True, lr=1e-2,
                                             epochs=30, val="tiny", val_n=40)),
    ("conv_16_rmsprop", "digits_img", dict(**CONV, units=[16], opt="rmsprop", epochs=20)),
    # recurrent nets of 1-3 units
    ("sine200_gru_2units_rmsprop", "seq_sine200", dict(model="gru", units=[2],
                                                       opt="rmsprop", lr=3e-3, batch=16,
                                                       epochs=40)),
    ("sine200_gru_16", "seq_sine200", dict(model="gru", units=[16], lr=1e-2, batch=16,
                                           epochs=30)),
    ("sum_gru_1unit_momentum", "seq_sum", dict(model="gru", units=[1], opt="momentum",
                                               lr=0.01, batch=64, epochs=40)),
    ("sum_gru_16", "seq_sum", dict(model="gru", units=[16], lr=3e-3, epochs=30)),
    ("parity_lstm_3units_b64", "seq_parity", dict(model="lstm", units=[3], lr=1e-2,
                                                  batch=64, epochs=40)),
    ("parity_lstm_32", "seq_parity", dict(model="lstm", units=[32], lr=1e-2, epochs=40)),
    # Dense nets held back by L2 0.05-0.1 or dropout 0.6
    ("clf_dropout0.6_rmsprop", "clf", dict(units=[16], dropout=0.6, opt="rmsprop", lr=1e-3,
                                           epochs=40)),
    ("friedman_l2_0.05", "friedman", dict(units=[64, 64], l2=0.05, lr=3e-3, epochs=60)),
    ("bc_4units_l2_0.1_momentum", "bc", dict(units=[4], l2=0.1, opt="momentum", lr=0.01,
                                             batch=16, epochs=40)),
    ("clf_mlp", "clf", dict(units=[128, 64], epochs=30)),
    ("friedman_mlp", "friedman", dict(units=[64, 64], lr=3e-3, epochs=60)),
    ("bc_mlp", "bc", dict(units=[32], lr=1e-3, batch=16, epochs=30)),
    # narrow sigmoid / tanh stacks under SGD
    ("clf_sigmoid_8x5_sgd", "clf", dict(units=[8] * 5, act="sigmoid", opt="sgd", lr=0.1,
                                        epochs=40)),
    ("digits_tanh_6x4_sgd", "digits", dict(units=[6] * 4, act="tanh", opt="sgd", lr=0.05,
                                           epochs=40)),
    ("digits_mlp", "digits", dict(units=[64], epochs=30)),
    # narrow nets run long
    ("moons_2units_150ep", "moons", dict(units=[2], lr=1e-2, batch=64, epochs=150)),
    ("moons_mlp", "moons", dict(units=[32, 32], lr=3e-3, epochs=60)),
    ("friedman_2units_tanh_120ep", "friedman", dict(units=[2], act="tanh", lr=3e-3,
                                                    batch=64, epochs=120)),
    # tiny validation sets on an under-fitting net
    ("clf_2units_val32", "clf", dict(units=[2], lr=1e-2, epochs=40, val="tiny", val_n=32)),
    ("friedman_linear_val24", "friedman", dict(units=[], lr=1e-2, epochs=40, val="tiny",
                                               val_n=24)),
    # added after seed 64: dropout 0.5-0.7 on small Dense nets, two filters under momentum
    ("friedman_16x2_dropout0.5", "friedman", dict(units=[16, 16], dropout=0.5, lr=3e-3,
                                                  epochs=60)),
    ("wine_8units_dropout0.7", "wine", dict(units=[8], dropout=0.7, lr=3e-3, batch=16,
                                            epochs=60)),
    ("wine_mlp", "wine", dict(units=[32], lr=3e-3, batch=16, epochs=60)),
    ("conv_2f_gap_momentum", "digits_img", dict(**CONV, units=[2], gap=True, opt="momentum",
                                                lr=0.01, batch=16, epochs=30)),
]

#: Batch 7's healthy neighbours, trained with seed 64 only (the rest also with 65).
BATCH7_HEALTHY = {"conv_16_rmsprop", "sine200_gru_16", "sum_gru_16", "parity_lstm_32",
                  "clf_mlp", "friedman_mlp", "bc_mlp", "digits_mlp", "moons_mlp", "wine_mlp"}


def _out_act_build_model() -> None:
    """Let a probe set what the corpus's configurations cannot (probe-only settings).

    ``out_act``: the output layer's activation; ``strides``: conv layers of that stride
    (``pool=False``: no pooling), no Dense layer but the output; ``loss="mae"``: a
    regression trained on mean absolute error; ``smoothing``: label smoothing in the
    cross-entropy (multi-class with ``onehot=True``, or binary). Wraps the recorder's
    ``build_model``: the model is built and compiled as the corpus builds it, then
    rebuilt or recompiled (the same optimizer, from its config) before ``fit`` traces it,
    so FitDoctor's callback reads the model as a user's would be, and the test curve is
    measured with the loss the model trains on.
    """
    from recorder import training

    if getattr(training.build_model, "_out_act", False):
        return
    original = training.build_model

    def build_model(cfg: dict[str, Any], data: Any, n_steps: int) -> Any:
        import keras

        model, loss = original(cfg, data, n_steps)
        if cfg.get("out_act"):
            model.layers[-1].activation = keras.activations.get(cfg["out_act"])
        if not (cfg.get("strides") or cfg.get("loss") or cfg.get("smoothing")):
            return model, loss
        opt = model.optimizer
        if cfg.get("strides"):
            reg = keras.regularizers.l2(cfg["l2"]) if cfg["l2"] else None
            layers: list[Any] = [keras.Input(data.x_pool.shape[1:])]
            for filters in cfg["units"]:
                layers.append(keras.layers.Conv2D(filters, 3, strides=cfg["strides"],
                                                  padding="same", activation=cfg["act"],
                                                  kernel_regularizer=reg))
            layers.append(keras.layers.GlobalAveragePooling2D() if cfg["gap"]
                          else keras.layers.Flatten())
            out = model.layers[-1]
            layers.append(keras.layers.Dense(out.units, activation=out.activation,
                                             kernel_regularizer=reg))
            model = keras.Sequential(layers)
        if cfg.get("loss") == "mae":
            loss = keras.losses.MeanAbsoluteError()
        elif cfg.get("smoothing"):
            loss = (keras.losses.BinaryCrossentropy(label_smoothing=cfg["smoothing"])
                    if data.task == "binary" else
                    keras.losses.CategoricalCrossentropy(label_smoothing=cfg["smoothing"]))
        optimizer = type(opt).from_config(opt.get_config())
        metric = "mae" if data.task == "regression" else "accuracy"
        model.compile(optimizer=optimizer, loss=loss, metrics=[metric])
        return model, loss

    build_model._out_act = True  # type: ignore[attr-defined]
    training.build_model = build_model

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
    ap.add_argument("--batch", type=int, choices=[1, 4, 5, 6, 7], default=1,
                    help="1: the first three batches (PROBES); 4: the fourth (BATCH4); "
                         "5: the fifth (BATCH5); 6: the sixth (BATCH6); 7: the "
                         "seventh (BATCH7)")
    ap.add_argument("--why", action="store_true", help="print each run's label reason")
    ap.add_argument("--dev", action="store_true",
                    help="judge the corpus's dev half instead (its stored labels; only "
                         "underfitting runs and FD201's fires)")
    args = ap.parse_args(argv)
    probes = {4: BATCH4, 5: BATCH5, 6: BATCH6, 7: BATCH7}.get(args.batch, PROBES)
    _out_act_build_model()
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
