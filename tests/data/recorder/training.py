"""One recorded training: build the model, fit it with FitDoctor, record the test curve.

Runs inside a worker process (single-threaded TensorFlow). ``train(run)`` returns the raw
record (everything but the label and the half), see ``record_corpus.py``.

The test curve: a callback evaluates the model on the held-out test split after every
epoch (``predict_on_batch``, i.e. ``training=False``: dropout, noise and translation layers
are off), loss = the compiled loss + the regularisation penalties (``model.losses``), the
same quantity Keras reports as ``val_loss``. It never writes into the epoch's logs, so
neither FitDoctor nor the history sees it. After ``fit`` the returned model (the restored
best weights, when EarlyStopping restored them) is evaluated once more (``final``).
"""

from __future__ import annotations

import math
import time
import warnings
from typing import Any

import numpy as np

from . import datasets, references


def validation_arrays(data: datasets.Data, cfg: dict[str, Any]) -> dict[str, Any]:
    """The arrays ``fit`` gets and the exact training / validation rows Keras will use.

    Returns a dict with ``fit_x``, ``fit_y`` (what ``fit`` gets as ``x``, ``y``),
    ``fit_kw`` (``validation_split`` or ``validation_data``), ``train`` and ``val``
    (the ``(x, y)`` Keras trains and validates on, corruption included) and
    ``corruption`` (``None`` | ``"sorted"`` | ``"unscaled"`` | ``"unscaled_y"`` |
    ``"shuffled"``).
    """
    x, y = data.x_pool, data.y_pool
    n = len(x)
    mode = cfg["val"]
    out: dict[str, Any] = {"corruption": None}
    if mode in ("split", "sorted"):
        frac = cfg["val_frac"]
        if mode == "sorted":
            order = np.argsort(y, kind="stable")
            x, y = x[order], y[order]
            last = int(np.sum(y == y[-1]))
            frac = min(frac, 0.9 * last / n)
            out["corruption"] = "sorted"
        split_at = math.floor(n * (1.0 - frac))  # keras' train_validation_split
        out.update(fit_x=x, fit_y=y, fit_kw={"validation_split": frac},
                   train=(x[:split_at], y[:split_at]), val=(x[split_at:], y[split_at:]))
        return out
    n_val = cfg["val_n"] if mode == "tiny" else round(cfg["val_frac"] * n)
    xt, yt, xv, yv = x[:-n_val], y[:-n_val], x[-n_val:], y[-n_val:]
    if mode == "unscaled":
        xv = data.x_pool_unscaled[-n_val:]
        out["corruption"] = "unscaled"
    elif mode == "unscaled_y":
        yv = data.y_pool_unscaled[-n_val:]
        out["corruption"] = "unscaled_y"
    elif mode == "shuffled":
        yv = np.random.default_rng(7).permutation(yv)
        out["corruption"] = "shuffled"
    elif mode not in ("data", "tiny"):
        raise KeyError(mode)
    out.update(fit_x=xt, fit_y=yt, fit_kw={"validation_data": (xv, yv)},
               train=(xt, yt), val=(xv, yv))
    return out


def build_model(cfg: dict[str, Any], data: datasets.Data, n_steps: int) -> Any:
    """The Keras model and compiled optimizer for ``cfg``."""
    import keras

    reg = keras.regularizers.l2(cfg["l2"]) if cfg["l2"] else None
    kw: dict[str, Any] = {"kernel_regularizer": reg}
    if cfg["init"]:
        kw["kernel_initializer"] = cfg["init"]
    layers: list[Any] = [keras.Input(data.x_pool.shape[1:])]
    if cfg["noise"]:
        layers.append(keras.layers.GaussianNoise(cfg["noise"]))
    if cfg["shift"]:
        layers.append(keras.layers.RandomTranslation(cfg["shift"], cfg["shift"],
                                                     fill_mode="constant"))
    model_kind = cfg["model"]
    if model_kind == "mlp":
        if len(data.x_pool.shape) > 2:
            layers.append(keras.layers.Flatten())
        for units in cfg["units"]:
            layers.append(keras.layers.Dense(units, activation=cfg["act"], **kw))
            if cfg["dropout"]:
                layers.append(keras.layers.Dropout(cfg["dropout"]))
    elif model_kind == "conv":
        for filters in cfg["units"]:
            layers.append(keras.layers.Conv2D(filters, 3, padding="same",
                                              activation=cfg["act"], **kw))
            if cfg["pool"]:
                layers.append(keras.layers.MaxPooling2D(2))
        layers.append(keras.layers.GlobalAveragePooling2D() if cfg["gap"]
                      else keras.layers.Flatten())
        if cfg["dropout"]:
            layers.append(keras.layers.Dropout(cfg["dropout"]))
        for units in cfg["head"]:
            layers.append(keras.layers.Dense(units, activation=cfg["act"], **kw))
            if cfg["dropout"]:
                layers.append(keras.layers.Dropout(cfg["dropout"]))
    elif model_kind in ("lstm", "gru"):
        rnn = keras.layers.LSTM if model_kind == "lstm" else keras.layers.GRU
        for i, units in enumerate(cfg["units"]):
            last = i == len(cfg["units"]) - 1
            layers.append(rnn(units, return_sequences=not last, **kw))
            if cfg["dropout"]:
                layers.append(keras.layers.Dropout(cfg["dropout"]))
        for units in cfg["head"]:  # probes only: Dense layers reading the last state
            layers.append(keras.layers.Dense(units, activation=cfg["act"], **kw))
            if cfg["dropout"]:
                layers.append(keras.layers.Dropout(cfg["dropout"]))
    else:
        raise KeyError(model_kind)
    task = data.task
    if task == "regression":
        layers.append(keras.layers.Dense(1, **kw))
        loss, metric = keras.losses.MeanSquaredError(), "mae"
    elif task == "binary":
        layers.append(keras.layers.Dense(1, activation="sigmoid", **kw))
        loss, metric = keras.losses.BinaryCrossentropy(), "accuracy"
    else:
        layers.append(keras.layers.Dense(data.n_classes, activation="softmax", **kw))
        loss = (keras.losses.CategoricalCrossentropy() if cfg["onehot"]
                else keras.losses.SparseCategoricalCrossentropy())
        metric = "accuracy"
    model = keras.Sequential(layers)
    lr: Any = cfg["lr"]
    total = max(1, n_steps * cfg["epochs"])
    if cfg["schedule"] == "exp":
        lr = keras.optimizers.schedules.ExponentialDecay(lr, decay_steps=total,
                                                         decay_rate=0.1)
    elif cfg["schedule"] == "cosine":
        lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=total)
    elif cfg["schedule"] == "restarts":
        # probe-only (no corpus configuration uses it): cosine decay restarted 4 times over
        # the run, a rate that swings back up by design (SGDR)
        lr = keras.optimizers.schedules.CosineDecayRestarts(
            lr, first_decay_steps=max(1, total // 4), t_mul=1.0, m_mul=1.0)
    elif cfg["schedule"] == "step":
        # probe-only: the rate divided by 10 after half the run and again after 3/4
        lr = keras.optimizers.schedules.PiecewiseConstantDecay(
            [max(1, total // 2), max(2, 3 * total // 4)], [lr, lr / 10, lr / 100])
    elif cfg["schedule"] is not None:
        raise KeyError(cfg["schedule"])
    opt = cfg["opt"]
    if opt == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=lr)
    elif opt == "momentum":
        # ``momentum`` is not a corpus setting (every corpus run used 0.9); probes may set it
        optimizer = keras.optimizers.SGD(learning_rate=lr, momentum=cfg.get("momentum", 0.9))
    elif opt == "adam":
        optimizer = keras.optimizers.Adam(learning_rate=lr)
    elif opt == "rmsprop":
        optimizer = keras.optimizers.RMSprop(learning_rate=lr)
    else:
        raise KeyError(opt)
    model.compile(optimizer=optimizer, loss=loss, metrics=[metric])
    return model, loss


def _encode(y: np.ndarray, data: datasets.Data, onehot: bool) -> np.ndarray:
    """Labels as ``fit`` gets them (float 0/1 for binary, one-hot when asked)."""
    if data.task == "binary":
        return y.astype("float32")
    if data.task == "multiclass" and onehot:
        return np.eye(data.n_classes, dtype="float32")[y]
    return y


def train(run: dict[str, Any]) -> dict[str, Any]:
    """Train one run; return its raw record (no label, no half)."""
    import keras

    import fitdoctor

    cfg, seed = run["cfg"], run["seed"]
    data = datasets.load(run["data"])
    arrays = validation_arrays(data, cfg)
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    n_train = len(arrays["train"][0])
    n_steps = -(-n_train // cfg["batch"])
    model, loss_fn = build_model(cfg, data, n_steps)
    onehot = cfg["onehot"]
    x_test, y_test = data.x_test, data.y_test
    y_test_fit = _encode(y_test, data, onehot)

    def evaluate() -> tuple[float, float]:
        with np.errstate(all="ignore"):
            pred = np.asarray(keras.ops.convert_to_numpy(model.predict_on_batch(x_test)))
            value = float(keras.ops.convert_to_numpy(loss_fn(y_test_fit, pred)))
            value += sum(float(keras.ops.convert_to_numpy(p)) for p in model.losses)
            if data.task == "regression":
                metric = float(np.mean(np.abs(pred.reshape(-1) - y_test)))
            elif data.task == "binary":
                metric = float(np.mean((pred.reshape(-1) > 0.5) == (y_test == 1)))
            else:
                metric = float(np.mean(np.argmax(pred, axis=1) == y_test))
        return value, metric

    class TestCurve(keras.callbacks.Callback):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.loss: list[float] = []
            self.metric: list[float] = []

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            value, metric = evaluate()
            self.loss.append(value)
            self.metric.append(metric)

    test_curve = TestCurve()
    callbacks: list[Any] = [test_curve]
    early = None
    if cfg["es"]:
        early = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=cfg["es"]["patience"],
            restore_best_weights=cfg["es"]["restore"])
        callbacks.append(early)
    if cfg["rlrop"]:
        callbacks.append(keras.callbacks.ReduceLROnPlateau(monitor="val_loss", **cfg["rlrop"]))
    every = cfg["per_class_every"] or max(1, math.ceil(cfg["epochs"] / 100))
    doctor = fitdoctor.FitDoctor(path=None, report=None, verbose=0, per_class_every=every)
    callbacks.append(doctor)

    fit_kw = dict(arrays["fit_kw"])
    if "validation_data" in fit_kw:
        xv, yv = fit_kw["validation_data"]
        fit_kw["validation_data"] = (xv, _encode(yv, data, onehot))
    start = time.time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"):
            history = model.fit(arrays["fit_x"], _encode(arrays["fit_y"], data, onehot),
                                epochs=cfg["epochs"], batch_size=cfg["batch"], verbose=0,
                                validation_freq=cfg["vfreq"], callbacks=callbacks, **fit_kw)
    seconds = time.time() - start
    final_loss, final_metric = evaluate()
    callback_warnings = sorted({str(w.message) for w in caught
                                if "fitdoctor" in str(w.message)})

    run_obj = doctor.run
    if run_obj is None:
        raise RuntimeError("FitDoctor recorded no run")
    run_obj.name = run["run"]
    run_dict = run_obj.to_dict()
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    keys = list(hist)
    derived = bare_history(run_dict, keys)
    same = all(_same(derived[k], hist[k]) for k in keys)

    xt, yt = arrays["train"]
    xv, yv = arrays["val"]
    facts = dict(
        data.facts,
        val_mode=cfg["val"], corruption=arrays["corruption"],
        n_train=len(xt), n_val=len(xv), epochs_run=len(hist["loss"]),
        restored=bool(early is not None and cfg["es"]["restore"]
                      and early.best_weights is not None),
        best_val_epoch=(int(early.best_epoch) + 1 if early is not None else None),
        stopped_early=bool(early is not None and early.stopped_epoch > 0),
        **references.constant_losses(data.task, yt, y_test, data.n_classes),
    )
    if data.task != "regression":
        facts["train_class_counts"] = np.bincount(yt, minlength=data.n_classes).tolist()
        facts["val_class_counts"] = np.bincount(yv, minlength=data.n_classes).tolist()
    refs = references.cached(
        (run["data"], cfg["val"], cfg["val_frac"], cfg["val_n"]),
        xt, yt, xv, yv, x_test, y_test, task=data.task, n_classes=data.n_classes,
        tabular=data.variant.layout == "tabular")
    rec = dict(
        name=run["run"], group=run["name"], seed=seed, family=run["family"],
        data=run["data"], intended=run["intended"], config=cfg,
        test=dict(loss=test_curve.loss, metric=test_curve.metric,
                  metric_name="mae" if data.task == "regression" else "accuracy",
                  final_loss=final_loss, final_metric=final_metric, n=len(x_test)),
        facts=facts, references=refs, history_keys=keys, run=run_dict,
        train_seconds=round(seconds, 2), callback_warnings=callback_warnings,
    )
    if not same:  # store the history itself when the run file cannot reproduce it
        rec["history"] = hist
    return rec


def _same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and all(
        x == y or (math.isnan(x) and math.isnan(y)) for x, y in zip(a, b, strict=True))


def bare_history(run_dict: dict[str, Any], keys: list[str]) -> dict[str, list[float]]:
    """``history.history`` rebuilt from a run dict: each key's logged values, gaps dropped."""
    metrics = run_dict["metrics"]
    return {k: [float(v) for v in metrics.get(k, []) if v is not None] for k in keys}
