"""``fitdoctor lint``: the model-setup rules on a saved model, without training.

:func:`lint` runs the rules in force whose diagnosis is ``model-setup`` (FD6xx and any
rule pack's) on a run read from a model file (:mod:`fitdoctor.model_file`). A rule
that cannot run says what would enable it *on a model file*: a flag of ``fitdoctor
lint`` (``--loss``, ``--batch-size``, ``--classes``), saving the model after
``compile``, or the training run that ``FitDoctor()`` records.
"""

from __future__ import annotations

from collections.abc import Sequence

from fitdoctor import engine
from fitdoctor.report import Report, Skipped
from fitdoctor.rules import Rule, Settings
from fitdoctor.run import Run

__all__ = ["lint", "setup_rules"]


def setup_rules(rules: Sequence[Rule]) -> list[Rule]:
    """The rules that judge a model's setup (diagnosis ``model-setup``)."""
    return [rule for rule in rules if rule.diagnosis == "model-setup"]


#: What enables a model-setup rule on a model file, by what the rule's detector says
#: is missing (the first matching fragment of the reason wins).
_HINTS: tuple[tuple[str, str], ...] = (
    ("compile facts",
     "save the model after model.compile(...), or pass --loss NAME (with --from-logits if "
     "it is so compiled) and --optimizer NAME"),
    ("the loss is unknown", "pass --loss NAME: the built-in loss it computes"),
    ("the optimizer is unknown", "pass --optimizer NAME"),
    ("label encoding",
     "it needs the training labels: add FitDoctor() to model.fit(callbacks=[...]), which "
     "checks them before the first step"),
    ("inputs' scale",
     "it needs the training inputs: add FitDoctor() to model.fit(callbacks=[...]), which "
     "measures their scale (a model whose first layer is Normalization or Rescaling is "
     "judged from the file)"),
    ("batch size", "pass --batch-size N (what fit will use)"),
    ("fit facts", "pass --batch-size N (what fit will use)"),
    ("number of classes", "pass --classes N"),
)


def _lint_hint(skipped: Skipped) -> Skipped:
    for fragment, hint in _HINTS:
        if fragment in skipped.reason:
            return Skipped(skipped.code, skipped.name, skipped.reason, hint)
    return skipped


def lint(run: Run, settings: Settings | None = None, *, rules: list[Rule] | None = None) -> Report:
    """Run the model-setup rules in force on a model-file run.

    Args:
        run: A run from :func:`read_model_file` or :func:`describe_model`.
        settings: Selection and configuration. Defaults to `None` (all built-in rules).
        rules: Pre-loaded rules in force (only the model-setup ones run). Defaults to `None`.

    Returns:
        The report; a rule that cannot run says what would enable it on a model file.
    """
    settings = settings or Settings()
    in_force = rules if rules is not None else settings.rules()
    selected = setup_rules(in_force)
    report = engine.analyze(run, settings, rules=selected)
    report.skipped = [_lint_hint(s) for s in report.skipped]
    if not selected:
        report.notes.append(
            "None of the rules in force checks the model setup (diagnosis model-setup, "
            "FD6xx): select them, e.g. --select FD6."
        )
    return report
