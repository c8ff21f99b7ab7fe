#!/usr/bin/env python
"""FD101's advice and the learning rate: is a high-rate overfit cured by a lower rate?

Usage:
    python bench/fd101_lr_probe.py [--seeds 0,1] [--epochs 80] [--only moons|cancer]

Tiny MLPs (Dense 128 relu ×2 → sigmoid) on two small binary problems: ``make_moons``
(noise 0.3; 100 training, 100 validation, 800 test rows) and breast cancer (150 / 100 /
319 rows, standardized on the training rows). Each configuration (an optimizer at a high
learning rate and a batch size) is trained in four arms for ``--epochs`` epochs:

* ``base``: as configured;
* ``low-lr``: the rate divided by 10 (SGD 0.5/1.0 → 0.05 as asked; 0.1 → 0.01);
* ``l2``: L2(1e-3) on both hidden layers, at the high rate;
* ``dropout``: Dropout(0.3) after each hidden layer, at the high rate.

The yardstick is the held-out **test** loss (binary cross-entropy of the predictions,
without the L2 term), recorded after every epoch: ``final`` (what the run ends with),
``early-stop`` (at the epoch of the lowest validation loss: what EarlyStopping with
restore_best_weights keeps) and ``min``. Whether FD101 fires is judged on each run's
bare history (``fitdoctor.analyze(history)``). A run whose validation loss became NaN is
counted as diverged. Printed: one JSON line per run, then a table per configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
from collections import defaultdict
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np

#: (dataset, optimizer, high rate, batch size, low rate).
CONFIGS = [
    ("moons", "sgd", 0.5, 4, 0.05), ("moons", "sgd", 1.0, 8, 0.05),
    ("moons", "sgd", 0.1, 8, 0.01), ("moons", "adam", 1e-2, 8, 1e-3),
    ("moons", "adam", 5e-2, 8, 5e-3),
    ("cancer", "sgd", 0.5, 4, 0.05), ("cancer", "sgd", 1.0, 8, 0.05),
    ("cancer", "sgd", 0.1, 8, 0.01), ("cancer", "adam", 1e-2, 8, 1e-3),
    ("cancer", "adam", 5e-2, 8, 5e-3),
]
ARMS = ("base", "low-lr", "l2", "dropout")


def data(name: str) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """``(train, validation, test)`` splits of one problem, float32."""
    from sklearn.datasets import load_breast_cancer, make_moons
    from sklearn.preprocessing import StandardScaler

    if name == "moons":
        x, y = make_moons(1000, noise=0.3, random_state=0)
        tr, va = 100, 100
    else:
        x, y = load_breast_cancer(return_X_y=True)
        order = np.random.default_rng(0).permutation(len(x))
        x, y = x[order], y[order]
        tr, va = 150, 100
    x = StandardScaler().fit(x[:tr]).transform(x).astype("float32")
    y = y.astype("float32")
    return (x[:tr], y[:tr]), (x[tr:tr + va], y[tr:tr + va]), (x[tr + va:], y[tr + va:])


def train(name: str, opt: str, lr: float, batch: int, seed: int, epochs: int,
          l2: float = 0.0, drop: float = 0.0) -> dict[str, Any]:
    """One run: its held-out losses and whether FD101 fires."""
    import keras

    import fitdoctor

    (xt, yt), (xv, yv), (xs, ys) = data(name)
    keras.utils.set_random_seed(seed)
    reg = keras.regularizers.L2(l2) if l2 else None
    layers: list[Any] = [keras.Input((xt.shape[1],))]
    for _ in range(2):
        layers.append(keras.layers.Dense(128, activation="relu", kernel_regularizer=reg))
        if drop:
            layers.append(keras.layers.Dropout(drop))
    model = keras.Sequential([*layers, keras.layers.Dense(1, activation="sigmoid")])
    optimizer = keras.optimizers.SGD(lr) if opt == "sgd" else keras.optimizers.Adam(lr)
    model.compile(optimizer, "binary_crossentropy", metrics=["accuracy"])
    bce = keras.losses.BinaryCrossentropy()
    test: list[float] = []
    record = keras.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: test.append(
        float(bce(ys[:, None], model(xs, training=False)))))
    history = model.fit(xt, yt, epochs=epochs, batch_size=batch, validation_data=(xv, yv),
                        verbose=0, callbacks=[record]).history
    val = np.asarray(history["val_loss"], dtype=float)
    if not np.isfinite(val).all():
        return {"diverged": True}
    best = int(np.argmin(val))
    codes = [f.code for f in fitdoctor.analyze(dict(history)).findings]
    return {"final": test[-1], "early_stop": test[best], "min": min(test),
            "best_epoch": best + 1, "fd101": "FD101" in codes, "codes": codes}


def table(rows: list[dict[str, Any]]) -> list[str]:
    """Per configuration and arm: the held-out losses of each seed, FD101 and NaN counts."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[(r["data"], r["optimizer"], r["lr"], r["batch"])].append(r)
    out = []
    for (name, opt, lr, batch), runs in groups.items():
        out.append(f"{name} {opt} lr {lr:g} batch {batch}")
        for arm in ARMS:
            mine = [r for r in runs if r["arm"] == arm]
            ok = [r for r in mine if not r.get("diverged")]
            if not ok:
                out.append(f"  {arm:8} all {len(mine)} diverged")
                continue

            def cell(key: str, ok: list[dict[str, Any]] = ok) -> str:
                return "/".join(f"{r[key]:.3f}" for r in ok)

            mean = statistics.mean(r["final"] for r in ok)
            out.append(f"  {arm:8} final {cell('final'):14} (mean {mean:.3f})  early-stop "
                       f"{cell('early_stop'):14} min {cell('min'):14} FD101 "
                       f"{sum(r['fd101'] for r in ok)}/{len(ok)}  diverged "
                       f"{len(mine) - len(ok)}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--only", choices=("moons", "cancer"))
    args = parser.parse_args()
    rows = []
    for name, opt, lr, batch, low in CONFIGS:
        if args.only and name != args.only:
            continue
        arms = {"base": {"lr": lr}, "low-lr": {"lr": low}, "l2": {"lr": lr, "l2": 1e-3},
                "dropout": {"lr": lr, "drop": 0.3}}
        for arm, kw in arms.items():
            for seed in (int(s) for s in args.seeds.split(",")):
                result = train(name, opt, kw["lr"], batch, seed, args.epochs,
                               l2=kw.get("l2", 0.0), drop=kw.get("drop", 0.0))
                row = {"data": name, "optimizer": opt, "lr": lr, "batch": batch, "arm": arm,
                       "seed": seed, **result}
                rows.append(row)
                print(json.dumps(row), flush=True)
    print("\n".join(table(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
