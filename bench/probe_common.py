"""What the probe scripts (``fd103_``, ``fd301_``, ``unstable_``, ``overfit_probe.py``) share.

A probe trains new runs through the corpus recorder (``tests/data/recorder``: the same
data, training, held-out test curve and run file as the recorded corpus, never the
corpus's own records), labels them with the corpus's rules, and prints one rule's verdict
against the label. Records can be saved as they are trained (an interrupted batch resumes
where it stopped) and re-judged later without training.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "data"))
sys.path.insert(0, str(ROOT / "tests"))

from recorder import configs, labels, training  # noqa: E402

#: (name, data variant, configuration settings over the recorder's defaults)
Probe = tuple[str, str, dict[str, Any]]


def add_io_arguments(ap: argparse.ArgumentParser) -> None:
    """``--only``, ``--save`` and ``--load``, as every probe reads them."""
    ap.add_argument("--only", default="", help="train only probes whose name contains this")
    ap.add_argument("--save", type=Path, default=None,
                    help="append each record (JSON lines) here as it is trained; an "
                         "existing file is resumed; re-judge it later with --load")
    ap.add_argument("--load", type=Path, default=None,
                    help="re-judge records saved by --save instead of training")


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON-lines file written by ``--save``."""
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def record(name: str, data: str, settings: dict[str, Any], seed: int, *, family: str,
           intended: str) -> dict[str, Any]:
    """One training through the corpus recorder (raw record, no label yet)."""
    cfg = copy.deepcopy(configs.DEFAULTS)
    cfg.update(settings)
    rec: dict[str, Any] = training.train(dict(
        cfg=cfg, seed=seed, data=data, run=f"{name}_s{seed}", name=name, family=family,
        intended=intended))
    return rec


def train_probes(probes: Iterable[Probe], seeds: Sequence[int], *, only: str,
                 save: Path | None, family: str, intended: str) -> list[dict[str, Any]]:
    """Train every probe matching ``only`` once per seed, one CPU thread each.

    With ``save``, each record is appended as soon as it is trained and the runs already
    in the file are not trained again.
    """
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    recs = read_records(save) if save is not None and save.exists() else []
    done = {r["name"] for r in recs}
    for name, data, settings in probes:
        if only not in name:
            continue
        for seed in seeds:
            if f"{name}_s{seed}" in done:
                continue
            recs.append(record(name, data, settings, seed, family=family,
                               intended=intended))
            print(f"trained {recs[-1]['name']} ({recs[-1]['train_seconds']}s)",
                  file=sys.stderr, flush=True)
            if save is not None:  # saved as it goes: a killed run keeps its work
                with save.open("a") as fh:
                    fh.write(json.dumps(recs[-1]) + "\n")
    return recs


def records(args: argparse.Namespace, probes: Sequence[Probe], *, family: str,
            intended: str, seeds: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """The records a probe judges, as its command line asks, labelled.

    ``--dev`` (a flag: every dev record; a string: the dev records with these labels,
    comma-separated) keeps the corpus's own labels; ``--load`` re-judges saved records;
    else the probes whose names contain one of ``--only``'s comma-separated parts are
    trained once per seed (``seeds``, else ``--seeds``), saved with ``--save``.
    """
    dev = getattr(args, "dev", None)
    if dev:
        from corpus import load_corpus

        wanted = set(dev.split(",")) if isinstance(dev, str) else None
        return [dict(c.record) for c in load_corpus("dev")
                if wanted is None or c.label in wanted]
    if args.load is not None:
        recs = read_records(args.load)
    else:
        parts = [w for w in args.only.split(",") if w] or [""]
        chosen = [p for p in probes if any(w in p[0] for w in parts)]
        if seeds is None:
            seeds = [int(x) for x in args.seeds.split(",")]
        recs = train_probes(chosen, seeds, only="", save=args.save, family=family,
                            intended=intended)
    label_all(recs)
    return recs


def label_all(recs: list[dict[str, Any]]) -> None:
    """Label every record with the corpus's rules.

    Labelled after loading too, so that records saved in several batches share each data
    variant's achievable score (the underfitting rule's bar).
    """
    achievable = labels.achievable(recs)
    for rec in recs:
        rec["achievable"] = achievable[rec["data"]]
        rec.update(labels.label(rec))


def print_tally(title: str, tally: dict[tuple[bool, str], int]) -> None:
    """How often the rule fired and stayed silent, per label."""
    print()
    print(title)
    for lab in sorted({k[1] for k in tally}):
        print(f"  {lab:15s} fired {tally.get((True, lab), 0):3d}   "
              f"silent {tally.get((False, lab), 0):3d}")
