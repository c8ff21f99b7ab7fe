"""Record the real trainings behind the rule cases of the judgment patterns.

Each pattern seen on real runs (a run too short to judge, validation at chance or
constant, a class-sorted validation_split, overfitting with spikes or rise-then-plateau,
training-loss spikes, a near-perfect model whose validation loss swings at a tiny level,
underfitting against what a simple model reaches, a small validation set read off a
bare history, a network giving every row one class) is reproduced by a tiny real Keras
training on scikit-learn's bundled or generated data. Each writes
``tests/data/cases/NAME.json``: the bare history (``json.dump(history.history)``, what
users keep), and for the patterns that need run facts also ``NAME.run.json``, recorded
by the real ``FitDoctor`` callback.

The rule cases (``tests/rule_cases/FDnnn.toml``) refer to these files; they are data,
so the suite does not train. Regenerate (about a minute on 2 cores)::

    .venv/bin/python tests/rule_cases/record_cases.py            # all
    .venv/bin/python tests/rule_cases/record_cases.py rise_then_plateau

Keras 3 on TensorFlow-CPU; every training is seeded, but CPU kernels are not bit-exact
across machines, so a re-recording can move numbers a little (the cases judge shapes,
not digits).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "data" / "cases"


def _keras() -> Any:
    import keras

    return keras


def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    return (x / 16.0)[idx], y[idx]


def _mlp(
    n_in: int, units: int, n_out: int, *, layers: int = 1, lr: float = 1e-3,
    out: str = "softmax", loss: str = "sparse_categorical_crossentropy",
) -> Any:
    keras = _keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((n_in,))]
        + [keras.layers.Dense(units, activation="relu") for _ in range(layers)]
        + [keras.layers.Dense(n_out, activation=out)]
    )
    model.compile(keras.optimizers.Adam(lr), loss, metrics=["accuracy"])
    return model


def _logistic_unit(n_in: int, *, lr: float) -> Any:
    """A single sigmoid unit on ``n_in`` inputs (a logistic regression), seeded, compiled
    with Adam at ``lr`` and binary cross-entropy."""
    keras = _keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def _save(name: str, history: dict[str, list[float]]) -> None:
    path = OUT / f"{name}.json"
    clean = {k: [float(v) for v in vals] for k, vals in history.items()}
    path.write_text(json.dumps(clean) + "\n", encoding="utf-8")
    epochs = len(next(iter(clean.values())))
    print(f"wrote {path.relative_to(OUT.parent.parent.parent)} ({epochs} epochs)")


def _doctor(name: str) -> Any:
    from fitdoctor import FitDoctor

    return FitDoctor(str(OUT / f"{name}.run.json"), report=None, verbose=0)


# ------------------------------------------------------------------------ patterns
def too_short() -> None:
    """Two epochs of the digits MLP: too short to judge (FD303)."""
    x, y = _digits()
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=2, validation_data=(x[1200:], y[1200:]), verbose=0)
    _save("too_short", h.history)


def short_still_falling() -> None:
    """Four epochs of the digits MLP: both losses still falling 20-30% an epoch (FD301)."""
    x, y = _digits()
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=4, validation_data=(x[1200:], y[1200:]), verbose=0)
    _save("short_still_falling", h.history)


def val_labels_shuffled() -> None:
    """Validation labels shuffled: validation accuracy at chance while training learns."""
    x, y = _digits()
    wrong = np.random.default_rng(1).permutation(y[1200:])
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=10, validation_data=(x[1200:], wrong), verbose=0)
    _save("val_labels_shuffled", h.history)


def val_inputs_unscaled() -> None:
    """Validation inputs left at 0..800 while training inputs are scaled to [0, 1]."""
    x, y = _digits()
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=10,
                  validation_data=(x[1200:] * 800.0, y[1200:]), verbose=0)
    _save("val_inputs_unscaled", h.history)


def val_unseen_class() -> None:
    """Validation holds only a class the training data lacks: accuracy 0 at every epoch."""
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=900, n_features=10, n_informative=6, n_classes=3, random_state=0
    )
    seen = y < 2
    model = _mlp(10, 32, 3)
    h = model.fit(x[seen], y[seen], epochs=8, validation_data=(x[~seen], y[~seen]), verbose=0)
    _save("val_unseen_class", h.history)


def sorted_validation_split() -> None:
    """Digits sorted by label, validation_split=0.2: validation holds the last classes."""
    x, y = _digits()
    order = np.argsort(y, kind="stable")
    model = _mlp(64, 64, 10)
    h = model.fit(x[order], y[order], epochs=8, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("sorted_validation_split")])
    _save("sorted_validation_split", h.history)


def sorted_split_class_learnt_late() -> None:
    """Digits sorted by label, validation_split=0.09: the validation rows are 162 of the
    180 nines, the training set keeps 18, which the model learns last: the validation
    accuracy is exactly 0 for epochs while the training accuracy climbs, then rises."""
    x, y = _digits()
    order = np.argsort(y, kind="stable")
    model = _mlp(64, 64, 10)
    h = model.fit(x[order], y[order], epochs=20, validation_split=0.09, verbose=0,
                  callbacks=[_doctor("sorted_split_class_learnt_late")])
    _save("sorted_split_class_learnt_late", h.history)


def tiny_shuffled_validation() -> None:
    """Shuffled digits with 12 validation rows: classes missing by chance, not by sorting."""
    x, y = _digits()
    val = np.arange(1200, 1212)  # shuffled rows: 12 cannot hold all 10 digits
    assert len(set(y[val])) <= 8, "the case needs classes missing from validation"
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=8, validation_data=(x[val], y[val]), verbose=0,
                  callbacks=[_doctor("tiny_shuffled_validation")])
    _save("tiny_shuffled_validation", h.history)


def unscaled_still_falling() -> None:
    """Unscaled digits (0..16), Adam 3e-4, 15 epochs: a wild start, still falling at the end."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    model = _mlp(64, 64, 10, lr=3e-4)
    h = model.fit(x[idx], y[idx], epochs=15, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("unscaled_still_falling")])
    _save("unscaled_still_falling", h.history)


def rise_then_plateau() -> None:
    """100 digits, 2×512 units, 300 epochs: val_loss rises ~20%, then holds flat."""
    x, y = _digits()
    model = _mlp(64, 512, 10, layers=2)
    h = model.fit(x[:100], y[:100], epochs=300, batch_size=100,
                  validation_data=(x[1000:1400], y[1000:1400]), verbose=0)
    _save("rise_then_plateau", h.history)


def overfit_with_spikes() -> None:
    """300 digits, a high learning rate: val_loss spikes early, then rises steadily."""
    x, y = _digits()
    model = _mlp(64, 256, 10, layers=2, lr=3e-2)
    h = model.fit(x[:300], y[:300], epochs=40, batch_size=16,
                  validation_data=(x[1000:1400], y[1000:1400]), verbose=0)
    _save("overfit_with_spikes", h.history)


def short_run_turns_up() -> None:
    """60 breast-cancer rows (standardised) under 2×256 units, Adam at 0.01, batches of 8,
    5 epochs: the validation loss falls to epoch 3, then rises two epochs running (+17%)
    while the training loss falls 33x: a short run's overfitting, too short for the noise
    band (FD101 judges how it ends). Trained on to 10 epochs, the validation loss holds
    there (0.195-0.196, +23% over its minimum)."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    x, y = x[idx], y[idx]
    x = StandardScaler().fit(x[:300]).transform(x)
    model = _mlp(30, 256, 1, layers=2, lr=1e-2, out="sigmoid", loss="binary_crossentropy")
    h = model.fit(x[:60], y[:60], epochs=5, batch_size=8,
                  validation_data=(x[300:], y[300:]), verbose=0)
    _save("short_run_turns_up", h.history)


def short_climb_recovers() -> None:
    """100 digits, 2×256 units, Adam at 0.01, 8 epochs: the validation loss falls to epoch
    6, then rises two epochs running (+34%) while the training loss keeps falling. Trained
    on to 10 epochs it falls back (0.503, 0.481): two epochs up at the end of a run long
    enough for the noise band are a swing until a third (FD101's min_after)."""
    x, y = _digits()
    model = _mlp(64, 256, 10, layers=2, lr=1e-2)
    h = model.fit(x[:100], y[:100], epochs=8, batch_size=16,
                  validation_data=(x[1000:1400], y[1000:1400]), verbose=0)
    _save("short_climb_recovers", h.history)

def training_loss_spikes() -> None:
    """Moons, Adam at 0.05 with batches of 8: the training loss jumps 18× and back, twice."""
    from sklearn.datasets import make_moons

    x, y = make_moons(600, noise=0.1, random_state=0)
    model = _mlp(2, 64, 1, layers=2, lr=0.05, out="sigmoid", loss="binary_crossentropy")
    h = model.fit(x[:400], y[:400], epochs=40, batch_size=8,
                  validation_data=(x[400:], y[400:]), verbose=0)
    _save("training_loss_spikes", h.history)


def near_perfect_binary() -> None:
    """Digits 0 against 1: 100% validation accuracy, the loss swings at a tiny level."""
    x, y = _digits()
    mask = (y == 0) | (y == 1)
    xb, yb = x[mask], (y[mask] == 1).astype(float)
    model = _mlp(64, 64, 1, lr=0.1, out="sigmoid", loss="binary_crossentropy")
    h = model.fit(xb[:250], yb[:250], epochs=30, batch_size=8,
                  validation_data=(xb[250:], yb[250:]), verbose=0)
    _save("near_perfect_binary", h.history)


def linear_on_moons() -> None:
    """A logistic unit on moons plateaus near 0.89; gradient boosting reaches 0.99.

    Recorded with FitDoctor; the reference model is fitted the way the callback will
    (fitdoctor.reference.fit_reference on the training and validation arrays) and stored
    in the run's baselines.
    """
    from sklearn.datasets import make_moons

    from fitdoctor.io import save
    from fitdoctor.reference import fit_reference
    from fitdoctor.run import Baselines

    x, y = make_moons(600, noise=0.1, random_state=0)
    model = _logistic_unit(2, lr=0.05)
    doctor = _doctor("linear_on_moons")
    h = model.fit(x[:400], y[:400], epochs=30, batch_size=32,
                  validation_data=(x[400:], y[400:]), verbose=0, callbacks=[doctor])
    _save("linear_on_moons", h.history)
    ref = fit_reference(x[:400], y[:400], x[400:], y[400:], task="binary")
    assert ref is not None
    run = doctor.run
    base = run.baselines or Baselines()
    base.reference_value, base.reference_metric, base.reference_model = (
        ref.value, ref.metric, ref.model
    )
    run.baselines = base
    save(run, OUT / "linear_on_moons.run.json")


def linear_on_clusters() -> None:
    """A logistic unit on 20 features whose classes are 3 clusters each (make_classification,
    3% of labels flipped): on its 280 validation rows it plateaus 3-4 points below gradient
    boosting, a shortfall within two standard errors of an accuracy measured on 280 rows;
    its training accuracy (1,120 rows) falls short of the reference too, which confirms
    it. Recorded with FitDoctor, which fits the reference model itself.
    """
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    x, y = make_classification(2000, 20, n_informative=8, n_redundant=4,
                               n_clusters_per_class=3, flip_y=0.03, random_state=0)
    x, _, y, _ = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    x = (x - x.mean(0)) / x.std(0)
    model = _logistic_unit(20, lr=0.01)
    h = model.fit(x, y, epochs=40, batch_size=64, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("linear_on_clusters")])
    _save("linear_on_clusters", h.history)


def narrow_with_gap() -> None:
    """Four hidden units on digits (70% of them, stratified), half of those held out by
    validation_split: the training accuracy creeps to ~0.92 while the validation accuracy
    stalls near 0.87, so the validation loss ends ~45% above the training loss (a gap),
    yet the network fits its own 629 training rows 4 points worse than logistic
    regression predicts the 629 validation rows: a capacity limit, not variance.
    Recorded with FitDoctor, which fits the reference model itself.
    """
    _narrow_digits("narrow_with_gap", units=4, seed=5, validation_split=0.5)


def gru_below_useless_reference() -> None:
    """A one-unit GRU on noisy sine sequences whose class is the frequency (1, 2 or 3
    cycles in 24 steps, random phase and amplitude): it creeps to ~45% accuracy, its
    loss ~90% of the class prior's, where a 16-unit GRU reaches 100%. The logistic
    regression FitDoctor fits on the flattened steps scores no better than the majority
    class (a random phase leaves nothing linear), so it sets no bar: the prior does.
    The validation loss still creeps down (under 1% over the last 9 epochs) while that
    is a sizeable share of its small whole fall. Recorded with FitDoctor, which fits the
    reference model itself.
    """
    sys.path.insert(0, str(OUT.parent))  # tests/data: the corpus recorder's data
    from recorder.datasets import sine_sequences

    keras = _keras()
    x, freq = sine_sequences(np.random.default_rng(0))
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((x.shape[1], 1)), keras.layers.GRU(1),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x[:1050], freq[:1050], epochs=30, batch_size=32, validation_split=0.2,
                  verbose=0, callbacks=[_doctor("gru_below_useless_reference")])
    _save("gru_below_useless_reference", h.history)


def sigmoid_stack_learns_nothing() -> None:
    """Four 16-unit sigmoid layers under plain SGD (0.01, batches of 8) on iris,
    standardised: the training loss sinks to ln 3 in a few epochs and stays there, the
    validation accuracy never leaves what predicting one class scores, while the logistic
    regression FitDoctor fits reaches ~0.9. The network learned nothing: saturated layers
    and a small step, not too few units (16 is plenty for three classes). Recorded with
    FitDoctor, which fits the reference model itself.
    """
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split

    keras = _keras()
    x, y = load_iris(return_X_y=True)
    x, _, y, _ = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(11)
    model = keras.Sequential(
        [keras.Input((4,))]
        + [keras.layers.Dense(16, activation="sigmoid") for _ in range(4)]
        + [keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(keras.optimizers.SGD(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=60, batch_size=8, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("sigmoid_stack_learns_nothing")])
    _save("sigmoid_stack_learns_nothing", h.history)


def narrow_still_creeping() -> None:
    """Three hidden units on digits (70% of them, stratified; validation_split=0.05, 63
    rows), Adam at 0.01 for 40 epochs: the training loss flattens near 1.5, the
    validation loss still creeps down (~0.2% an epoch, enough for FD301), the validation
    accuracy gains well under a point an epoch, ~65 points below what logistic
    regression reaches: more epochs cannot close that, more units can. Recorded with
    FitDoctor, which fits the reference model itself.
    """
    _narrow_digits("narrow_still_creeping", units=3, seed=12, validation_split=0.05)


def _narrow_digits(name: str, *, units: int, seed: int, validation_split: float) -> None:
    """A ``units``-wide hidden layer on 70% of digits (stratified), Adam at 0.01, 40
    epochs of batches of 32, recorded with FitDoctor as ``name``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    keras = _keras()
    x, y = load_digits(return_X_y=True)
    x, _, y, _ = train_test_split(x / 16.0, y, test_size=0.3, random_state=0, stratify=y)
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((64,)),
                              keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=validation_split,
                  verbose=0, callbacks=[_doctor(name)])
    _save(name, h.history)


def _diabetes_standardised() -> tuple[np.ndarray, np.ndarray]:
    """Diabetes' 70% training split (``random_state=0``), inputs and target standardised."""
    from sklearn.datasets import load_diabetes
    from sklearn.model_selection import train_test_split

    x, y = load_diabetes(return_X_y=True)
    x, _, y, _ = train_test_split(x, y, test_size=0.3, random_state=0)
    return (x - x.mean(0)) / x.std(0), (y - y.mean()) / y.std()


def _regressor(n_in: int, units: int) -> Any:
    """One ReLU layer and a linear output, seeded (compiled by the caller)."""
    keras = _keras()
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(units, activation="relu"),
                             keras.layers.Dense(1)])


def slow_sgd_regression() -> None:
    """Plain SGD at a learning rate of 0.001 on diabetes for 20 epochs: the losses fall
    steadily, 1-2% an epoch at the end, still far above what ridge regression reaches.
    The run is unfinished before it is anything else. Recorded with FitDoctor, which fits
    the reference model itself.
    """
    keras = _keras()
    x, y = _diabetes_standardised()
    model = _regressor(10, 64)
    model.compile(keras.optimizers.SGD(0.001), "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("slow_sgd_regression")])
    _save("slow_sgd_regression", h.history)


def regression_long_descent() -> None:
    """Friedman #1 (1,000 rows, noise 1; 70% of them, inputs and target standardised), a
    32x32 ReLU network, Adam at 1e-3 with batches of 256 (3 steps an epoch) for 45
    epochs: the validation loss descends steadily from the constant predictor's and still
    falls 1-2% an epoch at the end, a small share of its long fall. Unfinished (FD301),
    not a capacity limit: the same widths at a higher rate reach far lower. Recorded with
    FitDoctor, which fits the reference models itself.
    """
    keras = _keras()
    from sklearn.datasets import make_friedman1
    from sklearn.model_selection import train_test_split

    x, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    x, _, y, _ = train_test_split(x, y, test_size=0.3, random_state=0)
    x, y = (x - x.mean(0)) / x.std(0), (y - y.mean()) / y.std()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3), "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=45, batch_size=256, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("regression_long_descent")])
    _save("regression_long_descent", h.history)


def _dropout_net(n_in: int, units: int, rate: float, n_out: int) -> Any:
    """One ReLU layer, then Dropout(rate), then the output layer (seeded, uncompiled)."""
    keras = _keras()
    keras.utils.set_random_seed(0)
    out = "sigmoid" if n_out == 1 else "softmax"
    return keras.Sequential([keras.Input((n_in,)), keras.layers.Dense(units, activation="relu"),
                             keras.layers.Dropout(rate), keras.layers.Dense(n_out, activation=out)])


def heavy_dropout_at_reference() -> None:
    """Dropout(0.9) after 16 units on a near-separable make_classification (class_sep 3,
    2,000 rows, 70% of them, standardised), Adam 3e-3, 40 epochs: the validation accuracy
    is 100%, as logistic regression's is, while the training accuracy, measured with 90%
    of the units dropped, stays near 80%. A healthy run whose training measurement the
    regularizer handicaps.
    """
    keras = _keras()
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split

    x, y = make_classification(n_samples=2000, n_features=20, n_informative=6, n_redundant=2,
                               n_clusters_per_class=1, class_sep=3.0, flip_y=0.0,
                               random_state=1)
    x, _, y, _ = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    x = (x - x.mean(0)) / x.std(0)
    model = _dropout_net(20, 16, 0.9, 1)
    model.compile(keras.optimizers.Adam(3e-3), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("heavy_dropout_at_reference")])
    _save("heavy_dropout_at_reference", h.history)


def heavy_dropout_short_of_reference() -> None:
    """Dropout(0.85) after 32 units on digits, Adam 3e-3, 40 epochs: the training accuracy
    (units dropped) is far below the validation accuracy, which itself stays short of
    what logistic regression reaches on the same rows: the regularizer costs accuracy.
    """
    keras = _keras()
    x, y = _digits()
    model = _dropout_net(64, 32, 0.85, 10)
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("heavy_dropout_short_of_reference")])
    _save("heavy_dropout_short_of_reference", h.history)


def l2_collapse_on_moons() -> None:
    """Two ReLU layers of 32 under L2 0.3 on moons (1,000 rows, noise 0.25), Adam 3e-3,
    40 epochs, 50 validation rows: the network fits to ~0.8 in the first epochs, then the
    penalty pulls every weight to zero and it sits at the class prior (ln 2, the majority
    share) for the rest of the run. Its best of the run is within the noise of gradient
    boosting on 50 rows; its plateau is not.
    """
    keras = _keras()
    from sklearn.datasets import make_moons

    x, y = make_moons(1000, noise=0.25, random_state=0)
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(0)
    l2 = keras.regularizers.l2(0.3)
    model = keras.Sequential(
        [keras.Input((2,))]
        + [keras.layers.Dense(32, activation="relu", kernel_regularizer=l2) for _ in range(2)]
        + [keras.layers.Dense(1, activation="sigmoid", kernel_regularizer=l2)])
    model.compile(keras.optimizers.Adam(3e-3), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x[:650], y[:650], epochs=40, batch_size=32,
                  validation_data=(x[650:700], y[650:700]), verbose=0,
                  callbacks=[_doctor("l2_collapse_on_moons")])
    _save("l2_collapse_on_moons", h.history)


def sigmoid_output_regression() -> None:
    """Friedman #1 (1,000 rows, noise 1, target standardised) through two ReLU layers of
    64 and a sigmoid output unit, MSE, Adam 3e-3, 40 epochs: no prediction can go below 0
    or above 1, so the network plateaus far above what gradient boosting reaches.
    """
    keras = _keras()
    from sklearn.datasets import make_friedman1

    x, y = make_friedman1(1000, noise=1.0, random_state=0)
    x = (x - x.mean(0)) / x.std(0)
    y = (y - y.mean()) / y.std()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((10,))]
        + [keras.layers.Dense(64, activation="relu") for _ in range(2)]
        + [keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(3e-3), "mse", metrics=["mae"])
    h = model.fit(x[:700], y[:700], epochs=40, batch_size=32, validation_split=0.2,
                  verbose=0, callbacks=[_doctor("sigmoid_output_regression")])
    _save("sigmoid_output_regression", h.history)


def _recorder_pool(variant: str) -> tuple[np.ndarray, np.ndarray]:
    """The corpus recorder's training pool of a data variant (``tests/data/recorder``).

    The probes (``bench/underfit_probe.py``) train on it: a case recorded from it is the
    probe's run, re-trained here by the test data's own recorder.
    """
    sys.path.insert(0, str(OUT.parent))
    from recorder import datasets

    data = datasets.load(variant)
    return data.x_pool, data.y_pool


def dropout_short_of_reference() -> None:
    """Dense(8) + Dropout(0.3) on the recorder's digits pool (1,257 rows), Adam 3e-3,
    40 epochs, seed 31 (the underfit probe's batch 6, digits_8units_dropout0.3_s31): the
    training loss, measured with the dropout on, sits about twice the validation loss,
    and the validation accuracy plateaus short of what logistic regression reaches on
    the same rows: the dropout costs accuracy (underfitting), not a validation set to
    check for leakage.
    """
    keras = _keras()
    x, y = _recorder_pool("digits")
    keras.utils.set_random_seed(31)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dropout(0.3),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.Adam(3e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("dropout_short_of_reference")])
    _save("dropout_short_of_reference", h.history)


def linear_mae_regression() -> None:
    """A linear model (Dense(1)) on the recorder's Friedman #1 pool (700 rows, target
    standardised) trained on the mean absolute error, Adam 1e-2, 60 epochs, seed 31 (the
    underfit probe's batch 6, friedman_mae_linear_s31): the validation MAE flattens at
    ~0.43, so its MSE is at least ~0.19, twice what gradient boosting reaches on the same
    rows.
    """
    keras = _keras()
    x, y = _recorder_pool("friedman")
    keras.utils.set_random_seed(31)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mae", metrics=["mae"])
    h = model.fit(x, y, epochs=60, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("linear_mae_regression")])
    _save("linear_mae_regression", h.history)


def linear_easy_tiny_validation() -> None:
    """A linear model (Dense(1)) on the recorder's Friedman #1 pool (700 rows, target
    standardised), its last 24 rows as ``validation_data``, Adam 1e-2, 40 epochs, seed 64
    (the underfit probe's batch 7, friedman_linear_val24_s64): the 24 rows are easier
    than the training rows, so the validation MSE sits ~20% below the training MSE
    (~0.25), which is itself ~3x what gradient boosting reaches on the 24 rows. No
    dropout, noise or penalty in the model: the training loss measures the fit.
    """
    keras = _keras()
    x, y = _recorder_pool("friedman")
    keras.utils.set_random_seed(64)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mse", metrics=["mae"])
    h = model.fit(x[:-24], y[:-24], epochs=40, batch_size=32,
                  validation_data=(x[-24:], y[-24:]), verbose=0,
                  callbacks=[_doctor("linear_easy_tiny_validation")])
    _save("linear_easy_tiny_validation", h.history)


def slow_momentum_small_validation() -> None:
    """SGD with momentum 0.9 at 1e-3, batches of 16, on diabetes for 20 epochs, 8 units,
    62 validation rows: the validation loss ends a few percent of the target's variance
    above ridge regression's, within the noise of an MSE on 62 rows, while the network's
    training loss is below ridge's validation loss. Recorded with FitDoctor.
    """
    keras = _keras()
    x, y = _diabetes_standardised()
    model = _regressor(10, 8)
    model.compile(keras.optimizers.SGD(1e-3, momentum=0.9), "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=20, batch_size=16, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("slow_momentum_small_validation")])
    _save("slow_momentum_small_validation", h.history)


def overfit_small_validation() -> None:
    """A 512-unit MLP on diabetes, 62 validation rows, Adam at 0.01 for 14 epochs.

    The validation loss turns up by less than 62 rows drift on their own (1/sqrt(62) =
    13%), so FD101's advice asks for K-fold before regularising.
    """
    keras = _keras()
    x, y = _diabetes_standardised()
    model = _regressor(10, 512)
    model.compile(keras.optimizers.Adam(1e-2), "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=14, batch_size=32, validation_split=0.2,
                  verbose=0, callbacks=[_doctor("overfit_small_validation")])
    _save("overfit_small_validation", h.history)


def healthy_digits() -> None:
    """The digits MLP with early stopping: a healthy run, for the must-stay-silent cases."""
    keras = _keras()
    x, y = _digits()
    model = _mlp(64, 64, 10)
    stop = keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)
    h = model.fit(x[:1200], y[:1200], epochs=60, validation_data=(x[1200:], y[1200:]),
                  verbose=0, callbacks=[stop])
    _save("healthy_digits", h.history)


def small_validation() -> None:
    """A validation split of 5% (90 digits): the bare history still tells n_val."""
    x, y = _digits()
    model = _mlp(64, 64, 10)
    h = model.fit(x, y, epochs=15, validation_split=0.05, verbose=0)
    _save("small_validation", h.history)


def worse_than_constant() -> None:
    """SGD at a learning rate of 50 on digits: the loss ends far above ln(10).

    Recorded with FitDoctor, whose run file holds the loss of predicting the class
    frequencies.
    """
    keras = _keras()
    x, y = _digits()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(keras.optimizers.SGD(50.0), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x[:1200], y[:1200], epochs=8, validation_data=(x[1200:], y[1200:]),
                  verbose=0, callbacks=[_doctor("worse_than_constant")])
    _save("worse_than_constant", h.history)


def blew_up_then_froze() -> None:
    """Wine (standardised), RMSprop at a learning rate of 5: the first epochs' loss is
    thousands of times ln(3), then the outputs saturate: a training loss of exactly 0
    and a validation loss that never moves again (a frozen network, FD403).

    Recorded with FitDoctor, whose run file holds the loss of predicting the class
    frequencies.
    """
    from sklearn.datasets import load_wine

    keras = _keras()
    x, y = load_wine(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    x, y = x[idx], y[idx]
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((13,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.RMSprop(5.0), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("blew_up_then_froze")])
    _save("blew_up_then_froze", h.history)


def saturated_after_blow_up() -> None:
    """A binary make_classification (standardised), RMSprop at a learning rate of 5: the
    first epoch's loss is thousands of nats, and it never comes back near what the
    accuracy (~0.7) supports: outputs saturated and confidently wrong (FD404 on the bare
    history, which knows no class count).
    """
    from sklearn.datasets import make_classification

    keras = _keras()
    x, y = make_classification(n_samples=1400, n_features=20, n_informative=8,
                               n_redundant=4, n_clusters_per_class=3, flip_y=0.03,
                               random_state=11)
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(11)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.RMSprop(5.0), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("saturated_after_blow_up")])
    _save("saturated_after_blow_up", h.history)


def val_targets_unscaled() -> None:
    """Diabetes regression: training targets standardised, validation targets left raw."""
    from sklearn.datasets import load_diabetes

    keras = _keras()
    x, y = load_diabetes(return_X_y=True)
    mean, std = y[:350].mean(), y[:350].std()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-2), "mse", metrics=["mae"])
    h = model.fit(x[:350], (y[:350] - mean) / std, epochs=15, batch_size=32,
                  validation_data=(x[350:], y[350:]), verbose=0)
    _save("val_targets_unscaled", h.history)


def val_inputs_off_scale() -> None:
    """Digits: training inputs divided by 16, validation inputs left raw (0..16)."""
    x, y = _digits()
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=10, verbose=0,
                  validation_data=(x[1200:] * 16.0, y[1200:]),
                  callbacks=[_doctor("val_inputs_off_scale")])
    _save("val_inputs_off_scale", h.history)


def inputs_scaled_alike() -> None:
    """Digits: training and validation inputs both divided by 16 (the healthy twin)."""
    x, y = _digits()
    model = _mlp(64, 64, 10)
    h = model.fit(x[:1200], y[:1200], epochs=10, verbose=0,
                  validation_data=(x[1200:], y[1200:]),
                  callbacks=[_doctor("inputs_scaled_alike")])
    _save("inputs_scaled_alike", h.history)


def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    return x[idx].astype("float32"), y[idx]


def _tanh_rmsprop(x: np.ndarray, y: np.ndarray, name: str, *, first: Any = None,
                  n_out: int = 10, loss: str = "sparse_categorical_crossentropy",
                  out: str = "softmax") -> None:
    """32 tanh units under RMSprop for 9 epochs (fresh030's setup), recorded as ``name``."""
    keras = _keras()
    keras.utils.set_random_seed(0)
    layers = [keras.Input(x.shape[1:])] + ([first] if first is not None else [])
    model = keras.Sequential([*layers, keras.layers.Dense(32, activation="tanh"),
                              keras.layers.Dense(n_out, activation=out)])
    model.compile(keras.optimizers.RMSprop(1e-3), loss, metrics=["accuracy"])
    h = model.fit(x, y, epochs=9, validation_split=0.2, verbose=0, callbacks=[_doctor(name)])
    _save(name, h.history)


def raw_digits_tanh() -> None:
    """Digits fed raw (0..16) to 32 tanh units under RMSprop, 9 epochs (fresh030)."""
    _tanh_rmsprop(*_raw_digits(), "raw_digits_tanh")


def pixel_digits_tanh() -> None:
    """The same digits stretched to 0..255 pixels (x * 255 / 16, rounded), fed raw."""
    x, y = _raw_digits()
    _tanh_rmsprop(np.round(x * 255.0 / 16.0), y, "pixel_digits_tanh")


def unit_digits_tanh() -> None:
    """The same digits divided by 16 (values in [0, 1]), as the Keras tutorials scale pixels."""
    x, y = _raw_digits()
    _tanh_rmsprop(x / 16.0, y, "unit_digits_tanh")


def standardized_digits_tanh() -> None:
    """The same digits through a StandardScaler fitted on the training rows only."""
    from sklearn.preprocessing import StandardScaler

    x, y = _raw_digits()
    n_fit = int(len(x) * 0.8)  # validation_split=0.2 keeps the last rows for validation
    x = StandardScaler().fit(x[:n_fit]).transform(x).astype("float32")
    _tanh_rmsprop(x, y, "standardized_digits_tanh")


def normalized_inside_digits_tanh() -> None:
    """Raw digits (0..16) with a Normalization layer adapted on the training rows first."""
    keras = _keras()
    x, y = _raw_digits()
    norm = keras.layers.Normalization()
    norm.adapt(x[: int(len(x) * 0.8)])
    _tanh_rmsprop(x, y, "normalized_inside_digits_tanh", first=norm)


def raw_cancer_tanh() -> None:
    """Breast cancer's raw features (areas up to 2,500 beside smoothness near 0.1)."""
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    _tanh_rmsprop(x[idx].astype("float32"), y[idx], "raw_cancer_tanh", n_out=1,
                  loss="binary_crossentropy", out="sigmoid")


def memorised_digits() -> None:
    """300 digits (240 training rows, a validation_split of 60), a 512x512 Dense network
    (about 1,250 weights per training row), Adam for 40 epochs: the training loss falls
    to a ten-thousandth of the constant predictor's while the validation set of 60 is
    all but error-free and its loss keeps falling (it cannot show the overfitting).

    Recorded with FitDoctor, whose run file holds the model, the data sizes and the
    loss of predicting the class frequencies (FD103).
    """
    x, y = _digits()
    model = _mlp(64, 512, 10, layers=2)
    h = model.fit(x[:300], y[:300], epochs=40, batch_size=16, validation_split=0.2,
                  verbose=0, callbacks=[_doctor("memorised_digits")])
    _save("memorised_digits", h.history)


def memorised_stopped_early() -> None:
    """900 digits (720 training rows, a validation_split of 180), a 512x512 Dense
    network (about 420 weights per training row), Adam with batches of 16 and
    ``EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True)``: the
    training loss falls under 1% of the constant predictor's, the validation loss (a
    few errors in 180) turns up, and EarlyStopping stops 5 epochs after its minimum and
    restores it (FD103 is info: the validation curve saw the turn).
    """
    keras = _keras()
    x, y = _digits()
    model = _mlp(64, 512, 10, layers=2)
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=5,
                                         restore_best_weights=True)
    h = model.fit(x[:900], y[:900], epochs=60, batch_size=16, validation_split=0.2,
                  verbose=0, callbacks=[stop, _doctor("memorised_stopped_early")])
    _save("memorised_stopped_early", h.history)


def memorised_cancer() -> None:
    """50 breast-cancer rows (40 training, a validation_split of 10), a 256x256 Dense
    network (about 1,900 weights per training row), Adam for 150 epochs: the training
    loss falls to ~0 while the 10 validation samples are all right and their loss keeps
    falling (a saturated validation set cannot show the overfitting, FD103).
    """
    from sklearn.datasets import load_breast_cancer

    keras = _keras()
    x, y = load_breast_cancer(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    x, y = x[idx][:50], y[idx][:50]
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((30,)), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=150, batch_size=8, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("memorised_cancer")])
    _save("memorised_cancer", h.history)


def memorised_wine() -> None:
    """50 wine rows (40 training, a validation_split of 10), a 256x256 Dense network
    (about 1,700 weights per training row), Adam for 150 epochs: the training loss falls
    to ~0 while the 10 validation samples are all right and their loss keeps falling:
    a saturated validation set cannot show the overfitting (FD103).
    """
    from sklearn.datasets import load_wine

    x, y = load_wine(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    x, y = x[idx][:50], y[idx][:50]
    x = (x - x.mean(0)) / x.std(0)
    model = _mlp(13, 256, 3, layers=2)
    h = model.fit(x, y, epochs=150, batch_size=8, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("memorised_wine")])
    _save("memorised_wine", h.history)


def memorised_separable() -> None:
    """700 moons with noise 0.05 (560 training rows, a validation_split of 140: the two
    half-moons barely touch), a 256x256 Dense network (about 120 weights per training
    row), Adam for 50 epochs: the training loss falls to ~0, memorised, while the 140
    validation samples are all right: no held-out mistakes to grow confident about, the
    error rate on new data below 2.7% (95%), so FD103 is info.
    """
    from sklearn.datasets import make_moons

    x, y = make_moons(n_samples=700, noise=0.05, random_state=0)
    model = _mlp(2, 256, 1, layers=2, out="sigmoid", loss="binary_crossentropy")
    h = model.fit(x, y, epochs=50, batch_size=16, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("memorised_separable")])
    _save("memorised_separable", h.history)


def memorised_under_noise() -> None:
    """250 breast-cancer rows (200 training, a validation_split of 50), GaussianNoise(0.3)
    on the inputs, then a 384x384 Dense network (about 770 weights per training row),
    Adam for 60 epochs: Keras measures the training loss with the noise on, so over the
    last epochs it swings between 0.2% and 3% of the constant predictor's (FD103 reads
    the lowest recent reading under training noise). Two of the 50 validation samples
    are wrong and their loss rises (FD101).
    """
    from sklearn.datasets import load_breast_cancer

    keras = _keras()
    x, y = load_breast_cancer(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    x, y = x[idx][:250], y[idx][:250]
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((30,)), keras.layers.GaussianNoise(0.3),
                              keras.layers.Dense(384, activation="relu"),
                              keras.layers.Dense(384, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=60, batch_size=16, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("memorised_under_noise")])
    _save("memorised_under_noise", h.history)


def _digits_pool_mlp(units: int, optimizer: Any, seed: int) -> Any:
    """One ReLU layer of ``units`` on the recorder's digits pool (seeded), compiled."""
    keras = _keras()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((64,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def step_cut_froze_descent() -> None:
    """Plain SGD at 0.02 on the recorder's digits pool, 64 units, 30 epochs, a step
    schedule dividing the rate by 10 after half the run and again after 3/4 (the
    notconv probe's batch 5, digits_sgd_step_0.02_s41): the training loss still falls
    ~7% an epoch when the first cut comes, and flattens that very epoch, 6-7 points below
    logistic regression. The plateau is the cut's, not the network's size.
    """
    keras = _keras()
    x, y = _recorder_pool("digits")
    steps = -(-int(len(x) * 0.8) // 32)
    lr = keras.optimizers.schedules.PiecewiseConstantDecay(
        [steps * 15, steps * 22], [0.02, 0.002, 0.0002])
    model = _digits_pool_mlp(64, keras.optimizers.SGD(lr), 41)
    h = model.fit(x, y, epochs=30, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("step_cut_froze_descent")])
    _save("step_cut_froze_descent", h.history)


def momentum_loss_climbs() -> None:
    """Momentum SGD (0.9) at 0.5 on the recorder's digits pool, 128 units, 20 epochs (the
    corpus's digits_momentum_lr0.5): the training loss reaches its low within the first
    epochs, then the steps undo the fit and it climbs back well above it while the
    training accuracy falls; the network ends far below logistic regression.
    """
    keras = _keras()
    x, y = _recorder_pool("digits")
    model = _digits_pool_mlp(128, keras.optimizers.SGD(0.5, momentum=0.9), 2)
    h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("momentum_loss_climbs")])
    _save("momentum_loss_climbs", h.history)


def restore_decided_by_loss() -> None:
    """1024 ReLU units on the recorder's clf200 pool (200 rows, 40 of them validating),
    Adam 1e-3, batches of 16, EarlyStopping(patience=10, restore_best_weights=True) on
    the validation loss, seed 31 (the healthy probe's batch 2, clf200_w1024_es_s31): the
    validation accuracy of the kept epoch and the last are one or two rows apart, within
    its ±10-point interval, while the validation loss rises smoothly after the kept epoch:
    the loss that chose the epoch tells them apart.
    """
    keras = _keras()
    x, y = _recorder_pool("clf200")
    keras.utils.set_random_seed(31)
    model = keras.Sequential([keras.Input((x.shape[1],)),
                              keras.layers.Dense(1024, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(keras.optimizers.Adam(1e-3), "binary_crossentropy", metrics=["accuracy"])
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=10,
                                         restore_best_weights=True)
    h = model.fit(x, y.astype("float32"), epochs=60, batch_size=16, validation_split=0.2,
                  verbose=0, callbacks=[stop, _doctor("restore_decided_by_loss")])
    _save("restore_decided_by_loss", h.history)


def sigmoid_sgd_creeps_at_mean() -> None:
    """Friedman #1 (the recorder's ``friedman`` pool: 70% of 1,000 rows, inputs and target
    standardised), sigmoid layers of 4 and 32 units under plain SGD at 0.0025 with
    batches of 128 for 80 epochs: the training loss falls a tenth in a few epochs, then
    creeps down a few hundredths of a percent an epoch for the rest of the run, still
    near the training mean's own loss, while gradient boosting reaches a fraction of it.
    The network learned nothing from its inputs (the optimisation, not too few units),
    and its loss's own small range must not make that creep look like progress.
    Recorded with FitDoctor, which fits the reference models itself.
    """
    keras = _keras()
    x, y = _recorder_pool("friedman")
    keras.utils.set_random_seed(61)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(4, activation="sigmoid"),
                              keras.layers.Dense(32, activation="sigmoid"),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.00245), "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=80, batch_size=128, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("sigmoid_sgd_creeps_at_mean")])
    _save("sigmoid_sgd_creeps_at_mean", h.history)


def raw_targets_still_descending() -> None:
    """Diabetes with its targets left unscaled (the recorder's ``diabetes_rawy`` pool:
    targets 25..346), 64 tanh units under RMSprop at 0.0133 decaying to a tenth over the
    run (ExponentialDecay), batches of 32, 22 epochs: the loss starts near the mean
    squared target (a network predicting ~0) and is still falling over 1% an epoch at
    the end, still above what predicting the training mean loses. Unfinished (FD301):
    the descent toward the mean says nothing yet about the network's width. Recorded with
    FitDoctor, which fits the reference models itself.
    """
    keras = _keras()
    x, y = _recorder_pool("diabetes_rawy")
    keras.utils.set_random_seed(61)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(64, activation="tanh"),
                              keras.layers.Dense(1)])
    steps = 22 * int(np.ceil(0.75 * len(x) / 32))
    rate = keras.optimizers.schedules.ExponentialDecay(0.0133, steps, 0.1)
    model.compile(keras.optimizers.RMSprop(rate), "mse", metrics=["mae"])
    h = model.fit(x, y, epochs=22, batch_size=32, validation_split=0.25, verbose=0,
                  callbacks=[_doctor("raw_targets_still_descending")])
    _save("raw_targets_still_descending", h.history)


def penalty_only_in_training() -> None:
    """Diabetes (standardised), 64 ReLU units, Adam 1e-3, 40 epochs, metrics=["mse"],
    with a layer that adds a penalty to the loss only while training (``add_loss`` under
    ``training=True``: the term a custom training loop adds and evaluation leaves out;
    here the squared norm of a frozen weight, a constant 0.3 as in the KAN logs in the
    wild corpus). The logged ``loss`` is ``mse`` + 0.3 and barely moves in relative
    terms, while ``val_loss`` is logged identical to ``val_mse``: judged on ``loss`` the
    run would look stuck and its validation loss far below training.
    """
    keras = _keras()
    from keras import ops

    class TrainingPenalty(keras.layers.Layer):  # type: ignore[misc]
        def build(self, input_shape: Any) -> None:
            self.frozen = self.add_weight(shape=(3,), initializer=keras.initializers.Constant(
                np.sqrt(0.1)), trainable=False)

        def call(self, x: Any, training: bool | None = None) -> Any:
            if training:
                self.add_loss(ops.sum(ops.square(self.frozen)))
            return x

    x, y = _diabetes_standardised()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(64, activation="relu"),
                              TrainingPenalty(), keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(1e-3), "mse", metrics=["mse"])
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.2, verbose=0)
    _save("penalty_only_in_training", h.history)
def softmax_on_clusters() -> None:
    """A softmax regression (Dense(3, softmax) straight on 20 standardised inputs) on three
    classes of two clusters each (make_classification): no hidden layer, so a linear
    model of its inputs; it plateaus below gradient boosting. Recorded with FitDoctor,
    which fits the reference model itself. FD201's capacity advice must be a hidden
    layer, not more units.
    """
    from sklearn.datasets import make_classification

    keras = _keras()
    x, y = make_classification(1500, 20, n_informative=6, n_redundant=2, n_classes=3,
                               n_clusters_per_class=2, flip_y=0.02, random_state=1)
    x = (x - x.mean(0)) / x.std(0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20,)), keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x, y, epochs=40, batch_size=64, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("softmax_on_clusters")])
    _save("softmax_on_clusters", h.history)


def linear_on_circles() -> None:
    """A logistic unit on concentric circles (make_circles): no straight boundary splits
    them, so it stays at chance while gradient boosting separates them. It learned
    nothing, and not because of its optimisation: with no hidden layer it cannot. Recorded
    with FitDoctor, which fits the reference model itself.
    """
    from sklearn.datasets import make_circles

    x, y = make_circles(1000, noise=0.08, factor=0.5, random_state=0)
    model = _logistic_unit(2, lr=0.01)
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("linear_on_circles")])
    _save("linear_on_circles", h.history)


def linear_overfits_wide() -> None:
    """A logistic unit on 300 features and 150 training rows (make_classification, 10
    informative): with more weights than rows it fits the training rows ever better while
    its validation loss turns up. No hidden layer: the remedies are L2 on the output layer
    and fewer features, not dropout after hidden layers or fewer units. Recorded with
    FitDoctor.
    """
    from sklearn.datasets import make_classification

    x, y = make_classification(300, 300, n_informative=10, n_redundant=0, flip_y=0.05,
                               random_state=2)
    x = (x - x.mean(0)) / x.std(0)
    model = _logistic_unit(300, lr=0.01)
    h = model.fit(x[:150], y[:150], epochs=60, batch_size=16,
                  validation_data=(x[150:], y[150:]), verbose=0,
                  callbacks=[_doctor("linear_overfits_wide")])
    _save("linear_overfits_wide", h.history)


def linear_on_circles_from_a_bias() -> None:
    """A logistic unit on concentric circles started from a bias of 3 (every prediction
    near class 1): the training loss falls from about 1.5 to ln 2 in a few epochs and
    plateaus there, at chance, where gradient boosting separates the circles. A plateau
    (FD201), not a flat loss: the model learned nothing because a linear model of the
    inputs cannot, not because of its optimisation. Recorded with FitDoctor, which fits
    the reference model itself.
    """
    from sklearn.datasets import make_circles

    keras = _keras()
    x, y = make_circles(1000, noise=0.08, factor=0.5, random_state=0)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(1, activation="sigmoid",
                           bias_initializer=keras.initializers.Constant(3.0)),
    ])
    model.compile(keras.optimizers.Adam(0.05), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(x, y, epochs=40, batch_size=32, validation_split=0.2, verbose=0,
                  callbacks=[_doctor("linear_on_circles_from_a_bias")])
    _save("linear_on_circles_from_a_bias", h.history)


def _raw_cancer_one_hidden(activation: str, lr: float) -> Any:
    """32 ``activation`` units under plain SGD at ``lr`` on breast cancer's features as
    they come (values up to 4,254), seeded, binary cross-entropy."""
    keras = _keras()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((30,)),
        keras.layers.Dense(32, activation=activation),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(keras.optimizers.SGD(lr), "binary_crossentropy", metrics=["accuracy"])
    return model


def _raw_cancer() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_breast_cancer

    x, y = load_breast_cancer(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    return x[idx], y[idx]


def one_class_sigmoid_unscaled() -> None:
    """A sigmoid layer on breast cancer's unscaled features, plain SGD at 0.1, 20 epochs,
    a validation_split of 0.2 of shuffled rows: the units saturate, and from the first
    epoch every validation row gets the majority class (0.588 at every epoch, the
    training accuracy 0.637 from the second) while the loss eases 0.693 -> 0.661. The
    network learned nothing (FD202).
    """
    x, y = _raw_cancer()
    model = _raw_cancer_one_hidden("sigmoid", 0.1)
    h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0)
    _save("one_class_sigmoid_unscaled", h.history)


def one_class_after_wild_start() -> None:
    """ReLU units on the same unscaled features at SGD 0.01: a first epoch at a loss of
    hundreds, then every validation row the majority class for the 19 epochs after it
    (FD202, judged after the wild start).
    """
    x, y = _raw_cancer()
    model = _raw_cancer_one_hidden("relu", 0.01)
    h = model.fit(x, y, epochs=20, batch_size=32, validation_split=0.2, verbose=0)
    _save("one_class_after_wild_start", h.history)


def _accuracies(history: dict[str, list[float]]) -> dict[str, list[float]]:
    """What a loop that keeps only accuracies has: the history without its losses."""
    return {k: v for k, v in history.items() if "loss" not in k}


def accuracy_only_overfits() -> None:
    """Digits with 40% of the training labels flipped, 2×512 units for 50 epochs, kept as
    accuracies alone: the validation accuracy peaks early and falls as the network
    memorises the flipped labels, while the training accuracy climbs (FD101 on the error
    rate)."""
    x, y = _digits()
    rng = np.random.default_rng(12345)
    train = y[:1200].copy()
    flip = rng.random(train.size) < 0.4
    train = np.where(flip, (train + rng.integers(1, 10, train.size)) % 10, train)
    model = _mlp(64, 512, 10, layers=2)
    h = model.fit(x[:1200], train, epochs=50, batch_size=32,
                  validation_data=(x[1200:], y[1200:]), verbose=0)
    _save("accuracy_only_overfits", _accuracies(h.history))


def accuracy_only_small_validation() -> None:
    """Iris, 21 validation rows, 2×128 units at Adam 0.01 for 100 epochs, kept as
    accuracies alone: the validation accuracy steps down a row (0.952 → 0.905, 4.8 points)
    from epoch 25 on while the training accuracy reaches 1.0: within a proportion's
    standard error on 21 rows (FD101 silent; without `error_rate_z` it fires)."""
    from sklearn.datasets import load_iris

    x, y = load_iris(return_X_y=True)
    idx = np.random.default_rng(0).permutation(len(x))
    x, y = x[idx], y[idx]
    x = (x - x[:129].mean(0)) / x[:129].std(0)
    model = _mlp(4, 128, 3, layers=2, lr=1e-2)
    h = model.fit(x[:129], y[:129], epochs=100, batch_size=8,
                  validation_data=(x[129:], y[129:]), verbose=0)
    _save("accuracy_only_small_validation", _accuracies(h.history))


def accuracy_only_swings() -> None:
    """Digits, 256 units under RMSprop at 0.01 with batches of 8, 20 epochs, kept as
    accuracies alone: the validation accuracy jumps 0.95 ↔ 0.99 from epoch to epoch on
    597 rows (FD412 on the error rate)."""
    keras = _keras()
    x, y = _digits()
    model = _mlp(64, 256, 10)
    model.compile(keras.optimizers.RMSprop(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x[:1200], y[:1200], epochs=20, batch_size=8,
                  validation_data=(x[1200:], y[1200:]), verbose=0)
    _save("accuracy_only_swings", _accuracies(h.history))


def accuracy_only_still_rising() -> None:
    """Digits, 64 units under plain SGD at 0.01 for 10 epochs, kept as accuracies alone:
    both accuracies still climb two points or more an epoch at the end (FD301 on the error
    rate)."""
    keras = _keras()
    x, y = _digits()
    model = _mlp(64, 64, 10)
    model.compile(keras.optimizers.SGD(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    h = model.fit(x[:1200], y[:1200], epochs=10, batch_size=32,
                  validation_data=(x[1200:], y[1200:]), verbose=0)
    _save("accuracy_only_still_rising", _accuracies(h.history))


def accuracy_only_val_labels_shuffled() -> None:
    """:func:`val_labels_shuffled`'s recording kept as accuracies alone: the validation
    accuracy at chance while the training accuracy climbs (FD705 on the error rate)."""
    history = json.loads((OUT / "val_labels_shuffled.json").read_text(encoding="utf-8"))
    _save("accuracy_only_val_labels_shuffled", _accuracies(history))


PATTERNS: dict[str, Callable[[], None]] = {
    f.__name__: f
    for f in (
        too_short, short_still_falling, val_labels_shuffled, val_inputs_unscaled,
        val_unseen_class, sorted_validation_split, sorted_split_class_learnt_late,
        tiny_shuffled_validation,
        unscaled_still_falling, rise_then_plateau, overfit_with_spikes,
        training_loss_spikes, near_perfect_binary, linear_on_moons, linear_on_clusters,
        slow_sgd_regression, regression_long_descent, slow_momentum_small_validation,
        overfit_small_validation, narrow_with_gap,
        gru_below_useless_reference, sigmoid_stack_learns_nothing, narrow_still_creeping,
        healthy_digits,
        small_validation, worse_than_constant, val_targets_unscaled, blew_up_then_froze,
        saturated_after_blow_up,
        val_inputs_off_scale, inputs_scaled_alike,
        raw_digits_tanh, pixel_digits_tanh, unit_digits_tanh, standardized_digits_tanh,
        normalized_inside_digits_tanh, raw_cancer_tanh,
        memorised_digits, memorised_cancer, memorised_wine, memorised_under_noise,
        memorised_stopped_early,
        memorised_separable, heavy_dropout_at_reference, heavy_dropout_short_of_reference,
        l2_collapse_on_moons, sigmoid_output_regression, dropout_short_of_reference,
        linear_mae_regression, step_cut_froze_descent, momentum_loss_climbs,
        restore_decided_by_loss, linear_easy_tiny_validation,
        sigmoid_sgd_creeps_at_mean, raw_targets_still_descending, penalty_only_in_training,
        softmax_on_clusters, linear_on_circles, linear_overfits_wide,
        linear_on_circles_from_a_bias, one_class_sigmoid_unscaled, one_class_after_wild_start,
        short_run_turns_up, short_climb_recovers,
        accuracy_only_overfits, accuracy_only_small_validation, accuracy_only_swings,
        accuracy_only_still_rising, accuracy_only_val_labels_shuffled,
    )
}


def main(names: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    unknown = [n for n in names if n not in PATTERNS]
    if unknown:
        print(f"unknown pattern {unknown[0]!r}; known: {', '.join(PATTERNS)}", file=sys.stderr)
        return 2
    for name in names or list(PATTERNS):
        PATTERNS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
