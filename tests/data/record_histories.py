#!/usr/bin/env python
"""Record a corpus of REAL Keras training histories with test-set ground truth.

Usage:
    python tests/data/record_histories.py [--out DIR] [--only NAME[,NAME...]]
                                          [--jobs N] [--relabel] [--list]

For every run NAME this writes
  DIR/NAME.json     exactly ``json.dump(history.history, f)`` -- what a user has
  DIR/labels.json   {NAME: {dataset, config, seed, test_loss, test_metric,
                            label, label_reason, ...}}  (all runs, one file)

``--only`` takes run names or fnmatch patterns (e.g. ``'digits300_*'``); only
those runs are retrained, the other entries of labels.json are kept, and every
entry is relabelled.  ``--relabel`` retrains nothing, it only recomputes the
labels from the stored curves.  ``--jobs`` (default 2) trains in that many
worker processes, each single-threaded.

Data: scikit-learn bundled sets and generators only (no downloads).  Each data
set has ONE fixed stratified train/test split (random_state=0, 30% test); the
test split is never shown to Keras.  Validation is either
``validation_split=0.2`` (Keras takes the last 20% of the training arrays) or
``validation_data`` (20% of the training pool carved off beforehand).  A small
callback evaluates the model on the test split at the end of every epoch
(``training=False``, loss = compiled data loss + regularisation penalties, i.e.
the same quantity as Keras' ``val_loss``).  After ``fit`` the test loss/metric
of the final model are recorded as ``test_loss_final``/``test_metric_final``
(differs from the last epoch when EarlyStopping(restore_best_weights=True)
restored earlier weights).  test_metric is accuracy (classification) or MAE
(regression).

LABELLING RULES (ground truth; evaluated in this order, first match wins).
Notation: L = per-epoch train loss (history["loss"]), T = per-epoch test loss,
E = number of epochs run, w = max(2, ceil(0.2*E)) = "last epochs" window,
noise(s) = median |second difference| / 1.7 over the second half of the run
(epoch-to-epoch noise that ignores a steady trend),
C = loss of the best constant predictor on the training rows (entropy of the
class frequencies, or var(y) for regression), late = median(L[-w:]),
restored = EarlyStopping(restore_best_weights=True) was active,
T_end = test_loss_final if restored else mean(T[-2:]).

 1. diverged      any non-finite train or test loss, or the train loss
                  exploded: max(L[1:]) > 3*L[0].
 2. stalled       train loss barely moves from epoch 1:
                  (max(L) - min(L)) / L[0] < 0.03 (lr=1e-7, zero init...).
 3. diverged      blown-up weights without NaN: (classification) late > 1.5*C,
                  i.e. much worse than predicting the class frequencies; or
                  L[0] > 100*C (epoch 1 blew up) and the model then collapsed
                  to a constant predictor (|late/C - 1| < 5% and flat);
                  (regression) late > 10*C.
 4. unstable      losses oscillate strongly.  wiggle(s) = (total variation of
                  s minus the variation of a unimodal curve with the same
                  start, minimum and end) / (E-1): the average per-epoch
                  up-and-down movement NOT explained by "falls, then rises".
                  unstable if wiggle(L) > 0.10 * max(median(L 2nd half),
                  0.1*L[0]) or wiggle(T) > 0.15 * max(median(T 2nd half),
                  0.1*T[0]).
 5. overfitting   the final model is materially worse than the test optimum
                  reached earlier while training kept improving:
                  T_end > 1.10*min(T) and T_end - min(T) > 2*noise(T), and
                  (unless restored) argmin(T) <= E-w-1 (minimum clearly before
                  the end), L[-1] < L[argmin T] (train loss kept falling) and
                  L[-1] < min(T) (train fit better than the model ever
                  generalised).
                  With restored weights the restored model is judged (this
                  catches runs whose validation split did not track the test
                  set).
 6. not-converged (not restored) the test loss is still falling: with
                  t_fall = mean(T[-w-2:-w]) - mean(T[-2:]),
                  t_fall > 2*noise(T), train loss also fell in the window,
                  t_fall >= 3% of the test loss' total decrease and either
                  > 1%/epoch relative decrease or >= 10% of the total
                  decrease happened in the last w epochs;  OR the train loss
                  is still falling (last w epochs >= 15% of its total
                  decrease and > 2*noise(L)) while the test loss is not rising.
 7. underfitting  plateaued at a poor level: final test metric worse than the
                  reference for that data set by more than a margin AND the
                  training metric (last epoch of history) is poor too.
                  Reference = best of scikit-learn models (logistic
                  regression, RBF-SVM, random forest / ridge, RBF-SVR, random
                  forest) trained on the same 80% of the training pool.
                  Classification: acc_test < ref - max(0.03, 2*SE(ref)) and
                  acc_train < ref + 0.01.  Regression (MAE): mae_test >
                  1.15*ref and mae_train > 0.9*ref.
 8. healthy       everything else: converged, early stopped or regularised;
                  final test loss within noise/10% of its minimum and test
                  metric near the reference.

Each run also stores ``intended`` (the label its config was designed to
provoke) so that surprises can be listed; labels come from the rules above,
never from ``intended``.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "histories")
SEEDS = (0, 1, 2)

# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
# variant -> (base, task, train subset size or None, scaling)
VARIANTS = {
    "digits": ("digits", "multiclass", None, "div16"),
    "digits_raw": ("digits", "multiclass", None, "none"),
    "digits300": ("digits", "multiclass", 300, "div16"),
    "breast_cancer": ("breast_cancer", "binary", None, "std"),
    "breast_cancer_raw": ("breast_cancer", "binary", None, "none"),
    "wine": ("wine", "multiclass", None, "std"),
    "wine_raw": ("wine", "multiclass", None, "none"),
    "iris": ("iris", "multiclass", None, "std"),
    "diabetes": ("diabetes", "regression", None, "y_std"),  # y standardised
    "diabetes_rawy": ("diabetes", "regression", None, "none"),  # y in 25..346
    "clf": ("clf", "binary", None, "std"),
    "clf200": ("clf", "binary", 200, "std"),
    "moons": ("moons", "binary", None, "none"),
}

_DATA_CACHE: dict = {}


def _base_arrays(base):
    from sklearn import datasets

    if base == "digits":
        X, y = datasets.load_digits(return_X_y=True)
    elif base == "breast_cancer":
        X, y = datasets.load_breast_cancer(return_X_y=True)
    elif base == "wine":
        X, y = datasets.load_wine(return_X_y=True)
    elif base == "iris":
        X, y = datasets.load_iris(return_X_y=True)
    elif base == "diabetes":
        X, y = datasets.load_diabetes(return_X_y=True)
    elif base == "clf":
        X, y = datasets.make_classification(
            n_samples=2000, n_features=20, n_informative=8, n_redundant=4,
            n_clusters_per_class=3, class_sep=1.0, flip_y=0.03, random_state=0)
    elif base == "moons":
        X, y = datasets.make_moons(n_samples=1000, noise=0.25, random_state=0)
    else:
        raise KeyError(base)
    return X.astype("float64"), y


def load_variant(name):
    """Return dict with Xtr, ytr (training pool), Xte, yte and metadata."""
    if name in _DATA_CACHE:
        return _DATA_CACHE[name]
    from sklearn.model_selection import train_test_split

    base, task, subset, scaling = VARIANTS[name]
    X, y = _base_arrays(base)
    strat = None if task == "regression" else y
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=strat)
    if subset is not None:
        Xtr, _, ytr, _ = train_test_split(
            Xtr, ytr, train_size=subset, random_state=0,
            stratify=None if task == "regression" else ytr)
    if scaling == "div16":
        Xtr, Xte = Xtr / 16.0, Xte / 16.0
    elif scaling in ("std", "y_std") and base != "diabetes":
        mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-12
        Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    ytr = ytr.astype("float32" if task == "regression" else "int64")
    yte = yte.astype("float32" if task == "regression" else "int64")
    if scaling == "y_std":
        mu, sd = ytr.mean(), ytr.std()
        ytr, yte = (ytr - mu) / sd, (yte - mu) / sd
    n_classes = int(max(ytr.max(), yte.max()) + 1) if task != "regression" else 1
    d = dict(Xtr=Xtr.astype("float32"), ytr=ytr, Xte=Xte.astype("float32"),
             yte=yte, task=task, n_classes=n_classes, base=base)
    _DATA_CACHE[name] = d
    return d


# --------------------------------------------------------------------------
# configurations
# --------------------------------------------------------------------------
def C(name, data, intended, seeds=SEEDS, **cfg):
    base = dict(units=[64], act="relu", l2=0.0, dropout=0.0, opt="adam",
                lr=1e-3, batch=32, epochs=30, es=None, rlrop=None,
                val="split", vfreq=1, init=None, onehot=False)
    unknown = set(cfg) - set(base)
    if unknown:
        raise KeyError(unknown)
    base.update(cfg)
    return dict(name=name, data=data, intended=intended, seeds=tuple(seeds),
                cfg=base)


BIG2 = [512, 512]
BIG3 = [512, 512, 512]
ES10 = dict(patience=10, restore=True)
RLROP = dict(factor=0.5, patience=3, min_lr=1e-5)

# Epoch counts are kept as small as still shows the intended behaviour (the
# whole corpus has to train in ~15 min on 2 CPU cores).
CONFIGS = [
    # ---------------- overfitting: big nets, little data, many epochs -------
    C("digits300_1024x2_adam", "digits300", "overfitting", units=[1024, 1024],
      epochs=30),
    C("digits300_big3_rmsprop_vdata_vfreq2", "digits300", "overfitting",
      units=BIG3, opt="rmsprop", epochs=40, val="data", vfreq=2),
    C("digits_tutorial_30ep", "digits", "overfitting", units=[512],
      opt="rmsprop", batch=128, epochs=30, onehot=True),
    C("bc_big2_adam", "breast_cancer", "overfitting", units=BIG2, epochs=40,
      batch=16),
    C("wine_big2_adam", "wine", "overfitting", units=BIG2, epochs=50,
      batch=16),
    C("iris_big2_adam", "iris", "overfitting", units=BIG2, epochs=60,
      batch=16),
    C("clf200_big2_adam", "clf200", "overfitting", units=BIG2, epochs=40,
      batch=16),
    # different seeds: validation_data = last 20% of the pool, i.e. the same
    # training rows as validation_split, so seeds 0-2 would repeat the run above
    C("clf200_big2_adam_vdata_vfreq2", "clf200", "overfitting", units=BIG2,
      epochs=40, batch=16, val="data", vfreq=2, seeds=(3, 4, 5)),
    C("diabetes_big2_adam", "diabetes", "overfitting", units=BIG2,
      epochs=60, lr=3e-3),
    # ---------------- healthy: same with regularisation / early stopping ----
    C("digits300_big2_es", "digits300", "healthy", units=BIG2, epochs=40,
      es=ES10),
    C("digits300_big2_l2", "digits300", "healthy", units=BIG2, epochs=40,
      l2=1e-3),
    C("digits300_big2_dropout_l2", "digits300", "healthy", units=BIG2,
      epochs=40, dropout=0.5, l2=1e-4),
    C("bc_big2_es", "breast_cancer", "healthy", units=BIG2, epochs=40,
      batch=16, es=ES10),
    C("bc_big2_l2", "breast_cancer", "healthy", units=BIG2, epochs=40,
      batch=16, l2=1e-2),
    C("clf200_big2_dropout_es", "clf200", "healthy", units=BIG2, epochs=40,
      batch=16, dropout=0.5, es=ES10, val="data"),
    C("clf_mlp_es_rlrop", "clf", "healthy", units=[128, 64], epochs=40,
      es=dict(patience=12, restore=True), rlrop=RLROP),
    C("diabetes_mlp_es", "diabetes", "healthy", units=[64, 64], epochs=100,
      es=dict(patience=15, restore=True), val="data"),
    C("diabetes_l2_dropout", "diabetes", "healthy", units=[64], epochs=50,
      l2=1e-2, dropout=0.3),
    C("digits_tutorial", "digits", "healthy", units=[512], opt="rmsprop",
      batch=128, epochs=10, onehot=True),
    C("digits_mlp_rlrop", "digits", "healthy", units=[256], epochs=30,
      rlrop=RLROP, es=ES10),
    C("digits_mlp_l2_vfreq2", "digits", "healthy", units=[128], epochs=30,
      l2=1e-3, vfreq=2),
    C("iris_small_adam_es", "iris", "healthy", units=[16], lr=1e-2,
      epochs=60, batch=16, es=dict(patience=15, restore=True)),
    C("wine_small_l2", "wine", "healthy", units=[32], lr=3e-3, epochs=40,
      batch=16, l2=1e-2),
    C("moons_mlp_es", "moons", "healthy", units=[32, 32], lr=3e-3,
      epochs=60, es=dict(patience=10, restore=True)),
    # ---------------- not converged: too few epochs / tiny lr --------------
    C("digits_tutorial_3ep", "digits", "not-converged", units=[512],
      opt="rmsprop", batch=128, epochs=3, onehot=True),
    C("digits_sgd_lr1e-2", "digits", "not-converged", units=[64], opt="sgd",
      lr=1e-2, epochs=20),
    C("digits_adam_lr1e-4", "digits", "not-converged", units=[128], lr=1e-4,
      epochs=15, val="data"),
    C("bc_adam_lr1e-4", "breast_cancer", "not-converged", units=[32],
      lr=1e-4, epochs=20),
    C("wine_sgd_lr3e-3_vfreq2", "wine", "not-converged", units=[16],
      opt="sgd", lr=3e-3, epochs=30, batch=16, vfreq=2),
    C("diabetes_rawy_adam", "diabetes_rawy", "not-converged", units=[64, 64],
      lr=1e-3, epochs=15),
    C("clf_sgd_lr1e-2", "clf", "not-converged", units=[64], opt="sgd",
      lr=1e-2, epochs=15, batch=64),
    C("moons_big_5ep", "moons", "not-converged", units=[64, 64], epochs=5,
      batch=64),
    # ---------------- stalled: nothing happens -----------------------------
    C("digits_adam_lr1e-7", "digits", "stalled", units=[128], lr=1e-7,
      epochs=12),
    C("bc_sgd_lr1e-7", "breast_cancer", "stalled", units=[32], opt="sgd",
      lr=1e-7, epochs=15),
    C("diabetes_rawy_sgd_lr1e-9", "diabetes_rawy", "stalled", units=[32],
      opt="sgd", lr=1e-9, epochs=15),
    C("digits_zero_init", "digits", "stalled", units=[64, 64], init="zeros",
      epochs=12),
    C("clf_adam_lr1e-7_vfreq2", "clf", "stalled", units=[64], lr=1e-7,
      epochs=12, vfreq=2, batch=64),
    # ---------------- underfitting: too little capacity --------------------
    C("digits_2units", "digits", "underfitting", units=[2], lr=1e-2,
      epochs=30, batch=64),
    C("digits_heavy_l2", "digits", "underfitting", units=[128], l2=0.3,
      epochs=25, batch=64),
    C("moons_linear", "moons", "underfitting", units=[], lr=3e-2, epochs=25,
      batch=64),
    C("clf_linear", "clf", "underfitting", units=[], lr=3e-2, epochs=25,
      batch=64),
    C("clf_1unit", "clf", "underfitting", units=[1], lr=1e-2, epochs=30,
      batch=64, val="data"),
    C("wine_1unit_l2", "wine", "underfitting", units=[1], lr=1e-2, epochs=40,
      batch=16, l2=0.1),
    C("diabetes_1unit_sigmoid_l2", "diabetes", "underfitting", units=[1],
      act="sigmoid", l2=1.0, lr=1e-2, epochs=40),
    # ---------------- diverged: lr far too high / unscaled data ------------
    C("digits_sgd_lr50", "digits", "diverged", units=[64], opt="sgd", lr=50.0,
      epochs=10),
    C("digits_raw_sgd_lr1", "digits_raw", "diverged", units=[128], opt="sgd",
      lr=1.0, epochs=10),
    C("diabetes_rawy_sgd_lr0.1", "diabetes_rawy", "diverged", units=[64],
      opt="sgd", lr=0.1, epochs=10),
    C("bc_raw_sgd_lr5", "breast_cancer_raw", "diverged", units=[32],
      opt="sgd", lr=5.0, epochs=10),
    C("wine_raw_adam_lr10_vfreq2", "wine_raw", "diverged", units=[64],
      lr=10.0, epochs=12, batch=16, vfreq=2),
    C("clf_sgd_lr20", "clf", "diverged", units=[256, 256], opt="sgd",
      lr=20.0, epochs=10),
    # ---------------- unstable: high lr with tiny batches ------------------
    C("digits_adam_lr0.05_b8", "digits", "unstable", units=[128], lr=0.05,
      batch=8, epochs=12),
    C("digits_rmsprop_lr0.02_b8", "digits", "unstable", units=[256],
      opt="rmsprop", lr=0.02, batch=8, epochs=12),
    C("clf_adam_lr0.05_b8", "clf", "unstable", units=[128, 128], lr=0.05,
      batch=8, epochs=12),
    C("bc_sgd_lr0.5_b8", "breast_cancer", "unstable", units=[64], opt="sgd",
      lr=0.5, batch=8, epochs=15),
    C("diabetes_sgd_lr1_b8", "diabetes", "unstable", units=[64], opt="sgd",
      lr=1.0, batch=8, epochs=15),
    C("moons_adam_lr0.3_b8_vdata", "moons", "unstable", units=[64, 64],
      lr=0.3, batch=8, epochs=15, val="data"),
]


def expand_runs(configs=CONFIGS):
    runs = []
    for c in configs:
        for s in c["seeds"]:
            runs.append(dict(c, seed=s, run=f"{c['name']}_s{s}"))
    return runs


def short_config(cfg):
    """Compact, JSON-able description stored in labels.json."""
    d = dict(units=cfg["units"], layers=len(cfg["units"]), act=cfg["act"],
             l2=cfg["l2"], dropout=cfg["dropout"], optimizer=cfg["opt"],
             lr=cfg["lr"], batch=cfg["batch"], epochs=cfg["epochs"],
             early_stopping=cfg["es"], reduce_lr_on_plateau=cfg["rlrop"],
             validation=("validation_split=0.2" if cfg["val"] == "split"
                         else "validation_data (20% of training pool)"),
             validation_freq=cfg["vfreq"])
    if cfg["init"]:
        d["kernel_initializer"] = cfg["init"]
    if cfg["onehot"]:
        d["loss"] = "categorical_crossentropy (one-hot)"
    return d


# --------------------------------------------------------------------------
# training (runs inside worker processes)
# --------------------------------------------------------------------------
def train_one(run):
    import keras

    cfg, seed = run["cfg"], run["seed"]
    d = load_variant(run["data"])
    keras.backend.clear_session()
    task, k = d["task"], d["n_classes"]
    Xtr, ytr, Xte, yte = d["Xtr"], d["ytr"], d["Xte"], d["yte"]

    keras.utils.set_random_seed(seed)
    reg = keras.regularizers.l2(cfg["l2"]) if cfg["l2"] else None
    init = cfg["init"] or "glorot_uniform"
    layers = [keras.Input((Xtr.shape[1],))]
    for u in cfg["units"]:
        layers.append(keras.layers.Dense(u, activation=cfg["act"],
                                         kernel_regularizer=reg,
                                         kernel_initializer=init))
        if cfg["dropout"]:
            layers.append(keras.layers.Dropout(cfg["dropout"]))
    if task == "regression":
        layers.append(keras.layers.Dense(1, kernel_regularizer=reg,
                                         kernel_initializer=init))
        loss_fn, metric = keras.losses.MeanSquaredError(), "mae"
    elif task == "binary":
        layers.append(keras.layers.Dense(1, activation="sigmoid",
                                         kernel_regularizer=reg,
                                         kernel_initializer=init))
        loss_fn, metric = keras.losses.BinaryCrossentropy(), "accuracy"
    else:
        layers.append(keras.layers.Dense(k, activation="softmax",
                                         kernel_regularizer=reg,
                                         kernel_initializer=init))
        loss_fn = (keras.losses.CategoricalCrossentropy() if cfg["onehot"]
                   else keras.losses.SparseCategoricalCrossentropy())
        metric = "accuracy"
    model = keras.Sequential(layers)
    opt = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD,
           "rmsprop": keras.optimizers.RMSprop}[cfg["opt"]](
               learning_rate=cfg["lr"])
    model.compile(optimizer=opt, loss=loss_fn, metrics=[metric])

    if task == "binary":
        ytr_fit, yte_fit = ytr.astype("float32"), yte.astype("float32")
    elif task == "multiclass" and cfg["onehot"]:
        ytr_fit = keras.utils.to_categorical(ytr, k)
        yte_fit = keras.utils.to_categorical(yte, k)
    else:
        ytr_fit, yte_fit = ytr, yte

    def test_eval():
        p = np.asarray(model(Xte, training=False))
        loss = float(loss_fn(yte_fit, p))
        pen = sum(float(v) for v in model.losses) if model.losses else 0.0
        loss += pen
        if task == "regression":
            m = float(np.mean(np.abs(p.reshape(-1) - yte)))
        elif task == "binary":
            m = float(np.mean((p.reshape(-1) > 0.5) == (yte == 1)))
        else:
            m = float(np.mean(np.argmax(p, 1) == yte))
        return loss, m

    class TestCurve(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.loss, self.metric = [], []

        def on_epoch_end(self, epoch, logs=None):
            lo, m = test_eval()
            self.loss.append(lo)
            self.metric.append(m)

    tc = TestCurve()
    callbacks = [tc]
    es_cb = None
    if cfg["rlrop"]:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", **cfg["rlrop"]))
    if cfg["es"]:
        es_cb = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=cfg["es"]["patience"],
            restore_best_weights=cfg["es"]["restore"])
        callbacks.append(es_cb)

    fit_kw = dict(epochs=cfg["epochs"], batch_size=cfg["batch"], verbose=0,
                  callbacks=callbacks, validation_freq=cfg["vfreq"])
    if cfg["val"] == "split":
        fit_kw["validation_split"] = 0.2
        xs, ys = Xtr, ytr_fit
    else:
        n_val = round(0.2 * len(Xtr))
        # training pool is already randomly ordered by train_test_split
        xs, ys = Xtr[:-n_val], ytr_fit[:-n_val]
        fit_kw["validation_data"] = (Xtr[-n_val:], ytr_fit[-n_val:])
    t0 = time.time()
    with np.errstate(all="ignore"):
        hist = model.fit(xs, ys, **fit_kw)
        final_loss, final_metric = test_eval()
    secs = time.time() - t0
    # history.history is what users have (Keras 3 stores plain floats)
    h = hist.history
    json.dumps(h)  # fail loudly here if Keras ever stores non-JSON values
    rec = dict(
        dataset=run["data"], config=short_config(cfg), seed=seed,
        test_loss=tc.loss, test_metric=tc.metric,
        test_metric_name="mae" if task == "regression" else "accuracy",
        test_loss_final=final_loss, test_metric_final=final_metric,
        n_train=int(len(xs) * (0.8 if cfg["val"] == "split" else 1.0)),
        n_test=len(Xte), epochs_run=len(h["loss"]),
        restored_best_weights=bool(es_cb is not None and cfg["es"]["restore"]
                                   and es_cb.best_weights is not None),
        best_val_epoch=(int(es_cb.best_epoch) + 1 if es_cb is not None else None),
        intended=run["intended"], train_seconds=round(secs, 2),
    )
    return run["run"], h, rec


def _worker_init():
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _worker(run):
    try:
        return train_one(run)
    except Exception as exc:  # pragma: no cover - reported, not fatal
        return run["run"], None, {"error": repr(exc)}


# --------------------------------------------------------------------------
# references for "underfitting" (scikit-learn models on the same rows)
# --------------------------------------------------------------------------
def sklearn_reference(variant):
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.svm import SVC, SVR

    d = load_variant(variant)
    Xtr, ytr, Xte, yte = d["Xtr"], d["ytr"], d["Xte"], d["yte"]
    n_fit = len(Xtr) - round(0.2 * len(Xtr))
    Xtr, ytr = Xtr[:n_fit], ytr[:n_fit]  # same rows Keras trains on
    if d["base"] in ("breast_cancer", "wine") or variant.endswith("_raw"):
        from sklearn.preprocessing import StandardScaler
        sc = StandardScaler().fit(Xtr)
        Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
    scores = {}
    if d["task"] == "regression":
        for nm, m in [("ridge", Ridge(1.0)), ("svr", SVR(C=1.0)),
                      ("rf", RandomForestRegressor(300, random_state=0))]:
            m.fit(Xtr, ytr)
            scores[nm] = float(np.mean(np.abs(m.predict(Xte) - yte)))
        best = min(scores.values())
    else:
        for nm, m in [("logreg", LogisticRegression(C=1.0, max_iter=5000)),
                      ("svc", SVC(C=10.0)),
                      ("rf", RandomForestClassifier(300, random_state=0))]:
            m.fit(Xtr, ytr)
            scores[nm] = float(np.mean(m.predict(Xte) == yte))
        best = max(scores.values())
    return dict(best=best, models=scores)


# --------------------------------------------------------------------------
# labelling
# --------------------------------------------------------------------------
def _finite(xs):
    return all(x is not None and math.isfinite(x) for x in xs)


def _wiggle(s):
    """Average per-epoch movement not explained by a down-then-up shape."""
    n = len(s)
    if n < 3:
        return 0.0
    tv = sum(abs(s[i] - s[i - 1]) for i in range(1, n))
    mn = min(s)
    unimodal = (s[0] - mn) + (s[-1] - mn)
    return max(0.0, tv - unimodal) / (n - 1)


def _noise(s):
    """Epoch-to-epoch noise of the second half of s, robust to a trend.

    Uses second differences (a steady fall/rise is not noise), scaled so that
    for white noise it equals median |first difference|.
    """
    half = np.asarray(s[len(s) // 2:], dtype=float)
    if len(half) >= 3:
        return float(np.median(np.abs(np.diff(half, 2)))) / 1.7
    if len(half) == 2:
        return abs(half[1] - half[0])
    return 0.0


def trivial_loss(variant):
    """Train loss of the best constant predictor (class frequencies / mean)."""
    d = load_variant(variant)
    y = d["ytr"][:len(d["ytr"]) - round(0.2 * len(d["ytr"]))]
    if d["task"] == "regression":
        return float(np.var(y))
    p = np.bincount(y, minlength=d["n_classes"]) / len(y)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def label_run(h, rec, ref, triv):
    L = h["loss"]
    T = rec["test_loss"]
    E = len(L)
    w = max(2, math.ceil(0.2 * E))
    f = lambda x: f"{x:.4g}"  # noqa: E731
    clf = rec["test_metric_name"] == "accuracy"

    # 1. diverged (explosion)
    if not _finite(L) or not _finite(T):
        seq = [("train", i, x) for i, x in enumerate(L)] + [
            ("test", i, x) for i, x in enumerate(T)]
        kind, i, _ = next(t for t in seq
                          if t[2] is None or not math.isfinite(t[2]))
        return "diverged", f"non-finite {kind} loss from epoch {i + 1}"
    if max(L[1:] or [0]) > 3 * L[0]:
        return "diverged", (f"train loss exploded: max {f(max(L[1:]))} > "
                            f"3x first epoch {f(L[0])}")
    # 2. stalled
    rel_move = (max(L) - min(L)) / L[0] if L[0] > 0 else 0.0
    if rel_move < 0.03:
        return "stalled", (f"train loss moved only {rel_move:.1%} from epoch 1 "
                           f"({f(L[0])} -> min {f(min(L))})")
    # 1b. diverged (blown-up weights, model worse than / stuck at a constant)
    late = float(np.median(L[-w:]))
    if late > (1.5 if clf else 10.0) * triv:
        return "diverged", (f"train loss {f(late)} over the last {w} epochs is "
                            f"far above the constant-predictor loss {f(triv)}")
    if (w < E and L[0] > 100 * triv and abs(late / triv - 1) < 0.05
            and abs(L[-w - 1] - L[-1]) / L[-1] < 0.01):
        return "diverged", (f"first-epoch loss {f(L[0])} blew up, then the "
                            f"model collapsed to a constant predictor (loss "
                            f"{f(late)} ~ {f(triv)})")
    # 3. unstable
    half = max(1, E // 2)
    wl, wt = _wiggle(L), _wiggle(T)
    sl = max(float(np.median(L[half:])), 0.1 * L[0])
    st = max(float(np.median(T[half:])), 0.1 * T[0])
    if wl / sl > 0.10 or wt / st > 0.15:
        return "unstable", (f"oscillating losses: average per-epoch up/down "
                            f"movement {wl / sl:.0%} (train) / {wt / st:.0%} "
                            f"(test) of the late loss level")
    # 4. overfitting
    tmin = min(T)
    imin = T.index(tmin)
    noise = _noise(T)
    restored = rec.get("restored_best_weights")
    t_end = rec["test_loss_final"] if restored else float(np.mean(T[-2:]))
    rise = t_end / tmin - 1 if tmin > 0 else 0.0
    if restored:
        if rise > 0.10 and t_end - tmin > 2 * noise:
            return "overfitting", (f"restored model test loss {f(t_end)} is "
                                   f"{rise:.0%} above test min {f(tmin)} "
                                   f"(validation did not track the test set)")
    elif (rise > 0.10 and t_end - tmin > 2 * noise and imin <= E - w - 1
          and L[-1] < L[imin] and L[-1] < tmin):
        return "overfitting", (f"test loss min {f(tmin)} at epoch {imin + 1}/{E}"
                               f", end {f(t_end)} (+{rise:.0%}, noise "
                               f"{f(noise)}) while train loss fell "
                               f"{f(L[imin])} -> {f(L[-1])}")
    # 5. not converged
    if not restored and w < E:
        t_a = float(np.mean(T[-w - 2:-w])) if w + 1 < E else T[-w - 1]
        t_b = float(np.mean(T[-2:]))
        t_fall, l_fall = t_a - t_b, L[-w - 1] - L[-1]
        t_tot, l_tot = max(T[0] - t_b, 1e-12), max(L[0] - min(L), 1e-12)
        t_rate = t_fall / t_a / w
        if t_fall > 2 * noise and l_fall > 0 and t_fall / t_tot > 0.03 and (
                t_rate > 0.01 or t_fall / t_tot > 0.10):
            return "not-converged", (
                f"test loss still falling: {t_rate:.1%}/epoch over the last "
                f"{w}/{E} epochs ({t_fall / t_tot:.0%} of its total decrease)")
        if (l_fall / l_tot > 0.15 and l_fall > 2 * _noise(L)
                and t_fall > -noise):
            return "not-converged", (
                f"train loss still falling: last {w}/{E} epochs gave "
                f"{l_fall / l_tot:.0%} of its total decrease, test loss not "
                f"rising")
    # 6. underfitting
    mname = rec["test_metric_name"]
    mte = rec["test_metric_final"]
    mtr = h[mname][-1]
    if clf:
        se = math.sqrt(max(ref, 1e-9) * (1 - ref) / rec["n_test"])
        margin = max(0.03, 2 * se)
        if mte < ref - margin and mtr < ref + 0.01:
            return "underfitting", (f"plateaued at test acc {mte:.3f} (train "
                                    f"{mtr:.3f}) vs reference {ref:.3f}")
    else:
        if mte > 1.15 * ref and mtr > 0.9 * ref:
            return "underfitting", (f"plateaued at test MAE {f(mte)} (train "
                                    f"{f(mtr)}) vs reference {f(ref)}")
    # 7. healthy
    why = "early stopped, best weights restored; " if restored else ""
    return "healthy", (f"{why}final test loss {f(t_end)} within {rise:.0%} of "
                       f"min {f(tmin)}; test {mname} {mte:.4g} (ref {ref:.4g})")


def relabel(out):
    path = os.path.join(out, "labels.json")
    with open(path) as fh:
        labels = json.load(fh)
    refs = {}
    for name, rec in labels.items():
        key = rec["dataset"]
        if key not in refs:
            refs[key] = sklearn_reference(key)
            refs[key]["trivial"] = trivial_loss(key)
        with open(os.path.join(out, name + ".json")) as fh:
            h = json.load(fh)
        rec["reference_metric"] = refs[key]["best"]
        rec["reference_models"] = refs[key]["models"]
        rec["constant_predictor_loss"] = refs[key]["trivial"]
        rec["label"], rec["label_reason"] = label_run(
            h, rec, refs[key]["best"], refs[key]["trivial"])
    with open(path, "w") as fh:
        json.dump(dict(sorted(labels.items())), fh, indent=1)
    return labels


# --------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--only", default=None,
                    help="comma-separated run names or fnmatch patterns")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--relabel", action="store_true")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--resume", action="store_true",
                    help="keep finished runs of an interrupted session")
    args = ap.parse_args(argv)

    runs = expand_runs()
    if args.list:
        for r in runs:
            print(r["run"], r["intended"])
        return 0
    os.makedirs(args.out, exist_ok=True)
    label_path = os.path.join(args.out, "labels.json")
    labels = {}
    if os.path.exists(label_path) and (args.only or args.relabel
                                       or args.resume):
        with open(label_path) as fh:
            labels = json.load(fh)

    known = {r["run"] for r in runs}
    for stale in sorted(set(labels) - known):  # configs renamed / removed
        labels.pop(stale)
        stale_path = os.path.join(args.out, stale + ".json")
        if os.path.exists(stale_path):
            os.remove(stale_path)
    if labels:
        with open(label_path, "w") as fh:
            json.dump(dict(sorted(labels.items())), fh, indent=1)

    t0 = time.time()
    if not args.relabel:
        if args.only:
            pats = args.only.split(",")
            runs = [r for r in runs
                    if any(fnmatch.fnmatch(r["run"], p) for p in pats)]
            if not runs:
                ap.error(f"no run matches {args.only!r}")
        elif args.resume:
            runs = [r for r in runs if r["run"] not in labels]
        # longest first for load balancing
        runs.sort(key=lambda r: -r["cfg"]["epochs"] * (
            sum(r["cfg"]["units"]) + 64) / r["cfg"]["batch"])
        if args.jobs > 1 and len(runs) > 1:
            import multiprocessing as mp

            ctx = mp.get_context("spawn")
            with ctx.Pool(args.jobs, initializer=_worker_init) as pool:
                results = pool.imap_unordered(_worker, runs)
                _collect(results, runs, labels, args.out, t0)
        else:
            _collect(map(_worker, runs), runs, labels, args.out, t0)

    labels = relabel(args.out)
    counts = {}
    surprises = []
    for name, rec in sorted(labels.items()):
        counts[rec["label"]] = counts.get(rec["label"], 0) + 1
        if rec["label"] != rec.get("intended"):
            surprises.append(f"  {name}: intended {rec.get('intended')}, got "
                             f"{rec['label']} ({rec['label_reason']})")
    print(f"\n{len(labels)} runs, {time.time() - t0:.0f}s")
    for k in sorted(counts):
        print(f"  {k:14s} {counts[k]}")
    if surprises:
        print(f"\n{len(surprises)} runs labelled differently than intended:")
        print("\n".join(surprises))
    return 0


def _collect(results, runs, labels, out, t0):
    n = len(runs)
    for i, (name, h, rec) in enumerate(results, 1):
        if h is None:
            print(f"[{i}/{n}] {name}: ERROR {rec['error']}", flush=True)
            continue
        with open(os.path.join(out, name + ".json"), "w") as fh:
            json.dump(h, fh)
        labels[name] = rec
        with open(os.path.join(out, "labels.json"), "w") as fh:
            json.dump(dict(sorted(labels.items())), fh, indent=1)
        print(f"[{i}/{n}] {name}: {rec['epochs_run']} ep, "
              f"{rec['train_seconds']}s (elapsed {time.time() - t0:.0f}s)",
              flush=True)


if __name__ == "__main__":
    sys.exit(main())
