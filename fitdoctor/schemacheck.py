"""Check a JSON document against the JSON Schemas fitdoctor ships, naming each wrong field.

The run file formats are specified by ``fitdoctor/schemas/run-1.schema.json`` and
``run-2.schema.json``; reading one checks it against that very schema, so the format
and its reader cannot drift apart. The first wrong field is an
:class:`~fitdoctor.errors.InputError` of one line that names it and says what it should
be: ``run.data.n_train: expected an integer or null, got text 'many'``,
``run.meta: expected an object, got a list``, ``run.fit: unknown key 'speed'``.

Only the part of JSON Schema (2020-12) these schemas use is implemented, with the
standard meaning: ``type``, ``enum``, ``const``, ``properties``,
``additionalProperties``, ``required``, ``items``, ``minItems``, ``maxItems``,
``minimum``, ``oneOf`` and ``$ref`` (within a schema file and to another one:
``run-1.schema.json#/$defs/fit``). An unknown keyword in a schema is an error, so a
schema cannot use more than is checked. One liberty: a JSON integer is only a whole
number written without a fraction (``3``, not ``3.0``), as Python's parser reads them.

``tests/fuzz/test_documents.py`` checks this against the reference validator
(``jsonschema``) on generated documents.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from fitdoctor.errors import InputError

__all__ = ["SCHEMAS", "check", "schema"]

#: Folder of the shipped schemas.
SCHEMAS = Path(__file__).parent / "schemas"

_KEYWORDS = frozenset({
    "$schema", "$id", "$defs", "title", "description", "type", "enum", "const",
    "properties", "additionalProperties", "required", "items", "minItems", "maxItems",
    "minimum", "oneOf", "$ref",
})
_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "null": (type(None),),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "string": (str,),
    "array": (list,),
    "object": (dict,),
}
_NAMES = {
    "null": ("null", "nulls"),
    "boolean": ("true or false", "booleans"),
    "integer": ("an integer", "integers"),
    "number": ("a number", "numbers"),
    "string": ("a string", "strings"),
    "array": ("a list", "lists"),
    "object": ("an object", "objects"),
}


@cache
def schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name (``"run-1.schema.json"``), parsed once."""
    data: dict[str, Any] = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return data


def _resolve(base: str, ref: str) -> tuple[str, dict[str, Any]]:
    """``(file, sub-schema)`` of a ``$ref`` made in file ``base``."""
    target, _, pointer = ref.partition("#")
    name = target or base
    node: Any = schema(name)
    for part in (p for p in pointer.split("/") if p):
        node = node[part]
    return name, node


def check(
    value: Any, name: str, pointer: str = "", *, where: str = "", required: bool = True
) -> None:
    """Check ``value`` against a shipped schema (or one of its definitions).

    Args:
        value: The parsed JSON.
        name: The schema's file name, e.g. ``"run-1.schema.json"``.
        pointer: A definition in it, e.g. ``"/$defs/epoch"``. Defaults to the whole schema.
        where: The name of ``value`` in messages (``"run"``). Defaults to `""`.
        required: Check ``required`` keys; without, a missing key is left to the
            reader's default (files written before a key existed). Defaults to `True`.

    Raises:
        InputError: The first field that does not fit, named, with what it should be.
    """
    base, node = _resolve(name, "#" + pointer)
    _check(value, node, base, where, required)


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _admits(types: Any, value: Any) -> bool:
    kind = _type_of(value)
    allowed = [types] if isinstance(types, str) else list(types)
    return kind in allowed or (kind == "integer" and "number" in allowed)


def _expected(node: Mapping[str, Any], base: str, *, plural: bool = False) -> str:
    """What a schema node accepts, in words: ``"an integer >= 1 or null"``."""
    if "$ref" in node:
        base, node = _resolve(base, node["$ref"])
    if "oneOf" in node:
        return " or ".join(_expected(alt, base, plural=plural) for alt in node["oneOf"])
    if "const" in node:
        return json.dumps(node["const"])
    if "enum" in node:
        shown = [json.dumps(v) for v in node["enum"]]
        return "one of " + ", ".join(shown)
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    words = []
    for t in types:
        word = _NAMES[t][1 if plural else 0]
        if t in ("integer", "number") and "minimum" in node:
            word += f" >= {node['minimum']}"
        if t == "array" and "items" in node:
            word += " of " + _expected(node["items"], base, plural=True)
        words.append(word)
    return " or ".join(words) or "anything"


def describe(value: Any) -> str:
    """A value, for a message: ``"text 'abc'"``, ``"a list"``, ``"the number 3.5"``."""
    kind = _type_of(value)
    if kind == "string":
        return f"text {value[:30] + '...' if len(value) > 30 else value!r}"
    if kind in ("integer", "number"):
        shown = repr(value)
        return f"the number {shown if len(shown) <= 30 else shown[:27] + '...'}"
    if kind == "boolean":
        return f"the boolean {str(value).lower()}"
    if kind == "null":
        return "null"
    if kind == "array":
        return "a list"
    if kind == "object":
        return "an object"
    return f"a {kind}"


def _fail(where: str, node: Mapping[str, Any], base: str, value: Any) -> InputError:
    prefix = f"{where}: " if where else ""
    return InputError(f"{prefix}expected {_expected(node, base)}, got {describe(value)}")


def _simple(node: Mapping[str, Any], base: str) -> tuple[list[str], Any] | None:
    """``(types, minimum)`` of an item schema that is a plain type check, else ``None``."""
    if "$ref" in node:
        base, node = _resolve(base, node["$ref"])
    if set(node) - {"type", "minimum", "description"} or "type" not in node:
        return None
    types = node["type"]
    return ([types] if isinstance(types, str) else list(types)), node.get("minimum")


def _check(value: Any, node: Mapping[str, Any], base: str, where: str, required: bool) -> None:
    unknown = set(node) - _KEYWORDS
    if unknown:  # a schema using more than this module checks
        raise ValueError(f"schema keyword {sorted(unknown)[0]!r} is not supported")
    if "$ref" in node:
        base2, target = _resolve(base, node["$ref"])
        _check(value, target, base2, where, required)
        return
    if "oneOf" in node:
        fits = [alt for alt in node["oneOf"] if _could_be(value, alt, base)]
        if len(fits) != 1:
            raise _fail(where, node, base, value)
        _check(value, fits[0], base, where, required)
        return
    if "const" in node and (
        value != node["const"] or _type_of(value) != _type_of(node["const"])
    ):
        raise _fail(where, node, base, value)
    if "enum" in node and not any(
        value == v and _type_of(value) == _type_of(v) for v in node["enum"]
    ):
        raise _fail(where, node, base, value)
    if "type" in node and not _admits(node["type"], value):
        raise _fail(where, node, base, value)
    if "minimum" in node and isinstance(value, (int, float)) and not isinstance(value, bool) \
            and not value >= node["minimum"]:
        raise _fail(where, node, base, value)
    if isinstance(value, dict):
        _check_object(value, node, base, where, required)
    elif isinstance(value, list):
        _check_array(value, node, base, where, required)


def _could_be(value: Any, node: Mapping[str, Any], base: str) -> bool:
    """Whether ``value`` has a type ``node`` accepts (``oneOf`` picks its branch by type)."""
    if "$ref" in node:
        base, node = _resolve(base, node["$ref"])
    if "type" in node:
        return _admits(node["type"], value)
    if "const" in node:
        return _type_of(value) == _type_of(node["const"])
    if "enum" in node:
        return any(_type_of(value) == _type_of(v) for v in node["enum"])
    return True


def _check_object(
    value: dict[Any, Any], node: Mapping[str, Any], base: str, where: str, required: bool
) -> None:
    props: Mapping[str, Any] = node.get("properties", {})
    extra = node.get("additionalProperties", True)
    dot = f"{where}." if where else ""
    if required:
        for key in node.get("required", ()):
            if key not in value:
                raise InputError(f"{where or 'document'}: missing key {key!r}")
    for key, item in value.items():
        sub = props.get(key)
        if sub is None:
            if extra is False:
                raise InputError(f"{where or 'document'}: unknown key {key!r}")
            if extra is True:
                continue
            sub = extra
        _check(item, sub, base, f"{dot}{key}", required)


def _check_array(
    value: list[Any], node: Mapping[str, Any], base: str, where: str, required: bool
) -> None:
    n = len(value)
    if ("minItems" in node and n < node["minItems"]) or (
        "maxItems" in node and n > node["maxItems"]
    ):
        low, high = node.get("minItems", 0), node.get("maxItems")
        count = f"{low} to {high}" if high is not None and high != low else str(high or low)
        if high is None:
            count = f"at least {low}"
        raise InputError(f"{where}: expected {count} items, got {n}")
    items = node.get("items")
    if items is None:
        return
    simple = _simple(items, base)
    if simple is not None:  # the common case (curves, epoch numbers): one pass, no recursion
        types, minimum = simple
        allowed = {t for name in types for t in _PYTHON_TYPES[name]}
        if set(map(type, value)) <= allowed and (
            minimum is None or all(v >= minimum for v in value if v is not None)
        ):
            return
        for i, item in enumerate(value):
            if not _admits(types, item) or (
                minimum is not None and _type_of(item) in ("integer", "number")
                and not item >= minimum
            ):
                raise _fail(f"{where}[{i}]", items, base, item)
        return
    for i, item in enumerate(value):
        _check(item, items, base, f"{where}[{i}]", required)
