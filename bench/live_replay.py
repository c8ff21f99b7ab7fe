#!/usr/bin/env python
"""Live diagnosis replayed on recorded histories: what fires too early, how late, when to stop.

Usage:
    python bench/live_replay.py [--wild FOLDER] [--confirm 1,2,3,4,5] [-v]

Every history of ``tests/data/histories`` (real Keras trainings, each with the loss on a
held-out test split per epoch in ``labels.json``) and, when the folder is found, of
``../shared/corpora/wild/files`` (real histories from public repositories) is replayed
one epoch at a time through :class:`fitdoctor.live.LiveDiagnosis`, as
``FitDoctor(live=True)`` sees it during training. The reference is the same rules on
the whole history (judged as a finished run).

Printed, for each confirmation length (consecutive epochs a finding must hold before it
fires; diverged findings fire at once whatever it is):

* ``printed``: findings printed live (warning or error when they fired);
* ``withdrawn``: printed findings the whole history does not hold (printed too early:
  a later epoch withdrew them) — by diagnosis;
* ``delay``: for the others, epochs from the finding's own start (its epoch in the
  reference report) to the epoch it fired: median and 90th percentile;
* ``only at the end``: reference findings (warning or error) that never fired live
  (they held only in the last epochs; the final report has them).

Then ``stop_on`` with the default confirmation:

* ``diverged``: runs stopped, and how many of them the whole history does not call
  diverged;
* ``overfitting``: runs stopped, how many the whole history does not call overfitting,
  and on the recorded runs (test loss per epoch known) the test loss of the weights
  kept (the best epoch when it stopped, as ``restore_best_weights=True`` keeps them)
  against the test loss at the end of the full training and at the full history's best
  epoch.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import fitdoctor
from fitdoctor import engine, live
from fitdoctor.errors import InputError
from fitdoctor.readers import history_sources
from fitdoctor.report import Report, Severity
from fitdoctor.rules import Rule, Settings
from fitdoctor.run import Run

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "tests" / "data" / "histories"


@dataclass
class Case:
    name: str
    run: Run
    test_loss: list[float] | None = None


@dataclass
class Tally:
    printed: int = 0
    withdrawn: Counter[str] = field(default_factory=Counter)
    kept_by: Counter[str] = field(default_factory=Counter)
    delays: list[int] = field(default_factory=list)
    only_end: int = 0
    other_rule: int = 0
    examples: list[str] = field(default_factory=list)


def prefix(run: Run, k: int) -> Run:
    """The run as it was after its ``k``-th row."""
    last = run.epochs[k - 1]
    return replace(
        run,
        epochs=run.epochs[:k],
        metrics={key: v[:k] for key, v in run.metrics.items()},
        seconds=run.seconds[:k] if run.seconds is not None else None,
        per_class=[pc for pc in run.per_class if pc.epoch <= last],
        phases=[p for p in run.phases if p.epoch <= last],
        status="running",
    )


def wild_folder() -> Path:
    """``shared/corpora/wild/files`` in the nearest folder above the repository."""
    for parent in ROOT.parents:
        folder = parent / "shared" / "corpora" / "wild" / "files"
        if folder.is_dir():
            return folder
    return Path("shared", "corpora", "wild", "files")


def recorded() -> list[Case]:
    labels = json.loads((RECORDED / "labels.json").read_text())
    cases = []
    for path in sorted(RECORDED.glob("*.json")):
        if path.name == "labels.json":
            continue
        run = fitdoctor.load(path)
        info = labels.get(path.stem, {})
        cases.append(Case(path.stem, run, info.get("test_loss")))
    return cases


def wild(folder: Path) -> list[Case]:
    cases = []
    for source in history_sources(folder):
        try:
            runs = fitdoctor.load_runs(source)
        except InputError:
            continue
        if runs and runs[-1].n_epochs:
            cases.append(Case(Path(str(source)).name, runs[-1]))
    return cases


def key(finding: fitdoctor.Finding) -> tuple[str, str]:
    return finding.code, finding.output or ""


def replay(case: Case, rules: list[Rule], curve_rules: list[Rule]) -> tuple[
        Report, list[Report]]:
    """The whole history's report (every curve rule) and the live report after each epoch."""
    judge = live.LiveDiagnosis(rules=rules)
    reports = [judge.judge(prefix(case.run, k)) for k in range(1, case.run.n_epochs + 1)]
    final = engine.analyze(replace(case.run, status="completed"), rules=curve_rules)
    return final, reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wild", default=str(wild_folder()),
                        help="folder of real histories (default: shared/corpora/wild/files "
                        "in the nearest folder above the repository that has it; skipped "
                        "when missing)")
    parser.add_argument("--confirm", default="rule,1,2,3,4,5,6",
                        help="confirmation lengths to compare; 'rule': each rule's own "
                        "min_epochs, the default (default rule,1,2,3,4,5,6)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="name the withdrawn findings of the default confirmation")
    args = parser.parse_args()
    confirms: list[int | None] = [None if c == "rule" else int(c)
                                  for c in args.confirm.split(",")]
    every = Settings().rules()
    rules = live.live_rules(every)
    curve_rules = [r for r in every if r.diagnosis in engine.CURVE_DIAGNOSES]
    sets = {"recorded": recorded()}
    folder = Path(args.wild)
    if folder.is_dir():
        sets["wild"] = wild(folder)
    codes = {r.code for r in rules}
    print(f"live replay: rules {', '.join(r.code for r in rules)}; a finding fires "
          "when it held at its rule's min_epochs consecutive epochs by default (FD401/FD402 "
          "at once, FD403 with the next epoch)")
    for set_name, cases in sets.items():
        epochs = sum(c.run.n_epochs for c in cases)
        print(f"\n== {set_name}: {len(cases)} runs, {epochs:,} epochs replayed")
        tallies: dict[int | None, Tally] = {c: Tally() for c in confirms}
        stops: dict[str, list[tuple[Case, live.Stop, Report]]] = defaultdict(list)
        for case in cases:
            final, reports = replay(case, rules, curve_rules)
            final_keys = {key(f) for f in final.findings}
            final_diagnoses = {f.diagnosis for f in final.findings}
            for confirm in confirms:
                t = tallies[confirm]
                diag = live.LiveDiagnosis(rules=rules, confirm=confirm)
                for report, epoch in zip(reports, case.run.epochs, strict=True):
                    diag.observe(report, epoch)
                for fired in diag.fired.values():
                    if not fired.printed:
                        continue
                    t.printed += 1
                    f = fired.finding
                    if key(f) not in final_keys:
                        t.withdrawn[f.diagnosis] += 1
                        t.other_rule += f.diagnosis in final_diagnoses
                        if confirm is None:
                            t.examples.append(f"{case.name}: {f.code} fired at epoch "
                                              f"{fired.epoch} of {case.run.epochs[-1]}")
                        continue
                    t.kept_by[f.diagnosis] += 1
                    ref = next(g for g in final.findings if key(g) == key(f))
                    if ref.epoch is not None:
                        t.delays.append(fired.epoch - ref.epoch)
                t.only_end += sum(
                    1 for f in final.findings
                    if f.severity.rank >= Severity.WARNING.rank and key(f) not in diag.fired
                    and f.code in codes
                )
            for stop_on in ("diverged", "overfitting"):
                diag = live.LiveDiagnosis(rules=rules, stop_on=[stop_on])
                for report, epoch in zip(reports, case.run.epochs, strict=True):
                    step = diag.observe(report, epoch)
                    if step.stop is not None:
                        stops[stop_on].append((case, step.stop, final))
                        break
        print(f"  {'confirm':>7} {'printed':>8} {'withdrawn':>10} {'share':>6} "
              f"{'diagnosis kept':>14}  {'delay median/p90':>16} {'only at the end':>15}  "
              "withdrawn by diagnosis (kept)")
        for confirm in confirms:
            t = tallies[confirm]
            n_w = sum(t.withdrawn.values())
            delays = sorted(t.delays)
            p90 = delays[min(len(delays) - 1, int(0.9 * len(delays)))] if delays else 0
            med = statistics.median(delays) if delays else 0
            by = ", ".join(f"{d} {t.withdrawn[d]} ({t.kept_by[d]})"
                           for d in sorted(set(t.withdrawn) | set(t.kept_by)))
            mark = " ← default" if confirm is None else ""
            name = "rule" if confirm is None else str(confirm)
            print(f"  {name:>7} {t.printed:>8} {n_w:>10} {n_w / max(1, t.printed):6.1%} "
                  f"{t.other_rule:>14}  {med:>7g} / {p90:<7} {t.only_end:>15}  {by}{mark}")
        if args.verbose and None in tallies:
            for line in tallies[None].examples:
                print(f"    withdrawn: {line}")
        for stop_on, found in stops.items():
            wrong = [(c, s) for c, s, final in found
                     if not any(f.diagnosis == stop_on for f in final.findings)]
            print(f"  stop_on=[{stop_on!r}]: {len(found)} runs stopped, {len(wrong)} of them "
                  f"not {stop_on} on the whole history"
                  + (f" ({', '.join(f'{c.name}@{s.epoch}' for c, s in wrong[:6])})"
                     if wrong else ""))
            if stop_on != "overfitting":
                continue
            kept, end, best_full, saved = [], [], [], []
            for case, stop, final in found:
                if case.test_loss is None or stop.best_epoch is None or final.best_epoch is None:
                    continue
                index = {e: i for i, e in enumerate(case.run.epochs)}
                kept.append(case.test_loss[index[stop.best_epoch]])
                end.append(case.test_loss[-1])
                best_full.append(case.test_loss[index[final.best_epoch.epoch]])
                saved.append(1 - (index[stop.epoch] + 1) / case.run.n_epochs)
            if kept:
                better = sum(k < e for k, e in zip(kept, end, strict=True))
                same_best = sum(abs(k - b) < 1e-12 for k, b in zip(kept, best_full, strict=True))
                print(f"    with test loss ({len(kept)} runs): weights kept at the stop beat the "
                      f"last epoch's in {better} (median test loss {statistics.median(kept):.4f}"
                      f" vs {statistics.median(end):.4f} at the end); the kept epoch is the "
                      f"full history's best in {same_best}, median test loss there "
                      f"{statistics.median(best_full):.4f}; median share of epochs saved "
                      f"{statistics.median(saved):.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
