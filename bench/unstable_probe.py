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

Columns: ``twin`` = ``=`` where the run's validation twin (``bench/val_ceiling.py``: the
label's rules applied with the validation curve in place of the test curve) gets the same
label, else the twin's label (a miss there is no rule's to fix); ``head``/``bare`` = the
headline on the run file / on the same run as a bare history; ``why`` = which half of
the label's rule 6 matched (``train``: training loss
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

**Batch 3 (2026-11-30, ``--batch 3``: 42 trainings, seeds 11-13)**: set-ups neither dev
nor batch 1 covered (SGD at 0.1 with batch 4 and momentum at 0.05 on regression, RMSprop
0.01 on a conv net, GRUs at Adam 0.03-0.05 on sine classes and on sequence sums, unscaled
inputs at high rates: digits_raw RMSprop 0.01, clf_x100 and wine_raw Adam 0.01-0.03,
moons RMSprop 0.05) and five healthy neighbours (the same at a sensible rate). Labels:
healthy 18, unstable 8, not-converged 7, diverged 6, overfitting 2, underfitting 1. The
``twin`` column splits the misses: the validation twin agrees on all 8 unstable runs, so
all 5 misses are the rules', and they are two kinds already seen, neither of which a
principled change caught:

- **Swings over early, then settled** (sine GRU Adam 0.05, s11-s13; 4 of 5): the
  validation accuracy collapses 97% -> 82% and 99.5% -> 89% at epochs 4 and 7 (s12) and
  recovers; from epoch 10 everything sits at 100%. FD412 judges from where the loss first
  comes within twice its late level, which a loss ending near 1e-3 reaches only at the
  end. Measuring that against the floored level instead (the approach ends at a fifth of
  where the loss started) caught s12 and batch 1's validation-only collapse (sine GRU
  RMSprop 0.03 s4) with no dev or healthy-probe change, but called the wild corpus's
  kan-wavelet regression (wild early, 0.106 -> 0.117 at epoch 11, settled for the rest;
  the engineer: healthy, medium confidence) unstable, against its own rule case
  (``wild_early_then_settled``): not kept. wine_raw Adam 0.03 s13 is the same kind: its
  training loss bumps during the approach from an unscaled first epoch of 110 and ends
  smooth (FD301: still falling, 3.4%/epoch), which the label's whole-run wiggle counts.
- **25 validation rows** (wine_raw Adam 0.03 s11): the training loss wanders 0.27-0.76
  under FD411's bar (9% of its level) and FD201 reads a plateau there.

Healthy runs: none gets an FD411-413 warning (run or bare view). Not-converged
sum_gru_adam_0.03_b16_s13 (a regression whose validation loss swings 35% of a level of
0.016, 0.6% of the constant predictor's loss) was headlined FD412 (unstable); FD412 now
asks a regression's swings to reach 1% of that loss (``min_constant_share``), the label's
own materiality, and it is silent there (the bare view, which knows no constant loss,
still fires).

**FD411 changed (2026-11-30)**, from dev, batch 1 and the wild corpus: it measured the
second half's upward share (>= 0.35) and median step against the first epoch's loss
(>= 4%). That missed swings around a falling trend (batch 1 digits Adam 0.01 batch 4 s4:
the training loss 0.075 -> 0.157 -> 0.086 -> 0.040 -> 0.069 -> 0.122 -> 0.020 is 27%
upward, so "a descent"; beyond its trend it moves 67% of its level) and fired on
overfitting runs swinging 5-8% of their level (dev clf_adam_lr0.05 x3). It now measures
what FD412 measures, on the training loss: movement beyond "falls, then rises" over the
late level (bar 10%, the label's), at least 1% of a constant predictor's loss when the
run tells it, and only while the validation loss moves too (10% of its level: a bare
history's dropout run, dev conv300_big_dropout_shift_s1, and a regression,
friedman_mlp_s0, swing their training loss 10.2-10.5% while their validation loss moves
9%). A swinging training loss has no plateau to read, so FD411 and FD413 now supersede
FD201 (batch 1 digits momentum 0.3 s4 was headlined underfitting with "a bigger
network"). Dev headlines: unchanged in both views; FD411 precision run view 3/7 -> 4/6
(the other two diverged, headline FD404), bare 3/7 -> 4/4. Batch 1 re-judged (saved
records): unstable headlines 13 -> 14 of 20 (of the 19 whose twin agrees: 12 -> 14; lost
conv momentum 0.2 s3, whose twin says underfitting: its training loss jumps 0.08 -> 0.48
and stays, a rise the falls-then-rises shape absorbs); one healthy bare history now warned
(friedman Adam 0.02 b8 s3, whose twin is unstable and whose run view FD412 already
warned). The healthy probes' saved records (``healthy_probe*.py``, 125 runs): no change.

**That FD411 change was reverted the same day** (the measure above, and FD411 superseding
FD201; FD413 still supersedes FD201). The held-out half, measured once after the merge,
showed what no dev or probe run had: in the bare view 10 of its 101 healthy runs got an
FD411 warning (bare healthy runs warned 8 -> 17 of 101), while the run view's unstable
runs gained nothing (12 of 18 before and after). A bare history does not show dropout or
augmentation, whose training loss swings by design, and the label ignores that loss's
swings under them; the old measure stayed silent there. The revert was decided on the
held-out figures, so FD411's held-out figure is not an independent measurement since.

Still missed on dev where the twin agrees (4): clf_momentum_lr0.5_s2 (FD101 headline;
its training loss bounces at 0.70-1.01 around its first epoch's 0.76 for eight epochs,
then moves 8% of its level from where it settles), clf_x100_adam_s1 (training wiggle
10.1%, at the label's bar; the training accuracy moves 0.8 points an epoch and the
validation loss 3% of its level), sine_gru_s0 (one training-loss spike at epoch 8, then
a smooth run to 100%: the label is arguable), digits_rmsprop_lr0.01_b8_s2 (FD412's
accuracy bars: 0.75 points an epoch on 252 rows, against 1 point and 2 rows).

**Batch 4 (2026-11-30, ``--batch 4``: 39 trainings, seeds 21-23)**: where the TRAINING
loss swings while it falls, the lead the reverted FD411 rewrite left (clf_x100 Adam 3e-3
b16, Adam 1e-2 with batches of 4-8 on wine/bc/digits, an LSTM on sine classes and a GRU
on sequence sums at RMSprop 1e-2, SGD momentum 0.97 at 0.03), healthy neighbours at a
sensible rate (clf_x100 Adam 3e-4, wine Adam 1e-3, momentum 0.97 at 1e-3) and the
bare-view trap: healthy Dropout 0.5 (digits), Dropout 0.3 (clf, Adam 3e-3) and
GaussianNoise 0.5 (bc) runs. Labels: healthy 20, overfitting 10, unstable 5,
not-converged 4. Few set-ups swung as meant: the small batches at Adam 1e-2 and momentum
0.97 gave healthy or overfitting runs whose training loss moves under 8% of its level
(wL 0-8%), and the Dropout/GaussianNoise runs' training losses moved 0-9% (so they did
not reproduce the held-out half's trap either: no healthy Dropout, GaussianNoise or
augmentation run of batch 4, dev or the healthy probes' 65 records swings its training
loss 10% of its level; the highest are bc_noise0.5 s23, 9%, and dev
conv300_big_dropout_shift, 8-9%).

What the lead taught FD411 (kept): the reverted rewrite's measure (movement beyond
"falls, then rises" over the late level, bar 10%, the label's; 1% of the constant
predictor's loss when the run tells it) now judges only where the run file shows the
model and no layer that injects noise (the label ignores the training loss under
Dropout/GaussianNoise for the same reason), measured from the first epoch within
``settle`` (2x) of its level and silent when the validation loss descends steadily
over those epochs. A bare history stays with the bouncing measure: it cannot tell a
Dropout model's swings, which are healthy, from steps too large. Batch 4 run view:
unstable headlines FD411-413 2 -> 3 of 5 (clf_x100_adam_0.003_b16_s21: training loss
21% of its level beyond its trend, validation 11%, the test loss 6%); every twin agrees.
Batch 3 re-judged: 3 -> 4 of 8 (sine_gru_adam_0.05_b32_s12, whose training loss swings
0.017 -> 0.117 -> 0.139 -> 0.022 while the validation accuracy collapses 99.5% -> 89%;
the validation loss's up share over the SECOND half is 0%, so the steady-validation
check is read over the judged epochs instead). Dev run view: unstable 14 -> 15 of 19
(clf_x100_adam_s1); FD411 fires on 14 runs (7 before): 7 unstable, 4 overfitting
(headline FD101 kept), 2 diverged (headline FD404), 1 underfitting. No healthy run
warned anywhere (dev 3/105 and bare 9/105 unchanged, batch 3's 18, batch 4's 20 and the
healthy probes' 65 records: no FD41x warning in either view); wild corpus unchanged (it
is bare histories).

The idea to test first, corroborating a bare history's training swings with its
validation loss (its wiggle over the same epochs at least max(10%, 1.2/sqrt(n_val)),
n_val recorded or read off the accuracy's steps), gains on dev bare view 1 run
(digits_rmsprop_lr0.01_b8_s2) and batch 3 bare 1 (sine_gru_adam_0.05_b32_s12), warns
no healthy dev or probe run, and was NOT kept: with 144 or more validation rows its bar
is the same 10% of level the reverted rewrite used, the validation loss near 99%
accuracy moves that much by a few confident rows (FD412 needs accuracy swings for that
reason), and no dev or probe record reproduces the held-out trap to test it on.

Misses left in batch 4 (twin agrees on all 5): sine_lstm_rms_0.01_b32_s21 (spikes of
the training loss at a near-zero level, 0.002 -> 0.069 -> 0.009, at 100% validation
accuracy; its label passes the 1%-of-constant bar by 0.0132 against 0.0110, and the
same set-up's s22 is labelled healthy by 0.010960 against 0.010963: a label at its
boundary, and the validation loss descends steadily over those epochs, 20% of its
movement upward) and sum_gru_rms_0.01_b32_s23 (the test loss bumps 0.135 -> 0.237 ->
0.052 during the approach, epochs 2-4, then moves 6% of its floored level: the
"swings over early" kind, which FD412 judges from where the loss settles).

FD101 vs FD41x (dev clf_momentum_lr0.5_s2, headline FD101 while FD411 fires): the
advice that helps there is the rate's (SGD momentum at 0.5: the training loss climbs
above its first epoch for seven epochs, and the validation accuracy improves to the
end, 0.81 -> 0.85, while its loss "rises" 0.52 -> 0.79 through swings). But FD411 also
fires beside FD101 on four dev runs labelled overfitting (clf_adam_lr0.05 x3,
clf_x100_adam_s0), so an unconditional yield loses four to gain one, and the obvious
condition, the validation accuracy not falling from the loss minimum to the end, holds
on clf_x100_adam_s0 too (0.78 -> 0.81, test loss +12%). Not changed: one dev run does
not show a criterion.

**Batch 5 (2026-11-30, ``--batch 5``: 24 trainings, seeds 41-42)**: momentum SGD at
0.05-0.2 with batches of 4-16 (moons 0.1/b4, breast cancer 0.2/b8, clf 0.2/b16, Friedman
0.05/b8), learning rates that swing back up by design (cosine restarted 4 times:
digits momentum 0.1, clf Adam 0.01), healthy neighbours (momentum 0.01/b32, a plain
cosine decay) and, trained after the FD412 change below as its guard, three underfitting
set-ups with 25-30 validation rows (a linear model on moons, 2-unit networks on Friedman
and digits). Labels: healthy 9, underfitting 8, overfitting 3, diverged 2, unstable 2;
the twin agrees on 21 (not on moons momentum 0.01 s41/s42, labelled underfitting, twin
healthy: FD201's headline; nor on clf momentum 0.2 b16 s41, healthy, twin overfitting,
headline FD101). Momentum 0.1 with batches of 4 on moons and the restarted schedules
swing less than the label's bars (wL 2-4%, wT 0-12%): healthy, or overfitting on clf
(FD101, right), and no FD41x alarm on any of them. No healthy run got a warning.

- **FD201 read a plateau through the swings** (friedman momentum 0.05 b8 s42, unstable,
  twin agrees: training loss 0.09-0.17 and validation loss 0.18-0.30 swinging 20-26% of
  their level): "plateaued from epoch 14 at 0.160, gradient boosting reaches 0.095: widen
  the network". The network's lowest validation loss is one point of a swing, and the
  first fix is the rate. **FD412 now supersedes FD201** (as FD413 does): headline FD201 ->
  FD411 (run view; bare view FD412 already). Re-judged: batch 1 digits momentum 0.3 s4
  (unstable, headline FD201 before, the "bigger network" case above) -> FD411; batch 1
  conv momentum 0.2 s4 loses FD201 under FD402. Dev unchanged in both views (FD412 fires
  on no dev underfitting run); the six underfitting guards keep their headlines (FD201 on
  4 in the run view, the same before and after: their validation losses move 0-1% of
  their level, so they show FD412 silent where nothing swings, not where a small set
  swings by chance); wild corpus: one low-confidence file
  (Aditya24jar, engineer healthy, secondary underfitting) now reads unstable instead of
  underfitting (its validation loss jumps to 7.4 and its accuracy drops 11 points in the
  first five epochs); high-confidence agreement unchanged (18/19).
- **Batch 5 unstable headlines**: 1 -> 2 of 2 (run view), bare 2 of 2.

**FD411's precision on dev (lead 1)**: FD411 fired on 14 dev runs in the run view, 7 not
unstable. What each read: **clf_rmsprop_lr5_s0/s1 (diverged)**: a training loss of
10-50 against ln 2 = 0.69 swinging 14-27% of its level: broken weights moving about, not
a model bouncing around a solution; **FD404 now supersedes FD411-FD413** (same advice, one
finding): FD411 on dev 14 -> 12 fires (7/12 unstable), FD412 14 -> 11 (11/11); headlines
unchanged; batch 3 wine_raw Adam 0.03 s12 and batch 1 wine momentum 0.2 s4 (diverged)
lose FD411/FD413 beside FD404. **clf_adam_lr0.05_s0-s2, clf_x100_adam_s0 (overfitting,
headline FD101 right)**: not a rule measuring the wrong thing: over the second half (what
FD411 judges) the training loss moves 10-15% of its level beyond "falls, then rises" by
the label's own wiggle, above the label's 10%; the label averages the wiggle over the
whole run (4.8-8.2%), diluted by a smooth first descent. The test loss rises steadily
(wiggle 2-8% of its level): two true conditions, and Adam at 0.05 (50x the default)
swinging is real; the headline is FD101's. clf_x100_adam_s0's sibling s1, labelled
unstable at a whole-run wiggle of 10.1%, swings alike (12.8% over the second half): a
label at its bar. A validation-corroboration veto (the validation loss's wiggle over the
judged epochs) does not separate them: 0.1-12% on these, 4-8% on unstable
clf_x100_adam_s1 and clf_momentum_lr0.5_s2. **digits_momentum_lr0.5_s2 (underfitting)**:
momentum SGD at 0.5, the training loss climbs 0.63 -> 1.25 and bounces; FD411's "lower
the learning rate" is the advice that run needs, FD201's headline says "widen 128 -> 256";
the label (test accuracy 0.51) is the outcome, the cause is the rate: label arguable.
**bc_adam_lr1e-2_b4_s1 (diverged)**: one spike 0.027 -> 0.617 (3x the first epoch) and a
full recovery to 4e-5; FD413 heads (unstable), FD411 is superseded by it: the label reads
a recovered spike as divergence, arguable.

**Batch 6 (2026-11-30, ``--batch 6``: 36 trainings, seeds 66-67, saved at
/tmp/unst11/b6.jsonl)**: the three leads of issue 10's sixth round. Recurrent nets at
RMSprop/Adam 3e-3..2e-2 with batches of 8-16 (LSTM and GRU on sequence sums and sine
classes) and their neighbours at 1e-3 with batches of 32; momentum SGD at 0.5 with 256
units and on 200 rows (clf200), at 0.3 on moons, and the notconv probe's clf momentum
0.5 (64 units) at 0.05; RMSprop 0.01 with batches of 8 on wine, breast cancer and
digits (64 units, 30% validation: 378 rows) and wine momentum 0.3 with 38 validation
rows, with neighbours at 0.03 / 1e-3. Labels: healthy 11, overfitting 8, not-converged
7, diverged 4, underfitting 3, unstable 3 (the twin agrees on all three; on 31 of 36
overall). Few set-ups swung as meant: momentum 0.5 with 256 units or on 200 rows
diverged (FD402, right, 4/4), the recurrent nets at 1e-2 mostly settled or swung under
the label's bars (healthy, overfitting or underfitting), and their 1e-3 neighbours had
not converged in 20-25 epochs (FD301 on 5 of 6). Unstable headlines: 1 of 3, both views.

- **Caught** (sum_lstm_rms_0.01_b16_s67): validation and test losses jump 0.03 -> 0.19
  at 40% of their level; FD412 in both views.
- **A validation spike at ~100% accuracy** (sine_gru_rms_0.01_b8_s67, twin agrees): the
  validation loss 0.0037 -> 0.135 -> 0.0003 at epoch 7 (accuracy 100% -> 97.6% -> 100%),
  the test loss alike plus two smaller spikes; the training loss swings 9% of its level
  (under FD411's 10%). FD412's accuracy guard holds: 0.71 points an epoch over the
  judged epochs, under its 1-point bar and 2 rows of 210 (its neighbour seed s66,
  labelled healthy, swings 2.3x its level at 0.32 points). The batch-1 kind ("one
  collapse seen only in the validation curve"): no rule reads one spike of the validation
  loss, and FD412's accuracy bars are what keep confident-row swings at 99.9% silent.
  Not changed.
- **Spikes that kicked the model into a worse state** (wine_mom_0.3_b16_v30_s67, 38
  validation rows, twin agrees): the training loss spikes 0.063 -> 0.57 -> 0.048 -> 0.18
  at epochs 4-6, then falls to 5e-5; the validation loss goes 0.027 -> 0.80 with the
  spikes and stays at 0.70 (accuracy 100% -> 94.7%); the test loss 0.086 -> 0.31. FD413
  fires (two spikes) but FD101 heads ("rose 2526% from epoch 2"). Both are true; the
  rise came with the spikes, not with a slow fit of the training rows. FD101's new
  climb check (below) misses it by 3% (the spike's 0.570 against the first epoch's
  0.587). Not chased: one run.
- **FD101 and a training loss that went back above its first epoch (lead 2)**: dev
  clf_momentum_lr0.5_s2 and the notconv probe's s51/s52 (same set-up, 64 units), all
  labelled unstable with overfitting also true (the test loss rises 41-57% from its
  minimum), headed FD101 "stop at epoch 9, add L2": their training loss climbs from the
  first epoch's 0.53-0.76 to 0.91-1.02 by epoch 3-4 and swings until the validation
  minimum (epoch 9-13). The re-trained neighbour (clf_mom_0.05_ok, same 64 units at a
  tenth of the rate) answers the question: it reaches a best test loss of 0.32-0.33
  (accuracy 0.86-0.87) against 0.42-0.46 (0.84) at 0.5, then overfits as well (+22-24%,
  FD101, right on both seeds). So the rate is the first change and early stopping
  the second: **FD101 now leads its advice with a tenth of the rate when the training loss went back
  ``min_start_climb`` (10%) above its first epoch's before the validation minimum**, and
  its message says the minimum is a point in a swing. Of FD101's 205 fires on ~1,400 dev
  and saved-probe runs (run view), only these three climb (the next: 0.1%; Adam spikes near zero,
  dropout and long runs never return to their first epoch). Advice only, kept so: a
  headline change needs FD101 to yield to FD411, and FD411 does not fire on s51 (its
  second half is a smooth descent) nor on s52's bare history, so yielding would leave
  them silent; and FD411 beside FD101 on dev's four overfitting runs (clf_adam_lr0.05,
  clf_x100_adam_s0) is right there (their training loss never returns to its first
  epoch). Dev headlines unchanged in both views (353/384, 307/384); wild unchanged.
- **FD101 superseding FD412 on an alternating validation loss (lead 3,
  notconv batch 5 sum_gru_rms_ok_s42)**: measured, not changed. The validation loss
  alternates 0.013 <-> 0.15 for 30 epochs, then holds at 0.124; FD101's running median
  of 3 keeps a period-2 alternation intact, and the minimum it reads is a trough. The
  training loss never returns to its first epoch (0.83), so the climb check does not
  touch it. The natural guard, "the validation loss had already swung up to the end
  level at least twice between first coming below it and the minimum", silences FD101
  on this run and on the clf momentum runs, but also on a real overfit (overfit probe
  sine200_gru64_s6: two Adam spikes before the minimum, then a steady 32-epoch rise
  0.016 -> 0.049 with the test loss +30%), and counting epochs instead of excursions
  also takes a single early hump (dev diabetes_sgd_lr0.1_b4_s1, overfitting). (It
  would also clear one healthy run's FD101, overfit probe friedman_w64_l2_long_ok_s12.) A guard
  would need the swings to continue after the minimum too; not done in this round.
- **Dev threads re-read**: sum_gru_rmsprop_s1 is caught in the run view (FD412, 16.4%
  of its floored level) and missed bare (no run file: 50 rows assumed, bar 17%);
  sum_gru_rmsprop_s2's twin is underfitting (its validation loss swings 13.6% of the
  floored level against the test's 16%): not a rule's to catch; sine_gru_s0 is one
  training-loss spike (0.032 -> 0.147 -> 0.032) with calm validation and test curves,
  label arguable; digits_rmsprop_lr0.01_b8_s2 is FD412's accuracy bar (0.75 points,
  1.9 rows of 252); wine_momentum_lr0.3_b16_s52 (notconv batch 6, 25 validation rows)
  swings in epochs 1-10 and then sits at a training loss of 1e-4 with 100% validation
  and test accuracy: the "swings over early, then settled" kind, label arguable.
- **False alarms seen (none from FD411-FD413 in the run view)**: bare view FD412 on
  two regression runs whose swings are immaterial (sum_gru_adam_0.01_b8_s67 healthy:
  one bump 0.020 -> 0.040 -> 0.019 at a level 1.7% of the constant predictor's; a bare
  history does not tell that loss, so ``min_constant_share`` cannot apply, and the
  first training loss, 0.22, is no stand-in for it); FD704 at warning on healthy
  sine_lstm_adam_0.02_b16_s67 (validation 0.003 against a swinging training average
  0.023; FD704's owner); FD101 on healthy wine_mom_0.03_b16_ok_s66 (twin overfitting).

Run from the repository root (36 trainings of 10-20 seconds each on a busy machine; 42
with ``--batch 3``, 39 with ``--batch 4``, 24 with ``--batch 5``, 36 with ``--batch 6``)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/unstable_probe.py [--only SUBSTR]
                                [--batch 1|3|4|5|6] [--save FILE | --load FILE | --dev LABELS]
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
from val_ceiling import twin_label  # noqa: E402

from fitdoctor import curves, engine, io  # noqa: E402
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

#: ``--batch 3``: configurations neither the dev corpus nor the batch above covered, each
#: with a healthy neighbour (the same set-up at a sensible rate), trained with SEEDS3.
PROBES3: list[tuple[str, str, dict[str, Any]]] = [
    # large rates with small batches on regression
    ("friedman_sgd_0.1_b4", "friedman", dict(units=[64], opt="sgd", lr=0.1, batch=4,
                                             epochs=20)),
    ("diabetes_mom_0.05_b8", "diabetes", dict(units=[64], opt="momentum", lr=0.05, batch=8,
                                              epochs=25)),
    # RMSprop at a high rate on a conv net
    ("conv_rms_0.01_b16", "digits_img", dict(**CONV, opt="rmsprop", lr=0.01, batch=16,
                                             epochs=15)),
    # GRU sequences at high rates (classification and regression)
    ("sine_gru_adam_0.05_b32", "seq_sine", dict(model="gru", units=[16], lr=0.05, batch=32,
                                                epochs=15)),
    ("sum_gru_adam_0.03_b16", "seq_sum", dict(model="gru", units=[16], lr=0.03, batch=16,
                                              epochs=15)),
    # unscaled inputs at high rates
    ("digits_raw_rms_0.01_b16", "digits_raw", dict(units=[128], opt="rmsprop", lr=0.01,
                                                   batch=16, epochs=20)),
    ("clf_x100_adam_0.01_b16", "clf_x100", dict(units=[64], lr=0.01, batch=16, epochs=20)),
    ("wine_raw_adam_0.03_b8", "wine_raw", dict(units=[32], lr=0.03, batch=8, epochs=30)),
    ("moons_rms_0.05_b8", "moons", dict(units=[64, 64], opt="rmsprop", lr=0.05, batch=8,
                                        epochs=25)),
    # healthy neighbours: the same set-ups at a sensible rate
    ("friedman_sgd_0.01_b32", "friedman", dict(units=[64], opt="sgd", lr=0.01, batch=32,
                                               epochs=40)),
    ("conv_rms_0.001_b32", "digits_img", dict(**CONV, opt="rmsprop", lr=0.001, batch=32,
                                              epochs=20)),
    ("sine_gru_adam_0.005_b32", "seq_sine", dict(model="gru", units=[16], lr=0.005,
                                                 batch=32, epochs=20)),
    ("digits_raw_rms_0.001_b32", "digits_raw", dict(units=[128], opt="rmsprop", lr=0.001,
                                                    batch=32, epochs=20)),
    ("clf_x100_adam_0.001_b32", "clf_x100", dict(units=[64], lr=0.001, batch=32,
                                                 epochs=25)),
]
SEEDS3 = (11, 12, 13)

#: ``--batch 4``: set-ups where the TRAINING loss swings while it falls (unscaled inputs
#: at Adam 3e-3, batches of 4-8 at Adam 1e-2, recurrent nets at RMSprop 1e-2, momentum
#: 0.97), each with a healthy neighbour, and healthy runs whose training loss swings by
#: design (Dropout 0.3-0.5, GaussianNoise): the bare-view trap. Trained with SEEDS4.
PROBES4: list[tuple[str, str, dict[str, Any]]] = [
    ("clf_x100_adam_0.003_b16", "clf_x100", dict(units=[128], lr=0.003, batch=16,
                                                 epochs=20)),
    ("wine_adam_0.01_b4", "wine", dict(units=[32], lr=0.01, batch=4, epochs=25)),
    ("bc_adam_0.01_b8", "bc", dict(units=[32], lr=0.01, batch=8, epochs=25)),
    ("digits_adam_0.01_b8", "digits", dict(units=[64], lr=0.01, batch=8, epochs=15)),
    ("sine_lstm_rms_0.01_b32", "seq_sine", dict(model="lstm", units=[16], opt="rmsprop",
                                                lr=0.01, batch=32, epochs=15)),
    ("sum_gru_rms_0.01_b32", "seq_sum", dict(model="gru", units=[16], opt="rmsprop",
                                             lr=0.01, batch=32, epochs=15)),
    ("clf_mom0.97_0.03_b32", "clf", dict(units=[64], opt="momentum", momentum=0.97,
                                         lr=0.03, batch=32, epochs=20)),
    # healthy neighbours: the same set-ups at a sensible rate
    ("clf_x100_adam_0.0003_b32", "clf_x100", dict(units=[128], lr=3e-4, batch=32,
                                                  epochs=25)),
    ("wine_adam_0.001_b16", "wine", dict(units=[32], lr=0.001, batch=16, epochs=30)),
    ("clf_mom0.97_0.001_b32", "clf", dict(units=[64], opt="momentum", momentum=0.97,
                                          lr=0.001, batch=32, epochs=20)),
    # healthy runs whose training loss swings by design (a bare history hides the layers)
    ("digits_drop0.5_adam_0.001_b16", "digits", dict(units=[128], dropout=0.5, lr=0.001,
                                                     batch=16, epochs=20)),
    ("clf_drop0.3_adam_0.003_b16", "clf", dict(units=[128, 128], dropout=0.3, lr=0.003,
                                               batch=16, epochs=20)),
    ("bc_noise0.5_adam_0.001_b8", "bc", dict(units=[32], noise=0.5, lr=0.001, batch=8,
                                             epochs=25)),
]
SEEDS4 = (21, 22, 23)

#: ``--batch 5``: momentum SGD at 0.05-0.2 with batches of 4-16 (swings around a plateau)
#: and learning rates that swing back up by design (cosine restarted 4 times, SGDR), each
#: with a healthy neighbour at a sensible rate or with a plain cosine decay. SEEDS5.
PROBES5: list[tuple[str, str, dict[str, Any]]] = [
    ("moons_mom_0.1_b4", "moons", dict(units=[32], opt="momentum", lr=0.1, batch=4,
                                       epochs=25)),
    ("moons_mom_0.01_b32_ok", "moons", dict(units=[32], opt="momentum", lr=0.01, batch=32,
                                            epochs=60)),
    ("bc_mom_0.2_b8", "bc", dict(units=[32], opt="momentum", lr=0.2, batch=8, epochs=25)),
    ("bc_mom_0.01_b32_ok", "bc", dict(units=[32], opt="momentum", lr=0.01, batch=32,
                                      epochs=40)),
    ("clf_mom_0.2_b16", "clf", dict(units=[64], opt="momentum", lr=0.2, batch=16,
                                    epochs=20)),
    ("friedman_mom_0.05_b8", "friedman", dict(units=[32, 32], opt="momentum", lr=0.05,
                                              batch=8, epochs=25)),
    ("digits_mom_restarts_0.1", "digits", dict(units=[64], opt="momentum", lr=0.1,
                                               schedule="restarts", epochs=24)),
    ("clf_adam_restarts_0.01", "clf", dict(units=[64], lr=0.01, schedule="restarts",
                                           epochs=24)),
    ("clf_adam_cosine_0.003_ok", "clf", dict(units=[64], lr=0.003, schedule="cosine",
                                             epochs=24)),
    # guards for FD412 superseding FD201: underfitting set-ups with 25-30 validation rows,
    # whose validation loss swings by chance (FD412's bar allows for the size)
    ("moons_linear_tiny_val", "moons", dict(units=[], lr=0.03, batch=16, epochs=30,
                                            val="tiny", val_n=30)),
    ("friedman_w2_tiny_val", "friedman", dict(units=[2], lr=0.01, batch=16, epochs=30,
                                              val="tiny", val_n=25)),
    ("digits_w2_tiny_val", "digits", dict(units=[2], lr=0.01, batch=16, epochs=30,
                                          val="tiny", val_n=30)),
]
SEEDS5 = (41, 42)

#: ``--batch 6``: recurrent nets under RMSprop/Adam at 3e-3..2e-2 with batches of 8-16
#: (sequence sums, sine classes), momentum SGD at 0.3-0.5 on new widths and data sizes, and
#: RMSprop / momentum swings on small tabular data with new validation sizes, each unstable
#: set-up with a calmer neighbour (the same at a sensible rate or batch). SEEDS6.
PROBES6: list[tuple[str, str, dict[str, Any]]] = [
    # recurrent nets whose loss may oscillate, and their calm neighbours
    ("sum_lstm_rms_0.01_b16", "seq_sum", dict(model="lstm", units=[16], opt="rmsprop",
                                              lr=0.01, batch=16, epochs=15)),
    ("sum_gru_adam_0.01_b8", "seq_sum", dict(model="gru", units=[32], lr=0.01, batch=8,
                                             epochs=12)),
    ("sum_gru_rms_0.003_b8", "seq_sum", dict(model="gru", units=[16], opt="rmsprop",
                                             lr=0.003, batch=8, epochs=15)),
    ("sine_lstm_adam_0.02_b16", "seq_sine", dict(model="lstm", units=[16], lr=0.02,
                                                 batch=16, epochs=15)),
    ("sine_gru_rms_0.01_b8", "seq_sine", dict(model="gru", units=[16], opt="rmsprop",
                                              lr=0.01, batch=8, epochs=12)),
    ("sum_lstm_rms_0.001_b32_ok", "seq_sum", dict(model="lstm", units=[16], opt="rmsprop",
                                                  lr=0.001, batch=32, epochs=25)),
    ("sum_gru_rms_0.001_b32_ok", "seq_sum", dict(model="gru", units=[16], opt="rmsprop",
                                                 lr=0.001, batch=32, epochs=25)),
    ("sine_gru_adam_0.001_b32_ok", "seq_sine", dict(model="gru", units=[16], lr=0.001,
                                                    batch=32, epochs=20)),
    # momentum SGD at 0.3-0.5 (new widths and data sizes) and the same at 0.05
    ("clf_mom_0.5_w256", "clf", dict(units=[256], opt="momentum", lr=0.5, epochs=20)),
    ("clf200_mom_0.5", "clf200", dict(units=[64], opt="momentum", lr=0.5, batch=16,
                                      epochs=30)),
    ("moons_mom_0.3_b32", "moons", dict(units=[64], opt="momentum", lr=0.3, epochs=25)),
    ("clf_mom_0.05_ok", "clf", dict(units=[64], opt="momentum", lr=0.05, epochs=20)),
    # RMSprop / momentum swings on small tabular data, new validation sizes
    ("wine_mom_0.3_b16_v30", "wine", dict(units=[32], opt="momentum", lr=0.3, batch=16,
                                          epochs=30, val_frac=0.3)),
    ("wine_rms_0.01_b8", "wine", dict(units=[64], opt="rmsprop", lr=0.01, batch=8,
                                      epochs=30)),
    ("bc_rms_0.01_b8", "bc", dict(units=[64], opt="rmsprop", lr=0.01, batch=8, epochs=25)),
    ("digits_rms_0.01_b8_w64", "digits", dict(units=[64], opt="rmsprop", lr=0.01, batch=8,
                                              epochs=15, val_frac=0.3)),
    ("wine_mom_0.03_b16_ok", "wine", dict(units=[32], opt="momentum", lr=0.03, batch=16,
                                          epochs=30, val_frac=0.3)),
    ("bc_rms_0.001_b16_ok", "bc", dict(units=[64], opt="rmsprop", lr=0.001, batch=16,
                                       epochs=25)),
]
SEEDS6 = (66, 67)


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


def verdict(rec: dict[str, Any]) -> tuple[dict[str, bool], str, str]:
    """(FD411/FD412/FD413 fired at warning or above, alone; the full headline on the run
    file; the full headline on the same run as a bare ``history.history``)."""
    run = Run.from_dict(upgrade(rec))
    rules = Settings().rules()
    fired = {}
    for code in ("FD411", "FD412", "FD413"):
        one = [r for r in rules if r.code == code]
        fired[code] = any(f.code == code and f.severity.rank >= 1
                          for f in engine.analyze(run, rules=one).findings)
    heads = []
    metrics = rec["run"]["metrics"]
    bare = io.from_any(rec.get("history") or {
        k: [float(v) for v in metrics[k] if v is not None] for k in rec["history_keys"]})
    for view in (run, bare):
        full = engine.analyze(view, rules=rules)
        heads.append(next((f.code for f in full.findings if f.severity.rank >= 1), "-"))
    return fired, heads[0], heads[1]


def twin(rec: dict[str, Any]) -> str:
    """The corpus label of the run's validation twin (``bench/val_ceiling.py``): what the
    labels' rules say when the validation curve stands in for the test curve ("-": none)."""
    return twin_label(rec, grant_broken=False) or "-"


def _p(x: float, fmt: str = "4.0%") -> str:
    return f"{'-':>4s}" if x is None or math.isnan(x) else format(x, fmt)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--dev", default="",
                    help="judge the corpus's DEV records with these labels (comma-separated, "
                         "e.g. unstable,healthy) instead of training; never the holdout")
    ap.add_argument("--batch", type=int, choices=(1, 3, 4, 5, 6), default=1,
                    help="which configurations to train: 1 = the first batch (seeds 3, 4), "
                         "3 = new set-ups with healthy neighbours (seeds 11-13), 4 = training "
                         "losses swinging while they fall, dropout/noise neighbours "
                         "(seeds 21-23), 5 = momentum at 0.05-0.2 with batches of 4-16 and "
                         "restarted cosine schedules, underfitting guards (seeds 41-42), 6 = "
                         "recurrent nets at RMSprop/Adam 3e-3..2e-2, momentum 0.3-0.5, "
                         "swings on small tabular data, calm neighbours (seeds 66-67)")
    args = ap.parse_args(argv)
    probes, seeds = {1: (PROBES, SEEDS), 3: (PROBES3, SEEDS3),
                     4: (PROBES4, SEEDS4), 5: (PROBES5, SEEDS5),
                     6: (PROBES6, SEEDS6)}[args.batch]
    recs = probe_common.records(args, probes, family="unstable-probe", intended="unstable",
                                seeds=seeds)
    params = {r.code: r.params for r in Settings().rules() if r.code == "FD412"}["FD412"]
    print(f"FD412 bars: wiggle {params['min_wiggle'].default:g} of the late level and "
          f"{params['noise_rows'].default:g}/sqrt(n_val), validation accuracy swing "
          f"{params['min_accuracy_swing'].default:g} (Vup/Vamp/Vlvl: the measures FD412 "
          f"used before 2026-11-30, kept for comparison)")
    head = (f"{'run':27s} {'label':13s} {'twin':5s} {'why':5s} {'411':3s} {'412':3s} "
            f"{'413':3s} {'head':5s} {'bare':5s} {'nval':>4s} | {'Vup':>4s} {'Vamp':>5s} "
            f"{'Vlvl':>4s} {'Vacc':>5s} | {'Tup':>4s} {'Tamp':>5s} {'Tacc':>5s} | {'wL':>4s} "
            f"{'wV':>4s} {'wT':>4s}")
    print(head)
    print("-" * len(head))
    unstable = ("FD411", "FD412", "FD413")
    tally: dict[str, list[int]] = {}
    for rec in recs:
        f = features(rec)
        fired, full, bare = verdict(rec)
        twin_lab = twin(rec)
        agrees = twin_lab == rec["label"]
        t = tally.setdefault(rec["label"], [0, 0, 0, 0, 0, 0])
        t[0] += 1
        t[1] += any(fired.values())
        t[2] += full in unstable
        t[3] += agrees
        t[4] += agrees and full in unstable
        t[5] += bare in unstable
        print(f"{rec['name']:27s} {rec['label']:13s} {'=' if agrees else twin_lab[:5]:5s} "
              f"{f['why']:5s} "
              + " ".join(f"{'F' if fired[c] else '.':3s}" for c in unstable)
              + f" {full:5s} {bare:5s} {f['n_val']:4d} | {_p(f['vup'])} "
              f"{_p(f['vamp'], '5.1%')} {_p(f['vlvl'])} {_p(f['vacc'], '5.1%')} | "
              f"{_p(f['tup'])} {_p(f['tamp'], '5.1%')} {_p(f['tacc'], '5.1%')} | "
              f"{_p(f['wl'])} {_p(f['wv'])} {_p(f['wt'])}")
    print()
    print("per label: runs, any of FD411-413 fired, headline is one of them (run file), "
          "twin agrees, of those headline FD411-413, bare headline FD411-413")
    for lab, counts in sorted(tally.items()):
        print(f"  {lab:15s} " + " ".join(f"{n:3d}" for n in counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
