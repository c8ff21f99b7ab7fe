#!/usr/bin/env python
"""Record the labelled corpus of real Keras trainings in tests/data/corpus/.

Usage (from the repository root, with the project's virtual environment)::

    nice -n 10 .venv/bin/python tests/data/record_corpus.py [--jobs 2]
        [--only PATTERN[,PATTERN...]] [--resume] [--relabel] [--backfill-facts]
        [--list] [--out DIR]

Every configuration in ``recorder/configs.py`` is trained with 3 seeds (Keras 3, TF-CPU,
one thread per worker) with ``fitdoctor.FitDoctor`` in its callbacks and a callback that
evaluates the held-out test split after every epoch. Each finished training is appended
to ``DIR/.partial.jsonl`` at once, so an interrupted recording loses at most the
trainings in flight; ``--resume`` keeps the finished ones and trains the rest. At the end
every record is labelled (``recorder/labels.py``), assigned to its half and the two halves
are written as ``DIR/dev.jsonl.gz`` and ``DIR/holdout.jsonl.gz`` (one JSON record per
line, sorted by name, gzip with a zero timestamp so equal content gives equal bytes).

``--only`` retrains the runs whose names (``CONFIG_sSEED``) or configurations match the
fnmatch patterns and keeps every other record; ``--relabel`` trains nothing and only
recomputes labels and halves from the stored curves; ``--backfill-facts`` trains nothing
and writes into every stored run file the data facts a newer callback records that depend
only on the arrays given to ``fit`` (``recorder/backfill.py``: the validation inputs'
statistics against the training inputs'), then relabels. Without ``--only``/``--resume``/
``--relabel``/``--backfill-facts`` everything is retrained.

Halves: configurations are grouped by intended label; within a group they are ordered
by (family, sha256 of the name) and dealt alternately to ``dev`` and ``holdout``, so all
seeds of a configuration share a half, each intended label (and, as far as the counts
allow, each family) is split evenly, and nothing the rules or the labels compute can move
a configuration between halves. Adding or removing a configuration re-deals only its own
intended-label group.
"""

from __future__ import annotations

import argparse
import fnmatch
import gzip
import hashlib
import json
import math
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("OMP_NUM_THREADS", "1")  # scikit-learn's gradient boosting
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from recorder import configs, labels  # noqa: E402

DEFAULT_OUT = HERE / "corpus"
HALVES = ("dev", "holdout")


def expand_runs() -> list[dict[str, Any]]:
    """Every (configuration, seed) pair, named ``CONFIG_sSEED``."""
    return [dict(c, seed=s, run=f"{c['name']}_s{s}") for c in configs.CONFIGS
            for s in configs.SEEDS]


def assign_halves() -> dict[str, str]:
    """Configuration name -> half (see the module docstring)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for c in configs.CONFIGS:
        groups.setdefault(c["intended"], []).append(c)
    halves = {}
    for intended, members in groups.items():
        members.sort(key=lambda c: (c["family"],
                                    hashlib.sha256(c["name"].encode()).hexdigest()))
        # start each group on the half chosen by the group's own hash, so that odd groups
        # do not all give their extra configuration to the same half
        offset = int(hashlib.sha256(intended.encode()).hexdigest(), 16) % 2
        for i, c in enumerate(members):
            halves[c["name"]] = HALVES[(i + offset) % 2]
    return halves


# ----------------------------------------------------------------------------- workers
def _worker_init() -> None:
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)


def _worker(run: dict[str, Any]) -> dict[str, Any]:
    from recorder import training

    try:
        return training.train(run)
    except Exception as exc:  # reported by the parent, the recording goes on
        import traceback

        return {"name": run["run"], "error": f"{type(exc).__name__}: {exc}",
                "traceback": traceback.format_exc()}


# ----------------------------------------------------------------------------- storage
def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Records of a ``.jsonl`` or ``.jsonl.gz`` file (an unfinished last line is dropped)."""
    if not path.exists():
        return []
    opener = gzip.open if path.suffix == ".gz" else open
    out = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                print(f"{path}: skipping an unreadable line (interrupted write?)")
    return out


def write_half(path: Path, records: list[dict[str, Any]]) -> None:
    """Write one half atomically, deterministically compressed."""
    text = "".join(json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n"
                   for r in sorted(records, key=lambda r: r["name"]))
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                               compresslevel=9, mtime=0) as fh:
        fh.write(text.encode("utf-8"))
    os.replace(tmp, path)


def load_all(out: Path) -> dict[str, dict[str, Any]]:
    records: dict[str, dict[str, Any]] = {}
    for half in HALVES:
        for rec in read_jsonl(out / f"{half}.jsonl.gz"):
            records[rec["name"]] = rec
    for rec in read_jsonl(out / ".partial.jsonl"):
        records[rec["name"]] = rec
    return records


# ----------------------------------------------------------------------------- labelling
def relabel(records: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    halves = assign_halves()
    by_config = {c["name"]: c for c in configs.CONFIGS}
    recs = [r for r in records.values() if r["group"] in by_config]
    achievable = labels.achievable(recs)
    for rec in recs:
        config = by_config[rec["group"]]
        rec["half"] = halves[rec["group"]]
        rec["intended"] = config["intended"]
        rec["family"] = config["family"]
        rec["achievable"] = achievable[rec["data"]]
        rec.update(labels.label(rec))
        rec["surprise"] = rec["label"] != rec["intended"]
    return recs


def counts_markdown(recs: list[dict[str, Any]]) -> str:
    """Runs per label and half, and per family and label (README tables)."""
    n_cfg = len({r["group"] for r in recs})
    lines = [f"{len(recs)} runs ({n_cfg} configurations x {len(configs.SEEDS)} seeds).", "",
             "| label | dev | holdout | all | intended (configs x seeds) |",
             "| --- | --- | --- | --- | --- |"]
    by = Counter((r["label"], r["half"]) for r in recs)
    intended = Counter(r["intended"] for r in recs)
    for lab in configs.LABELS:
        d, h = by[(lab, "dev")], by[(lab, "holdout")]
        lines.append(f"| {lab} | {d} | {h} | {d + h} | {intended[lab]} |")
    d = sum(1 for r in recs if r["half"] == "dev")
    lines.append(f"| **all** | {d} | {len(recs) - d} | {len(recs)} | {len(recs)} |")
    lines += ["", "| family | runs | labels |", "| --- | --- | --- |"]
    fams = sorted({r["family"] for r in recs})
    for fam in fams:
        c = Counter(r["label"] for r in recs if r["family"] == fam)
        lines.append(f"| {fam} | {sum(c.values())} | "
                     + ", ".join(f"{k} {v}" for k, v in c.most_common()) + " |")
    surprises = sum(r["surprise"] for r in recs)
    lines += ["", f"{surprises} of {len(recs)} runs got a label other than the one their "
              "configuration was designed to provoke (see configs.md)."]
    return "\n".join(lines)


def configs_markdown(recs: list[dict[str, Any]]) -> str:
    """Per configuration: data, family, half, intended and the labels of its seeds."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in recs:
        groups.setdefault(r["group"], []).append(r)
    lines = ["# Configurations and the labels their runs got", "",
             "Generated by `tests/data/record_corpus.py` (do not edit). Settings: see "
             "`tests/data/recorder/configs.py`.", "",
             "| configuration | data | family | half | intended | labels (seeds) |",
             "| --- | --- | --- | --- | --- | --- |"]
    order = {c["name"]: i for i, c in enumerate(configs.CONFIGS)}
    for name in sorted(groups, key=lambda n: order.get(n, 1 << 30)):
        rs = sorted(groups[name], key=lambda r: r["seed"])
        c = Counter(r["label"] for r in rs)
        labs = ", ".join(f"{k} x{v}" for k, v in c.most_common())
        mark = "" if set(c) == {rs[0]["intended"]} else " *"
        lines.append(f"| {name} | {rs[0]['data']} | {rs[0]['family']} | {rs[0]['half']} | "
                     f"{rs[0]['intended']} | {labs}{mark} |")
    lines += ["", "`*`: some seed got a label other than the intended one.", "",
              "## Every run whose label differs from the intended one", ""]
    for r in sorted(recs, key=lambda r: r["name"]):
        if r["surprise"]:
            lines.append(f"- `{r['name']}`: intended {r['intended']}, got **{r['label']}** "
                         f"({r['label_reason']})")
    return "\n".join(lines) + "\n"


def write_docs(out: Path, recs: list[dict[str, Any]]) -> None:
    """Refresh the generated parts of the corpus README and configs.md."""
    (out / "configs.md").write_text(configs_markdown(recs), encoding="utf-8")
    readme = out / "README.md"
    if not readme.exists():
        return
    text = readme.read_text(encoding="utf-8")
    start, end = "<!-- counts:start -->", "<!-- counts:end -->"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = f"{head}{start}\n{counts_markdown(recs)}\n{end}{tail}"
        readme.write_text(text, encoding="utf-8")


def summary(recs: list[dict[str, Any]]) -> str:
    lines = [f"{len(recs)} runs"]
    counts = Counter((r["label"], r["half"]) for r in recs)
    for lab in configs.LABELS:
        lines.append(f"  {lab:18s} dev {counts[(lab, 'dev')]:4d}  holdout "
                     f"{counts[(lab, 'holdout')]:4d}")
    surprises = sorted((r for r in recs if r["surprise"]), key=lambda r: r["name"])
    lines.append(f"{len(surprises)} runs labelled differently than intended")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--only", default=None, help="comma-separated fnmatch patterns")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--relabel", action="store_true")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--backfill-facts", action="store_true",
                    help="train nothing; add the fit-input facts to every stored run file")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--surprises", action="store_true", help="print every surprise")
    args = ap.parse_args(argv)

    runs = expand_runs()
    if args.list:
        halves = assign_halves()
        for r in runs:
            print(f"{r['run']:40s} {r['family']:16s} {r['intended']:18s} {halves[r['name']]}")
        return 0
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    partial = out / ".partial.jsonl"
    keep_old = bool(args.only or args.resume or args.relabel or args.backfill_facts)
    records = load_all(out) if keep_old else {}
    if not keep_old and partial.exists():
        partial.unlink()

    start = time.time()
    if args.backfill_facts:
        if args.only or args.resume or args.relabel:
            ap.error("--backfill-facts trains nothing: use it alone")
        backfill_facts(records)
    elif not args.relabel:
        todo = runs
        if args.only:
            pats = args.only.split(",")
            todo = [r for r in runs if any(fnmatch.fnmatch(r["run"], p)
                                           or fnmatch.fnmatch(r["name"], p) for p in pats)]
            if not todo:
                ap.error(f"no run matches {args.only!r}")
        if args.resume:
            done = {r["name"] for r in read_jsonl(partial)}
            if not args.only:
                done |= set(records)
            todo = [r for r in todo if r["run"] not in done]
        # longest first, so that the pool ends evenly
        todo.sort(key=lambda r: -r["cfg"]["epochs"] * (sum(r["cfg"]["units"]) + 64)
                  / math.sqrt(r["cfg"]["batch"]))
        print(f"training {len(todo)} runs with {args.jobs} job(s)", flush=True)
        errors = _train(todo, args.jobs, partial, records, start)
        if errors:
            print(f"{errors} runs failed (see above); rerun with --resume", flush=True)

    recs = relabel(records)
    for half in HALVES:
        write_half(out / f"{half}.jsonl.gz", [r for r in recs if r["half"] == half])
    if partial.exists():
        partial.unlink()
    write_docs(out, recs)
    print(summary(recs))
    if args.surprises:
        for r in sorted(recs, key=lambda r: r["name"]):
            if r["surprise"]:
                print(f"  {r['name']}: intended {r['intended']}, got {r['label']} "
                      f"({r['label_reason']})")
    print(f"{time.time() - start:.0f}s; " + ", ".join(
        f"{h}.jsonl.gz {(out / f'{h}.jsonl.gz').stat().st_size / 1e6:.2f} MB" for h in HALVES))
    return 0


def backfill_facts(records: dict[str, dict[str, Any]]) -> None:
    """Add the facts ``recorder/backfill.py`` rebuilds to every record's run file."""
    from recorder import backfill

    cache: dict[tuple[str, str], dict[str, Any]] = {}
    for name in sorted(records):
        backfill.backfill_record(records[name], cache)
    print(f"backfilled {', '.join(backfill.BACKFILLED)} in {len(records)} run files "
          f"({len(cache)} distinct fit inputs)", flush=True)


def _train(todo: list[dict[str, Any]], jobs: int, partial: Path,
           records: dict[str, dict[str, Any]], start: float) -> int:
    if not todo:
        return 0
    errors = 0
    if jobs > 1 and len(todo) > 1:
        import multiprocessing as mp

        pool = mp.get_context("spawn").Pool(jobs, initializer=_worker_init,
                                            maxtasksperchild=40)
        results: Any = pool.imap_unordered(_worker, todo)
    else:
        _worker_init()
        pool, results = None, map(_worker, todo)
    try:
        with open(partial, "a", encoding="utf-8") as fh:
            for i, rec in enumerate(results, 1):
                if "error" in rec:
                    errors += 1
                    print(f"[{i}/{len(todo)}] {rec['name']}: ERROR {rec['error']}\n"
                          f"{rec['traceback']}", flush=True)
                    continue
                fh.write(json.dumps(rec, separators=(",", ":")) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
                records[rec["name"]] = rec
                print(f"[{i}/{len(todo)}] {rec['name']}: {rec['facts']['epochs_run']} ep, "
                      f"{rec['train_seconds']}s (elapsed {time.time() - start:.0f}s)",
                      flush=True)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return errors


if __name__ == "__main__":
    sys.exit(main())
