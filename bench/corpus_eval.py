"""Score the rules against a labelled corpus of real training histories.

The frozen corpus (tests/data/histories/, see its README; superseded by tests/data/corpus/
and bench/accuracy.py) labels each
run from its held-out TEST curve, which fitdoctor never sees. This prints, per label,
how often the expected diagnosis was reported at warning or above, and every false
alarm (a warning or error on a run labelled healthy) and every miss.

Run: ``python bench/corpus_eval.py [DIR]``
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import fitdoctor
from fitdoctor import engine
from fitdoctor.rules import Settings

#: The diagnosis a label expects (stalled runs are "not-converged" with FD302).
EXPECTED = {
    "overfitting": {"overfitting"},
    "underfitting": {"underfitting"},
    "not-converged": {"not-converged"},
    "stalled": {"not-converged"},
    "diverged": {"diverged"},
    "unstable": {"unstable"},
    "healthy": set(),
}
CURVE_RULES = ["FD1", "FD2", "FD3", "FD4"]


def main(folder: Path, verbose: bool) -> int:
    labels = json.loads((folder / "labels.json").read_text())
    rules = Settings(select=CURVE_RULES).rules()
    hits: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    problems = []
    for name, info in sorted(labels.items()):
        path = folder / f"{name}.json"
        if not path.exists():
            continue
        label = info.get("label")
        if label is None:
            continue
        run = fitdoctor.load(path)
        report = engine.analyze(run, rules=rules)
        found = {f.diagnosis for f in report.findings if f.severity.rank >= 1}
        for d in found or {"(none)"}:
            confusion[label][d] += 1
        totals[label] += 1
        expected = EXPECTED[label]
        ok = found == expected if label == "healthy" else bool(found & expected)
        extra = found - expected
        if ok:
            hits[label] += 1
        if not ok or (verbose and extra):
            codes = [f"{f.code}:{f.severity.value}" for f in report.findings]
            problems.append(f"  {'MISS' if not ok else 'extra'} {label:14s} {name}: {codes}"
                            f"  [{info.get('label_reason', '')}]")
    print(f"{'label':15s} {'detected':>9s}  diagnoses reported (warning+)")
    for label in sorted(totals):
        share = hits[label] / totals[label]
        dist = ", ".join(f"{d} {n}" for d, n in confusion[label].most_common())
        print(f"{label:15s} {hits[label]:3d}/{totals[label]:<3d} {share:5.0%}  {dist}")
    all_hits, all_total = sum(hits.values()), sum(totals.values())
    print(f"{'all':15s} {all_hits:3d}/{all_total:<3d} {all_hits / max(1, all_total):5.0%}")
    print("\n".join(problems))
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    folder = Path(args[0]) if args else Path(__file__).parent.parent / "tests/data/histories"
    sys.exit(main(folder, "-v" in sys.argv))
