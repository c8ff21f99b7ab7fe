"""A small pure-Python reader of TensorBoard event files: TFRecords of ``Event`` protos.

No tensorflow, tensorboard or protobuf package: the few messages fitdoctor needs are
decoded from the protobuf wire format here. A TFRecord file is a sequence of::

    uint64 length (little-endian) | uint32 masked CRC-32C of length
    | data | uint32 masked CRC-32C of data

and each ``data`` is a serialized ``tensorflow.Event``. The fields read (from
``tensorflow/core/util/event.proto`` and ``tensorflow/core/framework/summary.proto``,
``tensor.proto``)::

    Event         1 wall_time (double)   2 step (int64)   5 summary (Summary)
    Summary       1 value (repeated Value)
    Value         1 tag (string)   2 simple_value (float)   8 tensor (TensorProto)
                  9 metadata (SummaryMetadata)
    SummaryMetadata  1 plugin_data (PluginData: 1 plugin_name)
    TensorProto   1 dtype   2 tensor_shape   4 tensor_content (bytes)
                  5 float_val   6 double_val   7 int_val   10 int64_val   13 half_val

``tf.summary.scalar`` (Keras 3, TF 2.x) writes a 0-d tensor with plugin ``scalars``;
TF 1.x, ``tensorboardX`` and PyTorch's ``SummaryWriter`` write ``simple_value``. Values
of other plugins (histograms, images, text) are skipped, and so are records longer
than :data:`MAX_SCALAR_RECORD` (images, graphs) without being read. A record whose
length checksum is wrong, or that is cut short (a file still being written), ends the
file: what came before it is kept.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

__all__ = ["MAX_SCALAR_RECORD", "Scalar", "masked_crc32c", "read_scalars", "valid_header"]

#: Longest record decoded: an event with a few scalars is ~100 bytes.
MAX_SCALAR_RECORD = 1 << 16

_DT_FLOAT, _DT_DOUBLE, _DT_INT32, _DT_INT64, _DT_HALF, _DT_BFLOAT16 = 1, 2, 3, 9, 19, 14


def _crc_table() -> list[int]:
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli) of ``data``."""
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The masked CRC TFRecords store: rotate right by 15 and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def valid_header(head: bytes) -> bool:
    """True when ``head`` starts with a TFRecord length and its correct checksum."""
    if len(head) < 12:
        return False
    (crc,) = struct.unpack("<I", head[8:12])
    return bool(masked_crc32c(head[:8]) == crc)


@dataclass(frozen=True)
class Scalar:
    """One scalar summary value.

    Args:
        tag: The summary tag, e.g. ``"epoch_loss"``.
        step: The event's step (the epoch for Keras's ``epoch_*`` tags).
        value: The value.
        wall_time: Seconds since the epoch when it was written.
    """

    tag: str
    step: int
    value: float
    wall_time: float


def read_scalars(fh: BinaryIO) -> Iterator[Scalar]:
    """Every scalar value in an event file, in file order.

    Args:
        fh: The file, opened in binary mode.

    Yields:
        The scalars.
    """
    while True:
        header = fh.read(12)
        if len(header) < 12 or not valid_header(header):
            return
        (length,) = struct.unpack("<Q", header[:8])
        if length > MAX_SCALAR_RECORD:
            fh.seek(length + 4, 1)
            continue
        data = fh.read(length)
        footer = fh.read(4)
        if len(data) < length or len(footer) < 4:
            return
        try:
            yield from _event(data)
        except (ValueError, IndexError, struct.error):
            continue  # a malformed event: skip it


# ---------------------------------------------------------------- wire format


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """``(field number, wire type, value)``: ints for varint/fixed, bytes for the rest."""
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
            yield number, wire, value
        elif wire == 1:
            yield number, wire, buf[pos:pos + 8]
            pos += 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            if pos + size > n:
                raise ValueError("truncated field")
            yield number, wire, buf[pos:pos + size]
            pos += size
        elif wire == 5:
            yield number, wire, buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if pos > n:
            raise ValueError("truncated field")


def _event(data: bytes) -> Iterator[Scalar]:
    wall_time = 0.0
    step = 0
    summaries: list[bytes] = []
    for number, wire, value in _fields(data):
        if number == 1 and wire == 1 and isinstance(value, bytes):
            (wall_time,) = struct.unpack("<d", value)
        elif number == 2 and wire == 0 and isinstance(value, int):
            step = value - (1 << 64) if value >= 1 << 63 else value
        elif number == 5 and wire == 2 and isinstance(value, bytes):
            summaries.append(value)
    for summary in summaries:
        for number, wire, value in _fields(summary):
            if number == 1 and wire == 2 and isinstance(value, bytes):
                scalar = _value(value)
                if scalar is not None:
                    yield Scalar(scalar[0], step, scalar[1], wall_time)


def _value(buf: bytes) -> tuple[str, float] | None:
    tag = ""
    simple: float | None = None
    tensor: bytes | None = None
    plugin = ""
    for number, wire, value in _fields(buf):
        if number == 1 and wire == 2 and isinstance(value, bytes):
            tag = value.decode("utf-8", errors="replace")
        elif number == 7 and wire == 2 and isinstance(value, bytes) and not tag:
            tag = value.decode("utf-8", errors="replace")  # node_name of old summaries
        elif number == 2 and wire == 5 and isinstance(value, bytes):
            (simple,) = struct.unpack("<f", value)
        elif number == 8 and wire == 2 and isinstance(value, bytes):
            tensor = value
        elif number == 9 and wire == 2 and isinstance(value, bytes):
            plugin = _plugin_name(value)
    if simple is not None:
        return tag, simple
    if tensor is not None and plugin in ("scalars", ""):
        number_ = _tensor_scalar(tensor)
        if number_ is not None:
            return tag, number_
    return None


def _plugin_name(buf: bytes) -> str:
    for number, wire, value in _fields(buf):
        if number == 1 and wire == 2 and isinstance(value, bytes):
            for n2, w2, v2 in _fields(value):
                if n2 == 1 and w2 == 2 and isinstance(v2, bytes):
                    return v2.decode("utf-8", errors="replace")
    return ""


def _tensor_scalar(buf: bytes) -> float | None:
    """The value of a one-element numeric tensor, else None."""
    dtype = 0
    content = b""
    dims: list[int] = []
    packed: dict[int, list[float]] = {}
    for number, wire, value in _fields(buf):
        if number == 1 and wire == 0 and isinstance(value, int):
            dtype = value
        elif number == 2 and wire == 2 and isinstance(value, bytes):
            dims = _dims(value)
        elif number == 4 and wire == 2 and isinstance(value, bytes):
            content = value
        elif number in (5, 6, 7, 10, 13):
            packed.setdefault(number, []).extend(_repeated(number, wire, value))
    if any(d != 1 for d in dims):
        return None
    if content:
        fmt = {_DT_FLOAT: "<f", _DT_DOUBLE: "<d", _DT_INT32: "<i", _DT_INT64: "<q",
               _DT_HALF: "<e"}.get(dtype)
        if fmt is None or len(content) != struct.calcsize(fmt):
            return None
        return float(struct.unpack(fmt, content)[0])
    for number in (5, 6, 7, 10):
        if packed.get(number):
            return packed[number][0]
    if packed.get(13):
        bits = int(packed[13][0])
        return float(struct.unpack("<e", struct.pack("<H", bits & 0xFFFF))[0])
    return None


def _dims(buf: bytes) -> list[int]:
    dims = []
    for number, wire, value in _fields(buf):
        if number == 2 and wire == 2 and isinstance(value, bytes):
            size = 1
            for n2, w2, v2 in _fields(value):
                if n2 == 1 and w2 == 0 and isinstance(v2, int):
                    size = v2
            dims.append(size)
    return dims


def _repeated(number: int, wire: int, value: int | bytes) -> list[float]:
    """Values of a repeated numeric field, packed or not."""
    if number == 5:  # float
        if wire == 5 and isinstance(value, bytes):
            return [struct.unpack("<f", value)[0]]
        if wire == 2 and isinstance(value, bytes):
            return list(struct.unpack(f"<{len(value) // 4}f", value[: len(value) // 4 * 4]))
    if number == 6:  # double
        if wire == 1 and isinstance(value, bytes):
            return [struct.unpack("<d", value)[0]]
        if wire == 2 and isinstance(value, bytes):
            return list(struct.unpack(f"<{len(value) // 8}d", value[: len(value) // 8 * 8]))
    if number in (7, 10, 13):  # int32, int64, half (as int32 bits)
        if wire == 0 and isinstance(value, int):
            return [float(_signed(value, number))]
        if wire == 2 and isinstance(value, bytes):
            out, pos = [], 0
            while pos < len(value):
                v, pos = _varint(value, pos)
                out.append(float(_signed(v, number)))
            return out
    return []


def _signed(v: int, number: int) -> int:
    if number == 10:
        return v - (1 << 64) if v >= 1 << 63 else v
    v &= 0xFFFFFFFFFFFFFFFF
    return v - (1 << 64) if v >= 1 << 63 else v
