"""Why are not-converged runs missed on new configurations? FD301-FD303 on new recordings.

(Findings: filled in below once measured.)

Run from the repository root (``--save`` appends each record as it is trained and resumes
an interrupted batch; ``--load`` re-judges saved records without training)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/notconv_probe.py [--only SUBSTR]
        [--seeds 5] [--save FILE | --load FILE] [--why] [--dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "data"))
sys.path.insert(0, str(ROOT / "tests"))

import probe_common  # noqa: E402
from corpus import EXPECTED, upgrade  # noqa: E402
from recorder import labels  # noqa: E402

from fitdoctor import engine  # noqa: E402
from fitdoctor.rules import Settings  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

ES2 = dict(patience=2, restore=True)
ES3N = dict(patience=3, restore=False)

#: (name, data variant, settings). Probes where training stops while the model still
#: learns, each followed by its healthy neighbour (the same set-up at a sensible
#: rate / length), marked ``_ok``.
PROBES: list[probe_common.Probe] = [
    # SGD at low rates, few epochs
    ("digits_sgd3e-3_w32", "digits", dict(units=[32], opt="sgd", lr=3e-3, epochs=20)),
    ("digits_sgd_w32_ok", "digits", dict(units=[32], opt="sgd", lr=0.1, epochs=40)),
    ("wine_sgd3e-3_b16", "wine", dict(units=[16], opt="sgd", lr=3e-3, batch=16, epochs=15)),
    ("wine_sgd_b16_ok", "wine", dict(units=[16], opt="sgd", lr=0.05, batch=16, epochs=60)),
    ("bc_sgd1e-3_w32", "bc", dict(units=[32], opt="sgd", lr=1e-3, epochs=12)),
    ("bc_sgd_w32_ok", "bc", dict(units=[32], opt="sgd", lr=0.05, epochs=40)),
    ("clf200_sgd0.01", "clf200", dict(units=[32], opt="sgd", lr=0.01, epochs=30)),
    ("clf200_adam_ok", "clf200", dict(units=[32], epochs=40)),
    ("moons_sgd0.03_w16", "moons", dict(units=[16], opt="sgd", lr=0.03, epochs=20)),
    ("moons_adam_w16_ok", "moons", dict(units=[16], lr=0.01, epochs=60)),
    ("noisy20_sgd0.01", "digits_noisy20", dict(units=[64], opt="sgd", lr=0.01, epochs=20)),
    # regression with Adam at 1e-4 - 1e-3
    ("friedman_adam1e-4", "friedman", dict(units=[32, 32], lr=1e-4, epochs=30)),
    ("friedman_adam_ok", "friedman", dict(units=[32, 32], lr=3e-3, epochs=80)),
    ("diabetes_adam3e-4_b64", "diabetes", dict(units=[32], lr=3e-4, batch=64, epochs=20)),
    ("diabetes_adam_b64_ok", "diabetes", dict(units=[32], lr=3e-3, batch=64, epochs=60)),
    ("reglin_sgd1e-3", "reg_linear", dict(units=[32], opt="sgd", lr=1e-3, epochs=20)),
    # recurrent and conv nets
    ("sine_lstm3e-4", "seq_sine", dict(model="lstm", units=[16], lr=3e-4, epochs=12)),
    ("sine_lstm_ok", "seq_sine", dict(model="lstm", units=[16], lr=3e-3, epochs=30)),
    ("sum_gru_w8_10ep", "seq_sum", dict(model="gru", units=[8], epochs=10)),
    ("sum_gru_w8_ok", "seq_sum", dict(model="gru", units=[8], lr=3e-3, epochs=40)),
    ("conv8_momentum1e-3", "digits_img",
     dict(model="conv", units=[8], head=[], opt="momentum", lr=1e-3, epochs=10)),
    ("conv8_adam_ok", "digits_img", dict(model="conv", units=[8], head=[], lr=3e-3, epochs=25)),
    # a schedule that decays too fast; EarlyStopping with small patience
    ("digits_momentum_exp", "digits", dict(units=[32], opt="momentum", lr=1e-3,
                                           schedule="exp", epochs=20)),
    ("clf_sgd_es2", "clf", dict(units=[64], opt="sgd", lr=0.01, epochs=60, es=ES2)),
    ("clf_sgd_es3n", "clf", dict(units=[64], opt="sgd", lr=0.01, epochs=60, es=ES3N)),
    ("clf_adam_es_ok", "clf", dict(units=[64], epochs=80, es=dict(patience=10, restore=True))),
    # runs of 2-5 epochs
    ("digits_adam_4ep", "digits", dict(units=[32], epochs=4)),
    ("wine_adam_5ep", "wine", dict(units=[16], batch=16, epochs=5)),
    ("bc_adam_3ep_b64", "bc", dict(units=[32], batch=64, epochs=3)),
    ("iris_adam_2ep", "iris", dict(units=[16], batch=8, epochs=2)),
    # second batch: small validation sets (their noise can hide a fall), fast-decaying
    # schedules, dropout, validation every 5 epochs, parity / sine recurrent nets
    ("friedman200_tiny_adam3e-4", "friedman200", dict(units=[64, 64], lr=3e-4, epochs=40,
                                                     val="tiny", val_n=20)),
    ("friedman200_tiny_ok", "friedman200", dict(units=[64, 64], lr=3e-3, epochs=60,
                                                val="tiny", val_n=20)),
    ("diabetes_tiny_adam1e-4", "diabetes", dict(units=[32], lr=1e-4, epochs=30, val="tiny",
                                                val_n=25)),
    ("digits300_tiny_sgd0.01", "digits300", dict(units=[64], opt="sgd", lr=0.01, epochs=30,
                                                 val="tiny", val_n=20)),
    ("digits300_tiny_ok", "digits300", dict(units=[64], epochs=60, val="tiny", val_n=20)),
    ("clf_cosine_sgd0.01", "clf", dict(units=[64], opt="sgd", lr=0.01, schedule="cosine",
                                       epochs=30)),
    ("clf_cosine_ok", "clf", dict(units=[64], lr=3e-3, schedule="cosine", epochs=40)),
    ("wine_rlrop_fast_sgd", "wine", dict(units=[16], opt="sgd", lr=0.01, epochs=40,
                                         rlrop=dict(factor=0.2, patience=1, min_lr=1e-6))),
    ("wine_rlrop_ok", "wine", dict(units=[16], lr=0.01, epochs=60,
                                   rlrop=dict(factor=0.5, patience=3, min_lr=1e-5))),
    ("clf_dropout_sgd0.02", "clf", dict(units=[128], dropout=0.5, opt="sgd", lr=0.02,
                                        epochs=30)),
    ("digits_vfreq5_sgd0.01", "digits", dict(units=[32], opt="sgd", lr=0.01, epochs=30,
                                             vfreq=5)),
    ("parity_gru_adam3e-3", "seq_parity", dict(model="gru", units=[16], lr=3e-3, epochs=30)),
    ("sine_gru_rmsprop1e-4", "seq_sine", dict(model="gru", units=[16], opt="rmsprop",
                                              lr=1e-4, epochs=15)),
    ("conv16_sgd0.01_img300", "digits300_img", dict(model="conv", units=[16], head=[32],
                                                    opt="sgd", lr=0.01, epochs=20)),
    ("bc_sgd_es2", "bc", dict(units=[32], opt="sgd", lr=0.01, epochs=100, es=ES2)),
    ("bc_adam_es_ok", "bc", dict(units=[32], epochs=100, es=dict(patience=10, restore=True))),
    ("reglin_adam3e-4_15ep", "reg_linear", dict(units=[32], lr=3e-4, epochs=15)),
]


def verdict(rec: dict[str, Any]) -> tuple[dict[str, bool], str, str]:
    """(FD301/FD302/FD303 fired at warning or above, each alone; headline; its message)."""
    run = Run.from_dict(upgrade(rec))
    rules = Settings().rules()
    fired = {}
    for code in ("FD301", "FD302", "FD303"):
        one = [r for r in rules if r.code == code]
        fired[code] = any(f.code == code and f.severity.rank >= 1
                          for f in engine.analyze(run, rules=one).findings)
    full = engine.analyze(run, rules=rules)
    first = next((f for f in full.findings if f.severity.rank >= 1), None)
    if first is None:
        return fired, "-", ""
    return fired, f"{first.code}:{first.diagnosis}", first.message


def val_facts(rec: dict[str, Any]) -> dict[str, Any]:
    """What the validation loss and accuracy did over the last 30% of the run."""
    m = rec["run"]["metrics"]
    V = np.array([x for x in m.get("val_loss", []) if x is not None], dtype=float)
    L = np.array([x for x in m["loss"] if x is not None], dtype=float)
    key = "val_" + rec["test"]["metric_name"]
    A = np.array([x for x in m.get(key, []) if x is not None], dtype=float)
    n = V.size
    w = max(3, round(0.3 * n)) if n else 0
    out: dict[str, Any] = dict(E=L.size, n_val=rec["facts"]["n_val"])
    if n > w:
        out["vfall"] = (V[n - w] - V[-1]) / V[n - w]
        top = float(V.max())
        out["vshare"] = (V[n - w] - V[-1]) / (top - V[-1]) if top > V[-1] else 0.0
    if A.size > w:
        out["again"] = A[-1] - A[A.size - w]
    out["lmove"] = (L.max() - L.min()) / L[0] if L.size and L[0] else 0.0
    out["lvsC"] = float(L[-1]) / rec["facts"]["constant_loss"]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--seeds", default="5", help="seeds to train (comma-separated)")
    ap.add_argument("--why", action="store_true", help="print each run's label reason")
    ap.add_argument("--dev", action="store_true",
                    help="judge the corpus's dev half instead (its stored labels; only the "
                         "runs labelled not-converged or too-short, or where FD30x fires)")
    args = ap.parse_args(argv)
    if args.dev:
        from corpus import load_corpus

        recs = [dict(c.record) for c in load_corpus("dev")]
    elif args.load is not None:
        recs = probe_common.read_records(args.load)
    else:
        wanted = [w for w in args.only.split(",") if w] or [""]
        probes = [p for p in PROBES if any(w in p[0] for w in wanted)]
        recs = probe_common.train_probes(
            probes, [int(x) for x in args.seeds.split(",")], only="",
            save=args.save, family="notconv-probe", intended="not-converged")
    if not args.dev:
        probe_common.label_all(recs)
    head = (f"{'run':24s} {'label':13s} {'ep':>3s} {'nval':>4s} {'301':3s} {'302':3s} "
            f"{'303':3s} {'vfall':>6s} {'vshare':>6s} {'vacc+':>6s} {'Lmove':>6s} "
            f"{'L/C':>5s} ok headline")
    print(head)
    print("-" * len(head))
    tally: dict[tuple[bool, str], int] = {}
    right: dict[str, list[int]] = {}
    for rec in sorted(recs, key=lambda r: r["name"]):
        lab = rec["label"]
        fired, first, msg = verdict(rec)
        anyfd = any(fired.values())
        if args.dev and not anyfd and lab not in ("not-converged", "too-short"):
            continue
        want = EXPECTED[lab]
        ok = (first == "-") if want is None else first.endswith(":" + want)
        if lab == "too-short":
            ok = fired["FD303"]
        right.setdefault(lab, [0, 0])
        right[lab][0] += ok
        right[lab][1] += 1
        tally[(anyfd, lab)] = tally.get((anyfd, lab), 0) + 1
        f = val_facts(rec)

        def p(k: str) -> str:
            return f"{f[k]:6.1%}" if k in f else f"{'':6s}"

        print(f"{rec['name']:24s} {lab:13s} {f['E']:3d} {f['n_val']:4d} "
              + " ".join(f"{'F' if fired[c] else '.':3s}" for c in ("FD301", "FD302", "FD303"))
              + f" {p('vfall')} {p('vshare')} {p('again')} {p('lmove')} {f['lvsC']:5.2f} "
              f"{'y ' if ok else 'NO'} {first} {msg[:110]}")
        if args.why:
            print(f"{'':24s} label: {rec['label_reason']}")
    probe_common.print_tally("any of FD301-FD303 fired / silent, per label:", tally)
    print()
    print("headline right, per label:")
    for lab, (a, b) in sorted(right.items()):
        print(f"  {lab:15s} {a:3d}/{b:3d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
