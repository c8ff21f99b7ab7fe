#!/usr/bin/env python
"""Record what ``model.fit`` prints, the way users keep it, for the console-log reader tests.

Usage:
    python tests/data/console/record_console.py

Needs the ``keras`` extra, and ``pip install tf_keras`` for the Keras 2 logs (tf_keras
is Keras 2.x; it is not a dependency of fitdoctor). Each log is one child process that
trains tiny Dense models on scikit-learn's bundled ``load_digits`` (no download):

  fit 1: 4 epochs, validation_split=0.2, a warning printed by a callback at epoch 2
  fit 2: the same model, fit(epochs=6, initial_epoch=4): "Epoch 5/6", "Epoch 6/6"
  fit 3: a new model, 3 epochs (a new run: "Epoch 1/3"), then model.evaluate(...)
  fit 4: a new model, epochs=8, stopped by EarlyStopping(verbose=1) after 2 epochs

The child's stdout and stderr go to one pipe (``python train.py > train.log 2>&1``)
or to a pseudo-terminal (what a terminal or a notebook shows, with carriage-return
progress bars and ANSI colours). Written next to this script:

  keras3_verbose1_pipe.log   keras3_verbose2_pipe.log   keras3_verbose1_pty.log
  keras2_verbose1_pipe.log   keras2_verbose2_pipe.log   keras2_verbose1_pty.log
  *.expected.json            the History of each fit call (the truth the tests compare to)
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).parent

CHILD = r'''
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
flavour, verbose, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if flavour == "keras2":
    import tf_keras as keras
else:
    import keras
import numpy as np
from sklearn.datasets import load_digits

x, y = load_digits(return_X_y=True)
x = (x / 16.0).astype("float32")
keras.utils.set_random_seed(0)

def model():
    m = keras.Sequential([keras.Input((64,)), keras.layers.Dense(32, activation="relu"),
                          keras.layers.Dense(10, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m

class Warn(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            warnings.warn("a warning printed in the middle of training")
            print("a line the user printed", flush=True)

histories = []
m = model()
h = m.fit(x, y, epochs=4, batch_size=128, validation_split=0.2, verbose=verbose,
          callbacks=[Warn()])
histories.append({"epoch": h.epoch, "history": h.history})
h = m.fit(x, y, epochs=6, initial_epoch=4, batch_size=128, validation_split=0.2,
          verbose=verbose)
histories.append({"epoch": h.epoch, "history": h.history})
m2 = model()
h = m2.fit(x, y, epochs=3, batch_size=256, validation_split=0.2, verbose=verbose)
histories.append({"epoch": h.epoch, "history": h.history})
m2.evaluate(x[:300], y[:300], verbose=verbose)
# fit 4: a new model stopped by EarlyStopping after 2 epochs (no improvement of 10)
stop = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=10, patience=1,
                                     restore_best_weights=True, verbose=1)
h = model().fit(x, y, epochs=8, batch_size=256, validation_split=0.2, verbose=verbose,
                callbacks=[stop])
histories.append({"epoch": h.epoch, "history": h.history})
with open(expected, "w") as fh:
    json.dump(histories, fh)
'''


def _child(flavour: str, verbose: int, expected: Path) -> list[str]:
    return [sys.executable, "-c", CHILD, flavour, str(verbose), str(expected)]


def record_pipe(flavour: str, verbose: int, name: str) -> None:
    expected = OUT / f"{name}.expected.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
    out = subprocess.run(
        _child(flavour, verbose, expected), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, check=True,
    ).stdout
    (OUT / f"{name}.log").write_bytes(out)


def record_pty(flavour: str, verbose: int, name: str) -> None:
    expected = OUT / f"{name}.expected.json"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow",
           "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        _child(flavour, verbose, expected), stdout=slave, stderr=slave, env=env, close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([master], [], [], 1.0)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait()
    os.close(master)
    if proc.returncode:
        raise SystemExit(f"{name}: the training failed")
    (OUT / f"{name}.log").write_bytes(b"".join(chunks))


def main() -> None:
    for flavour in ("keras3", "keras2"):
        record_pipe(flavour, 1, f"{flavour}_verbose1_pipe")
        record_pipe(flavour, 2, f"{flavour}_verbose2_pipe")
        record_pty(flavour, 1, f"{flavour}_verbose1_pty")
        print(f"recorded {flavour}")


if __name__ == "__main__":
    main()
