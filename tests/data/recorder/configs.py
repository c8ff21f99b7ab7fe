"""The corpus's training configurations (each recorded with 3 seeds).

A configuration is a name, a data variant (``datasets.VARIANTS``), a family (what kind of
set-up it belongs to, for the README's tables), the label it was *designed* to provoke
(``intended``; the recorded label comes from the test curve, never from this) and the
settings below, all JSON-safe. ``CONFIGS`` is built once at import.

Settings (defaults in ``DEFAULTS``):

``model``       ``mlp`` | ``conv`` | ``lstm`` | ``gru``
``units``       hidden widths (mlp), conv filters (conv: each a 3x3 ``same`` Conv2D + 2x2
                max-pool, or no pooling with ``pool=False``), stacked recurrent units
``head``        conv: Dense units after ``Flatten`` (``[]`` for none); probes also give
                it to lstm/gru (Dense units on the last recurrent state);
                ``gap=True`` uses GlobalAveragePooling2D instead of Flatten
``act``         hidden activation; ``init``: kernel initializer (default glorot_uniform)
``l2``          L2 factor on every kernel; ``dropout`` after every hidden layer
``noise``       GaussianNoise std on the inputs (augmentation, training only)
``shift``       RandomTranslation factor on images (0.125 = one pixel of 8)
``opt``         ``sgd`` | ``momentum`` (SGD, momentum 0.9) | ``adam`` | ``rmsprop``; ``lr``
``schedule``    ``None`` | ``exp`` (ExponentialDecay to 1/10 over the run) | ``cosine``;
                probes only: ``restarts`` (cosine restarted 4 times), ``step`` (/10 at
                1/2 and 3/4 of the run)
``rlrop``       ReduceLROnPlateau(monitor="val_loss", ...) arguments, or ``None``
``es``          ``{"patience": p, "restore": bool}`` for EarlyStopping(monitor="val_loss")
``batch``, ``epochs``, ``vfreq`` (validation_freq), ``onehot`` (categorical loss)
``val``         ``split`` (validation_split=``val_frac``), ``data`` (validation_data =
                the pool's last ``val_frac``), ``tiny`` (validation_data = the pool's last
                ``val_n`` rows), ``sorted`` (pool sorted by label, validation_split inside
                the last class: the validation set holds one class), ``unscaled``
                (validation_data with inputs left unscaled, training inputs scaled),
                ``unscaled_y`` (regression: validation targets unscaled), ``shuffled``
                (validation_data with permuted labels)
``per_class_every``  FitDoctor's per-class cadence (``None``: every epoch up to 100
                epochs, then ``ceil(epochs / 100)``)
"""

from __future__ import annotations

import copy
from typing import Any

SEEDS = (0, 1, 2)

DEFAULTS: dict[str, Any] = dict(
    model="mlp", units=[64], head=[], gap=False, pool=True, act="relu", init=None,
    l2=0.0, dropout=0.0, noise=0.0, shift=0.0,
    opt="adam", lr=1e-3, schedule=None, rlrop=None, es=None,
    batch=32, epochs=20, vfreq=1, onehot=False,
    val="split", val_frac=0.2, val_n=24, per_class_every=None,
)

LABELS = ("healthy", "overfitting", "underfitting", "not-converged", "diverged", "unstable",
          "validation-broken", "too-short")

CONFIGS: list[dict[str, Any]] = []


def C(name: str, data: str, intended: str, family: str, **settings: Any) -> None:
    """Declare one configuration."""
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise KeyError(f"{name}: unknown settings {sorted(unknown)}")
    if intended not in LABELS:
        raise KeyError(f"{name}: unknown intended label {intended!r}")
    if any(c["name"] == name for c in CONFIGS):
        raise KeyError(f"duplicate configuration {name}")
    cfg = copy.deepcopy(DEFAULTS)
    cfg.update(settings)
    CONFIGS.append(dict(name=name, data=data, intended=intended, family=family, cfg=cfg))


ES = dict(patience=8, restore=True)
ES_NORESTORE = dict(patience=8, restore=False)
RLROP = dict(factor=0.5, patience=3, min_lr=1e-5)
BIG = [512, 512]

# ---------------------------------------------------------------------------------------
# 1. Learning-rate sweeps: 4 optimizers x 5 rates from far too low to far too high.
# ---------------------------------------------------------------------------------------
LR_LEVELS = {
    "sgd": (1e-5, 1e-3, 0.1, 1.0, 30.0),
    "momentum": (1e-6, 1e-4, 0.01, 0.5, 10.0),
    "adam": (1e-7, 1e-5, 1e-3, 0.05, 5.0),
    "rmsprop": (1e-7, 1e-5, 1e-3, 0.05, 5.0),
}
LR_INTENT = ("not-converged", "not-converged", "healthy", "unstable", "diverged")
for _data, _opts, _units in (
    ("digits", ("sgd", "momentum", "adam", "rmsprop"), [128]),
    ("clf", ("sgd", "momentum", "adam", "rmsprop"), [128]),
    ("bc", ("sgd", "adam"), [64]),
    ("diabetes", ("sgd", "momentum"), [64]),
    ("wine", ("momentum", "rmsprop"), [32]),
):
    for _opt in _opts:
        for _lr, _intent in zip(LR_LEVELS[_opt], LR_INTENT, strict=True):
            C(f"{_data}_{_opt}_lr{_lr:g}", _data, _intent, "lr-sweep", units=_units,
              opt=_opt, lr=_lr, epochs=20)

# ---------------------------------------------------------------------------------------
# 2. Batch sizes 1..512 (and high rates with small batches: training-loss spikes).
# ---------------------------------------------------------------------------------------
C("digits_b1", "digits", "healthy", "batch", units=[128], batch=1, epochs=4)
C("digits_b4", "digits", "healthy", "batch", units=[128], batch=4, epochs=8)
C("digits_b128", "digits", "not-converged", "batch", units=[128], batch=128, epochs=20)
C("digits_b512", "digits", "not-converged", "batch", units=[128], batch=512, epochs=30)
C("digits_sgd_b512", "digits", "not-converged", "batch", units=[128], opt="sgd", lr=0.05,
  batch=512, epochs=30)
C("iris_b1", "iris", "healthy", "batch", units=[16], batch=1, epochs=25)
C("clf_b512_lr1e-2", "clf", "healthy", "batch", units=[128], lr=1e-2, batch=512, epochs=40)
C("wine_b1_sgd", "wine", "healthy", "batch", units=[32], opt="sgd", lr=0.01, batch=1,
  epochs=20)
C("bc_b256", "bc", "not-converged", "batch", units=[64], batch=256, epochs=15)
C("friedman_b8", "friedman", "healthy", "batch", units=[64, 64], batch=8, epochs=30)
# training loss spiking again and again: high rates, small batches, near-zero loss
C("bc_adam_lr1e-2_b4", "bc", "unstable", "spikes", units=[128, 128], lr=1e-2, batch=4,
  epochs=40)
C("moons_sgd_lr0.5_b4", "moons", "unstable", "spikes", units=[64, 64], opt="sgd", lr=0.5,
  batch=4, epochs=30)
C("clf_adam_lr0.02_b8", "clf", "unstable", "spikes", units=[256, 256], lr=0.02, batch=8,
  epochs=25)
C("digits_adam_lr0.02_b8", "digits", "unstable", "spikes", units=[256], lr=0.02, batch=8,
  epochs=20)
C("digits_rmsprop_lr0.01_b8", "digits", "unstable", "spikes", units=[256], opt="rmsprop",
  lr=0.01, batch=8, epochs=20)
C("wine_rmsprop_lr0.02_b4", "wine", "unstable", "spikes", units=[64], opt="rmsprop",
  lr=0.02, batch=4, epochs=40)
C("iris_momentum_lr0.3_b4", "iris", "unstable", "spikes", units=[64], opt="momentum",
  lr=0.3, batch=4, epochs=40)
C("diabetes_sgd_lr0.1_b4", "diabetes", "unstable", "spikes", units=[64], opt="sgd", lr=0.1,
  batch=4, epochs=30)
C("friedman_adam_lr0.03_b8", "friedman", "unstable", "spikes", units=[128, 128], lr=0.03,
  batch=8, epochs=30)
C("clf_sep_adam_lr0.03_b8", "clf_sep", "unstable", "spikes", units=[256, 256], lr=0.03,
  batch=8, epochs=40)

# ---------------------------------------------------------------------------------------
# 3. Capacity and regularisation: big networks on little data, then the cures.
# ---------------------------------------------------------------------------------------
for _data, _epochs, _batch, _lr in (
    ("digits300", 60, 16, 1e-3),
    ("clf200", 60, 16, 1e-3),
    ("bc", 60, 16, 1e-3),
    ("diabetes", 100, 32, 3e-3),
    ("friedman200", 120, 16, 3e-3),
):
    base = dict(units=BIG, epochs=_epochs, batch=_batch, lr=_lr)
    C(f"{_data}_big", _data, "overfitting", "capacity", **base)
    C(f"{_data}_big_l2", _data, "healthy", "regularisation", **base, l2=1e-3)
    C(f"{_data}_big_dropout", _data, "healthy", "regularisation", **base, dropout=0.5)
    C(f"{_data}_big_es", _data, "healthy", "early-stopping", **base, es=ES)
    C(f"{_data}_big_es_norestore", _data, "overfitting", "early-stopping", **base,
      es=ES_NORESTORE)
    C(f"{_data}_big_noise", _data, "healthy", "augmentation", **base, noise=0.3)
C("iris_big", "iris", "overfitting", "capacity", units=[256, 256], epochs=100, batch=16)
C("iris_big_l2", "iris", "healthy", "regularisation", units=[256, 256], epochs=100, batch=16,
  l2=1e-2)
C("wine_big", "wine", "overfitting", "capacity", units=[256, 256], epochs=80, batch=16)
C("wine_big_dropout_l2", "wine", "healthy", "regularisation", units=[256, 256], epochs=80,
  batch=16, dropout=0.5, l2=1e-3)
C("moons_big", "moons", "overfitting", "capacity", units=[256, 256, 256], epochs=80,
  batch=16)
C("digits300_1024x2_rmsprop", "digits300", "overfitting", "capacity", units=[1024, 1024],
  opt="rmsprop", epochs=50, batch=16)
C("digits300_big_l2_dropout_noise", "digits300", "healthy", "regularisation", units=BIG,
  epochs=60, batch=16, l2=1e-4, dropout=0.3, noise=0.2)
# label noise: a big network memorises the flipped labels
C("digits_noisy20_big", "digits_noisy20", "overfitting", "label-noise", units=BIG,
  epochs=50)
C("digits_noisy20_big_dropout_es", "digits_noisy20", "healthy", "label-noise", units=BIG,
  epochs=50, dropout=0.5, es=ES)
C("digits_noisy40_big", "digits_noisy40", "overfitting", "label-noise", units=BIG,
  epochs=50)
C("digits_noisy40_small_l2", "digits_noisy40", "healthy", "label-noise", units=[64],
  epochs=40, l2=1e-3)
C("clf_noisy30_big", "clf_noisy30", "overfitting", "label-noise", units=BIG, epochs=50)
C("clf_noisy30_mlp_es", "clf_noisy30", "healthy", "label-noise", units=[64], epochs=60,
  es=ES)
# validation loss rising 2.5x with spikes (small noisy validation set)
C("digits300_big_tinyval", "digits300", "overfitting", "capacity", units=BIG, epochs=60,
  batch=16, lr=3e-3, val="tiny", val_n=30)
C("clf200_big_tinyval", "clf200", "overfitting", "capacity", units=BIG, epochs=60, batch=16,
  lr=3e-3, val="tiny", val_n=25)

# ---------------------------------------------------------------------------------------
# 4. Underfitting: too little capacity, too much regularisation, the wrong model family.
# ---------------------------------------------------------------------------------------
C("digits_2units", "digits", "underfitting", "underfit", units=[2], lr=1e-2, epochs=40,
  batch=64)
C("digits_3units_tanh", "digits", "underfitting", "underfit", units=[3], act="tanh",
  lr=1e-2, epochs=40, batch=64)
C("digits_heavy_l2", "digits", "underfitting", "underfit", units=[128], l2=0.1, epochs=30,
  batch=64)
C("digits_dropout0.9", "digits", "underfitting", "underfit", units=[16], dropout=0.9,
  epochs=40, batch=64, lr=3e-3)
C("moons_linear", "moons", "underfitting", "underfit", units=[], lr=3e-2, epochs=40,
  batch=64)
C("clf_linear", "clf", "underfitting", "underfit", units=[], lr=1e-2, epochs=40, batch=64)
C("clf_1unit", "clf", "underfitting", "underfit", units=[1], lr=1e-2, epochs=40, batch=64)
C("wine_1unit_l2", "wine", "underfitting", "underfit", units=[1], l2=0.1, lr=1e-2,
  epochs=60, batch=16)
C("friedman_linear", "friedman", "underfitting", "underfit", units=[], lr=1e-2, epochs=40)
C("friedman_2units", "friedman", "underfitting", "underfit", units=[2], lr=1e-2, epochs=50)
C("diabetes_1unit_sigmoid_l2", "diabetes", "underfitting", "underfit", units=[1],
  act="sigmoid", l2=1.0, lr=1e-2, epochs=50)
C("digits_deep_sigmoid_sgd", "digits", "underfitting", "underfit", units=[32] * 6,
  act="sigmoid", opt="sgd", lr=0.05, epochs=40)
C("bc_2units_l2", "bc", "underfitting", "underfit", units=[2], l2=0.3, lr=1e-2, epochs=40,
  batch=16)

# ---------------------------------------------------------------------------------------
# 5. Conv2D on digits as 8x8 images.
# ---------------------------------------------------------------------------------------
CONV = dict(model="conv", units=[16], head=[])
C("conv_adam", "digits_img", "healthy", "conv", **CONV, epochs=30)
C("conv_adam_shift", "digits_img", "healthy", "conv", **CONV, epochs=40, shift=0.125)
C("conv_adam_noise", "digits_img", "healthy", "conv", **CONV, epochs=40, noise=0.2)
C("conv_cosine", "digits_img", "healthy", "conv", **CONV, epochs=30, opt="momentum",
  lr=0.05, schedule="cosine")
C("conv_es", "digits_img", "healthy", "conv", **CONV, epochs=60, es=ES)
C("conv300_big", "digits300_img", "overfitting", "conv", model="conv", units=[64],
  pool=False, head=[256], epochs=60, batch=16)
C("conv300_big_dropout_shift", "digits300_img", "healthy", "conv", model="conv",
  units=[64], pool=False, head=[256], dropout=0.5, shift=0.125, epochs=60, batch=16)
C("conv_sgd_lr1e-3", "digits_img", "not-converged", "conv", **CONV, opt="sgd", lr=1e-3,
  epochs=15)
C("conv_sgd_lr5", "digits_img", "diverged", "conv", **CONV, opt="sgd", lr=5.0, epochs=15)
C("conv_adam_lr0.03_b8", "digits_img", "unstable", "conv", **CONV, lr=0.03, batch=8,
  epochs=20)
C("conv_1filter_gap", "digits_img", "underfitting", "conv", model="conv", units=[1],
  gap=True, lr=1e-2, epochs=40, batch=64)
C("conv_2ep", "digits_img", "too-short", "short", **CONV, epochs=2)
C("conv_rlrop", "digits_img", "healthy", "conv", **CONV, epochs=30, rlrop=RLROP)

# ---------------------------------------------------------------------------------------
# 6. LSTM / GRU on generated sequences.
# ---------------------------------------------------------------------------------------
C("sine_lstm", "seq_sine", "healthy", "rnn", model="lstm", units=[16], lr=1e-2, epochs=20)
C("sine_gru", "seq_sine", "healthy", "rnn", model="gru", units=[16], lr=1e-2, epochs=20)
C("sine_lstm_lr1e-4", "seq_sine", "not-converged", "rnn", model="lstm", units=[16],
  lr=1e-4, epochs=15)
C("sine_gru_sgd", "seq_sine", "not-converged", "rnn", model="gru", units=[16], opt="sgd",
  lr=1e-2, epochs=15)
C("sine_lstm_1unit", "seq_sine", "underfitting", "rnn", model="lstm", units=[1], lr=1e-2,
  epochs=30)
C("sine200_lstm_big", "seq_sine200", "overfitting", "rnn", model="lstm", units=[128],
  lr=3e-3, epochs=60, batch=16)
C("sine_lstm_lr0.1_b8", "seq_sine", "unstable", "rnn", model="lstm", units=[32], lr=0.1,
  batch=8, epochs=15)
C("sine_gru_2ep", "seq_sine", "too-short", "short", model="gru", units=[16], lr=1e-2,
  epochs=2)
C("sum_lstm", "seq_sum", "healthy", "rnn", model="lstm", units=[16], lr=1e-2, epochs=30)
C("sum_gru_rmsprop", "seq_sum", "healthy", "rnn", model="gru", units=[16], opt="rmsprop",
  lr=3e-3, epochs=30)
C("sum_lstm_lr1e-4", "seq_sum", "not-converged", "rnn", model="lstm", units=[16], lr=1e-4,
  epochs=15)
C("sum_gru_sgd_lr3", "seq_sum", "diverged", "rnn", model="gru", units=[32], opt="sgd",
  lr=3.0, epochs=15)
C("sum_lstm_1unit_l2", "seq_sum", "underfitting", "rnn", model="lstm", units=[1], l2=0.3,
  lr=1e-2, epochs=30)
C("parity_lstm", "seq_parity", "healthy", "rnn", model="lstm", units=[32], lr=1e-2,
  epochs=40)
C("parity_gru_es", "seq_parity", "healthy", "rnn", model="gru", units=[32], lr=1e-2,
  epochs=60, es=dict(patience=10, restore=True))
C("parity_lstm_lr1e-3", "seq_parity", "not-converged", "rnn", model="lstm", units=[16],
  lr=1e-3, epochs=20)
C("parity_gru_2units", "seq_parity", "underfitting", "rnn", model="gru", units=[2],
  lr=1e-2, epochs=40)

# ---------------------------------------------------------------------------------------
# 7. Regression set-ups not covered above.
# ---------------------------------------------------------------------------------------
C("diabetes_mlp", "diabetes", "healthy", "regression", units=[32], epochs=60, lr=3e-3,
  l2=1e-3)
C("diabetes_rawy_adam", "diabetes_rawy", "not-converged", "regression", units=[64, 64],
  epochs=20)
C("diabetes_rawy_sgd_lr0.01", "diabetes_rawy", "diverged", "regression", units=[64],
  opt="sgd", lr=0.01, epochs=15)
C("reg_linear_mlp", "reg_linear", "healthy", "regression", units=[64], epochs=40)
C("reg_linear_sgd_lr1e-4", "reg_linear", "not-converged", "regression", units=[64],
  opt="sgd", lr=1e-4, epochs=20)
C("reg_linear_big_es", "reg_linear", "healthy", "regression", units=BIG, epochs=80, es=ES)
C("friedman_mlp", "friedman", "healthy", "regression", units=[64, 64], epochs=80, lr=3e-3)
C("friedman_mlp_exp", "friedman", "healthy", "schedule", units=[64, 64], epochs=80,
  lr=1e-2, schedule="exp")

# ---------------------------------------------------------------------------------------
# 8. Schedules and early stopping on ordinary set-ups.
# ---------------------------------------------------------------------------------------
C("digits_momentum_cosine", "digits", "healthy", "schedule", units=[128], opt="momentum",
  lr=0.05, schedule="cosine", epochs=30)
C("digits_adam_exp", "digits", "healthy", "schedule", units=[256], lr=3e-3,
  schedule="exp", epochs=30)
C("digits_rlrop_es", "digits", "healthy", "schedule", units=[256], epochs=60, rlrop=RLROP,
  es=dict(patience=10, restore=True))
C("clf_momentum_rlrop", "clf", "healthy", "schedule", units=[128, 64], opt="momentum",
  lr=0.05, epochs=50, rlrop=RLROP)
C("clf_mlp_es", "clf", "healthy", "early-stopping", units=[128, 64], epochs=80, es=ES)
C("clf_mlp_es_norestore", "clf", "healthy", "early-stopping", units=[128, 64], epochs=80,
  es=ES_NORESTORE)
C("moons_mlp_es", "moons", "healthy", "early-stopping", units=[32, 32], lr=3e-3,
  epochs=100, es=dict(patience=15, restore=True))
C("wine_rmsprop_cosine", "wine", "healthy", "schedule", units=[32], opt="rmsprop",
  lr=3e-3, schedule="cosine", epochs=50, batch=16)
C("iris_adam_es", "iris", "healthy", "early-stopping", units=[16], lr=1e-2, epochs=100,
  batch=16, es=dict(patience=15, restore=True))
C("bc_sgd_exp", "bc", "healthy", "schedule", units=[32], opt="sgd", lr=0.1, schedule="exp",
  epochs=40, batch=16)

# ---------------------------------------------------------------------------------------
# 9. Validation sets: tiny, large, validated every few epochs.
# ---------------------------------------------------------------------------------------
C("digits_mlp_tinyval", "digits", "healthy", "val-size", units=[128], epochs=30,
  val="tiny", val_n=24)
C("bc_mlp_tinyval", "bc", "healthy", "val-size", units=[32], epochs=30, batch=16,
  val="tiny", val_n=20)
C("clf_mlp_tinyval", "clf", "healthy", "val-size", units=[64], epochs=30, val="tiny",
  val_n=30)
C("wine_mlp_tinyval", "wine", "healthy", "val-size", units=[32], epochs=60, batch=16,
  lr=3e-3, val="tiny", val_n=12)
C("digits_mlp_val50", "digits", "healthy", "val-size", units=[128], epochs=40,
  val_frac=0.5)
C("clf_big_val50", "clf", "overfitting", "val-size", units=BIG, epochs=50, val_frac=0.5)
C("digits_mlp_vfreq2", "digits", "healthy", "val-size", units=[128], epochs=30, vfreq=2,
  l2=1e-3)
C("clf200_big_vfreq5", "clf200", "overfitting", "val-size", units=BIG, epochs=60,
  batch=16, vfreq=5)

# ---------------------------------------------------------------------------------------
# 10. Broken validation: class-sorted validation_split, unscaled inputs, shuffled labels.
# ---------------------------------------------------------------------------------------
for _name, _data, _kw in (
    ("digits", "digits", dict(units=[128], epochs=20)),
    ("bc", "bc", dict(units=[32], epochs=30, batch=16)),
    ("wine", "wine", dict(units=[32], epochs=40, batch=16)),
    ("iris", "iris", dict(units=[16], epochs=60, batch=8, lr=3e-3)),
    ("clf", "clf", dict(units=[64], epochs=20)),
    ("moons", "moons", dict(units=[32, 32], epochs=40, lr=3e-3)),
    ("conv", "digits_img", dict(**CONV, epochs=20)),
    ("sine", "seq_sine", dict(model="gru", units=[16], lr=1e-2, epochs=20)),
):
    C(f"{_name}_sorted_split", _data, "validation-broken", "val-broken", val="sorted", **_kw)
for _name, _data, _kw in (
    ("digits", "digits", dict(units=[128], epochs=20)),
    ("bc", "bc", dict(units=[32], epochs=30, batch=16)),
    ("wine", "wine", dict(units=[32], epochs=40, batch=16)),
    ("conv", "digits_img", dict(**CONV, epochs=20)),
):
    C(f"{_name}_unscaled_val", _data, "validation-broken", "val-broken", val="unscaled", **_kw)
C("diabetes_unscaled_val_y", "diabetes", "validation-broken", "val-broken", units=[32],
  epochs=40, val="unscaled_y")
C("friedman_unscaled_val_y", "friedman", "validation-broken", "val-broken", units=[64],
  epochs=40, val="unscaled_y")
for _name, _data, _kw in (
    ("digits", "digits", dict(units=[128], epochs=20)),
    ("bc", "bc", dict(units=[32], epochs=30, batch=16)),
    ("clf", "clf", dict(units=[64], epochs=20)),
    ("moons", "moons", dict(units=[32, 32], epochs=40, lr=3e-3)),
    ("iris", "iris", dict(units=[16], epochs=60, batch=8, lr=3e-3)),
    ("diabetes", "diabetes", dict(units=[32], epochs=40)),
    ("sine", "seq_sine", dict(model="gru", units=[16], lr=1e-2, epochs=20)),
):
    C(f"{_name}_shuffled_val", _data, "validation-broken", "val-broken", val="shuffled", **_kw)

# ---------------------------------------------------------------------------------------
# 11. Short runs: 1-2 epochs (too short to judge) and 3-5 epochs.
# ---------------------------------------------------------------------------------------
C("digits_tutorial_1ep", "digits", "too-short", "short", units=[512], opt="rmsprop",
  batch=128, epochs=1, onehot=True)
C("digits_tutorial_2ep", "digits", "too-short", "short", units=[512], opt="rmsprop",
  batch=128, epochs=2, onehot=True)
C("bc_mlp_1ep", "bc", "too-short", "short", units=[32], epochs=1, batch=16)
C("clf_mlp_2ep", "clf", "too-short", "short", units=[64], epochs=2)
C("diabetes_mlp_2ep", "diabetes", "too-short", "short", units=[64], epochs=2)
C("iris_mlp_1ep", "iris", "too-short", "short", units=[16], epochs=1, batch=8)
C("digits_tutorial_3ep", "digits", "not-converged", "short", units=[512], opt="rmsprop",
  batch=128, epochs=3, onehot=True)
C("digits_tutorial_5ep", "digits", "not-converged", "short", units=[512], opt="rmsprop",
  batch=128, epochs=5, onehot=True)
C("clf_mlp_4ep", "clf", "not-converged", "short", units=[64], epochs=4)
C("moons_mlp_3ep", "moons", "not-converged", "short", units=[32, 32], epochs=3)
C("bc_adam_lr1e-2_5ep", "bc", "healthy", "short", units=[32], lr=1e-2, epochs=5, batch=16)
C("digits_adam_b8_5ep", "digits", "healthy", "short", units=[256], batch=8, epochs=5)
C("friedman_mlp_4ep", "friedman", "not-converged", "short", units=[64, 64], epochs=4)
C("sum_gru_5ep", "seq_sum", "not-converged", "short", model="gru", units=[16], lr=1e-2,
  epochs=5)

# ---------------------------------------------------------------------------------------
# 12. Long runs on tiny data with a big network (200-600 epochs): the validation loss
#     rises, then holds flat while the training loss goes to ~0.
# ---------------------------------------------------------------------------------------
C("clf40_big_long", "clf40", "overfitting", "long", units=BIG, epochs=600, batch=64)
C("moons40_big_long", "moons40", "overfitting", "long", units=[256, 256], epochs=400,
  batch=64)
C("iris30_big_long", "iris30", "overfitting", "long", units=[256, 256], epochs=300,
  batch=64)
C("friedman60_big_long", "friedman60", "overfitting", "long", units=BIG, epochs=400,
  batch=64)
C("digits100_big_long", "digits100", "overfitting", "long", units=BIG, epochs=250,
  batch=128)
C("bc40_big_long", "bc40", "overfitting", "long", units=[256, 256], epochs=300, batch=64)
C("clf40_l2_long", "clf40", "healthy", "long", units=[64], epochs=400, batch=64, l2=3e-2)

# ---------------------------------------------------------------------------------------
# 13. Patterns seen on real runs (issue 10, "Why").
# ---------------------------------------------------------------------------------------
# a near-perfect model whose validation loss swings at ~99.9% accuracy
C("clf_sep_adam_lr1e-2", "clf_sep", "healthy", "near-perfect", units=[128, 128], lr=1e-2,
  epochs=60)
C("moons_easy_adam_lr1e-2", "moons_easy", "healthy", "near-perfect", units=[64, 64],
  lr=1e-2, epochs=60, batch=16)
C("clf_sep_rmsprop_val50", "clf_sep", "healthy", "near-perfect", units=[128], opt="rmsprop",
  lr=3e-3, epochs=60, val_frac=0.5)
# a first-epoch loss of ~100 that recovers within a few epochs (unscaled inputs)
C("bc_raw_adam", "bc_raw", "healthy", "wild-first-epoch", units=[64], epochs=40, batch=16)
C("wine_raw_adam", "wine_raw", "healthy", "wild-first-epoch", units=[64], epochs=60,
  batch=16)
C("clf_x100_adam", "clf_x100", "healthy", "wild-first-epoch", units=[128], epochs=40)
C("digits_raw_adam", "digits_raw", "healthy", "wild-first-epoch", units=[128], epochs=30)
C("bc_raw_sgd_lr5", "bc_raw", "diverged", "wild-first-epoch", units=[32], opt="sgd", lr=5.0,
  epochs=10)
C("digits_raw_sgd_lr1", "digits_raw", "diverged", "wild-first-epoch", units=[128],
  opt="sgd", lr=1.0, epochs=10)
