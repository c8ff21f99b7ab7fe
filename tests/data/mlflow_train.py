#!/usr/bin/env python
"""Fill an MLflow tracking store with two REAL Keras trainings logged by ``mlflow.keras.autolog()``.

Usage:
    python tests/data/mlflow_train.py TRACKING_URI [EXPERIMENT]

Experiment EXPERIMENT (default ``digits``) gets two runs on scikit-learn's digits:

* ``overfit``: two Dense(512, relu) layers trained on 100 samples (Adam 1e-2, batch 16,
  25 epochs), validated on 400 others: the training loss goes to ~0 while the
  validation loss bottoms out around epoch 5 and then climbs (fitdoctor: FD101,
  overfitting);
* ``healthy``: one Dense(32, relu) layer on 1400 samples, validated on the other 397,
  with ``EarlyStopping(patience=3, restore_best_weights=True)`` (at most 60 epochs): it
  stops a few epochs past the best validation loss (fitdoctor: healthy, stopped early).

Each run carries a ``recipe`` tag. Autolog logs Keras's per-epoch logs with
``step = epoch`` (0-based), the ``fit`` arguments and the optimizer's config as params,
and a ``validation_*`` copy of the validation metrics. It runs in its own process in the
tests: autolog patches ``keras.Model.fit`` for the whole process.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main(uri: str, experiment: str) -> None:
    import keras
    import mlflow
    from sklearn.datasets import load_digits

    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment)
    mlflow.keras.autolog(log_models=False, log_datasets=False, silent=True)
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")

    def model(width: int, depth: int, learning_rate: float) -> keras.Model:
        layers: list[keras.layers.Layer] = [keras.Input((64,))]
        layers += [keras.layers.Dense(width, activation="relu") for _ in range(depth)]
        layers.append(keras.layers.Dense(10, activation="softmax"))
        m = keras.Sequential(layers)
        m.compile(
            keras.optimizers.Adam(learning_rate),
            "sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        return m

    keras.utils.set_random_seed(0)
    with mlflow.start_run(run_name="overfit"):
        mlflow.set_tag("recipe", "512x2 on 100 samples")
        model(512, 2, 1e-2).fit(
            x[:100], y[:100], validation_data=(x[1000:1400], y[1000:1400]),
            epochs=25, batch_size=16, verbose=0,
        )
    keras.utils.set_random_seed(0)
    with mlflow.start_run(run_name="healthy"):
        mlflow.set_tag("recipe", "32x1 on 1400 samples, early stopping")
        model(32, 1, 1e-2).fit(
            x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]),
            epochs=60, batch_size=32, verbose=0,
            callbacks=[keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)],
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "digits")
