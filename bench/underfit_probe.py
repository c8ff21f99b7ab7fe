"""When does FD201 miss underfitting? New recordings against FD201's verdict.

(Findings: see below, filled in after the measurement.)

Run from the repository root (``--save`` appends each record as it is trained and
resumes an interrupted batch)::

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/underfit_probe.py [--only SUBSTR]
        [--seeds 5] [--save FILE | --load FILE] [--why] [--dev]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "data"))
sys.path.insert(0, str(ROOT / "tests"))

import probe_common  # noqa: E402
from corpus import upgrade  # noqa: E402

from fitdoctor import engine  # noqa: E402
from fitdoctor.rules import Settings  # noqa: E402
from fitdoctor.run import Run  # noqa: E402

CONV = dict(model="conv", head=[])

#: (name, data variant, settings): each trained once per seed (``--seeds``). Every
#: under-fitting set-up has a healthy near-neighbour on the same data variant (the same
#: set-up at a sensible width, rate, strength or length), so that each variant's
#: achievable score (the label's bar) is set by a network too, as in the corpus.
PROBES: list[tuple[str, str, dict[str, Any]]] = [
    # too-narrow Dense networks (1-4 units) and their wide neighbours
    ("digits_4units", "digits", dict(units=[4], lr=1e-2, epochs=40)),
    ("digits_4units_val50", "digits", dict(units=[4], lr=1e-2, epochs=40, val_frac=0.5)),
    ("digits_64units", "digits", dict(units=[64], epochs=30)),
    ("moons_2units_tanh", "moons", dict(units=[2], act="tanh", lr=1e-2, epochs=60)),
    ("moons_mlp", "moons", dict(units=[32, 32], lr=3e-3, epochs=60)),
    ("wine_1unit", "wine", dict(units=[1], lr=1e-2, epochs=60, batch=16)),
    ("wine_mlp", "wine", dict(units=[32], lr=3e-3, epochs=60, batch=16)),
    # linear models on non-linear data, and on linear data (healthy)
    ("friedman_linear_sgd", "friedman", dict(units=[], opt="sgd", lr=0.01, epochs=60)),
    ("friedman_mlp", "friedman", dict(units=[64, 64], lr=3e-3, epochs=80)),
    ("friedman_3units_tinyval", "friedman", dict(units=[3], lr=1e-2, epochs=60, val="tiny",
                                                 val_n=40)),
    ("moons_linear_rmsprop", "moons", dict(units=[], opt="rmsprop", lr=1e-2, epochs=40)),
    ("reg_linear_linear", "reg_linear", dict(units=[], lr=1e-2, epochs=40)),
    ("reg_linear_1unit", "reg_linear", dict(units=[1], lr=1e-2, epochs=40)),
    ("bc_linear", "bc", dict(units=[], lr=1e-2, epochs=40, batch=16)),
    # sigmoid / tanh deep stacks
    ("clf_deep_sigmoid_sgd", "clf", dict(units=[32] * 6, act="sigmoid", opt="sgd", lr=0.1,
                                         epochs=40)),
    ("wine_deep_tanh_sgd", "wine", dict(units=[16] * 6, act="tanh", opt="sgd", lr=0.01,
                                        epochs=60, batch=16)),
    ("clf_mlp", "clf", dict(units=[128, 64], epochs=30)),
    # too-strong L2 or dropout, and sensible strengths
    ("moons_l2_0.05", "moons", dict(units=[32, 32], l2=0.05, lr=3e-3, epochs=60)),
    ("clf_l2_0.1", "clf", dict(units=[64], l2=0.1, epochs=40)),
    ("clf_l2_1e-4", "clf", dict(units=[64], l2=1e-4, epochs=40)),
    ("clf_dropout0.8", "clf", dict(units=[32], dropout=0.8, epochs=40)),
    ("friedman_dropout0.7", "friedman", dict(units=[64, 64], dropout=0.7, lr=3e-3,
                                             epochs=60)),
    ("diabetes_l2_1", "diabetes", dict(units=[64], l2=1.0, lr=3e-3, epochs=60)),
    ("diabetes_mlp", "diabetes", dict(units=[32], l2=1e-3, lr=3e-3, epochs=60)),
    # a tiny learning rate trained to a plateau
    ("moons_sgd_lr3e-3_long", "moons", dict(units=[32, 32], opt="sgd", lr=3e-3, epochs=120,
                                            batch=64)),
    ("digits_sgd_lr3e-3_long", "digits", dict(units=[64], opt="sgd", lr=3e-3, epochs=80,
                                              batch=64)),
    # recurrent models with too few units, and 16 units
    ("sine_gru_1unit", "seq_sine", dict(model="gru", units=[1], lr=1e-2, epochs=30)),
    ("sine_gru", "seq_sine", dict(model="gru", units=[16], lr=1e-2, epochs=25)),
    ("sum_gru_1unit", "seq_sum", dict(model="gru", units=[1], lr=1e-2, epochs=30)),
    ("sum_gru", "seq_sum", dict(model="gru", units=[16], lr=3e-3, epochs=30)),
    ("parity_lstm_2units", "seq_parity", dict(model="lstm", units=[2], lr=1e-2, epochs=40)),
    ("parity_gru", "seq_parity", dict(model="gru", units=[32], lr=1e-2, epochs=40)),
    # conv nets with too few filters / heavy pooling, and a healthy conv net
    ("conv_2filters", "digits_img", dict(**CONV, units=[2], lr=1e-2, epochs=30)),
    ("conv_4x3_pool", "digits_img", dict(**CONV, units=[4, 4, 4], lr=1e-2, epochs=30)),
    ("conv_16", "digits_img", dict(**CONV, units=[16], epochs=30)),
    # second batch: what the first showed (recurrent nets below a reference that learned
    # nothing; a narrow network with a gap), and more neighbours
    ("sine_gru_2units", "seq_sine", dict(model="gru", units=[2], lr=1e-2, epochs=30)),
    ("sine_lstm_2units_rmsprop", "seq_sine", dict(model="lstm", units=[2], opt="rmsprop",
                                                  lr=3e-3, epochs=30)),
    ("sine200_gru_1unit", "seq_sine200", dict(model="gru", units=[1], lr=1e-2, epochs=40,
                                               batch=16)),
    ("sine200_gru", "seq_sine200", dict(model="gru", units=[16], lr=1e-2, epochs=30,
                                         batch=16)),
    ("parity_gru_4units", "seq_parity", dict(model="gru", units=[4], lr=1e-2, epochs=40)),
    ("conv_1filter", "digits_img", dict(**CONV, units=[1], lr=1e-2, epochs=30)),
    ("reg_linear_mlp", "reg_linear", dict(units=[64], epochs=40)),
    ("friedman_deep_sigmoid_sgd", "friedman", dict(units=[32] * 5, act="sigmoid", opt="sgd",
                                                   lr=0.05, epochs=60)),
    ("digits_8units_tanh_b256", "digits", dict(units=[8], act="tanh", lr=3e-3, batch=256,
                                               epochs=60)),
    # third batch: heavy dropout, L2 on a narrow binary net, global pooling, a one-unit
    # LSTM at a lower rate, and a sigmoid unit under L2 on regression
    ("digits_dropout0.85", "digits", dict(units=[32], dropout=0.85, lr=3e-3, epochs=40)),
    ("bc_2units_l2_0.1", "bc", dict(units=[2], l2=0.1, lr=1e-2, epochs=40, batch=16)),
    ("conv_2filters_gap", "digits_img", dict(**CONV, units=[2], gap=True, lr=1e-2,
                                            epochs=30)),
    ("sine_lstm_1unit_lr3e-3", "seq_sine", dict(model="lstm", units=[1], lr=3e-3,
                                                epochs=40)),
    ("diabetes_1unit_sigmoid_l2", "diabetes", dict(units=[1], act="sigmoid", l2=0.3,
                                                   lr=1e-2, epochs=50)),
    ("sum_lstm_2units", "seq_sum", dict(model="lstm", units=[2], lr=1e-2, epochs=30)),
]

#: FD201 with one of its gates opened: which gate kept it silent?
GATES: dict[str, dict[str, Any]] = {
    "short": dict(min_epochs=1),
    "plateau": dict(min_plateau_fraction=0.0, min_plateau=1, plateau_tolerance=0.2),
    "falling": dict(max_share=1.0),
    "bar": dict(reference_margin=0.0, reference_z=0.0, baseline_fraction=0.0,
                chance_fraction=0.0, implied_fraction=0.0, max_accuracy=1.0),
    "gap": dict(max_gap_ratio=100.0),
    "progress": dict(min_progress=0.0),
}


def fd201(run: Run, options: dict[str, Any] | None = None) -> str | None:
    """FD201's message when it fires at warning or above, else None."""
    rules = [r for r in Settings(rule_options={"FD201": options} if options else {}).rules()
             if r.code == "FD201"]
    for f in engine.analyze(run, rules=rules).findings:
        if f.code == "FD201" and f.severity.rank >= 1:
            return f.message
    return None


def gates(run: Run) -> str:
    """The gates that alone unblock FD201 ('+' joined), or 'all' / 'none'."""
    opened = [name for name, opts in GATES.items() if fd201(run, opts)]
    if opened:
        return "+".join(opened)
    every: dict[str, Any] = {}
    for opts in GATES.values():
        every.update(opts)
    return "all" if fd201(run, every) else "none"


def headline(run: Run) -> str:
    """The report's headline diagnosis and the warning codes."""
    report = engine.analyze(run)
    codes = [f.code for f in report.findings if f.severity.rank >= 1]
    return ",".join(codes) or "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    probe_common.add_io_arguments(ap)
    ap.add_argument("--seeds", default="5", help="seeds to train (comma-separated)")
    ap.add_argument("--why", action="store_true", help="print each run's label reason")
    ap.add_argument("--dev", action="store_true",
                    help="judge the corpus's dev half instead (its stored labels; only "
                         "underfitting runs and FD201's fires)")
    args = ap.parse_args(argv)
    if args.dev:
        from corpus import load_corpus

        recs = [dict(c.record) for c in load_corpus("dev")]
    elif args.load is not None:
        recs = probe_common.read_records(args.load)
    else:
        recs = probe_common.train_probes(
            PROBES, [int(x) for x in args.seeds.split(",")], only=args.only,
            save=args.save, family="underfit-probe", intended="underfitting")
    if not args.dev:
        probe_common.label_all(recs)
    tally: dict[tuple[bool, str], int] = {}
    for rec in recs:
        run = Run.from_dict(upgrade(rec))
        msg = fd201(run)
        lab = rec["label"]
        if args.dev and msg is None and lab != "underfitting":
            continue
        tally[(msg is not None, lab)] = tally.get((msg is not None, lab), 0) + 1
        why = "" if msg else gates(run)
        print(f"{rec['name']:28s} {'FIRE' if msg else '.':5s} {lab:13s} {why:14s} "
              f"{headline(run):20s} {msg or ''}")
        if args.why:
            print(f"{'':28s} label: {rec['label_reason']}")
    probe_common.print_tally("FD201 fired / silent, per label:", tally)
    return 0


if __name__ == "__main__":
    sys.exit(main())
