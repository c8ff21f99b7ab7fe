"""Hypothesis strategies for everything fitdoctor reads, and command lines that use it.

Every generator makes an :class:`Input`: the files of one source (a history in one of
the formats fitdoctor reads, a run file v1 or v2, a cross-validation or learning-curve
document, a TensorBoard folder) and the argument that names it. ``valid`` says whether
the generator kept it a well-formed file of its format with at least one epoch of a
loss -- such a file must be read, never refused (a refused file is a missed problem).
Mutations (:func:`mutate_tree`, :func:`mutate_text`) break it on purpose: a value of
the wrong type, an unknown key, a 400-digit integer, a 100,000-deep nesting, control
characters, a cut-off end. :func:`configs` and :func:`rule_packs` make configuration
files and rule packs, :func:`scenarios` puts inputs, configuration and a command line
together.

The hostile values are the ones a fuzzing campaign found to matter: non-finite and
extreme floats (±1e308, NaN, inf), integers that overflow a float (``10**400``) or
Python's int-from-text limit (5,000 digits), terminal escapes (ANSI, C1, bidi
overrides, line separators), lone surrogates, template-looking text.
"""

from __future__ import annotations

import copy
import json
import math
import struct
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

# ====================================================================== hostile values


@dataclass(frozen=True)
class Raw:
    """Text written verbatim into a JSON document (a token ``json.dumps`` cannot make)."""

    text: str


#: A list nested 100,000 deep (Python's JSON parser recurses: RecursionError).
DEEP_LIST = Raw("[" * 100_000 + "]" * 100_000)
#: An object nested 50,000 deep.
DEEP_OBJECT = Raw('{"a":' * 50_000 + "1" + "}" * 50_000)

RAW_TOKENS: tuple[Raw, ...] = (
    Raw("1" + "0" * 400),           # overflows float()
    Raw("-" + "9" * 400),
    Raw("1" + "0" * 5000),          # over Python's 4,300-digit int limit: ValueError
    Raw("1e400"),                   # json reads inf
    Raw("-1e400"),
    Raw("1e-400"),                  # json reads 0.0
    Raw("NaN"),
    Raw("Infinity"),
    Raw("-Infinity"),
    DEEP_LIST,
    DEEP_OBJECT,
)

EXTREME_FLOATS: tuple[float, ...] = (
    math.nan, math.inf, -math.inf, 1e308, -1e308, 1.7976931348623157e308, 5e-324, -5e-324,
    0.0, -0.0, 1e-300, 3.4e38, 1e16, -1.0, 1e-8,
)
EXTREME_INTS: tuple[int, ...] = (10**400, -(10**400), 2**63, 2**64, -(2**63), 0, -1, 2**31)

HOSTILE_TEXT: tuple[str, ...] = (
    "\x1b[2J\x1b[31mPWNED",         # ANSI: clear screen, red
    "\x9b31mC1",                    # C1 CSI
    "evil\u202eexe.txt",            # bidi override
    "\u2066iso\u2069",              # bidi isolate
    "a\u2028b",                     # line separator
    "a\u2029b",                     # paragraph separator
    "nul\x00byte",
    "two\nlines",
    "car\rriage",
    "tab\there",
    "\x7fdel",
    "::error file=x::forged",
    "<script>alert(1)</script>",
    "`code` *md* |pipe| [link](http://x) <!-- c -->",
    "\ud800lone",                   # lone surrogate: not encodable as UTF-8
    "{metric:>1500000000}",
    "{0.__class__}",
    "%s%n%x",
    "A" * 3000,
    "\u200bzero\u200dwidth",
    "\ufeffbom",
    "e\u0301\u0301\u0301",
    "🔥 loss",
    "",
    " ",
)

#: Names histories log, in Keras's spelling and others'.
METRIC_NAMES: tuple[str, ...] = (
    "loss", "val_loss", "accuracy", "val_accuracy", "acc", "val_acc", "train_loss",
    "dev_loss", "test_loss", "Validation Loss", "lr", "learning_rate", "mae", "val_mae",
    "auc", "val_auc", "precision", "out1_loss", "val_out1_loss", "eval_loss", "epoch",
    "step", "x", "loss_val",
)

NUMBER_LIKE = st.one_of(
    st.sampled_from(EXTREME_FLOATS), st.sampled_from(EXTREME_INTS), st.sampled_from(RAW_TOKENS)
)
#: A value of some JSON type other than the one a field expects.
HOSTILE_VALUES = st.one_of(
    NUMBER_LIKE,
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from([None, True, False, [], {}, [1, 2], {"a": 1}, "many", "1.5", [None],
                     [[1, 2], [3]], {"": None}, -5, 0.5, 1]),
)


def hostile_names() -> st.SearchStrategy[str]:
    """Metric names: usual ones, hostile text, or anything."""
    return st.one_of(
        st.sampled_from(METRIC_NAMES), st.sampled_from(HOSTILE_TEXT), st.text(max_size=12)
    )


# ======================================================================== JSON writing


def dump_json(value: Any, *, indent: int | None = None) -> str:
    """JSON text of ``value`` where :class:`Raw` values are written verbatim.

    NaN and infinities are written as ``NaN``/``Infinity`` (as Python and fitdoctor do);
    strings are ASCII-escaped, so a lone surrogate becomes ``\\ud800``.
    """
    raws: list[str] = []

    def place(node: Any) -> Any:
        if isinstance(node, Raw):
            raws.append(node.text)
            return f"\x00RAW{len(raws) - 1}\x00"
        if isinstance(node, dict):
            return {str(k): place(v) for k, v in node.items()}
        if isinstance(node, (list, tuple)):
            return [place(v) for v in node]
        return node

    text = json.dumps(place(value), allow_nan=True, indent=indent)
    for i, raw in enumerate(raws):
        text = text.replace(json.dumps(f"\x00RAW{i}\x00"), raw, 1)
    return text


# ===================================================================== inputs and cases


@dataclass
class Input:
    """One source on the command line.

    Args:
        kind: The generator that made it (``"csv"``, ``"run2"``, ...).
        files: Relative path → content, written into the case's folder.
        arg: What the command line names: a path in the folder, or ``-`` (stdin).
        stdin: Standard input, for ``arg == "-"``.
        valid: Well-formed for its format, with an epoch of a loss: must be read.
        epochs: Epochs a valid input holds (0 for none).
        mutations: What was done to it, for the report of a failure.
    """

    kind: str
    files: dict[str, bytes]
    arg: str
    stdin: bytes = b""
    valid: bool = True
    epochs: int = 0
    mutations: list[str] = field(default_factory=list)


# ============================================================================= curves

SHAPES = ("falling", "flat", "rising", "zigzag", "u-turn", "spike", "nan-tail", "noise",
          "plateau", "constant")
SCALES = (1e-8, 1e-3, 0.05, 0.7, 2.3, 100.0, 1e6, 1e300)


@st.composite
def curve(draw: st.DrawFn, n: int, *, kind: str = "loss") -> list[Any]:
    """``n`` values of one metric in a recognisable shape (a loss, an accuracy, a rate)."""
    if n == 0:
        return []
    rnd = draw(st.randoms(use_true_random=False))
    shape = draw(st.sampled_from(SHAPES))
    if kind == "accuracy":
        lo, hi = sorted((rnd.random(), rnd.random()))
        scale = draw(st.sampled_from((1.0, 100.0)))  # fractions, or percent
        values = [scale * (lo + (hi - lo) * (i + 1) / n) for i in range(n)]
        if shape in ("flat", "constant"):
            values = [scale * lo] * n
        return values
    if kind == "lr":
        base = draw(st.sampled_from((1e-3, 0.1, 1.0, 1e-9, math.nan, 0.0)))
        step = draw(st.integers(1, max(1, n)))
        return [base * (0.1 ** (i // step)) if math.isfinite(base) else base for i in range(n)]
    scale = draw(st.sampled_from(SCALES))
    out: list[float] = []
    for i in range(n):
        t = i / max(1, n - 1)
        noise = rnd.gauss(0, 0.02)
        if shape == "falling":
            v = 1.0 / (1 + 5 * t) + noise
        elif shape == "flat":
            v = 1.0 + noise * 0.01
        elif shape == "rising":
            v = 0.5 + t + noise
        elif shape == "zigzag":
            v = 1.0 + (0.5 if i % 2 else -0.3) + noise
        elif shape == "u-turn":
            v = 0.3 + (t - 0.4) ** 2 + noise
        elif shape == "spike":
            v = 1.0 / (1 + t) * (80.0 if i == n // 2 else 1.0)
        elif shape == "nan-tail":
            v = (1.0 + (0.5 if i % 2 else -0.3)) if i < n - 1 else math.nan
        elif shape == "plateau":
            v = 1.0 / (1 + 5 * min(t, 0.3))
        elif shape == "constant":
            v = 1.0
        else:
            v = abs(rnd.gauss(1, 0.5))
        out.append(abs(v) * scale)
    return out


@st.composite
def history(draw: st.DrawFn, *, min_epochs: int = 0, max_epochs: int = 40) -> dict[str, list[Any]]:
    """A Keras-like history: ``loss`` (almost always), validation curves, extras.

    Validation curves may be shorter than the training ones (``validation_freq``).
    """
    n = draw(st.one_of(st.integers(min_epochs, min(max_epochs, 3)),
                       st.integers(min_epochs, max_epochs)))
    out: dict[str, list[Any]] = {}
    if draw(st.integers(0, 19)) or n == 0:
        out["loss"] = draw(curve(n))
    if draw(st.booleans()):
        values = draw(curve(n))
        if n > 2 and not draw(st.integers(0, 5)):
            freq = draw(st.integers(2, n))
            values = values[freq - 1::freq]  # validation_freq > 1
        out["val_loss"] = values
    if draw(st.booleans()):
        out["accuracy"] = draw(curve(n, kind="accuracy"))
        if draw(st.booleans()):
            out["val_accuracy"] = draw(curve(n, kind="accuracy"))
    if not draw(st.integers(0, 3)):
        out[draw(st.sampled_from(("lr", "learning_rate")))] = draw(curve(n, kind="lr"))
    for name in draw(st.lists(hostile_names(), max_size=2)):
        if name not in out:
            out[name] = draw(curve(n))
    return out


#: Names that are not metrics: a history using them as one is not well-formed.
COUNTERS = frozenset({"epoch", "epochs", "step", "steps", "iteration", "global_step"})


def is_valid_history(h: dict[str, list[Any]]) -> bool:
    """A history every reader must accept: a loss with a finite value, metric names only."""
    loss = h.get("loss")
    names_ok = all(k.strip() and k.strip().lower() not in COUNTERS for k in h)
    return names_ok and bool(loss) and any(
        isinstance(v, float) and math.isfinite(v) for v in loss or [])


def epochs_of(h: dict[str, list[Any]]) -> int:
    """Rows of a history (its longest curve)."""
    return max((len(v) for v in h.values()), default=0)


@st.composite
def spoil_values(
    draw: st.DrawFn, h: dict[str, list[Any]]
) -> tuple[dict[str, list[Any]], list[str]]:
    """Put 1-3 hostile numbers, gaps or texts into a history's curves."""
    h = {k: list(v) for k, v in h.items()}
    keys = [k for k, v in h.items() if v]
    done: list[str] = []
    if not keys:
        return h, done
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(keys))
        i = draw(st.integers(0, len(h[key]) - 1))
        value = draw(st.one_of(NUMBER_LIKE, st.none(), st.sampled_from(["abc", "", True])))
        h[key][i] = value
        done.append(f"{key}[{i}] = {_show(value)}")
    return h, done


def _show(value: Any) -> str:
    text = value.text if isinstance(value, Raw) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def plain(h: dict[str, list[Any]]) -> bool:
    """Every value is a float, an int or a gap (no hostile tokens)."""
    return all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)
                             and abs(v) < 1e300) for vs in h.values() for v in vs)


# ============================================================================ formats


def _cell(v: Any, na: str = "") -> str:
    if v is None:
        return na
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _aligned(h: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Curves padded to one row per epoch (short validation lists at their epochs)."""
    n = epochs_of(h)
    out: dict[str, list[Any]] = {}
    for k, v in h.items():
        if len(v) == n or not v:
            out[k] = list(v) + [None] * (n - len(v))
            continue
        f = n // len(v) if len(v) else 1
        row: list[Any] = [None] * n
        for j, value in enumerate(v):
            idx = min(n - 1, (j + 1) * f - 1)
            row[idx] = value
        out[k] = row
    return out


def keras_json(draw: st.DrawFn, h: dict[str, list[Any]]) -> tuple[str, bytes, bool]:
    """``json.dump(history.history, f)``, bare, wrapped with params, or nested phases."""
    form = draw(st.sampled_from(("bare", "bare", "wrapped", "nested", "facts", "phases")))
    valid = True
    if form == "wrapped":
        n = epochs_of(h)
        value: Any = {"history": h, "params": {"epochs": n + draw(st.integers(0, 3)),
                                               "steps": 10, "verbose": 1},
                      "epoch": list(range(n))}
    elif form == "nested":
        value = {"frozen": h, "finetune": h}
    elif form == "facts":
        value = {**h, "test_accuracy": 0.9, "timestamp": "2024-01-01", "config": {"a": [1]}}
    elif form == "phases" and epochs_of(h) >= 2 and all(len(v) == epochs_of(h) for v in h.values()):
        value = {**h, "phase_starts": [0, epochs_of(h) // 2], "phase_labels": ["head", "all"]}
    else:
        value = h
    return "history.json", dump_json(value, indent=draw(st.sampled_from((None, 2)))).encode(), valid


def records_json(draw: st.DrawFn, h: dict[str, list[Any]]) -> tuple[str, bytes, bool]:
    """Per-epoch records: a JSON array or JSON Lines."""
    rows = _aligned(h)
    n = epochs_of(h)
    records = [{"epoch": i, **{k: v[i] for k, v in rows.items() if v[i] is not None}}
               for i in range(n)]
    if draw(st.booleans()):
        return "records.json", dump_json(records).encode(), True
    return "records.jsonl", "".join(dump_json(r) + "\n" for r in records).encode(), True


def hf_state(draw: st.DrawFn, h: dict[str, list[Any]]) -> tuple[str, bytes, bool]:
    """A Hugging Face ``trainer_state.json``: training and ``eval_*`` records."""
    rows = _aligned(h)
    n = epochs_of(h)
    log: list[dict[str, Any]] = []
    for i in range(n):
        train = {k: v[i] for k, v in rows.items() if not k.startswith("val_") and v[i] is not None}
        log.append({"epoch": float(i + 1), "step": 10 * (i + 1), **train})
        evals = {"eval_" + k[4:]: v[i] for k, v in rows.items()
                 if k.startswith("val_") and v[i] is not None}
        if evals:
            log.append({"epoch": float(i + 1), "step": 10 * (i + 1), **evals})
    state = {"log_history": log, "global_step": 10 * n, "epoch": float(n)}
    return "trainer_state.json", dump_json(state, indent=2).encode(), True


def pandas_json(draw: st.DrawFn, h: dict[str, list[Any]]) -> tuple[str, bytes, bool]:
    """``DataFrame(history).to_json()`` (columns orient; NaN as null)."""
    rows = _aligned(h)
    value = {k: {str(i): (None if isinstance(x, float) and math.isnan(x) else x)
                 for i, x in enumerate(v)} for k, v in rows.items()}
    return "frame.json", dump_json(value).encode(), True


def csv_file(draw: st.DrawFn, h: dict[str, list[Any]]) -> tuple[str, bytes, bool]:
    """A CSVLogger-style file: separators, line endings, BOM, ``NA``, decimal commas."""
    sep = draw(st.sampled_from((",", ",", ";", "\t", "|")))
    newline = draw(st.sampled_from(("\n", "\r\n", "\r")))
    na = draw(st.sampled_from(("", "NA", "nan")))
    rows = _aligned(h)
    names = [k for k in rows if sep not in k and '"' not in k and "\n" not in k
             and "\r" not in k and k.strip()]
    names = [k for k in names if k != "epoch"]
    epoch_col = draw(st.booleans()) or not names
    header = (["epoch"] if epoch_col else []) + names
    lines = [sep.join(header)]
    decimal_comma = sep != "," and draw(st.booleans())
    for i in range(epochs_of(h)):
        cells = [str(i)] if epoch_col else []
        for k in names:
            cell = _cell(rows[k][i], na)
            cells.append(cell.replace(".", ",") if decimal_comma else cell)
        lines.append(sep.join(cells))
    text = newline.join(lines) + (newline if draw(st.booleans()) else "")
    bom = "\ufeff" if draw(st.booleans()) else ""
    data = (bom + text).encode("utf-8", "surrogatepass")  # a lone surrogate: not UTF-8
    valid = "loss" in names and epoch_col and all(k.isprintable() for k in names)
    return "training.log", data, valid and data.decode("utf-8", "replace") == bom + text


def console_log(draw: st.DrawFn, h: dict[str, list[Any]]) -> tuple[str, bytes, bool]:
    """What ``model.fit`` prints (Keras 3 verbose=1 with ANSI and ``\\r``, or verbose=2)."""
    rows = _aligned(h)
    n = epochs_of(h)
    style = draw(st.sampled_from(("k3", "k3-bar", "k2")))
    names = [k for k in rows if k.replace("_", "").isalnum() and k.isascii()]
    out: list[str] = []
    for i in range(n):
        out.append(f"Epoch {i + 1}/{n}")
        pairs = " - ".join(f"{k}: {_console_number(rows[k][i])}" for k in names
                           if rows[k][i] is not None)
        if style == "k3-bar":
            out.append("\r 3/12 \x1b[32m━━━\x1b[0m 0s 9ms/step - loss: 1.0000"
                       f"\r12/12 \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m 0s 9ms/step - {pairs}")
        elif style == "k3":
            out.append(f"12/12 - 0s - 10ms/step - {pairs}")
        else:
            out.append(f"12/12 [==============================] - 0s 4ms/step - {pairs}")
    valid = "loss" in names
    return "train.log", "\n".join(out).encode() + b"\n", valid


def _console_number(v: Any) -> str:
    if isinstance(v, Raw):
        return v.text
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return f"{v:.4f}" if 1e-4 < abs(v) < 1e6 else f"{v:.4e}"
    return str(v)


# ------------------------------------------------------------------ TensorBoard events


def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, wire: int, payload: bytes) -> bytes:
    key = _varint(number << 3 | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def _masked_crc(data: bytes) -> int:
    from fitdoctor.readers.tfrecord import masked_crc32c

    return masked_crc32c(data)


def tf_record(payload: bytes) -> bytes:
    """One TFRecord: length, its CRC, the payload, its CRC."""
    head = struct.pack("<Q", len(payload))
    return (head + struct.pack("<I", _masked_crc(head)) + payload
            + struct.pack("<I", _masked_crc(payload)))


def scalar_event(tag: str, step: int, value: float, wall: float = 1.7e9) -> bytes:
    """An ``Event`` protobuf with one ``simple_value`` scalar."""
    val = (_field(1, 2, tag.encode("utf-8", "surrogatepass"))
           + _field(2, 5, struct.pack("<f", value)))
    summary = _field(1, 2, val)
    return (_field(1, 1, struct.pack("<d", wall)) + _field(2, 0, _varint(step))
            + _field(5, 2, summary))


def _f32(v: Any) -> float:
    if isinstance(v, Raw):
        return math.inf
    x = float(v)
    if math.isfinite(x) and abs(x) > 3.4e38:
        return math.copysign(math.inf, x)
    return x


@st.composite
def tensorboard_dir(
    draw: st.DrawFn, h: dict[str, list[Any]]
) -> tuple[dict[str, bytes], bool]:
    """``keras.callbacks.TensorBoard`` folders: ``train/`` and ``validation/`` event files."""
    rows = _aligned(h)
    files: dict[str, bytes] = {}
    for role, prefix in (("train", ""), ("validation", "val_")):
        header = _field(1, 1, struct.pack("<d", 1.7e9)) + _field(3, 2, b"brain.Event:2")
        records = [tf_record(header)]
        for k, v in rows.items():
            if prefix and not k.startswith(prefix):
                continue
            if not prefix and k.startswith("val_"):
                continue
            tag = "epoch_" + k[len(prefix):]
            records += [tf_record(scalar_event(tag, i, _f32(x))) for i, x in enumerate(v)
                        if x is not None]
        if len(records) > 1:
            files[f"logs/{role}/events.out.tfevents.1700000000.host.1.v2"] = b"".join(records)
    tail = draw(st.sampled_from((b"", b"", b"\x10\x00\x00", b"garbage")))
    if tail and files:
        first = sorted(files)[0]
        files[first] += tail
    return files, "loss" in rows


# =========================================================== run files, v1 and v2


@st.composite
def run_facts(draw: st.DrawFn, n_classes: int) -> dict[str, Any]:
    """Model, compile, fit, data and baselines facts, as the callback records them."""
    from fitdoctor.run import (
        Baselines,
        CompileInfo,
        DataInfo,
        FitInfo,
        Layer,
        ModelInfo,
        Regularizer,
    )

    units = draw(st.sampled_from((8, 64, 512)))
    out_act = draw(st.sampled_from(("softmax", "sigmoid", "linear", None)))
    layers = [
        Layer("dense", "Dense", units=units, activation=draw(st.sampled_from(("relu", "linear"))),
              kernel_regularizer=Regularizer("L2", l2=1e-4) if draw(st.booleans()) else None,
              params=units * 10),
        Layer("dropout", "Dropout", dropout=draw(st.sampled_from((0.2, 0.7)))),
        Layer("out", "Dense", units=n_classes if n_classes > 2 else 1, activation=out_act),
    ]
    model = ModelInfo(name="m", class_name="Sequential", layers=layers, params=units * 20,
                      trainable_params=units * 20, input_shape=[None, 10],
                      output_activation=out_act, output_units=layers[-1].units)
    comp = CompileInfo(loss=draw(st.sampled_from(("categorical_crossentropy", "mse",
                                                  "binary_crossentropy"))),
                       optimizer=draw(st.sampled_from(("Adam", "SGD", "RMSprop"))),
                       learning_rate=draw(st.sampled_from((1e-3, 0.1, math.nan))),
                       metrics=["accuracy"])
    fit = FitInfo(epochs=draw(st.integers(1, 50)), batch_size=draw(st.sampled_from((32, 100))),
                  validation="split", validation_split=0.2)
    counts = draw(st.lists(st.integers(0, 5000), min_size=n_classes, max_size=n_classes))
    data = DataInfo(task="multiclass" if n_classes > 2 else "binary", label_encoding="one-hot",
                    n_train=sum(counts), n_val=max(1, sum(counts) // 4), n_features=10,
                    n_classes=n_classes, train_class_counts=counts,
                    val_class_counts=[c // 4 for c in counts])
    base = Baselines(majority_accuracy=0.5, prior_loss=0.69, majority_class="0")
    return {"model": model, "compile": comp, "fit": fit, "data": data, "baselines": base}


@st.composite
def runs(draw: st.DrawFn, *, min_epochs: int = 0, max_epochs: int = 30) -> Any:
    """A :class:`~fitdoctor.run.Run` as the callback records it (facts, per-class metrics)."""
    from fitdoctor.run import PerClass, Run

    h = draw(history(min_epochs=min_epochs, max_epochs=max_epochs))
    rows = _aligned(h)
    rows = {k: [_plain_float(x) for x in v] for k, v in rows.items()}
    n = epochs_of(h)
    k = draw(st.sampled_from((2, 3)))
    facts = draw(run_facts(k)) if draw(st.booleans()) else {}
    per_class = []
    if facts and draw(st.booleans()):
        for e in range(1, n + 1):
            per_class.append(PerClass(
                epoch=e, labels=[str(i) for i in range(k)], precision=[0.5] * k,
                recall=[draw(st.sampled_from((0.0, 0.5, 1.0)))] + [0.9] * (k - 1), f1=[0.5] * k,
                support=[10] * k, confusion=[[5] * k for _ in range(k)] if e == n else [],
                pr_auc=[0.5] * k, top_confusions=[[0, 1, 5]]))
    return Run(epochs=list(range(1, n + 1)), metrics=rows,
               seconds=[0.1] * n if draw(st.booleans()) else None,
               status=draw(st.sampled_from(("completed", "running", "stopped-early"))),
               source="fitdoctor", name=draw(st.sampled_from(("run", *HOSTILE_TEXT[:6]))),
               per_class=per_class, meta={"versions": {"keras": "3"}}, **facts)


def _plain_float(x: Any) -> float | None:
    if x is None:
        return None
    if isinstance(x, Raw):
        return math.inf
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf


def run_is_valid(run: Any) -> bool:
    """A run with a loss that has at least one finite value."""
    return is_valid_history({k: v for k, v in run.metrics.items()})


def run1_tree(run: Any) -> dict[str, Any]:
    """The ``fitdoctor.run/1`` document of a run."""
    tree: dict[str, Any] = json.loads(json.dumps(run.to_dict(), allow_nan=True))
    return tree


def run2_lines(run: Any) -> list[dict[str, Any]]:
    """The ``fitdoctor.run/2`` records of a run (header, epochs, end)."""
    from fitdoctor import runlog_writer

    text = runlog_writer.dumps(run, best_epoch=run.epochs[-1] if run.epochs else None)
    return [json.loads(line) for line in text.splitlines()]


# ================================================= cross-validation, learning curves


@st.composite
def cv_tree(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """A ``fitdoctor.cv/1`` document of 2-4 folds."""
    from fitdoctor.cv import CVResult

    k = draw(st.integers(2, 4))
    folds = [draw(runs(min_epochs=1, max_epochs=12)) for _ in range(k)]
    result = CVResult(folds, k=k, n_samples=draw(st.integers(10, 10_000)), name="cv")
    tree = json.loads(json.dumps(result.to_dict(), allow_nan=True))
    return tree, all(run_is_valid(r) for r in folds)


@st.composite
def lc_tree(draw: st.DrawFn) -> tuple[dict[str, Any], bool]:
    """A ``fitdoctor.learning-curve/1`` document of 2-5 sizes."""
    from fitdoctor.cv import LearningCurveResult, SizeScores

    k = draw(st.integers(2, 3))
    fractions = sorted(set(draw(st.lists(st.sampled_from((0.1, 0.25, 0.5, 0.75, 1.0)),
                                         min_size=2, max_size=5))))
    shape = draw(st.sampled_from(("helps", "flat", "noisy", "constant")))
    sizes = []
    for f in fractions:
        if shape == "helps":
            train, val = [0.05] * k, [0.3 / f + 0.01 * i for i in range(k)]
        elif shape == "flat":
            train, val = [0.3] * k, [0.32 + 0.01 * i for i in range(k)]
        elif shape == "constant":
            train, val = [0.1] * k, [0.1] * k
        else:
            train = [draw(st.floats(0, 2)) for _ in range(k)]
            val = [draw(st.floats(0, 2)) for _ in range(k)]
        sizes.append(SizeScores(f, [max(1, round(200 * f))] * k, train, val))
    result = LearningCurveResult(sizes=sizes, k=k, n_samples=200, runs=[])
    return json.loads(json.dumps(result.to_dict(), allow_nan=True)), len(fractions) >= 2


# ========================================================================== mutations

MUTATIONS = ("replace", "replace", "replace", "delete", "unknown-key", "wrap")


def _paths(tree: Any, limit: int = 3000) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), tree)]
    while stack and len(out) < limit:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in enumerate(node))
    return out


@st.composite
def mutate_tree(draw: st.DrawFn, tree: Any, *, max_mutations: int = 3) -> tuple[Any, list[str]]:
    """Break a JSON document: a hostile value, a deleted or unknown key, a wrapped node."""
    tree = copy.deepcopy(tree)
    done: list[str] = []
    for _ in range(draw(st.integers(1, max_mutations))):
        paths = [p for p in _paths(tree) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = tree
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = draw(st.sampled_from(MUTATIONS))
        where = ".".join(str(p) for p in path)
        if op == "replace":
            value = copy.deepcopy(draw(HOSTILE_VALUES))  # never a shared list or dict
            parent[key] = value
            done.append(f"{where} = {_show(value)}")
        elif op == "delete":
            del parent[key]
            done.append(f"del {where}")
        elif op == "unknown-key" and isinstance(parent, dict):
            name = draw(hostile_names())
            parent[name] = copy.deepcopy(draw(HOSTILE_VALUES))
            done.append(f"{'.'.join(str(p) for p in path[:-1])}[{name!r}] added")
        else:
            parent[key] = [parent[key]]
            done.append(f"{where} wrapped in a list")
    return tree, done


TEXT_MUTATIONS = ("truncate", "insert", "delete", "duplicate-line", "nul", "replace-byte",
                  "hostile-line")


@st.composite
def mutate_text(draw: st.DrawFn, data: bytes) -> tuple[bytes, list[str]]:
    """Break a text file: cut it, insert bytes or a hostile line, repeat a line."""
    done: list[str] = []
    for _ in range(draw(st.integers(1, 2))):
        op = draw(st.sampled_from(TEXT_MUTATIONS))
        pos = draw(st.integers(0, len(data)))
        if op == "truncate":
            data = data[:pos]
        elif op == "insert":
            data = data[:pos] + draw(st.binary(min_size=1, max_size=8)) + data[pos:]
        elif op == "delete":
            data = data[:pos] + data[pos + draw(st.integers(1, 20)):]
        elif op == "duplicate-line":
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif op == "nul":
            data = data[:pos] + b"\x00" + data[pos:]
        elif op == "replace-byte" and data:
            pos = min(pos, len(data) - 1)
            data = data[:pos] + bytes([draw(st.integers(0, 255))]) + data[pos + 1:]
        else:
            line = draw(st.sampled_from(HOSTILE_TEXT)).encode("utf-8", "surrogatepass")
            data = data[:pos] + b"\n" + line + b"\n" + data[pos:]
        done.append(f"{op} at {pos}")
    return data, done


# ============================================================================= inputs

#: Kinds of history inputs, each with its weight in :func:`inputs`.
HISTORY_KINDS = ("keras-json", "records", "hf", "pandas", "csv", "console", "tensorboard",
                 "run1", "run2", "cv", "lc", "bytes", "stdin")

_HISTORY_FORMATS: dict[str, Callable[[st.DrawFn, dict[str, list[Any]]], Any]] = {
    "keras-json": keras_json,
    "records": records_json,
    "hf": hf_state,
    "pandas": pandas_json,
    "csv": csv_file,
    "console": console_log,
}


@st.composite
def history_input(draw: st.DrawFn, kind: str, *, mutate: bool | None = None) -> Input:
    """A history in one text format, maybe with hostile values or a broken byte."""
    h = draw(history())
    valid = is_valid_history(h)
    mutations: list[str] = []
    if draw(st.integers(0, 3)) == 0:
        h, spoiled = draw(spoil_values(h))
        mutations += spoiled
        valid = valid and plain(h) and is_valid_history(h)
    name, data, format_valid = _HISTORY_FORMATS[kind](draw, h)
    valid = valid and format_valid
    if mutate if mutate is not None else not draw(st.integers(0, 4)):
        data, broken = draw(mutate_text(data))
        mutations += broken
        valid = False
    if draw(st.integers(0, 9)) == 0:
        data = b"\xef\xbb\xbf" + data.removeprefix(b"\xef\xbb\xbf")
        mutations.append("BOM")
    return Input(kind, {name: data}, name, valid=valid, epochs=epochs_of(h) if valid else 0,
                 mutations=mutations)


@st.composite
def tensorboard_input(draw: st.DrawFn) -> Input:
    """A TensorBoard log folder, maybe with a garbage tail or a cut-off record."""
    h = draw(history())
    files, has_loss = draw(tensorboard_dir(h))
    valid = has_loss and is_valid_history(h) and plain(h)
    if not files:
        files = {"logs/train/events.out.tfevents.1.h": draw(st.binary(max_size=64))}
        valid = False
    mutations: list[str] = []
    if not draw(st.integers(0, 3)):
        name = draw(st.sampled_from(sorted(files)))
        files[name], mutations = draw(mutate_text(files[name]))
        valid = False
    return Input("tensorboard", files, "logs", valid=valid, epochs=epochs_of(h),
                 mutations=mutations)


@st.composite
def document_input(draw: st.DrawFn, kind: str, *, mutate: bool | None = None) -> Input:
    """A run file v1 or v2, or a CV / learning-curve document, maybe broken field by field."""
    run: Any = None
    if kind == "run1":
        run = draw(runs())
        tree: Any = run1_tree(run)
        valid = run_is_valid(run)
    elif kind == "run2":
        run = draw(runs())
        tree = run2_lines(run)
        valid = run_is_valid(run)
    elif kind == "cv":
        tree, valid = draw(cv_tree())
    else:
        tree, valid = draw(lc_tree())
    mutations: list[str] = []
    if mutate if mutate is not None else not draw(st.integers(0, 2)):
        if kind == "run2":
            i = draw(st.integers(0, len(tree) - 1))
            tree[i], mutations = draw(mutate_tree(tree[i]))
            mutations = [f"line {i + 1}: {m}" for m in mutations]
        else:
            tree, mutations = draw(mutate_tree(tree))
        valid = False
    if kind == "run2":
        data = "".join(dump_json(line) + "\n" for line in tree).encode()
    else:
        data = dump_json(tree, indent=draw(st.sampled_from((None, 1)))).encode()
    if draw(st.integers(0, 5)) == 0:
        data = b"\xef\xbb\xbf" + data
        mutations.append("BOM")
    if kind != "run2" and draw(st.integers(0, 7)) == 0:
        data = data.replace(b"\n", b"\r\n")
        mutations.append("CRLF")
    if draw(st.integers(0, 9)) == 0:
        data, broken = draw(mutate_text(data))
        mutations += broken
        valid = False
    epochs = run.n_epochs if run is not None else 1
    return Input(kind, {f"{kind}.json": data}, f"{kind}.json", valid=valid, epochs=epochs,
                 mutations=mutations)


@st.composite
def bytes_input(draw: st.DrawFn) -> Input:
    """Any bytes at all (never valid)."""
    data = draw(st.one_of(st.binary(max_size=300),
                          st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))))
    return Input("bytes", {"blob.txt": data}, "blob.txt", valid=False)


@st.composite
def inputs(draw: st.DrawFn, kinds: Sequence[str] = HISTORY_KINDS) -> Input:
    """One input of any kind."""
    kind = draw(st.sampled_from(list(kinds)))
    if kind in _HISTORY_FORMATS:
        return draw(history_input(kind))
    if kind == "tensorboard":
        return draw(tensorboard_input())
    if kind in ("run1", "run2", "cv", "lc"):
        return draw(document_input(kind))
    if kind == "stdin":
        inner = draw(inputs(kinds=("keras-json", "csv", "console", "run2", "records")))
        (data,) = inner.files.values()
        return Input("stdin:" + inner.kind, {}, "-", stdin=data, valid=inner.valid,
                     epochs=inner.epochs, mutations=inner.mutations)
    return draw(bytes_input())


# ===================================================================== configuration


def to_toml(value: dict[str, Any]) -> str:
    """TOML text of a table: top-level ``key = value`` lines, inline tables below."""
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in value.items())


def _toml_key(key: str) -> str:
    return key if key and all(c.isalnum() or c in "-_" for c in key) and key.isascii() \
        else json.dumps(key)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v).replace("\\u007f", "\\u007F")
    if isinstance(v, Raw):
        return "0"
    if v is None:
        return '""'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(str(k))} = {_toml_value(x)}"
                               for k, x in v.items()) + "}"
    return json.dumps(str(v))


@cache
def builtin_rules() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """``(code, name, parameter names)`` of every built-in rule (read from rules/*.toml)."""
    out = []
    for raw in builtin_rule_tables():
        out.append((raw["code"], raw["name"], tuple(raw.get("params", {}))))
    return tuple(out)


@cache
def builtin_rule_tables() -> tuple[dict[str, Any], ...]:
    """The ``[[rule]]`` tables of the shipped rule files."""
    from fitdoctor.rules import BUILTIN_RULES_DIR

    tables: list[dict[str, Any]] = []
    for path in sorted(Path(BUILTIN_RULES_DIR).glob("*.toml")):
        tables.extend(tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []))
    return tuple(tables)


def selectors() -> st.SearchStrategy[str]:
    """Rule selectors: codes, prefixes, names, ``ALL``, unknown ones."""
    rules = builtin_rules()
    return st.one_of(
        st.sampled_from([c for c, _, _ in rules]),
        st.sampled_from([n for _, n, _ in rules]),
        st.sampled_from(["FD1", "FD4", "FD7", "ALL", "fd101", "FD999", "nonsense"]),
    )


PARAM_VALUES = st.one_of(
    st.sampled_from((0, 1, 2, 5, 0.5, 0.05, 0.15, 10, 100)),
    st.sampled_from((-1, -5, 0.0, math.nan, math.inf, -math.inf, 10**30, 1e308, -1e-9)),
    st.sampled_from(("0.1", True, [1], {"a": 1}, "")),
)


@st.composite
def config_table(draw: st.DrawFn, pack: str | None) -> dict[str, Any]:
    """A ``[tool.fitdoctor]`` table: good values mostly, wrong ones sometimes."""
    rules = builtin_rules()
    table: dict[str, Any] = {}
    if draw(st.booleans()):
        table["select"] = draw(st.one_of(st.lists(selectors(), max_size=3),
                                         st.sampled_from(([], "FD1", 5, [1], {"a": 1}))))
    if draw(st.booleans()):
        table["ignore"] = draw(st.one_of(st.lists(selectors(), max_size=2),
                                         st.sampled_from(("FD702", 5, [None]))))
    if draw(st.booleans()):
        table["fail-on"] = draw(st.sampled_from(("error", "warning", "info", "fatal", 1, ["info"])))
    if pack is not None and draw(st.booleans()):
        table["rules"] = draw(st.sampled_from(([pack], pack, ["missing"], [pack, pack], 3)))
    if draw(st.booleans()):
        options: dict[str, Any] = {}
        for code, name, params in draw(st.lists(st.sampled_from(rules), max_size=3)):
            key = draw(st.sampled_from((code, name)))
            opts: dict[str, Any] = {}
            for p in draw(st.lists(st.sampled_from(params), max_size=2)) if params else []:
                opts[p] = draw(PARAM_VALUES)
            if draw(st.booleans()):
                opts["severity"] = draw(st.sampled_from(("error", "warning", "info", "fatal", 3)))
            if not draw(st.integers(0, 9)):
                opts["no_such_param"] = 1
            options[key] = opts
        table["rule"] = draw(st.one_of(st.just(options), st.sampled_from(([options], 1, "x"))))
    if draw(st.booleans()):
        table["metrics"] = draw(st.one_of(
            st.just({"dev_loss": "val_loss"}),
            st.dictionaries(hostile_names(), st.sampled_from(("val_loss", "", "loss", 1)),
                            max_size=2)))
    if not draw(st.integers(0, 9)):
        table[draw(st.sampled_from(("selekt", "fail_on", "Rules")))] = 1
    return table


@st.composite
def config_files(draw: st.DrawFn, pack: str | None = None) -> tuple[dict[str, bytes], list[str]]:
    """A configuration: a ``fitdoctor.toml``, a ``pyproject.toml``, or one given with --config.

    Returns:
        ``(files, extra arguments)``.
    """
    table = draw(config_table(pack))
    where = draw(st.sampled_from(("fitdoctor.toml", "pyproject.toml", "--config", "hostile")))
    if where == "pyproject.toml":
        text = "[project]\nname = \"x\"\n\n[tool.fitdoctor]\n" + to_toml(table)
    elif where == "hostile":
        text = draw(st.sampled_from((
            'tool = "fitdoctor"\n',
            "[tool]\nfitdoctor = 1\n",
            "[tool]\nfitdoctor = [1, 2]\n",
            "[tool.fitdoctor\n",
            "tool.fitdoctor.rule = 5\n",
            "[tool.fitdoctor]\nrule = [[1]]\n",
        )))
        files = {"pyproject.toml": text.encode()}
        return files, []
    else:
        text = to_toml(table)
    data = text.encode("utf-8", "surrogatepass")
    if not draw(st.integers(0, 7)):
        data = b"\xef\xbb\xbf" + data
    if where == "--config":
        name = draw(st.sampled_from(("ci.toml", "fitdoctor.toml", "missing.toml", ".")))
        if name in ("missing.toml", "."):
            return {}, ["--config", name]
        return {name: data}, ["--config", name]
    return {where: data}, []


@st.composite
def rule_packs(draw: st.DrawFn) -> dict[str, bytes]:
    """A rule pack folder ``pack/``: built-in rules renamed, some fields broken."""
    tables = builtin_rule_tables()
    chosen = draw(st.lists(st.sampled_from(range(len(tables))), min_size=1, max_size=2,
                           unique=True))
    pack: list[dict[str, Any]] = []
    for j, i in enumerate(chosen):
        rule = copy.deepcopy(tables[i])
        rule["code"] = f"FD9{j}{draw(st.integers(0, 9))}"
        rule["name"] = f"pack-rule-{j}"
        pack.append(rule)
    mutations = 0
    if not draw(st.integers(0, 2)):
        tree, _ = draw(mutate_tree({"rule": pack}, max_mutations=2))
        mutations = 1
    else:
        tree = {"rule": pack}
    if not mutations and not draw(st.integers(0, 3)):
        rule = tree["rule"][0]
        rule["message"] = draw(st.sampled_from((
            "{metric:>1500000000}", "{metric:.999999999f}", "{0}", "{metric!r}",
            "{metric.__class__}", "{", "}", "{{literal}}", "{missing_field}",
            "\x1b[31m{metric}\u202e",
        )))
    text = to_toml(tree) if isinstance(tree, dict) else "rule = 1\n"
    return {"pack/extra.toml": text.encode("utf-8", "surrogatepass")}


# ====================================================================== command lines


@dataclass
class Scenario:
    """Files, a command line and its standard input: one fuzzing case.

    Args:
        argv: The arguments after ``fitdoctor``.
        files: Relative path → content, written into an empty folder (the working
            directory of the run).
        stdin: Standard input.
        inputs: The inputs named on the command line.
        env: Extra environment variables.
        notes: How the case was made (mutations), for a failure's report.
        benign: No configuration, rule pack or option value that may be refused: with
            valid inputs, exit 2 is a valid file refused.
    """

    argv: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    stdin: bytes = b""
    inputs: list[Input] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    benign: bool = True

    @property
    def command(self) -> str:
        """The command (``analyze``, ``compare``, ...)."""
        return self.argv[0]

    def option(self, *names: str) -> str | None:
        """The value of an option of the command line, or ``None``."""
        for i, arg in enumerate(self.argv[:-1]):
            if arg in names:
                return self.argv[i + 1]
        return None

    def describe(self) -> str:
        """A few lines that reproduce the case by hand."""
        args = " ".join(a if len(a) <= 80 else a[:77] + "..." for a in self.argv)
        lines = ["fitdoctor " + args]
        for name, data in self.files.items():
            shown = data[:300]
            lines.append(f"  {name} ({len(data)} bytes): {shown!r}")
        if self.stdin:
            lines.append(f"  stdin ({len(self.stdin)} bytes): {self.stdin[:300]!r}")
        lines += [f"  {n}" for n in self.notes]
        return "\n".join(lines)


ANALYZE_FORMATS = ("auto", "rich", "text", "markdown", "json", "github", "html")


def _add(scenario: Scenario, item: Input, prefix: str) -> str:
    """Put an input's files under ``prefix/`` (or stdin) and return its argument."""
    if item.arg == "-":
        scenario.stdin = item.stdin
        scenario.inputs.append(item)
        return "-"
    for name, data in item.files.items():
        scenario.files[f"{prefix}/{name}"] = data
    scenario.inputs.append(item)
    scenario.notes += [f"{prefix}: {item.kind}: {m}" for m in item.mutations]
    return f"{prefix}/{item.arg}"


@st.composite
def analyze_scenarios(draw: st.DrawFn, kinds: Sequence[str] = HISTORY_KINDS,
                      configured: bool = True) -> Scenario:
    """``fitdoctor analyze`` on 1-2 inputs with any options."""
    sc = Scenario(["analyze"])
    count = 1 if draw(st.integers(0, 5)) else 2
    args = []
    for i in range(count):
        item = draw(inputs(kinds if i == 0 else tuple(k for k in kinds if k != "stdin")))
        args.append(_add(sc, item, f"in{i}"))
    sc.argv += args
    fmt = draw(st.sampled_from(ANALYZE_FORMATS))
    sc.argv += ["-f", fmt]
    if fmt == "html":
        sc.argv += ["-o", "report.html"]
    if draw(st.booleans()):
        sc.argv += ["--fail-on", draw(st.sampled_from(("error", "warning", "info")))]
    if not draw(st.integers(0, 5)):
        sc.argv.append("--exit-zero")
    if not draw(st.integers(0, 4)):
        sc.benign = False
        sc.argv += ["--select", draw(selectors())]
    if not draw(st.integers(0, 4)):
        sc.benign = False
        sc.argv += ["--ignore", draw(selectors())]
    if not draw(st.integers(0, 6)):
        sc.argv += ["--task", draw(st.sampled_from(("binary", "multiclass", "regression")))]
    if not draw(st.integers(0, 6)):
        sc.argv += ["--classes", str(draw(st.integers(1, 1000)))]
    if not draw(st.integers(0, 6)):
        sc.benign = False
        sc.argv += ["--class-counts", draw(st.sampled_from(
            ("950,50", "1,1", "0,0", "10", "-1,5", "1e400,1", "a,b", "1" + "0" * 400 + ",1",
             ",".join(["1"] * 2000))))]
    if not draw(st.integers(0, 6)):
        sc.benign = False
        sc.argv += ["--metric-map", draw(st.sampled_from(
            ("dev_loss=val_loss", "loss=", "x=loss", "=", "a=b=c", "loss=val_loss",
             "\x1b[2J=loss")))]
    if not draw(st.integers(0, 6)):
        sc.argv += ["--width", str(draw(st.sampled_from((40, 41, 80, 200, 10_000))))]
    if not draw(st.integers(0, 9)):
        sc.argv.append("--summary")
        sc.env["GITHUB_STEP_SUMMARY"] = "summary.md"
    if configured:
        _configure(draw, sc)
    return sc


def _configure(draw: st.DrawFn, sc: Scenario) -> None:
    pack = None
    if not draw(st.integers(0, 7)):
        sc.benign = False
        sc.files.update(draw(rule_packs()))
        pack = "pack"
        if draw(st.booleans()):
            sc.argv += ["--rules", "pack"]
            pack = None
    if not draw(st.integers(0, 5)):
        sc.benign = False
        files, extra = draw(config_files(pack))
        sc.files.update(files)
        sc.argv += extra


@st.composite
def compare_scenarios(draw: st.DrawFn) -> Scenario:
    """``fitdoctor compare BEFORE AFTER``."""
    sc = Scenario(["compare"])
    kinds = tuple(k for k in HISTORY_KINDS if k not in ("stdin", "cv", "lc"))
    before = _add(sc, draw(inputs(kinds)), "before")
    after = _add(sc, draw(inputs(kinds)), "after")
    sc.argv += [before, after, "-f", draw(st.sampled_from(("auto", "rich", "text", "markdown",
                                                            "json")))]
    if draw(st.booleans()):
        sc.argv.append("--fail-on-regression")
    if not draw(st.integers(0, 3)):
        sc.argv += ["--monitor", draw(st.sampled_from(
            ("val_loss", "val_accuracy", "loss", "nope", "\x1b[31mx")))]
    if not draw(st.integers(0, 3)):
        sc.argv += ["--mode", draw(st.sampled_from(("min", "max")))]
    if not draw(st.integers(0, 5)):
        _configure(draw, sc)
    return sc


@st.composite
def plot_scenarios(draw: st.DrawFn) -> Scenario:
    """``fitdoctor plot RUN -o out.png`` on one run (or a CV document)."""
    sc = Scenario(["plot"])
    kinds = ("keras-json", "csv", "run1", "run2", "cv", "records", "console")
    arg = _add(sc, draw(inputs(kinds)), "in")
    sc.argv += [arg, "-o", "curves.png", "--dpi", str(draw(st.sampled_from((30, 50))))]
    return sc


@st.composite
def rules_scenarios(draw: st.DrawFn) -> Scenario:
    """``fitdoctor rules`` / ``fitdoctor explain CODE`` under a configuration and rule packs."""
    if draw(st.booleans()):
        sc = Scenario(["rules", "--format", draw(st.sampled_from(("table", "json", "markdown")))])
    else:
        code = draw(st.one_of(selectors(), st.sampled_from(("FD901", "pack-rule-0"))))
        sc = Scenario(["explain", code])
        if draw(st.booleans()):
            sc.argv += ["--format", "json"]
    _configure(draw, sc)
    return sc


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Any command line: mostly ``analyze``, then ``compare``, ``rules``/``explain``, ``plot``."""
    which = draw(st.integers(0, 19))
    if which < 13:
        return draw(analyze_scenarios())
    if which < 16:
        return draw(compare_scenarios())
    if which < 19:
        return draw(rules_scenarios())
    return draw(plot_scenarios())


def iter_strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value (keys too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from iter_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from iter_strings(v)
