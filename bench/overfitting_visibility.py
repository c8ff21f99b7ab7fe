"""Can the validation curve show the overfitting the test curve shows? FD101/FD103 against both.

The corpus labels a run ``overfitting`` from its held-out TEST loss (tests/data/recorder/
labels.py: the test loss ends more than 10% and two noise-widths above its minimum while
the training loss keeps falling). fitdoctor never sees the test curve: FD101 judges the
VALIDATION loss. On a validation set of a few dozen samples that the model gets 100%
right, the validation loss can keep falling while the test loss climbs; no rule reading
the curves can see that overfitting.

This script applies the labeller's own overfitting rule to the validation curve in place
of the test curve ("visible in validation": the run's validation twin, built by
``bench/val_ceiling.py``, which does the same for every label) and crosses it with the
label and with what FD101 did, in both views (the callback's run file and the bare
history):

* recall of FD101 on the overfitting runs, split into those whose validation curve shows
  the overfitting and those whose validation curve does not, and of FD101 or FD103 (a
  memorised training set, read off the run file whatever the validation curve shows;
  FD101 supersedes it, so the two never fire together);
* FD101's firings (warning or above) on runs labelled otherwise: whether their test curve
  overfits all the same (the labeller tries ``unstable`` before ``overfitting``, so a run
  that does both is labelled unstable), and whether the validation curve shows it.

Run from the repository root::

    .venv/bin/python bench/overfitting_visibility.py [--half dev|holdout] [--list]

``--list`` names the runs (dev half only: the holdout half is reported in aggregate).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "data"))

from corpus import CorpusRun, load_corpus  # noqa: E402
from recorder import labels  # noqa: E402
from val_ceiling import validation_twin  # noqa: E402

from fitdoctor import engine  # noqa: E402
from fitdoctor.rules import Settings  # noqa: E402

RULE = "FD101"
#: FD103 (training-set-memorised) is read off the run file, not the validation curve.
ALSO = "FD103"


def visible(case: CorpusRun) -> bool | None:
    """Would the labeller call the run overfitting from its validation curve?"""
    rec = validation_twin(case.record)
    if rec is None:
        return None
    return labels.overfitting(labels.view(rec)) is not None


def test_overfits(case: CorpusRun) -> bool:
    """Does the labeller's overfitting rule hold on the test curve (whatever the label)?"""
    return labels.overfitting(labels.view(case.record)) is not None


def fired(case: CorpusRun, view: str, rules: list[Any]) -> set[str]:
    """The overfitting rules (FD101, FD103) that fired at warning or above."""
    run = case.run() if view == "run" else case.bare()
    report = engine.analyze(run, rules=rules)
    return {f.code for f in report.findings
            if f.code in (RULE, ALSO) and f.severity.rank >= 1}


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} = {100 * a / b:.0f}%" if b else "0/0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", choices=("dev", "holdout"), default="dev")
    parser.add_argument("--list", action="store_true", help="name the runs (dev only)")
    args = parser.parse_args()
    if args.list and args.half != "dev":
        parser.error("--list names dev runs only: the holdout half is reported in aggregate")
    rules = Settings().rules()
    cases = load_corpus(args.half)
    shows = {c.name: visible(c) for c in cases}
    for view in ("run", "bare"):
        fires = {c.name: fired(c, view, rules) for c in cases}
        print(f"== {args.half} half, {view} view: {RULE} against what the curves can show")
        over = [c for c in cases if c.label == "overfitting"]
        for kind, want in (("visible in validation", True), ("not visible in validation",
                                                               False), ("val not every epoch",
                                                                        None)):
            group = [c for c in over if shows[c.name] is want]
            if not group:
                continue
            hit = [c for c in group if RULE in fires[c.name]]
            either = [c for c in group if fires[c.name]]
            print(f"  overfitting, {kind:26s} {len(group):3d} runs, {RULE} fired on "
                  f"{_pct(len(hit), len(group))}, {RULE} or {ALSO} on "
                  f"{_pct(len(either), len(group))}")
            if args.list:
                for c in group:
                    mark = "+" if RULE in fires[c.name] else "m" if fires[c.name] else "-"
                    print(f"      {mark} {c.name}  n_val={c.facts.get('n_val')}  "
                          f"[{c.label_reason}]")
        others = [c for c in cases if c.label != "overfitting" and fires[c.name]]
        tally: Counter[tuple[str, bool, bool | None]] = Counter(
            (c.label, test_overfits(c), shows[c.name]) for c in others)
        print(f"  {RULE} or {ALSO} on runs labelled otherwise: {len(others)}")
        for (label, t_over, v_over), n in sorted(tally.items()):
            print(f"      {label:17s} {n:3d}  test curve overfits: {'yes' if t_over else 'no':3s}"
                  f"  validation curve overfits: "
                  f"{'n/a' if v_over is None else 'yes' if v_over else 'no'}")
        if args.list:
            for c in others:
                print(f"      {c.label:17s} {c.name} {','.join(sorted(fires[c.name]))}  "
                      f"[{c.label_reason}]")
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
