"""Message templates and the conditions that choose them: data, never evaluated as code.

A rule's message, recommendations and message parts are templates filled by
:func:`render`, a restricted formatter: ``{name}`` and ``{name:.3f}`` only, no attribute
or index access, field widths at most :data:`MAX_WIDTH` and precisions at most
:data:`MAX_PRECISION` (larger ones are capped, so a template cannot ask for gigabytes).
Which wording applies, which recommendation is given and when the severity changes are
:class:`Condition` s: ``key``, ``not key`` or ``key OP operand``, or several of them joined
by ``and`` (``early_stopped and framework == lightning``), parsed once when the rule loads.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fitdoctor.errors import ConfigError

#: Comparison operators a condition may use, longest first (for parsing).
_OPS = (">=", "<=", "==", "!=", ">", "<")


@dataclass(frozen=True)
class Condition:
    """A declared test on a finding's values: ``key``, ``not key`` or ``key OP operand``.

    Conditions are data, never evaluated as code. ``key`` alone is true when the value is
    present and truthy; ``not key`` when it is absent or falsy. With an operator, the
    operand is a number, ``true``/``false``, the name of one of the rule's parameters, or
    a bare word compared as text; a missing value makes the comparison false.

    Args:
        key: The value tested (evidence, parameter or context value).
        op: ``"truthy"``, ``"falsy"`` or one of ``>= <= == != > <``.
        operand: What ``key`` is compared with (``None`` for truthy/falsy).
        text: The declaration, as written.
        also: Conditions joined to this one by ``and``: all must hold too.
    """

    key: str
    op: str
    operand: float | str | bool | None
    text: str
    also: tuple[Condition, ...] = ()

    def holds(self, values: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
        """Evaluate the condition against ``values``, parameter names resolved in ``params``."""
        return self._holds(values, params) and all(c.holds(values, params) for c in self.also)

    def _holds(self, values: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
        value = values.get(self.key)
        if self.op == "truthy":
            return bool(value)
        if self.op == "falsy":
            return not value
        if value is None:
            return False
        operand = self.operand
        if isinstance(operand, str) and operand in params:
            operand = params[operand]
        if self.op in ("==", "!="):
            equal = value == operand or (
                isinstance(value, str) != isinstance(operand, str) and str(value) == str(operand)
            )
            return equal if self.op == "==" else not equal
        try:
            a, b = float(value), float(operand)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[self.op]


def parse_condition(text: str, where: str) -> Condition:
    """Parse ``key``, ``not key`` or ``key OP operand``, or several joined by ``and``.

    Raises:
        ConfigError: A part is none of these.
    """
    raw = " ".join(str(text).split())
    if " and " in raw:
        first, *rest = (_parse_one(part, text, where) for part in raw.split(" and "))
        return Condition(first.key, first.op, first.operand, raw, tuple(rest))
    return _parse_one(raw, text, where)


def _parse_one(raw: str, text: str, where: str) -> Condition:
    """One condition: ``key``, ``not key`` or ``key OP operand``."""
    raw = raw.strip()
    if raw.startswith("not ") and raw[4:].isidentifier():
        return Condition(raw[4:], "falsy", None, raw)
    if raw.isidentifier():
        return Condition(raw, "truthy", None, raw)
    for op in _OPS:
        if op in raw:
            key, _, rest = raw.partition(op)
            key, rest = key.strip(), rest.strip()
            if not key.isidentifier() or not rest:
                break
            operand: float | str | bool
            if rest in ("true", "false"):
                operand = rest == "true"
            else:
                try:
                    operand = float(rest)
                except ValueError:
                    operand = rest.strip("'\"")
            return Condition(key, op, operand, raw)
    raise ConfigError(
        f"{where}: condition {text!r} must be 'key', 'not key' or 'key OP value' "
        f"with OP one of {' '.join(_OPS)}, or several of them joined by 'and'"
    )


@dataclass(frozen=True)
class PartAlternative:
    """One wording of a message part: used when ``when`` holds and all its fields are known."""

    text: str
    when: Condition | None = None


#: Widest field a template may ask for (``{x:>1500000000}`` is filled to this width).
MAX_WIDTH = 80
#: Most digits (or characters, for text) a template's precision may ask for.
MAX_PRECISION = 20

#: A standard format spec: ``[[fill]align][sign][z][#][0][width][grouping][.precision][type]``.
_SPEC = re.compile(
    r"(?P<head>(?:.?[<>=^])?[-+ ]?z?#?0?)(?P<width>\d*)(?P<grouping>[,_]?)"
    r"(?:\.(?P<precision>\d+))?(?P<type>[a-zA-Z%]?)",
    re.DOTALL,
)


def bounded_spec(spec: str) -> str:
    """``spec`` with its width capped at :data:`MAX_WIDTH` and precision at :data:`MAX_PRECISION`.

    A rule pack's template is data: ``{metric:>1500000000}`` must not make a
    1.5-gigabyte message. A spec that is not a standard one is returned unchanged (the
    value's ``__format__`` then refuses it, and the template falls back).
    """
    match = _SPEC.fullmatch(spec)
    if match is None:
        return spec
    width, precision = match["width"], match["precision"]
    if width:
        width = str(min(int(width), MAX_WIDTH))
    tail = f".{min(int(precision), MAX_PRECISION)}" if precision is not None else ""
    return f"{match['head']}{width}{match['grouping']}{tail}{match['type']}"


class _SafeFormatter(string.Formatter):
    """``str.format`` without attribute or index access, with bounded widths and precisions."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> Any:
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return kwargs[field_name], field_name

    def format_field(self, value: Any, format_spec: str) -> Any:
        # the spec arrives with any nested field ({x:>{n}}) already filled in
        return super().format_field(value, bounded_spec(format_spec))


_FORMATTER = _SafeFormatter()


def template_fields(template: str) -> list[str]:
    """Names a template refers to; raise ConfigError for anything but plain names."""
    names = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(f"bad template {template!r}: {exc}") from None
    for _, name, _, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or conversion:
            raise ConfigError(f"template field {{{name}}} must be a plain name in {template!r}")
        names.append(name)
    return names


def render(template: str, values: Mapping[str, Any]) -> str | None:
    """Fill ``template`` from ``values``; ``None`` when a field is missing or ``None``."""
    for name in template_fields(template):
        if values.get(name) is None:
            return None
    try:
        return _FORMATTER.vformat(template, (), dict(values))
    except (KeyError, ValueError, TypeError):
        return None


def render_parts(
    parts: Mapping[str, list[PartAlternative]], values: Mapping[str, Any],
    params: Mapping[str, Any],
) -> dict[str, str]:
    """The rule's message parts for one finding: name → text (``""`` when none applies).

    Each part is a list of alternative wordings; the first whose ``when`` holds and whose
    fields are all known is used. Parts are filled in declaration order, so a part may
    use the parts declared before it.
    """
    filled: dict[str, Any] = dict(values)
    out: dict[str, str] = {}
    for name, alternatives in parts.items():
        text = ""
        for alt in alternatives:
            if alt.when is not None and not alt.when.holds(filled, params):
                continue
            rendered = render(alt.text, filled)
            if rendered is not None:
                text = rendered
                break
        out[name] = filled[name] = text
    return out
