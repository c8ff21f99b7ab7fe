#!/usr/bin/env python
"""Record TensorBoard event files the way users get them, for the TensorBoard reader tests.

Usage:
    python tests/data/tensorboard/record_tensorboard.py

Needs the ``keras`` extra and the ``tensorboard`` package (in the ``dev`` extra: since
TF 2.16 ``tf.summary`` needs it to write). Written next to this script:

  logs/adam/{train,validation}/events.out.tfevents.*   keras.callbacks.TensorBoard, 5 epochs
  logs/sgd_vfreq2/{train,validation}/events.*          SGD, validation_freq=2, 4 epochs
  pytorch/events.out.tfevents.*                        SummaryWriter-style: simple_value
                                                       scalars Loss/train, Loss/val,
                                                       Accuracy/val at steps 0..5
  expected.json                                        the History of each Keras run and
                                                       the values written to pytorch/
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras
import numpy as np
from sklearn.datasets import load_digits
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.summary.writer.event_file_writer import EventFileWriter

OUT = Path(__file__).parent


def _model(optimizer: str) -> keras.Model:
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer, "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def main() -> None:
    shutil.rmtree(OUT / "logs", ignore_errors=True)
    shutil.rmtree(OUT / "pytorch", ignore_errors=True)
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype("float32")
    keras.utils.set_random_seed(0)
    expected: dict[str, object] = {}
    h = _model("adam").fit(
        x, y, epochs=5, batch_size=256, validation_split=0.2, verbose=0,
        callbacks=[keras.callbacks.TensorBoard(str(OUT / "logs" / "adam"))],
    )
    expected["adam"] = h.history
    h = _model("sgd").fit(
        x, y, epochs=4, batch_size=256, validation_split=0.2, validation_freq=2, verbose=0,
        callbacks=[keras.callbacks.TensorBoard(str(OUT / "logs" / "sgd_vfreq2"))],
    )
    expected["sgd_vfreq2"] = h.history

    rng = np.random.default_rng(0)
    torch_like = {
        "Loss/train": [float(1.0 / (i + 1)) for i in range(6)],
        "Loss/val": [float(1.1 / (i + 1) + 0.01 * rng.random()) for i in range(6)],
        "Accuracy/val": [float(0.5 + 0.05 * i) for i in range(6)],
    }
    writer = EventFileWriter(str(OUT / "pytorch"))
    for step in range(6):
        values = [
            summary_pb2.Summary.Value(tag=tag, simple_value=vals[step])
            for tag, vals in torch_like.items()
        ]
        summary = summary_pb2.Summary(value=values)
        writer.add_event(event_pb2.Event(step=step, wall_time=1.7e9 + step, summary=summary))
    writer.close()
    expected["pytorch"] = torch_like
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
    for path in sorted(OUT.rglob("events.out.tfevents.*")):
        print(path.relative_to(OUT), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
