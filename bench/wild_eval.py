#!/usr/bin/env python
"""Read and judge a folder of real training histories nobody here recorded.

Usage:
    python bench/wild_eval.py [FOLDER] [--verbose] [--config FILE]

``FOLDER`` defaults to ``../shared/corpora/wild/files`` (from the working directory, or
the nearest folder above the repository that has it).
Every file and TensorBoard log folder in it (see ``fitdoctor.readers.history_sources``)
is read with ``fitdoctor.analyze_all``, as ``fitdoctor analyze`` reads it. Printed:

* files, how many were read and how many refused -- each refusal with its one-line
  reason (the line ``fitdoctor analyze`` would print);
* runs found (a CSVLogger file appended by three ``fit`` calls is three runs) and the
  formats they were read as;
* where a ``labels.csv`` sits beside the folder (columns ``file`` and ``label``):
  agreement per label, on the **last** run of each file (the labels describe a
  file's main run, which is its last: the long run after aborted tries, the last
  ``fit`` of an appended log). Label → what agrees:

  - ``healthy``: no finding at warning or above;
  - ``overfitting``, ``underfitting``, ``not-converged``, ``diverged``, ``unstable``:
    a finding with that diagnosis at warning or above;
  - ``validation-broken``: a ``validation-setup`` finding (any severity);
  - ``no-validation``: FD701;
  - ``too-short``: the report says the run is too short to judge; else a miss.

  Files without a label are read but not scored. Low-confidence labels count like
  the others (the ``confidence`` column is shown with ``--verbose``).

Judging is the rules' business; this bench only says how the reports compare.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import fitdoctor
from fitdoctor.errors import ConfigError, InputError
from fitdoctor.readers import history_sources
from fitdoctor.report import Report, Severity
from fitdoctor.rules import Settings, read_config

ROOT = Path(__file__).resolve().parent.parent
WILD = Path("shared", "corpora", "wild", "files")


def default_folder() -> Path:
    """``../shared/corpora/wild/files`` from the working directory, else from the nearest
    folder above the repository that has it (a git worktree may sit deeper)."""
    here = Path("..") / WILD
    if here.is_dir():
        return here
    for parent in ROOT.parents:
        if (parent / WILD).is_dir():
            return parent / WILD
    return here
CURVE_LABELS = ("overfitting", "underfitting", "not-converged", "diverged", "unstable")
LABEL_ORDER = (
    "healthy", *CURVE_LABELS, "validation-broken", "no-validation", "too-short",
)


@dataclass
class Result:
    """One source: its runs' reports, or the reason it was refused."""

    path: str
    reports: list[Report] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)
    refused: str | None = None


def agrees(label: str, report: Report) -> bool:
    """Whether ``report`` says what ``label`` expects (see the module docstring)."""
    warned = {f.diagnosis for f in report.findings if f.severity.rank >= Severity.WARNING.rank}
    if label == "healthy":
        return not warned
    if label in CURVE_LABELS:
        return label in warned
    if label == "validation-broken":
        return any(f.diagnosis == "validation-setup" for f in report.findings)
    if label == "no-validation":
        return any(f.code == "FD701" for f in report.findings)
    if label == "too-short":
        return any("too short" in note for note in report.notes)
    raise ValueError(f"unknown label {label!r}")


def read_labels(folder: Path) -> dict[str, dict[str, str]]:
    """``labels.csv`` beside the folder (or in it), by file name; empty if there is none."""
    for candidate in (folder.parent / "labels.csv", folder / "labels.csv"):
        if candidate.is_file():
            with open(candidate, newline="", encoding="utf-8") as fh:
                return {row["file"]: row for row in csv.DictReader(fh)}
    return {}


def evaluate(folder: Path, settings: Settings) -> list[Result]:
    """Read and analyze every source in ``folder``."""
    results = []
    for path in history_sources(folder):
        if os.path.basename(path) == "labels.csv":
            continue
        result = Result(path)
        try:
            result.reports = fitdoctor.analyze_all(path, settings)
        except InputError as exc:
            result.refused = " ".join(str(exc).split())
        else:
            result.formats = [
                (r.run.source if r.run is not None else "?") for r in result.reports
            ]
        results.append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=None)
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="one line per file: label, verdict, findings")
    parser.add_argument("--config", type=Path, help="a fitdoctor.toml or pyproject.toml")
    args = parser.parse_args(argv)
    folder: Path = args.folder or default_folder()
    if not folder.is_dir():
        print(f"{folder}: not a folder", file=sys.stderr)
        return 2
    try:
        settings = read_config(args.config) if args.config else Settings()
    except ConfigError as exc:
        print(f"fitdoctor: error: {exc}", file=sys.stderr)
        return 2
    results = evaluate(folder, settings)
    read = [r for r in results if r.refused is None]
    refused = [r for r in results if r.refused is not None]
    n_runs = sum(len(r.reports) for r in read)
    formats = Counter(f for r in read for f in r.formats)
    print(f"folder:      {folder}")
    print(f"files:       {len(results)}")
    print(f"read:        {len(read)}")
    print(f"refused:     {len(refused)}")
    for r in refused:
        print(f"  {r.refused}")
    multi = sum(1 for r in read if len(r.reports) > 1)
    print(f"runs found:  {n_runs} ({multi} files hold several runs)")
    print("formats:     " + ", ".join(f"{k} {v}" for k, v in formats.most_common()))

    labels = read_labels(folder)
    if not labels:
        return 0
    totals: Counter[str] = Counter()
    hits: Counter[str] = Counter()
    lines = []
    for r in results:
        name = os.path.basename(r.path)
        row = labels.get(name)
        label = (row or {}).get("label", "")
        if not label:
            continue
        totals[label] += 1
        if r.refused is not None:
            lines.append(f"  MISS  {label:<17} {name}: refused")
            continue
        last = r.reports[-1]
        ok = agrees(label, last)
        hits[label] += ok
        if args.verbose:
            codes = ", ".join(
                f"{f.code}:{f.severity.value[0]}" + (f"@{f.output}" if f.output else "")
                for f in last.findings
            )
            conf = (row or {}).get("confidence", "")
            mark = "ok  " if ok else "MISS"
            lines.append(
                f"  {mark}  {label:<17} {conf:<6} {name[:60]:<60} {last.verdict} [{codes}]"
            )
    print(f"\nagreement with {len(labels)} labels (last run of each file):")
    print(f"  {'label':<18} {'files':>5} {'agree':>6} {'rate':>6}")
    for label in [*LABEL_ORDER, *sorted(set(totals) - set(LABEL_ORDER))]:
        if totals[label]:
            rate = 100 * hits[label] / totals[label]
            print(f"  {label:<18} {totals[label]:>5} {hits[label]:>6} {rate:>5.0f}%")
    all_n, all_hits = sum(totals.values()), sum(hits.values())
    print(f"  {'all':<18} {all_n:>5} {all_hits:>6} {100 * all_hits / max(all_n, 1):>5.0f}%")
    if lines:
        print()
        print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
