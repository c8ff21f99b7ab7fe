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

Batch 2 (``--batch 2 --seeds 11,12,13``; 2026-11-30, 36 trainings: 12 configurations
x 3 seeds; labels: healthy 21, overfitting 11, unstable 2, not-converged 2). Aimed at
healthy runs headlined "overfitting", of kinds batch 1 did not cover: memorisers on
near-separable data and on a 500-row validation set, EarlyStopping with restore, long
runs with L2, wide and deep networks on 40% validation splits, a GRU, an LSTM
regression, a conv net. The ``twin`` column is the label of the run's validation twin
(``bench/val_ceiling.py``: the label rules reading the validation curve instead of the
test curve): where it agrees with the label and fitdoctor is wrong, the run file held
what was needed. Before the fix below FD101-FD103 warned on 9 of the 21 healthy runs,
after it on 3; they warn on all 11 overfitting runs before and after. No other rule
warned on a healthy run.

- **Root cause fixed: FD103 warned on memorisers whose validation set vouched for
  them.** 256x256 on moons with noise 0.05 (119 Dense weights per row, 0 errors in 140
  validation rows) and 512x512 on make_classification with class_sep 3 (245 per row, 0
  in 280): all 6 healthy (test accuracy 100%, test loss lowest at the last epoch), their
  twins healthy too, and FD103's warning made "overfitting" the headline. Memorising
  hurts new data only through the rows the network gets wrong, which it then predicts
  ever more confidently; with no such rows there is nothing to grow confident about.
  The dev half's 15 runs FD103 catches make 4-7% test errors, and their validation sets
  cannot rule that out (Wilson 95% upper bound of their errors: bc 0 in 80, 4.6%;
  digits300 1 in 60, 8.9%; bc40 0 in 8, 32%); 0 errors in 140 and 280 rows bound the
  error rate on new data at 2.7% and 1.4%. FD103 is now info when that bound is at most
  ``max_error_bound`` (3%: 0 errors in 125+ rows, 1 in 200+), with the same message and
  advice plus what the validation set says. Dev: unchanged in both views (no dev
  memoriser has such a validation set). Re-recorded ``bench/fd103_probe.py``'s moons
  (noise 0.10 and 0.12, seeds 0-1, the same figures as its docstring): the three healthy
  60-epoch runs with 0 errors in 140 go to info; the price, moons noise 0.12 trained 200
  epochs (seed 1: 0 errors in 140 validation rows, 3 in 300 test rows, test loss +108% at
  99% accuracy), goes to info too (seed 0, 1 validation error, bound 3.9%, still warns).
- **(question 2) A warning without a validation symptom is right.** The dev overfits
  that only FD103 catches are 15 of the 56 detected (bc40_big_long, digits300_big,
  digits300_big_es, bc_big_noise, bc_big_dropout, 3 seeds each); their twins: healthy
  11, not-converged 2, unstable 1, overfitting 1 (bc_big_dropout_s2). Info, or a warning
  only with a validation rise, would drop dev overfitting recall 56/71 -> 41/71, and 14
  of the 15 are runs whose validation curve cannot show it: FD103 is the one rule that
  reaches past what the validation set can see. This batch adds three more:
  ``bc_w512_l2_long`` (L2 1e-4 still lets the training loss reach 0.7% of the prior's in
  100 epochs, 877 weights per row; 0 errors in 80 validation rows; test loss +16-23%;
  twins healthy) keeps its warning (bound 4.6%). The user is told "memorised, and your
  validation set cannot vouch for it" as a warning, and info where it can.
- **Memorised with errors on a 500-row validation set: a label edge, left.**
  ``digits_w512_val40`` (399 per row, 15-16 errors in 503 rows, bound ~5%): FD103
  warns on s11 (test +4%, labelled healthy, twin overfitting: its validation loss rose
  more than its test loss) and s13 (test +9%, labelled healthy by the label's 10% bar,
  twin healthy); s12 (test +19%, overfitting) gets FD101 (validation +8.7%, 23 noise
  bands). The three validation losses rose 3.7-8.7% at 21-25 noise bands: memorising
  is costing held-out loss in all three, by a little.
- **(question 1) FD101 on healthy runs whose twin is healthy: nothing in the run
  separates them.** Two, one from dev and one from this batch. dev
  ``moons_sgd_lr0.5_b4_s2`` (SGD at 0.5, batch 4, 140 validation rows: validation +21%,
  2.4 noise bands; test +34%) is labelled healthy only by the label's "training loss
  below the test minimum" clause (0.180 against 0.167); its twin is healthy by 2%
  (0.180 against a validation minimum of 0.177; FD101's own end level and smoothed
  minimum read 0.178 against 0.179). The dev overfits FD101 catches end with a training
  loss at 0.0-0.86 of the validation minimum, so the clause would cost no dev recall,
  but on this run it would decide by 1-2%: not added. ``friedman_w64_l2_long_ok_s12``
  (64x64, L2 1e-4, 150 epochs, 140 validation rows): the validation loss spikes with the
  training loss around epoch 60-75, recovers to its minimum at epoch 84, then creeps
  +8.6% over 65 epochs (8.8 noise bands) while the test loss creeps +4%: a rise of 1.01
  sampling errors of 140 rows (1/sqrt(n_val) = 8.5%; FD101's ``sampling_rows``
  recommendation, which asks for K-fold first, misses it by 0.1 point). The dev overfits
  FD101 catches on 62 diabetes rows rise as little against their sampling error:
  diabetes_sgd_lr0.1_b4_s0 12.2% (0.96 of 12.7%), diabetes_big_es_norestore_s2 12.3%
  (0.97), diabetes_big_noise_s1 12.7% (1.00), their twins overfitting. So neither the
  rise against the sampling error of n_val rows, nor the minimum's position (epoch 84 of
  150 against 6-19 of 13-100), nor a creeping tail (the overfit seeds s11/s13 of the
  same set-up creep for 25-100 epochs before rising 23-35%) separates them: not changed.
  FD101 stayed silent on the other healthy runs with a late rise: friedman 256x256x256
  on 280 validation rows (+12-27%, 0.4-0.7 bands), conv 16-32 filters with RMSprop
  (+25%, 2.0 bands; twin overfitting).
- **(question 3) FD102 is never a warning on dev.** Its warning needs a 20-point
  accuracy gap; dev's healthy runs with a gap get info (clf200_big_l2 12.5-15 points,
  clf_x100_adam_s2 17.6). clf200 512x512 with and without L2 end with the same 12.5-17.5
  point gap at validation accuracies of 0.85-0.875, above the logistic reference's 0.825:
  overfitting without L2, healthy with it, so neither the gap nor the reference tells
  them apart; the validation loss's rise does (FD101). The dev runs with gaps of 20 points
  or more are overfits FD101 already catches (clf40_big_long, digits_noisy40_big,
  clf200_big_dropout_s2). Not changed; in this batch FD102 fired once, as info
  (friedman 256x256x256 s12, unstable).
- **Neighbours that were not healthy.** ``clf_w128_val40_l2_ok`` (128x128, L2 1e-3, 40
  epochs) overfit at all three seeds (test +31-40%, validation +31-33%, FD101 right);
  ``digits_w512_val40_es_ok`` (patience 5, restore) stopped too early at 2 of 3 seeds
  (not-converged; twins healthy; FD101 info on the restored runs). The GRU on seq_sine,
  the LSTM sum regression and seq_sine's 210 validation rows: healthy, silent.

Batch 3 (``--batch 3 --seeds 21,22,23``; 2026-11-30, 30 trainings: 10 configurations x
3 seeds; labels: overfitting 14, healthy 12, unstable 2, not-converged 2). The BARE view:
what ``fitdoctor analyze`` sees on a user's ``history.history`` (no run file, so no
FD103, no model, no validation size). The table's ``bare``, ``bareFD`` and ``bare
others`` columns are the same verdicts on that view (``bare_run``). On dev the bare view
gets overfitting right 41/71 against the run view's 56/71; FD101 fires on the same 41
runs in both views, so the whole gap is FD103's 15 (bc40_big_long, digits300_big,
digits300_big_es, bc_big_noise, bc_big_dropout). Aimed at what a bare history could still
show: rise-then-plateau on tiny pools trained 150-300 epochs (moons40, iris30: 6-8
validation rows), rises with swings on 20-30 validation rows (digits100 + Dropout,
clf200 with RMSprop on a 30-row ``validation_data``), regressions (diabetes with
momentum at batch 8, friedman200 with RMSprop for 200 epochs), each with a narrower / L2
/ shorter neighbour. FD101-FD103 warned on 10 of the 14 overfitting runs in the run view
and on 4 in the bare view; on none of the 12 healthy runs in either view.

- **The bare view misses what the validation curve does not show.** Of the 10
  overfitting runs the bare view misses, 9 have a healthy validation twin: the
  validation loss falls to the last epoch (or barely rises) while the test loss rises.
  iris30 128x128 SGD
  with momentum, 250 epochs (6 validation rows, all right: validation loss 0.96 -> 5e-4,
  test +14-21%); moons40 128x128 RMSprop, 300 epochs (8 rows, all right: validation
  loss 0.58-0.61 -> 0.016-0.061, test +42-118%); digits100 256x256 + Dropout 0.3, 150
  epochs (20 rows, none wrong at the end, test +23-25%); diabetes 32 units with momentum
  s21 (62 rows, test +12%, validation lowest at epoch 17 and +2.1% after). iris30 and
  digits100 are the memorisers FD103 catches in the run view (731-1063 Dense weights a
  row); moons40 128x128 is missed in both views (its training loss holds at 11-16% of
  the prior's: moons' noisy labels are not memorised in 300 epochs, so FD103's 1% bar is
  not reached).
  The tenth, digits100 + Dropout s23, has a twin labelled overfitting by a swing, not a
  rise: on 20 validation rows the loss waves 0.10 <-> 0.26 from epoch 40 on (as low as
  0.096 at epoch 90, 0.21 at 100) and the last wave ends 0.14 against a minimum of 0.10
  at epoch 137; FD101 measures 1.54 noise bands but a rise of 0.040, under
  ``min_rise_scale`` (2% of the first training losses, 0.042). The test loss crept +15%
  from epoch 31 while the validation loss fell 0.25 -> 0.14 over the same epochs: the
  validation curve does not show that rise either.
- **Where the validation curve rises, FD101 fires in the bare view** (the 4 others:
  clf200 256x256 RMSprop on 30 rows, +198-308% at 4.3-6.1 bands; diabetes 256x256 with
  momentum at batch 8, s21 +159%, 2.2 bands) and stays silent on the 12 healthy
  neighbours (clf200 64 units on the same 30 rows: +2.9-7.7% under ``min_rise``;
  digits100 64 units + L2, diabetes 32 units, moons40 16 units + L2: lowest at or near
  the end). diabetes 256x256 s22/s23 are labelled unstable (training loss wiggling
  12-15% of its level; the labeller tries unstable first) while their test loss rose
  74-100% and FD101 heads with +59-72%: the label's order, not a wrong verdict.
- **Dev bare misses, what their validation curves do** (from ``--dev overfitting``).
  bc_big_noise_s0-s2 and bc_big_dropout_s1 (headline unstable, FD413): swings only, no
  rise. The validation loss's median over the last 10 epochs (0.002-0.008) is BELOW that
  of epochs 2-11 (0.015-0.024), 0-1 of 80 rows wrong, while the test loss rises 85-319%;
  FD101 has nothing to see. FD413 fires there on training-loss spikes that Dropout and
  GaussianNoise cause (bc_big_dropout_s1: 0.0008 -> 0.015, 17.6x, at 2% of the first
  epoch's loss), which the run view knows (``training_noise``) and the bare view cannot.
  When FD101 and FD413 both warn, FD101 heads already (warnings sort by code) and it
  supersedes FD412; nothing to change in supersession. bc_big_dropout_s0: validation
  flat (0.0147 early, 0.0154 late; twin not-converged). bc_big_dropout_s2, the one whose
  twin is overfitting: after a calm stretch (smoothed minimum 0.0036 at epoch 47) one of
  the 80 rows turns wrong for the last 9 epochs and the loss steps to 0.02-0.05 (2.4x its
  early level); the curve swung 0.0015-0.035 before its minimum too, and FD101 reads 0.82
  noise bands (σ 0.0165, the scatter of the step around a line). A one-row rise within
  the curve's own earlier swings: not changed. bc40_big_long_s0-s2 (300 epochs, training
  loss to 6-9e-5): NOT rise-then-plateau. Their 8 validation rows are all right from
  epoch 2 and the validation loss falls monotonically to its minimum at the last epoch
  (0.09-0.19 over epochs 2-11, 1-2e-4 at 300), twins healthy; FD101 misses them in both
  views, the run view's headline is FD103. digits300_big*, diabetes_mlp_s1,
  diabetes_momentum_lr0.01_s1, diabetes_sgd_lr0.1_s1/s2, diabetes_big_l2_s0: twins
  healthy, confirmed, not chased. The other twin-agreeing dev bare misses are threshold
  edges documented above: moons_sgd_lr0.5_b4_s1 (0.99 bands, its healthy seed s2 fires
  at 2.4) and friedman_mlp_exp_s1 (+4.3%).
- **Dev bare alarms on healthy runs (FD101 6) unchanged**: clf200_big_es_s0-s2 restored
  epoch 2 (only a run file says so; not demoted on a guess), friedman60_big_long_s1/s2
  (twins overfitting: the validation loss rose; the test loss's +9.5-9.7% is under the
  label's 10%), moons_sgd_lr0.5_b4_s2 (above). Batch 2's restored
  ``digits_w512_val40_es_ok`` s11/s12 (FD101 info in the run view) are FD101 warnings in
  the bare view for the same reason.
- **Other rules' bare warnings on this batch's neighbours** (not FD101-FD103, left to
  their owners): FD704 warns on all three ``moons40_w16_l2_long_ok`` (1 healthy, 2
  not-converged; bare only): 8 validation rows all right against a training accuracy of
  0.844 (a lead of 15.6 points is 1.25 validation rows; FD704's ``min_val_samples`` guard
  needs the run file's n_val, and a validation accuracy of 1.0 everywhere leaves nothing
  to infer it from). FD412/FD413 warn (both views) on ``friedman200_w256_rms_long``
  (3 healthy; validation twins unstable for 2).

Batch 4 (``--batch 4 --seeds 41,42,43``; 2026-11-30, 45 trainings: 15 configurations x
3 seeds; labels: healthy 17, overfitting 14, not-converged 9, underfitting 3, unstable 2).
Validation losses that fall by orders of magnitude before they turn (FD101's
``min_rise_scale``: the rise must be 2% of the first training losses), on set-ups neither
the corpus nor batches 1-3 hold: an LSTM on seq_sine200 trained 45 epochs, LSTMs on 20% of
the seq_sum pool (841 validation sequences), a 256x256 network on reg_linear at batch 16,
diabetes in raw target units, conv nets (32-64 filters, Dense 128) on 240 digits trained
60 epochs without augmentation, Adam at 1e-2 on wine and clf200, a memoriser on clf_sep;
each with a neighbour (``_ok``). Run view: FD101-FD103 warned on 12 of the 14
overfitting runs (bare view 12) and on 5 of the 17 healthy ones (bare view 1).

- **Root cause fixed: the floor measured a regression on its first epochs.**
  ``min_rise_scale`` exists for classifiers (a log-loss creeping 0.001 -> 0.004 at 100%
  accuracy is confidence on rows already right). A regression's loss is its prediction
  error, and its first losses depend on the targets' units and the first prediction: on
  seq_sum they are 13-47 times the validation minimum (dev sum_*), so 2% of them is
  27-93% of the level the validation loss reached. ``sum_lstm64_val80_long_s41``: the
  validation MSE rose 0.0227 -> 0.0257 (+13.1%, 2.3 noise bands, 841 rows) from epoch
  25 while the training loss crept down; the test loss did the same (+13%, labelled
  overfitting, twin overfitting); the floor (0.014, 61% of the level) kept FD101 silent
  in both views. FD101 now skips the floor when the loss is a regression's error (the
  run file says so; a bare history logs a ``val_mae``/``val_mse``-like metric and no
  accuracy, which matches the run file on all 384 dev runs). Dev and wild unchanged in
  both views; 673 saved probe records (15 files: the earlier probes' and this batch)
  re-judged: two change, both here, both views: s41 (now caught) and
  ``sum_lstm16_val80_ok_s43`` (labelled underfitting: MAE 0.131 against the 0.093 the
  64-unit LSTM reached; twin overfitting; validation +16.8% at 1.7 bands and test +17%
  after epoch 12, with the training loss flat at 0.022, the validation minimum's level;
  no headline before, overfitting now: "stop at epoch 11" is right for it, the L2 advice
  is not). Diabetes in raw units: 256x256 at Adam 1e-2 overfit at all 3 seeds (test
  +51-85%) and FD101 fired before the change too (Adam's first epoch had already cut
  the loss to 3,800-4,800, so the floor was 3-4% of the 2,700 level); the 32-unit
  neighbours start at ~27,000 (E[y^2]), a floor of 20% of their level; they are healthy
  and silent (their validation loss is lowest at epochs 52-57 of 60).
- **Lead 1's classifier cases: nothing in the run separates them from healthy runs.**
  Without the floor, FD101 would fire on 7 classifier runs in the saved probes (both
  views), all with overfitting twins: 4 labelled overfitting (healthy_probe batch 2's
  ``sine200_gru32_40ep_s32/s33``: 0.019 -> 0.037 and 0.029 -> 0.038, +96% / +29% at
  110-118 noise bands, 1.6% / 0.8% of the first losses; ``sine200_gru32_over_s31``
  +20%, 4.2 bands, 0.09%; batch 3's ``digits100_w256_drop_long_s23`` +39%, 1.5 bands,
  1.9%) and 3 healthy (dev ``wine_rmsprop_lr0.02_b4_s1`` +8.4%, 3.1 bands, 1.2%;
  healthy_probe ``conv_16_mom_b16_s7`` +13%, 8.5 bands, 1.8%, test loss falling to the
  end; batch 2's ``conv_16x32_rms_long_s11`` +25%, 2.0 bands, 1.8%). The rise against
  the first losses does not separate them (0.09-1.9% against 1.2-1.8%), nor do
  validation errors (s32/s33 and conv_16_mom each hold wrong rows: 1 of 40, 6 of 252;
  the loss's rise per wrong row, 0.34-0.72 nats against 0.54). The noise bands do (110+
  against 2-8.5) on one configuration's two seeds: a waiver above N bands would be a
  threshold fitted to them. Not changed. This batch's ``sine200_lstm64_long_s43`` (+91%
  at 111 bands, 4.7% of the first losses) fires as before.
- **Dev misses of lead 1, twins first.** sine200_lstm_big_s1, sine_gru_s1 and
  wine_rmsprop_lr0.02_b4_s0: twins healthy (the validation loss does not rise): left.
  friedman_mlp_exp_s1 (twin overfitting): +4.3% at 0.4 noise bands, under ``min_rise``,
  not the floor (batch 1's finding: healthy Friedman runs rise 2-3%): left.
- **FD103 on conv nets (for its owner; not changed).** ``conv300_32x64_long`` (Conv 32-64
  + Dense 128 on 240 digits, 60 epochs): healthy at all three seeds (test loss +1-3%,
  lowest at epochs 33-42; twins healthy; 1-2 errors in 60 validation digits, validation
  loss lowest at the last epoch) and FD103 heads all three with a warning: the Dense head
  holds 142 weights per training row and the training loss ends at 0.06-0.08% of the
  prior's. The dev memorisers FD103 catches are all MLPs (877 or more per row); the conv
  head's inputs are learned convolution features, and the network memorised without the
  held-out cost. The first FD103 false alarms on a conv net in any saved probe; the
  Dense head reading learned features (an order of magnitude fewer weights per row than
  dev's memorisers) is the candidate to study, on more conv recordings.
- **Other findings.** ``wine_adam1e-2_w128``: s42 healthy with FD103 (wine near
  separable, as documented), s43 healthy with FD101 (validation +150% on 25 rows, twin
  overfitting, test flat: not chaseable). ``clf_sep_adam1e-2_long_ok``: labelled
  overfitting at s41/s43 only from a test loss rising from ~0 (twins healthy /
  not-converged) and headlined validation-setup by FD704 (s41, s43) and FD708 (s42,
  labelled healthy: a false alarm for that rule's owner). Neighbours that were not
  healthy: ``conv300_8x16_ok`` and ``reglin_w32_ok`` not converged in 30-40 epochs,
  ``sine200_gru16_ok`` unstable at Adam 1e-2 (2 of 3), ``sum_lstm16_val80_ok``
  not-converged or underfitting, ``clf200_adam1e-2_l2_ok`` overfit (L2 1e-3 on 32 units
  at Adam 1e-2, test +43-49%, FD101 right), ``reglin_w256_b16_long`` underfitting /
  not-converged / FD412-unstable (its validation loss wanders 20-280% on 70 rows).

Run from the repository root (10-50 seconds a training on a busy machine, the GRU
~130, the 150-300-epoch runs of batch 3 70-170; ``--save`` appends each record as it is
trained and resumes an interrupted batch)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/overfit_probe.py [--only SUBSTR]
        [--batch 1 --seeds 5,6 | --batch 2 --seeds 11,12,13 | --batch 3 --seeds 21,22,23
         | --batch 4 --seeds 41,42,43]
        [--save FILE | --load FILE] [--why] [--dev LABELS]
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
from val_ceiling import twin_label  # noqa: E402

from fitdoctor import curves, engine, io  # noqa: E402
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


#: Batch 2 (seeds 11-13): kinds the first batch did not cover, aimed at false overfitting
#: alarms on healthy runs. Memorisers (>= 100 Dense weights per row) on near-separable
#: data and on larger validation sets (FD103), wide and deep networks on 40% validation
#: splits, long runs with L2, EarlyStopping with restore, recurrent and conv models
#: (FD101 / FD102). ``_ok`` names are the sensible neighbours.
PROBES_2: list[tuple[str, str, dict[str, Any]]] = [
    # memorisers on near-separable data: no held-out error to grow confident about
    ("moons_easy_w256", "moons_easy", dict(units=[256, 256], batch=16, epochs=50)),
    ("clf_sep_w512", "clf_sep", dict(units=[512, 512], epochs=40)),
    # memorisers with a validation set of 500 digits, with and without EarlyStopping
    ("digits_w512_val40", "digits", dict(units=[512, 512], val_frac=0.4, epochs=40)),
    ("digits_w512_val40_es_ok", "digits", dict(units=[512, 512], val_frac=0.4, epochs=40,
                                                es=dict(patience=5, restore=True))),
    # a long run with L2 on a big network (L2 keeps the training loss off zero)
    ("bc_w512_l2_long", "bc", dict(units=[512, 512], l2=1e-4, batch=16, epochs=100)),
    # wide and deep networks on 40% validation splits
    ("clf_w256x3_val40", "clf", dict(units=[256, 256, 256], val_frac=0.4, batch=64,
                                     epochs=30)),
    ("clf_w128_val40_l2_ok", "clf", dict(units=[128, 128], l2=1e-3, val_frac=0.4,
                                         epochs=40)),
    ("friedman_w256x3_val40", "friedman", dict(units=[256, 256, 256], val_frac=0.4,
                                               epochs=60)),
    ("friedman_w64_l2_long_ok", "friedman", dict(units=[64, 64], l2=1e-4, epochs=150)),
    # recurrent and conv models
    ("sine_gru32_ok", "seq_sine", dict(model="gru", units=[32], lr=3e-3, epochs=30)),
    ("sum_lstm32_val30", "seq_sum", dict(model="lstm", units=[32], lr=3e-3, val_frac=0.3,
                                         epochs=40)),
    ("conv_16x32_rms_long", "digits_img", dict(model="conv", units=[16, 32], head=[64],
                                               opt="rmsprop", epochs=40)),
]

#: Batch 3 (seeds 21-23): the bare view (``history.history`` alone, no run file, so no
#: FD103). Rise-then-plateau on tiny pools trained hundreds of epochs (6-8 validation
#: rows), rises with spikes on 20-30 validation rows (Dropout, RMSprop, tiny
#: ``validation_data``), regressions with momentum and RMSprop; ``_ok`` names are the
#: sensible neighbours (narrower, L2, shorter).
PROBES_3: list[tuple[str, str, dict[str, Any]]] = [
    # rise-then-plateau: tiny pools, hundreds of epochs
    ("moons40_w128_rms_long", "moons40", dict(units=[128, 128], opt="rmsprop", batch=16,
                                              epochs=300)),
    ("moons40_w16_l2_long_ok", "moons40", dict(units=[16], l2=1e-2, batch=16, epochs=150)),
    ("iris30_w128_mom_long", "iris30", dict(units=[128, 128], opt="momentum", lr=0.01,
                                            batch=8, epochs=250)),
    # rises with spikes on 20-30 validation rows
    ("digits100_w256_drop_long", "digits100", dict(units=[256, 256], dropout=0.3, batch=16,
                                                   epochs=150)),
    ("digits100_w64_l2_ok", "digits100", dict(units=[64], l2=1e-3, batch=16, epochs=60)),
    ("clf200_w256_rms_tinyval", "clf200", dict(units=[256, 256], opt="rmsprop", lr=3e-3,
                                               batch=16, epochs=50, val="tiny", val_n=30)),
    ("clf200_w64_tinyval_ok", "clf200", dict(units=[64], batch=16, epochs=30, val="tiny",
                                             val_n=30)),
    # regressions: momentum at batch 8, RMSprop trained long
    ("diabetes_w256_mom_b8", "diabetes", dict(units=[256, 256], opt="momentum", lr=0.01,
                                              batch=8, epochs=80)),
    ("diabetes_w32_mom_ok", "diabetes", dict(units=[32], opt="momentum", lr=0.01,
                                             epochs=30)),
    ("friedman200_w256_rms_long", "friedman200", dict(units=[256, 256], opt="rmsprop",
                                                      batch=16, epochs=200)),
]
#: Batch 4 (seeds 41-43): validation losses that fall by orders of magnitude before they
#: turn (FD101's ``min_rise_scale``), on set-ups the corpus and batches 1-3 do not hold:
#: recurrent nets on the sequence tasks trained 2-4x past their best, regressions whose
#: training loss falls below 1e-3, conv nets on 240 digits trained long without
#: augmentation, Adam at 1e-2 on small tabular sets, a memoriser on near-separable data
#: (a near-zero validation loss that wiggles). ``_ok`` names are the sensible neighbours.
PROBES_4: list[tuple[str, str, dict[str, Any]]] = [
    # recurrent nets trained 2-4x past their best
    ("sine200_lstm64_long", "seq_sine200", dict(model="lstm", units=[64], lr=3e-3, batch=16,
                                                epochs=45)),
    ("sine200_gru16_ok", "seq_sine200", dict(model="gru", units=[16], lr=1e-2, batch=16,
                                             epochs=15)),
    # regressions whose training loss falls below 1e-3
    ("reglin_w256_b16_long", "reg_linear", dict(units=[256, 256], batch=16, val_frac=0.1,
                                                epochs=60)),
    ("reglin_w32_ok", "reg_linear", dict(units=[32], val_frac=0.1, epochs=40)),
    # conv nets on 240 digits, trained long without augmentation
    ("conv300_32x64_long", "digits300_img", dict(model="conv", units=[32, 64], head=[128],
                                                 batch=16, epochs=60)),
    ("conv300_8x16_ok", "digits300_img", dict(model="conv", units=[8, 16], head=[32],
                                              epochs=30)),
    # Adam at 1e-2 on small tabular sets
    ("wine_adam1e-2_w128", "wine", dict(units=[128, 128], lr=1e-2, batch=8, epochs=50)),
    ("wine_adam1e-3_ok", "wine", dict(units=[32], batch=8, epochs=30)),
    ("clf200_adam1e-2_w128", "clf200", dict(units=[128, 128], lr=1e-2, batch=16, epochs=50)),
    ("clf200_adam1e-2_l2_ok", "clf200", dict(units=[32], lr=1e-2, l2=1e-3, batch=16,
                                             epochs=20)),
    # regressions whose loss falls 20-100x below its first epochs: an LSTM on 20% of the
    # seq_sum pool (1,200 validation sequences), targets in raw units (diabetes 25..346)
    ("sum_lstm64_val80_long", "seq_sum", dict(model="lstm", units=[64], lr=3e-3, batch=16,
                                              val_frac=0.8, epochs=60)),
    ("sum_lstm16_val80_ok", "seq_sum", dict(model="lstm", units=[16], lr=1e-2, batch=16,
                                            val_frac=0.8, epochs=20)),
    ("diabetes_rawy_w256_long", "diabetes_rawy", dict(units=[256, 256], lr=1e-2, batch=16,
                                                      epochs=100)),
    ("diabetes_rawy_w32_ok", "diabetes_rawy", dict(units=[32], lr=1e-2, batch=16,
                                                   epochs=60)),
    # a memoriser on near-separable data: a near-zero validation loss that wiggles
    ("clf_sep_adam1e-2_long_ok", "clf_sep", dict(units=[128, 128], lr=1e-2, epochs=50)),
]
BATCHES = {"1": PROBES, "2": PROBES_2, "3": PROBES_3, "4": PROBES_4}


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


def verdicts(run: Run) -> tuple[str, str, str]:
    """(the headline's diagnosis, the overfitting rules that fired (FD101-FD103 at info
    in lower case), the other rules at warning or above)."""
    report = engine.analyze(run)
    raised = [f for f in report.findings if f.severity.rank >= 1]
    head = raised[0].diagnosis if raised else "(none)"
    ours = [f.code if f.severity.rank >= 1 else f.code.lower()
            for f in report.findings if f.code.startswith("FD10")]
    others = [f.code for f in raised if not f.code.startswith("FD10")]
    return head, ",".join(ours), ",".join(others)


def bare_run(rec: dict[str, Any]) -> Run:
    """The bare view of a record: its ``history.history`` alone, as ``fitdoctor analyze``
    reads a user's file (``tests/corpus.py``'s ``CorpusRun.bare``)."""
    if "history" in rec:
        return io.from_any(rec["history"])
    metrics = rec["run"]["metrics"]
    return io.from_any({k: [float(v) for v in metrics[k] if v is not None]
                        for k in rec["history_keys"]})


def twin(rec: dict[str, Any]) -> str:
    """The corpus label of the run's validation twin (bench/val_ceiling.py): what the
    label rules say when they read the validation curve instead of the test curve."""
    return twin_label(rec) or "(no twin)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--seeds", default="5,6", help="seeds to train (comma-separated)")
    ap.add_argument("--batch", choices=sorted(BATCHES), default="1",
                    help="which configurations to train: 1 (seeds 5, 6), 2 (seeds 11-13), "
                         "3 (seeds 21-23), 4 (seeds 41-43)")
    ap.add_argument("--why", action="store_true", help="print each run's label reason")
    ap.add_argument("--dev", default="",
                    help="print the same table for the dev half's records with these "
                         "labels (comma-separated) instead")
    args = ap.parse_args(argv)
    recs = probe_common.records(args, BATCHES[args.batch], family="overfit-probe",
                                intended="overfitting")
    head = (f"{'run':31s} {'label':13s} {'twin':13s} {'headline':13s} {'FD10x':11s} "
            f"{'others':11s} {'bare':13s} {'bareFD':7s} {'bare others':11s} {'ep':>3s} "
            f"{'nval':>4s} {'vbest':>5s} {'vrise':>6s} {'bands':>6s} {'tbest':>5s} "
            f"{'trise':>6s} {'v/ref':>5s} {'t/ref':>5s} {'vacc':>5s} {'refac':>5s} "
            f"{'w/row':>6s} {'shr3':>6s} {'shr5':>6s} noise")
    print(head)
    print("-" * len(head))
    tally: dict[tuple[bool, str], int] = {}
    bare_tally: dict[tuple[bool, str], int] = {}
    for rec in sorted(recs, key=lambda r: r["name"]):
        run = Run.from_dict(upgrade(rec))
        headline, ours, others = verdicts(run)
        b_head, b_ours, b_others = verdicts(bare_run(rec))
        b_fired = ",".join(c for c in b_ours.split(",") if c.startswith("FD"))
        fired = ",".join(c for c in ours.split(",") if c.startswith("FD"))
        m = fd101_measures(run) or dict(best=len(run.epochs), rise=0.0, bands=0.0)
        f = features(rec, run)
        lab = rec["label"]
        tally[(bool(fired), lab)] = tally.get((bool(fired), lab), 0) + 1
        bare_tally[(bool(b_fired), lab)] = bare_tally.get((bool(b_fired), lab), 0) + 1
        print(f"{rec['name']:31s} {lab:13s} {twin(rec):13s} {headline:13s} {ours or '.':11s} "
              f"{others or '.':11s} {b_head:13s} {b_ours or '.':7s} {b_others or '.':11s} "
              f"{f['E']:3d} "
              f"{f['n_val']:4d} {m['best']:5d} {m['rise']:6.1%} {m['bands']:6.2f} "
              f"{f['t_best']:5d} {f['t_rise']:6.0%} {f['v_ref']:5.2f} {f['t_ref']:5.2f} "
              f"{f['vacc']:5.3f} {f['ref_acc']:5.3f} {f.get('w_row', 0):6.0f} "
              f"{f['share3']:6.4f} {f['share5']:6.4f} {f['noise']}")
        if args.why:
            print(f"{'':31s} label: {rec['label_reason']}")
    probe_common.print_tally("FD101-FD103 fired (warning or above) / silent, per label:",
                             tally)
    probe_common.print_tally("Bare view (history.history alone): FD101-FD103 fired "
                             "(warning or above) / silent, per label:", bare_tally)
    return 0


if __name__ == "__main__":
    sys.exit(main())
