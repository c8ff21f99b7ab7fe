"""The accuracy trap on imbalanced data, and the way out that fitdoctor recommends.

A binary problem with 2% positives (scikit-learn's ``make_classification``; no download).
A small Dense network compiled with accuracy alone reaches about 98% validation
accuracy: exactly what always answering "negative" scores. ``FitDoctor`` records the
per-class validation metrics and its report shows the trap: the accuracy is no better
than the majority baseline, class 1's recall is near zero, and here is the
``class_weight`` to pass.

The script then takes that ``class_weight`` from the report's evidence (nothing is
hard-coded), retrains the same model with it, and measures the minority recall of both
models with scikit-learn on a held-out test split the models never saw.

Run it with::

    python examples/imbalanced_binary.py

It runs offline on a CPU in well under a minute.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, precision_score, recall_score
from sklearn.model_selection import train_test_split

from fitdoctor import FitDoctor

EPOCHS = 8


def data() -> tuple[np.ndarray, ...]:
    """5,000 samples, 2% positives; stratified train / validation / test splits."""
    x, y = make_classification(
        n_samples=5000, n_features=20, n_informative=4, n_redundant=2,
        n_clusters_per_class=1, weights=[0.98], flip_y=0, class_sep=1.0, random_state=0,
    )
    x = x.astype("float32")
    x_pool, x_test, y_pool, y_test = train_test_split(
        x, y, test_size=0.25, stratify=y, random_state=0
    )
    x_train, x_val, y_train, y_val = train_test_split(
        x_pool, y_pool, test_size=0.25, stratify=y_pool, random_state=0
    )
    return x_train, x_val, x_test, y_train, y_val, y_test


def build() -> keras.Model:
    """Dense(16, relu) → Dense(1, sigmoid), Adam, accuracy as the only metric."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((20,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def scores(model: keras.Model, x: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> str:
    """Accuracy, and precision and recall of class 1, measured with scikit-learn."""
    pred = (model.predict(x, verbose=0).ravel() >= threshold).astype(int)
    return (
        f"accuracy {accuracy_score(y, pred):.3f}   "
        f"class 1: recall {recall_score(y, pred, zero_division=0):.2f}, "
        f"precision {precision_score(y, pred, zero_division=0):.2f}"
    )


def main() -> None:
    x_train, x_val, x_test, y_train, y_val, y_test = data()
    print(
        f"train {len(y_train)} samples ({int(y_train.sum())} positive), "
        f"validation {len(y_val)} ({int(y_val.sum())}), test {len(y_test)} ({int(y_test.sum())})\n"
    )

    print("1) accuracy only — the report:\n")
    model = build()
    doctor = FitDoctor(path=None, validation_data=(x_val, y_val), report="text", verbose=0)
    model.fit(
        x_train, y_train, epochs=EPOCHS, batch_size=64, validation_data=(x_val, y_val),
        callbacks=[doctor], verbose=0,
    )
    assert doctor.report is not None
    evidence = {f.code: f.evidence for f in doctor.report.findings}
    if "FD501" not in evidence:
        raise SystemExit("fitdoctor reported no class imbalance; nothing to retrain")
    weights = evidence["FD501"]["class_weights"]
    class_weight = {i: float(w) for i, w in enumerate(weights) if w is not None}
    print(f"\n2) retraining with the report's class_weight={evidence['FD501']['class_weight']}\n")
    weighted = build()
    weighted.fit(
        x_train, y_train, epochs=EPOCHS, batch_size=64, validation_data=(x_val, y_val),
        class_weight=class_weight, verbose=0,
    )

    print(f"held-out test split ({int(y_test.sum())} positives of {len(y_test)}):")
    print(f"  {'accuracy only':<27}{scores(model, x_test, y_test)}")
    if "FD505" in evidence:
        t = float(evidence["FD505"]["threshold"])
        label = f"+ threshold {t:.2f} (FD505)"
        print(f"  {label:<27}{scores(model, x_test, y_test, t)}")
    print(f"  {'+ class_weight (FD501)':<27}{scores(weighted, x_test, y_test)}")


if __name__ == "__main__":
    main()
