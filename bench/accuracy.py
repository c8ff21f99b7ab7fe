"""How often is fitdoctor's headline right? Measured on the recorded corpus.

The corpus (tests/data/corpus/, made by tests/data/record_corpus.py) holds real Keras
trainings, each labelled from a held-out TEST curve that fitdoctor never sees, in two
halves: ``dev`` (for tuning) and ``holdout`` (for reporting). Every run is judged in two
views: the callback's run file (``run``) and the same run stripped to ``history.history``
(``bare``), with all built-in rules; ``--view acc`` judges each classifier's history kept as
accuracies alone (its losses dropped, as a loop that prints only accuracies keeps it).

A report is *right* when its headline (the diagnosis of its first warning or error, as the
verdict lists it) is the label's diagnosis; on a healthy run when it has no warning and no
error at all; on a ``too-short`` run when its verdict says the run is too short (or a
finding's diagnosis is ``too-short``). *Detected* is looser: the label's diagnosis is among
the warnings and errors, not necessarily first.

Printed per half and view: per label (runs, right, detected, the headlines given), per rule
(fired at warning or above, precision and recall against the labels its diagnosis answers),
and the false alarms on healthy runs.

Run from the repository root::

    .venv/bin/python bench/accuracy.py [--half dev|holdout|both] [--view run|bare|acc|both]
                                       [--markdown FILE] [--misses] [--corpus DIR]
                                       [--partial FILE]

``--partial`` reads a recording still in progress (``DIR/.partial.jsonl``), labelled and
dealt to halves as the recorder will at its end.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from corpus import CORPUS, EXPECTED, LABELS, CorpusRun, load_corpus, load_partial  # noqa: E402

from fitdoctor import engine  # noqa: E402
from fitdoctor.report import Report  # noqa: E402
from fitdoctor.rules import Rule, Settings  # noqa: E402

NONE = "(none)"


def headline(report: Report) -> str:
    """The diagnosis of the first warning or error (the verdict's first), or ``(none)``."""
    for f in report.findings:
        if f.severity.rank >= 1:
            return f.diagnosis
    return NONE


def is_too_short(report: Report) -> bool:
    verdict = report.verdict.lower()
    return verdict.startswith(("too short", "too-short")) or any(
        f.diagnosis == "too-short" for f in report.findings)


def judge(label: str, report: Report) -> tuple[bool, bool]:
    """(right, detected) for one report of a run labelled ``label``."""
    expected = EXPECTED[label]
    raised = {f.diagnosis for f in report.findings if f.severity.rank >= 1}
    if expected is None:
        return not raised, not raised
    if label == "too-short":
        return is_too_short(report), is_too_short(report)
    return headline(report) == expected, expected in raised


@dataclass
class Tally:
    """Counts for one (half, view)."""

    runs: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    headlines: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    fired: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    alarms: list[tuple[str, list[str]]] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    #: the names of the runs in ``misses``, in the same order
    wrong: list[str] = field(default_factory=list)


def evaluate(runs: list[CorpusRun], view: str, rules: list[Rule]) -> Tally:
    tally = Tally()
    for case in runs:
        view_run = {"run": case.run, "bare": case.bare, "acc": case.accuracies}[view]()
        if view_run is None:
            continue  # the accuracy-only view of a regression: no accuracy to keep
        run = view_run
        report = engine.analyze(run, rules=rules)
        right, detected = judge(case.label, report)
        tally.runs[case.label] += 1
        tally.right[case.label] += right
        tally.detected[case.label] += detected
        tally.headlines[case.label][headline(report)] += 1
        codes = sorted({f.code for f in report.findings if f.severity.rank >= 1})
        for code in codes:
            tally.fired[code][case.label] += 1
        if case.label == "healthy" and codes:
            tally.alarms.append((case.name, codes))
        if not right:
            found = ", ".join(f"{f.code}:{f.severity.value}" for f in report.findings) or "-"
            tally.misses.append(f"{case.label:17s} {case.name}: headline {headline(report)}; "
                                f"{found}  [{case.label_reason}]")
            tally.wrong.append(case.name)
    return tally


def rule_rows(tally: Tally, rules: list[Rule]) -> list[tuple[str, str, int, str, str]]:
    """(code, diagnosis, fired, precision, recall) per rule that fired at warning+."""
    diagnosis = {r.code: r.diagnosis for r in rules}
    answers = defaultdict(list)  # diagnosis -> labels it answers
    for label, expected in EXPECTED.items():
        if expected is not None:
            answers[expected].append(label)
    rows = []
    too_short = {r.code for r in rules if r.verdict.lower().startswith("too short")}
    for code in sorted(tally.fired):
        by_label = tally.fired[code]
        fired = sum(by_label.values())
        # a rule whose verdict is "too short to judge" answers the too-short label
        labels = ["too-short"] if code in too_short else answers.get(diagnosis.get(code, ""), [])
        if not labels:
            rows.append((code, diagnosis.get(code, "?"), fired, "n/a", "n/a"))
            continue
        tp = sum(by_label[lab] for lab in labels)
        total = sum(tally.runs[lab] for lab in labels)
        recall = f"{tp}/{total} = {tp / total:.0%}" if total else "n/a"
        rows.append((code, diagnosis[code], fired, f"{tp}/{fired} = {tp / fired:.0%}", recall))
    return rows


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.0%}" if b else "-"


def render_text(half: str, view: str, tally: Tally, rules: list[Rule], misses: bool) -> str:
    out = [f"== {half} half, {view} view"]
    out.append(f"{'label':18s} {'runs':>5s} {'right':>14s} {'detected':>14s}  headlines given")
    for label in LABELS:
        n = tally.runs[label]
        if not n:
            continue
        given = ", ".join(f"{h} {c}" for h, c in tally.headlines[label].most_common())
        out.append(f"{label:18s} {n:5d} {_pct(tally.right[label], n):>14s} "
                   f"{_pct(tally.detected[label], n):>14s}  {given}")
    total, right = sum(tally.runs.values()), sum(tally.right.values())
    out.append(f"{'all':18s} {total:5d} {_pct(right, total):>14s}")
    healthy = tally.runs["healthy"]
    out.append(f"false alarms on healthy runs (a warning or error): "
               f"{_pct(len(tally.alarms), healthy)}")
    out.append("")
    out.append(f"{'rule':6s} {'diagnosis':17s} {'fired':>5s} {'precision':>16s} "
               f"{'recall':>16s}  fired on labels")
    for code, diag, fired, prec, rec in rule_rows(tally, rules):
        on = ", ".join(f"{lab} {c}" for lab, c in tally.fired[code].most_common())
        out.append(f"{code:6s} {diag:17s} {fired:5d} {prec:>16s} {rec:>16s}  {on}")
    if tally.alarms:
        alarm_codes = Counter(c for _, codes in tally.alarms for c in codes)
        out.append("false alarms by rule: " + ", ".join(
            f"{c} {n}" for c, n in alarm_codes.most_common()))
    if misses and tally.misses:
        out.append("")
        out.append(f"wrong headlines ({len(tally.misses)}):")
        out.extend(f"  {m}" for m in sorted(tally.misses))
    return "\n".join(out)


def render_markdown(results: dict[tuple[str, str], Tally], rules: list[Rule],
                    command: str) -> str:
    halves = sorted({h for h, _ in results}, key=["dev", "holdout"].index)
    views = sorted({v for _, v in results}, key=["run", "bare", "acc"].index)
    out = [f"<!-- generated by `{command}`; do not edit by hand -->", ""]
    for half in halves:
        out.append(f"**{half} half**: headline right per label (detected: the label's "
                   f"diagnosis among the warnings and errors)")
        out.append("")
        head = "| label | runs | " + " | ".join(
            f"right ({v} view) | detected ({v} view)" for v in views) + " |"
        out.append(head)
        out.append("|" + " --- |" * (2 + 2 * len(views)))
        first = results[(half, views[0])]
        for label in [*LABELS, "all"]:
            cells = []
            if label == "all":
                n = sum(first.runs.values())
                for v in views:
                    t = results[(half, v)]
                    cells += [f"**{_pct(sum(t.right.values()), n)}**",
                              _pct(sum(t.detected.values()), n)]
                out.append(f"| **all** | {n} | " + " | ".join(cells) + " |")
                continue
            n = first.runs[label]
            if not n:
                continue
            for v in views:
                t = results[(half, v)]
                cells += [_pct(t.right[label], n), _pct(t.detected[label], n)]
            out.append(f"| {label} | {n} | " + " | ".join(cells) + " |")
        out.append("")
        for view in views:
            t = results[(half, view)]
            out.append(f"False alarms on healthy runs ({view} view): "
                       f"{_pct(len(t.alarms), t.runs['healthy'])}.")
        out.append("")
        for view in views:
            t = results[(half, view)]
            cols = sorted({h for c in t.headlines.values() for h in c},
                          key=lambda h: (h == NONE, h))
            out.append(f"Confusion ({half} half, {view} view): label (rows) x headline "
                       f"given (columns):")
            out.append("")
            out.append("| label | " + " | ".join(cols) + " |")
            out.append("|" + " --- |" * (1 + len(cols)))
            for label in LABELS:
                if t.runs[label]:
                    out.append(f"| {label} | " + " | ".join(
                        str(t.headlines[label][h] or "") for h in cols) + " |")
            out.append("")
        for view in views:
            t = results[(half, view)]
            out.append(f"Per rule ({half} half, {view} view; fired = warning or error):")
            out.append("")
            out.append("| rule | diagnosis | fired | precision | recall |")
            out.append("| --- | --- | --- | --- | --- |")
            for code, diag, fired, prec, rec in rule_rows(t, rules):
                out.append(f"| {code} | {diag} | {fired} | {prec} | {rec} |")
            out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--half", choices=("dev", "holdout", "both"), default="both")
    ap.add_argument("--view", choices=("run", "bare", "acc", "both"), default="both",
                    help="acc: each history kept as accuracies alone (its losses dropped)")
    ap.add_argument("--markdown", type=Path, default=None,
                    help="also write the tables as Markdown to this file")
    ap.add_argument("--misses", action="store_true", help="list every wrong headline")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--partial", type=Path, default=None,
                    help="read a recording in progress (its .partial.jsonl) instead")
    args = ap.parse_args(argv)

    halves = ["dev", "holdout"] if args.half == "both" else [args.half]
    views = ["run", "bare"] if args.view == "both" else [args.view]
    rules = Settings().rules()
    results: dict[tuple[str, str], Tally] = {}
    for half in halves:
        runs = (load_partial(half, args.partial) if args.partial is not None
                else load_corpus(half, args.corpus))
        for view in views:
            tally = evaluate(runs, view, rules)
            results[(half, view)] = tally
            print(render_text(half, view, tally, rules, args.misses))
            print()
    if args.markdown is not None:
        command = "python bench/accuracy.py " + " ".join(argv if argv is not None
                                                          else sys.argv[1:])
        args.markdown.write_text(render_markdown(results, rules, command.strip()) + "\n")
        print(f"Markdown written to {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
