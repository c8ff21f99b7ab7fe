"""fitdoctor's accuracy on a FRESH random sample of configurations no one tuned on.

The corpus's held-out half (tests/data/corpus/) has been measured many times across
sessions, so its figures are no longer a clean held-out estimate. This script draws N new
configurations at random from the corpus recorder's knob space, trains each once through
the recorder (``bench/probe_common.record``: the corpus's data, training, held-out test
curve and run file), labels them with the corpus's rules and prints what
``bench/accuracy.py`` prints for a corpus half, in both views, with each wrong headline's
*validation twin* (``bench/val_ceiling.validation_twin``) so that a miss divides into
"the run file could not know" (the twin's label differs: the validation curve tells
another story than the test curve) and "a rule failed" (the twin agrees).

The sampler (``draw``; seeded, default 61; the i-th configuration depends only on the
seed and i, so a larger N extends a smaller one):

- data: uniform over ``datasets.VARIANTS``; model: ``mlp`` on tabular data, ``mlp`` or
  ``conv`` on images, ``lstm`` or ``gru`` on sequences;
- widths (powers of two, 1-512, mostly 16-256), depth (mlp 0-3 hidden layers, 0 = a
  linear model, rare; conv 1-2 conv layers with pooling mostly on, a Dense head or none,
  sometimes global average pooling; rnn 1-2 layers), activation (relu mostly, tanh,
  elu, sigmoid);
- optimizer uniform over sgd / momentum / adam / rmsprop; the rate log-uniform between
  the optimizer's second and last ``configs.LR_LEVELS`` ("too low" to "far too high";
  the first level, a rate nobody sets, is left out);
- batch size 1-512 (mostly 16-128); epochs 1-150, a third of them 1-10 (uniform) and the
  rest log-uniform over 11-150, as real runs are skewed short;
- sometimes: Dropout (20%), L2 (20%), GaussianNoise (10%), one-pixel shifts on images
  (15%), a schedule (exponential or cosine, 15%), ReduceLROnPlateau (10%),
  EarlyStopping (20%, patience 3-15, restore on or off), one-hot labels (15% of
  multi-class runs), ``validation_freq`` 2 or 5 (5%);
- validation: ``validation_split`` (62%) or ``validation_data`` (16%) of 10-50% of the
  pool, a tiny set of 12-40 rows (12%), and rarely (2.5% each) a class-sorted split,
  unscaled validation inputs (scaled variants only) or targets (regression), shuffled
  validation labels;
- caps, so each training stays short: epochs x training rows <= 40,000 (15,000 for
  recurrent and conv models) and epochs x batches <= 1,500 (500 for recurrent and conv);
  a run over a cap gets fewer epochs (at least 1), nothing else changes (the first caps,
  60,000/30,000 rows and 3,000/1,500 batches, gave 1-2 minute trainings on the shared
  machine: about 1 a minute over two processes);
- a configuration identical to a corpus configuration (``configs.CONFIGS``: same data
  variant and settings) is redrawn.

Each drawn configuration is trained once with Keras seed 61. The underfitting bar
(``achievable``) is each data variant's as the recorded corpus computes it
(``labels.achievable`` over all 765 corpus records, the value every corpus record
carries), not the sample's own: a sample of ~90 runs holds one to five runs per variant,
so its own "median of the three best networks" would be one or two runs (a bad run
would lower its own bar, a lucky one raise everyone's), and the bar would move whenever
the sample grows. With the corpus's bar a fresh run is judged exactly as a corpus run on
the same data would be, and re-judging a saved sample is stable.

Run from the repository root (training: ``--save`` appends each record as it is trained
and resumes; ``--part k/n`` trains every n-th configuration so that two processes can
share the work; judging: ``--load`` one or more saved files, no training)::

    nice -n 10 .venv/bin/python bench/fresh_sample.py --n 90 --part 1/2 --save A.jsonl
    nice -n 10 .venv/bin/python bench/fresh_sample.py --n 90 --part 2/2 --save B.jsonl
    .venv/bin/python bench/fresh_sample.py --load A.jsonl B.jsonl [--misses] [--list]

``--list`` prints the drawn configurations without training or judging.

Measured 2026-11-30 (58 of the 90 drawn configurations trained, 31 of part 1/2 and 27 of
part 2/2, in index order within each part, so a random sample itself; saved in
``/tmp/fresh11/sample1.jsonl`` and ``sample2.jsonl``, resumable with the commands above;
training on the shared machine ran at 1-4 minutes a run). Labels: not-converged 27,
diverged 13, underfitting 7, healthy 6, overfitting 2, unstable 1, too-short 1,
validation-broken 1 (the rate drawn over each optimizer's whole span makes it a sample of
learning-rate trouble more than of finished runs). Headline right: run view 46/58 (79%),
bare 47/58 (81%); healthy warned 1/6 in both views (FD301 on a conv net whose validation
loss still fell; its twin says not-converged). Right where the validation twin agrees:
run 42/50, bare 43/50. The run view's 8 misses a rule could have avoided (twin agrees):

- underfitting, 4 (fresh027, 030, 046, 048): a Friedman net of sigmoid 4-32 under SGD whose
  training loss sat 2% above the constant predictor's for 58 epochs (FD201 and FD404
  silent; FD302 measures from the first epoch, 12% above); a 9-epoch run under an
  exponential decay still falling 3% an epoch at 0.87 against logistic regression's 0.97
  (too slow for FD301's pace, no plateau for FD201); 40% noisy labels at 0.55 training
  accuracy (the twin agrees only because it sets noisy validation labels against the
  clean test set's bar: the run file cannot show the clean accuracy); a regression
  1.6x ridge's test MAE with a 4x validation/training gap (FD201 reads the gap as
  variance; the label sits 2% over its training-MAE bar);
- fresh001 (not-converged): 9 steps of RMSprop on 24 iris rows, training loss 3% under
  the constant predictor's after a sigmoid start above it: FD302 measures its 3% band
  from the first epoch (16% above), FD201's plateau band is 5% of a range the first
  epoch made;
- fresh010 (unstable): Adam at 0.44 swinging over its first five epochs (1,187 -> 266 ->
  664 on test), settled after; FD412 judges from where the loss settles (kept, see
  ``unstable_probe.py``) and FD101 read the last four epochs' swing on 50 rows (+22%,
  test +4%) as a turn;
- fresh014 (not-converged, also underfitting): raw-unit diabetes targets under an
  exponential decay still falling 1.2% an epoch; FD201 supersedes FD301 by
  ``max_catch_up`` (reaching ridge's error at that pace takes 5x the run): the label
  order and FD201's precedence disagree, both findings hold;
- fresh033 (diverged): a 3-epoch run at RMSprop 1.47 (training loss 495 -> 1.27, validation
  2-4x the constant predictor's): too short for FD403/FD404's epoch minimum.
"""

from __future__ import annotations

import argparse
import copy
import math
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import probe_common  # noqa: E402  (puts tests/ and tests/data/ on sys.path)
from recorder import configs, datasets, labels  # noqa: E402

FAMILY = "fresh"
INTENDED = "healthy"  # required by the record format; the sample intends nothing
SEED = 61
KERAS_SEED = 61
#: The trained sample, stored with the repository (``--store`` writes it): what
#: ``--load`` judges by default and what the README's fresh-sample table is built from.
STORED = ROOT / "tests" / "data" / "fresh" / "sample.jsonl.gz"
#: Configurations from this index on are the sample's HELD-OUT part: no one looked at
#: their records or misses while changing rules (rules were changed after studying the
#: first 45 configurations' misses, the TUNED part, on 2026-11-30).
HELD_OUT_FROM = 45
SUBSETS = ("held-out", "tuned", "all")
#: epochs x training rows, and epochs x batches, per model kind (see the docstring)
ROW_CAP = {"mlp": 40_000, "conv": 15_000, "lstm": 15_000, "gru": 15_000}
STEP_CAP = {"mlp": 1_500, "conv": 500, "lstm": 500, "gru": 500}
WIDTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
WIDTH_P = (0.02, 0.03, 0.05, 0.08, 0.14, 0.18, 0.2, 0.15, 0.1, 0.05)
BATCHES = (1, 4, 8, 16, 32, 64, 128, 256, 512)
BATCH_P = (0.02, 0.04, 0.08, 0.16, 0.25, 0.2, 0.13, 0.07, 0.05)


def _pick(rng: np.random.Generator, items: tuple[Any, ...],
          p: tuple[float, ...] | None = None) -> Any:
    if p is not None:
        total = sum(p)
        p = tuple(x / total for x in p)
    return items[int(rng.choice(len(items), p=p))]


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(math.exp(rng.uniform(math.log(lo), math.log(hi))))


def _rows(data: str, cfg: dict[str, Any]) -> int:
    """Training rows Keras will see (the pool minus the validation rows)."""
    pool = datasets.VARIANTS[data].subset or _POOL[datasets.VARIANTS[data].base]
    if cfg["val"] in ("split", "sorted"):
        return math.floor(pool * (1.0 - cfg["val_frac"]))
    if cfg["val"] == "tiny":
        return pool - cfg["val_n"]
    return pool - round(cfg["val_frac"] * pool)


#: training-pool rows per base data set (70% of its rows, as datasets.load splits them)
_POOL = {"digits": 1257, "breast_cancer": 398, "wine": 124, "iris": 105, "clf": 1400,
         "clf_sep": 1400, "moons": 700, "moons_easy": 700, "diabetes": 309,
         "reg_linear": 700, "friedman": 700, "seq_sine": 1050, "seq_sum": 1050,
         "seq_parity": 1050}


def _draw_one(rng: np.random.Generator) -> tuple[str, dict[str, Any]]:
    """One configuration: (data variant, settings over ``configs.DEFAULTS``)."""
    data = _pick(rng, tuple(sorted(datasets.VARIANTS)))
    v = datasets.VARIANTS[data]
    s: dict[str, Any] = {}
    if v.layout == "image":
        s["model"] = _pick(rng, ("mlp", "conv"))
    elif v.layout == "sequence":
        s["model"] = _pick(rng, ("lstm", "gru"))
    else:
        s["model"] = "mlp"
    model = s["model"]
    if model == "mlp":
        depth = _pick(rng, (0, 1, 2, 3), (0.05, 0.45, 0.35, 0.15))
        s["units"] = [int(_pick(rng, WIDTHS, WIDTH_P)) for _ in range(depth)]
    elif model == "conv":
        s["units"] = [int(_pick(rng, (1, 4, 8, 16, 32, 64), (0.05, 0.1, 0.25, 0.3, 0.2, 0.1)))
                      for _ in range(_pick(rng, (1, 2), (0.7, 0.3)))]
        s["pool"] = bool(rng.random() < 0.8)
        s["gap"] = bool(rng.random() < 0.15)
        s["head"] = [] if rng.random() < 0.5 else [int(_pick(rng, (32, 64, 128, 256)))]
    else:
        s["units"] = [int(_pick(rng, (1, 2, 4, 8, 16, 32, 64),
                                (0.05, 0.05, 0.1, 0.2, 0.3, 0.2, 0.1)))
                      for _ in range(_pick(rng, (1, 2), (0.75, 0.25)))]
    s["act"] = _pick(rng, ("relu", "tanh", "elu", "sigmoid"), (0.6, 0.2, 0.1, 0.1))
    s["opt"] = _pick(rng, ("sgd", "momentum", "adam", "rmsprop"))
    levels = configs.LR_LEVELS[s["opt"]]
    s["lr"] = float(f"{_log_uniform(rng, levels[1], levels[-1]):.3g}")
    s["batch"] = int(_pick(rng, BATCHES, BATCH_P))
    if rng.random() < 1 / 3:
        s["epochs"] = int(rng.integers(1, 11))
    else:
        s["epochs"] = round(_log_uniform(rng, 11, 150))
    if rng.random() < 0.2:
        s["dropout"] = float(_pick(rng, (0.1, 0.2, 0.3, 0.5, 0.7)))
    if rng.random() < 0.2:
        s["l2"] = float(f"{_log_uniform(rng, 1e-5, 1e-1):.2g}")
    if rng.random() < 0.1:
        s["noise"] = float(_pick(rng, (0.1, 0.2, 0.3)))
    if v.layout == "image" and rng.random() < 0.15:
        s["shift"] = 0.125
    if rng.random() < 0.15:
        s["schedule"] = _pick(rng, ("exp", "cosine"))
    if rng.random() < 0.1:
        s["rlrop"] = dict(factor=float(_pick(rng, (0.1, 0.2, 0.5))),
                          patience=int(_pick(rng, (2, 3, 5))), min_lr=1e-6)
    if rng.random() < 0.2:
        s["es"] = dict(patience=int(_pick(rng, (3, 5, 8, 10, 15))),
                       restore=bool(rng.random() < 0.5))
    if v.task == "multiclass" and rng.random() < 0.15:
        s["onehot"] = True
    if rng.random() < 0.05:
        s["vfreq"] = int(_pick(rng, (2, 5)))
    # validation: the usual kinds, and rarely a broken one this variant allows
    kinds = ["split", "data", "tiny", "sorted", "unscaled", "shuffled"]
    probs = [0.62, 0.16, 0.12, 0.025, 0.025, 0.025]
    if v.task == "regression":
        kinds[3] = "unscaled_y"  # no classes to sort by; the targets can be left unscaled
        if v.y_scaling != "std":
            probs[3] = 0.0
    if v.scaling not in ("std", "div16", "x100"):
        probs[4] = 0.0  # nothing to leave unscaled
    s["val"] = _pick(rng, tuple(kinds), tuple(probs))
    if s["val"] in ("split", "data", "sorted"):
        s["val_frac"] = float(_pick(rng, (0.1, 0.15, 0.2, 0.25, 0.3, 0.5),
                                    (0.15, 0.1, 0.4, 0.15, 0.15, 0.05)))
    elif s["val"] == "tiny":
        s["val_n"] = int(rng.integers(12, 41))
    else:
        s["val_frac"] = float(_pick(rng, (0.1, 0.2, 0.3), (0.2, 0.6, 0.2)))
    cfg = {**configs.DEFAULTS, **s}
    kind = model
    rows = max(1, _rows(data, cfg))
    steps = -(-rows // cfg["batch"])
    cap = max(1, min(ROW_CAP[kind] // rows, STEP_CAP[kind] // steps))
    if s["epochs"] > cap:
        s["epochs"] = cap
    return data, s


def _in_corpus(data: str, settings: dict[str, Any]) -> bool:
    cfg = copy.deepcopy(configs.DEFAULTS)
    cfg.update(settings)
    return any(c["data"] == data and c["cfg"] == cfg for c in configs.CONFIGS)


def draw(n: int, seed: int = SEED) -> list[probe_common.Probe]:
    """``n`` configurations as probes ``(name, data, settings)``, deterministic in seed."""
    rng = np.random.default_rng(seed)
    out: list[probe_common.Probe] = []
    while len(out) < n:
        data, settings = _draw_one(rng)
        if _in_corpus(data, settings):
            continue  # redraw: the sample holds no corpus configuration
        i = len(out)
        name = f"fresh{i:03d}_{data}_{settings['model']}_{settings['opt']}"
        out.append((name, data, settings))
    return out


def corpus_achievable() -> dict[str, float]:
    """Each data variant's underfitting bar as the recorded corpus computes it."""
    from corpus import load_corpus

    return labels.achievable([r.record for r in load_corpus(["dev", "holdout"])])


def label_records(recs: list[dict[str, Any]],
                  achievable: dict[str, float] | None = None) -> None:
    """Label records with the corpus's rules against the corpus's ``achievable``."""
    bars = corpus_achievable() if achievable is None else achievable
    for rec in recs:
        rec["achievable"] = bars[rec["data"]]
        rec["half"] = FAMILY
        with np.errstate(all="ignore"):  # inf - inf on a blown-up curve reads as NaN
            rec.update(labels.label(rec))


def twin_kind(rec: dict[str, Any]) -> str:
    """``agrees``, ``differs`` or ``none``: the validation twin's label against the test
    label (``val_ceiling.twin_label``, which grants ``validation-broken``)."""
    from val_ceiling import twin_label

    with np.errstate(all="ignore"):
        tl = twin_label(rec)
    return "none" if tl is None else "agrees" if tl == rec["label"] else "differs"


def twin_verdict(rec: dict[str, Any]) -> str:
    """What the validation twin says of a labelled record, for the misses list."""
    from val_ceiling import twin_label

    with np.errstate(all="ignore"):
        tl = twin_label(rec)
    if tl is None:
        return "no twin (validation_freq > 1 or no validation)"
    if tl == rec["label"]:
        return f"twin agrees ({tl}): a rule failed"
    return f"twin says {tl}: the run file could not know"


def judge(recs: list[dict[str, Any]], views: list[str], *, misses: bool) -> str:
    """accuracy.py's per-label, healthy-warned and per-rule text for each view, plus the
    misses with their twin verdicts."""
    import accuracy
    from corpus import from_record

    from fitdoctor.rules import Settings

    rules = Settings().rules()
    runs = [from_record(r) for r in sorted(recs, key=lambda r: r["name"])]
    by_name = {r["name"]: r for r in recs}
    out: list[str] = []
    kind = {r["name"]: twin_kind(r) for r in recs}
    twins = Counter(kind.values())
    out.append(f"{len(recs)} runs; labels: " + ", ".join(
        f"{k} {v}" for k, v in Counter(r["label"] for r in recs).most_common()))
    out.append(f"validation twin's label = test label on {twins['agrees']}, differs on "
               f"{twins['differs']}, no twin (validation_freq > 1) {twins['none']}")
    for view in views:
        tally = accuracy.evaluate(runs, view, rules)
        out.append("")
        out.append(accuracy.render_text("fresh sample", view, tally, rules, misses=False))
        wrong = Counter(kind[name] for name in tally.wrong)
        out.append(f"right where the twin agrees: {twins['agrees'] - wrong['agrees']}/"
                   f"{twins['agrees']}; where it differs: "
                   f"{twins['differs'] - wrong['differs']}/{twins['differs']}; no twin: "
                   f"{twins['none'] - wrong['none']}/{twins['none']}")
        if misses and tally.wrong:
            out.append("")
            out.append(f"wrong headlines with the validation twin ({len(tally.wrong)}):")
            for name, line in sorted(zip(tally.wrong, tally.misses, strict=True)):
                out.append(f"  {line}")
                out.append(f"      -> {twin_verdict(by_name[name])}")
    return "\n".join(out)


def index(rec: dict[str, Any]) -> int:
    """The configuration's index in the draw (``fresh007_...`` -> 7)."""
    return int(rec["name"][len(FAMILY):].split("_", 1)[0])


def subset(recs: list[dict[str, Any]], which: str) -> list[dict[str, Any]]:
    """The records of one part of the sample: ``held-out`` (index >= HELD_OUT_FROM),
    ``tuned`` (below it) or ``all``."""
    if which == "all":
        return list(recs)
    held = which == "held-out"
    return [r for r in recs if (index(r) >= HELD_OUT_FROM) == held]


def read_stored(path: Path = STORED) -> list[dict[str, Any]]:
    """The stored sample's records (``[]`` when it is not there)."""
    import gzip
    import json

    if not path.exists():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def store(recs: list[dict[str, Any]], path: Path = STORED) -> None:
    """Write records (sorted by name, one per name) as the stored sample."""
    import gzip
    import json

    unique = {r["name"]: r for r in recs}
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as fh:
        for name in sorted(unique):
            rec = {k: v for k, v in unique[name].items()
                   if k not in ("label", "label_reason", "label_detail", "also",
                                "achievable", "half")}
            fh.write(json.dumps(rec) + "\n")


def markdown(recs: list[dict[str, Any]]) -> list[str]:
    """The README's table: per label, runs and headlines right in both views, on the
    given (labelled) records."""
    import accuracy
    from corpus import from_record

    from fitdoctor.rules import Settings

    rules = Settings().rules()
    runs = [from_record(r) for r in sorted(recs, key=lambda r: r["name"])]
    tallies = {view: accuracy.evaluate(runs, view, rules) for view in ("run", "bare")}
    rows = ["| label | runs | right (run view) | right (bare view) |",
            "| --- | ---: | ---: | ---: |"]
    for lab in accuracy.LABELS:
        n = tallies["run"].runs[lab]
        if n:
            rows.append(f"| {lab} | {n} | {tallies['run'].right[lab]} | "
                        f"{tallies['bare'].right[lab]} |")
    total = len(runs)
    right = {v: sum(t.right.values()) for v, t in tallies.items()}
    rows.append(f"| **all** | {total} | **{right['run']}/{total} = "
                f"{round(100 * right['run'] / total) if total else 0}%** | "
                f"**{right['bare']}/{total} = "
                f"{round(100 * right['bare'] / total) if total else 0}%** |")
    healthy = tallies["run"].runs["healthy"]
    rows.append("")
    rows.append(f"Healthy runs warned: {len(tallies['run'].alarms)}/{healthy} (run view), "
                f"{len(tallies['bare'].alarms)}/{healthy} (bare view).")
    return rows


def _part(text: str) -> tuple[int, int]:
    k, n = (int(x) for x in text.split("/"))
    if not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"--part {text}: want k/n with 1 <= k <= n")
    return k, n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=90, help="configurations to draw")
    ap.add_argument("--seed", type=int, default=SEED, help="the sampler's seed")
    ap.add_argument("--part", type=_part, default=(1, 1),
                    help="k/n: train only every n-th configuration, starting at the k-th")
    ap.add_argument("--save", type=Path, default=None,
                    help="append each record here as it is trained (resumes a file)")
    ap.add_argument("--load", type=Path, nargs="+", default=None,
                    help="judge saved records instead of training")
    ap.add_argument("--stored", action="store_true",
                    help=f"judge the stored sample ({STORED.relative_to(ROOT)})")
    ap.add_argument("--store", action="store_true",
                    help="write the --load files' records as the stored sample")
    ap.add_argument("--subset", choices=SUBSETS, default="all",
                    help=f"judge only the held-out part (configurations {HELD_OUT_FROM} "
                         "on, never studied while changing rules), the tuned part, or all")
    ap.add_argument("--view", choices=("run", "bare", "both"), default="both")
    ap.add_argument("--misses", action="store_true",
                    help="list every wrong headline with its validation twin's verdict")
    ap.add_argument("--list", action="store_true", help="print the drawn configurations")
    args = ap.parse_args(argv)

    probes = draw(args.n, args.seed)
    if args.list:
        for name, _data, settings in probes:
            print(f"{name:42s} {settings}")
        return 0
    if args.stored:
        recs = read_stored()
        if not recs:
            print(f"no stored sample at {STORED}", file=sys.stderr)
            return 2
    elif args.load is not None:
        recs = [r for path in args.load for r in probe_common.read_records(path)]
        if args.store:
            store(recs)
            print(f"stored {len({r['name'] for r in recs})} records in {STORED}")
    else:
        k, n = args.part
        mine = [p for i, p in enumerate(probes) if i % n == k - 1]
        recs = probe_common.train_probes(mine, [KERAS_SEED], only="", save=args.save,
                                         family=FAMILY, intended=INTENDED)
    recs = subset(recs, args.subset)
    label_records(recs)
    views = ["run", "bare"] if args.view == "both" else [args.view]
    print(judge(recs, views, misses=args.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
