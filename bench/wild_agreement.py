"""Does fitdoctor's headline agree with an engineer's reading of real histories?

``../shared/corpora/wild`` holds real training histories from public repositories and
``labels.csv``, an experienced engineer's reading of each from its curves alone: a label,
a secondary label, a confidence (high, medium, low) and the numbers that decided it.
Nothing here is copied from those files; this script reads them where they are.

A report *agrees* when its headline (the first warning or error, as the verdict lists it)
is the label's diagnosis: ``healthy`` is no warning and no error; ``validation-broken`` and
``no-validation`` are ``validation-setup``; ``too-short`` is a verdict that says so. It
*detects* when the diagnosis is among its warnings and errors. A file holding several runs
(a training, then a fine-tune) agrees when one of its runs does, and is healthy when all
of them are. A file that cannot be read is a miss. Every disagreement is printed with its
explanation from ``bench/wild_disagreements.toml`` (a file name and why fitdoctor and the
engineer differ); disagreements without one are flagged.

Run from the repository root::

    .venv/bin/python bench/wild_agreement.py [FOLDER] [--markdown FILE] [--all]
"""

from __future__ import annotations

import argparse
import csv
import sys
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import fitdoctor
from fitdoctor import engine
from fitdoctor.errors import FitDoctorError
from fitdoctor.report import Report
from fitdoctor.rules import Settings

ROOT = Path(__file__).resolve().parent.parent
#: ``../shared/corpora/wild`` beside the repository (or beside its parent, for a worktree)
DEFAULT = next(
    (base / "shared" / "corpora" / "wild" for base in ROOT.parents
     if (base / "shared" / "corpora" / "wild" / "labels.csv").exists()),
    ROOT.parent / "shared" / "corpora" / "wild",
)
EXPLAINED = Path(__file__).with_name("wild_disagreements.toml")
#: The headline diagnosis each label calls for (None: no warning or error at all).
EXPECTED: dict[str, str | None] = {
    "healthy": None,
    "overfitting": "overfitting",
    "underfitting": "underfitting",
    "not-converged": "not-converged",
    "diverged": "diverged",
    "unstable": "unstable",
    "validation-broken": "validation-setup",
    "no-validation": "validation-setup",
    "too-short": "too-short",
}


@dataclass
class Judged:
    """One labelled file and what fitdoctor said."""

    file: str
    label: str
    secondary: str
    confidence: str
    reason: str
    verdict: str
    headline: str
    codes: list[str]
    agrees: bool
    detects: bool
    agrees_secondary: bool


def headline(report: Report) -> str:
    """The first warning or error's diagnosis (``too-short`` for its verdict), or ``healthy``."""
    if report.verdict.startswith("too short"):
        return "too-short"
    for f in report.findings:
        if f.severity.rank >= 1:
            return f.diagnosis
    return "healthy"


def _matches(label: str, report: Report, head: str) -> tuple[bool, bool]:
    expected = EXPECTED.get(label)
    raised = {f.diagnosis for f in report.findings if f.severity.rank >= 1}
    if label == "healthy":
        return not raised, not raised
    if label == "too-short":
        return head == "too-short", head == "too-short"
    return head == expected, expected in raised


def judge(folder: Path) -> list[Judged]:
    """Analyze every labelled file in ``folder/files`` with all built-in rules."""
    rules = Settings().rules()
    out = []
    with (folder / "labels.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r.get("label")]
    for row in rows:
        path = folder / "files" / row["file"]
        try:
            runs = fitdoctor.load_runs(path)
            reports = [engine.analyze(run, rules=rules) for run in runs]
        except FitDoctorError as exc:
            out.append(Judged(row["file"], row["label"], row.get("secondary", ""),
                              row.get("confidence", ""), row.get("reason", ""),
                              f"refused: {exc}", "refused", [], False, False, False))
            continue
        # a file with several runs (a training, then a fine-tune) agrees when one of its
        # runs does; healthy when all of them are
        second = row.get("secondary") or ""
        votes = []
        for report in reports:
            head = headline(report)
            agrees, detects = _matches(row["label"], report, head)
            agrees_second = agrees or (bool(second) and second in EXPECTED
                                       and _matches(second, report, head)[0])
            votes.append((agrees, detects, agrees_second, head, report))
        pick = all if row["label"] == "healthy" else any
        agrees = pick(v[0] for v in votes)
        detects = pick(v[1] for v in votes)
        agrees_second = pick(v[2] for v in votes)
        shown = next((v for v in votes if v[0] != (row["label"] == "healthy")), votes[-1])
        report = shown[4]
        codes = [f"{f.code}:{f.severity.value}" for f in report.findings]
        verdict = report.verdict if len(reports) == 1 else (
            f"{len(reports)} runs; " + " | ".join(r.verdict for r in reports))
        out.append(Judged(row["file"], row["label"], second, row.get("confidence", ""),
                          row.get("reason", ""), verdict, shown[3], codes, agrees, detects,
                          agrees_second))
    return out


def explanations() -> dict[str, str]:
    """File name → why fitdoctor and the engineer disagree (bench/wild_disagreements.toml)."""
    if not EXPLAINED.exists():
        return {}
    data = tomllib.loads(EXPLAINED.read_text(encoding="utf-8"))
    return {str(d["file"]): str(d["why"]) for d in data.get("disagreement", [])}


def table(judged: list[Judged]) -> list[str]:
    """Markdown rows: per label and per confidence, agreement and detection."""
    lines = [
        "| label | files | headline agrees | detected | agrees with label or secondary |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    labels = sorted({j.label for j in judged}, key=lambda lab: list(EXPECTED).index(lab)
                    if lab in EXPECTED else 99)
    for label in labels:
        rows = [j for j in judged if j.label == label]
        lines.append(_row(label, rows))
    for conf in ("high", "medium", "low"):
        rows = [j for j in judged if j.confidence == conf]
        if rows:
            lines.append(_row(f"*{conf} confidence*", rows))
    lines.append(_row("**all**", judged))
    return lines


def _row(name: str, rows: list[Judged]) -> str:
    n = len(rows)
    a = sum(j.agrees for j in rows)
    d = sum(j.detects for j in rows)
    s = sum(j.agrees_secondary for j in rows)
    return f"| {name} | {n} | {a} ({a / n:.0%}) | {d} ({d / n:.0%}) | {s} ({s / n:.0%}) |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--markdown", type=Path, help="write the agreement table there")
    parser.add_argument("--all", action="store_true", help="list every file, not only misses")
    args = parser.parse_args()
    if not (args.folder / "labels.csv").exists():
        print(f"no labels.csv in {args.folder}", file=sys.stderr)
        return 2
    judged = judge(args.folder)
    why = explanations()
    rows = table(judged)
    print("\n".join(rows))
    high = [j for j in judged if j.confidence == "high"]
    if high:
        agree = sum(j.agrees for j in high)
        print(f"\nhigh-confidence labels: {agree}/{len(high)} agree ({agree / len(high):.0%})")
    print("\ndisagreements (label → headline; explanation from bench/wild_disagreements.toml):")
    unexplained = 0
    by_conf: Counter[str] = Counter()
    for j in judged:
        if j.agrees and not args.all:
            continue
        mark = "  " if j.agrees else ("x " if j.file in why else "? ")
        if not j.agrees:
            by_conf[j.confidence] += 1
            unexplained += j.file not in why
        print(f"{mark}[{j.confidence:6s}] {j.label} → {j.headline}  {j.file}")
        print(f"      fitdoctor: {j.verdict}  {' '.join(j.codes)}")
        print(f"      engineer:  {j.reason}")
        if not j.agrees:
            print(f"      why:       {why.get(j.file, 'NOT EXPLAINED')}")
    print(f"\n{sum(by_conf.values())} disagreements ({dict(by_conf)}); {unexplained} unexplained")
    if args.markdown:
        args.markdown.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
