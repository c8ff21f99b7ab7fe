"""The rule model: a rule and its parts (parameters, recommendations, escalations).

Plain data, filled by :mod:`fitdoctor.rules` from the rules' TOML and read by the
engine, the reporters and ``fitdoctor explain``. Nothing here loads or decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fitdoctor.detectors.base import DetectorSpec
from fitdoctor.errors import ConfigError
from fitdoctor.report import Severity
from fitdoctor.run import FRAMEWORKS
from fitdoctor.templates import Condition, PartAlternative

__all__ = ["WORDED_FRAMEWORKS", "Escalation", "Param", "RecommendationTemplate", "Rule", "Wording"]

#: Frameworks a recommendation may word its code for; Keras's is its own text.
WORDED_FRAMEWORKS = tuple(f for f in FRAMEWORKS if f != "keras")


@dataclass(frozen=True)
class Param:
    """A rule parameter: default value, type, documentation and range.

    ``shared`` is true for a parameter declared once for all the rules of a file
    (its top-level ``[params]`` table) rather than by the rule itself. ``min`` and
    ``max`` (inclusive, ``None`` for no bound) are the values the detector is written
    for: the default, and any value configured, must lie within them.
    """

    name: str
    default: Any
    type: type
    doc: str
    shared: bool = False
    min: float | None = None
    max: float | None = None

    @property
    def range_text(self) -> str:
        """The range as users read it: ``0 to 1``, ``at least 1``, ``at most 5``, or ``""``."""
        low, high = _bound_text(self.min), _bound_text(self.max)
        if low and high:
            return f"{low} to {high}"
        if low:
            return f"at least {low}"
        if high:
            return f"at most {high}"
        return ""

    def check(self, value: Any, where: str) -> None:
        """Raise ConfigError when a numeric ``value`` lies outside the declared range."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return
        low = self.min is not None and value < self.min
        high = self.max is not None and value > self.max
        if low or high:
            raise ConfigError(
                f"{where} {self.name} = {value!r} is out of its range ({self.range_text})"
            )


def _bound_text(bound: float | None) -> str:
    """A range bound as written: ``0``, ``0.5``, ``1000000``, ``1e-06``; ``""`` for none."""
    if bound is None:
        return ""
    if float(bound).is_integer() and abs(bound) < 1e15:
        return str(int(bound))
    return f"{bound:g}"


@dataclass(frozen=True)
class Wording:
    """A recommendation's text in one framework: its template and optional fallback."""

    text: str
    fallback: str | None = None


@dataclass(frozen=True)
class RecommendationTemplate:
    """A recommendation as declared: action, text template, optional fallback text.

    ``when``, if declared, must hold for the recommendation to be given at all.
    ``text`` and ``fallback`` are Keras's code (and the wording of a run whose framework
    is unknown); ``frameworks`` holds the same advice for other frameworks (a
    ``[rule.recommendations.lightning]`` table with its own ``text`` and ``fallback``),
    chosen by the run's framework (``Run.framework``).
    """

    action: str
    text: str
    fallback: str | None = None
    when: Condition | None = None
    frameworks: dict[str, Wording] = field(default_factory=dict)

    def wording(self, framework: str) -> Wording:
        """The text and fallback for ``framework`` (Keras's when it has none of its own)."""
        return self.frameworks.get(framework) or Wording(self.text, self.fallback)


@dataclass(frozen=True)
class Escalation:
    """Set the severity when a condition on the finding's values holds.

    Declared either as ``key`` + ``at_least`` (a number or a parameter name: the same as
    ``when = "key >= at_least"``) or as ``when``. Entries apply in declaration order,
    each match setting the severity (up or down).
    """

    when: Condition
    severity: Severity


@dataclass
class Rule:
    """A declared rule, with configuration applied.

    Args:
        code: ``FDnnn``.
        name: Kebab-case symptom name.
        diagnosis: One of the diagnosis vocabulary.
        severity: Severity in force (default or configured).
        detector: The detector that measures it.
        summary: One-line description.
        message: Message template.
        params: Parameter declarations.
        values: Parameter values in force (defaults plus configuration).
        recommendations: Ranked recommendation templates.
        escalate: Severity escalations.
        docs: Documentation sections.
        origin: File the rule was declared in.
        parts: Message parts: name → alternative wordings, the first that applies wins
            (``""`` when none does). Templates refer to them as ``{name}``.
        supersedes: Codes of rules whose findings this rule's finding makes moot (they
            are left out of the report, and listed as superseded).
        verdict: A short phrase the report's verdict uses for this finding instead of
            its diagnosis (e.g. "too short to judge"), or ``""``.
        folds: How the rule reads a cross-validation. ``"each"`` (the default): it is
            run on every fold too, and its finding on the fold mean says in how many
            folds it fired. ``"pooled"``: it judges the cross-validation as a whole
            (e.g. the size of the validation set all folds make together), so its
            findings on single folds are expected, and neither counted nor listed.
        leads: Among findings of one severity, this rule's comes first, and so is the
            report's headline: its premise comes before the others' (no validation set:
            what the training curves say cannot be checked on held-out rows).
        error_rate: On a run of accuracies with no loss curve, the rule also judges
            the error rate, 1 − accuracy, in the loss's place (:mod:`fitdoctor.error_view`).
    """

    code: str
    name: str
    diagnosis: str
    severity: Severity
    detector: DetectorSpec
    summary: str
    message: str
    params: dict[str, Param]
    values: dict[str, Any]
    recommendations: list[RecommendationTemplate]
    escalate: list[Escalation] = field(default_factory=list)
    docs: dict[str, Any] = field(default_factory=dict)
    origin: str = ""
    parts: dict[str, list[PartAlternative]] = field(default_factory=dict)
    supersedes: list[str] = field(default_factory=list)
    verdict: str = ""
    folds: str = "each"
    leads: bool = False
    error_rate: bool = False
