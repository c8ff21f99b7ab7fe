"""bench/fresh_sample.py: the sampler and the judging side, without training.

The sampler must be deterministic for a seed, never hand back a corpus configuration and
keep every training within its caps; the judging side is run on a few corpus records
standing in for trained ones (the trainer monkeypatched), through ``--save`` and
``--load`` as the lead will use them.
"""

from __future__ import annotations

import copy
import math
import sys
import types
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import fresh_sample  # noqa: E402  (bench/fresh_sample.py)
from recorder import configs, datasets  # noqa: E402  (tests/data on sys.path via bench)


def test_the_sampler_is_deterministic_and_extends() -> None:
    a = fresh_sample.draw(40, seed=61)
    assert a == fresh_sample.draw(40, seed=61)
    assert fresh_sample.draw(25, seed=61) == a[:25]  # a larger N extends a smaller one
    assert fresh_sample.draw(40, seed=62) != a
    assert len({name for name, _, _ in a}) == 40


def test_no_corpus_configuration_is_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = configs.CONFIGS[7]
    settings = {k: v for k, v in corpus["cfg"].items() if configs.DEFAULTS[k] != v}
    real = fresh_sample._draw_one
    calls = {"n": 0}

    def first_a_corpus_one(rng: Any) -> tuple[str, dict[str, Any]]:
        calls["n"] += 1
        if calls["n"] == 1:
            return corpus["data"], copy.deepcopy(settings)
        return real(rng)

    assert fresh_sample._in_corpus(corpus["data"], settings)
    monkeypatch.setattr(fresh_sample, "_draw_one", first_a_corpus_one)
    drawn = fresh_sample.draw(3, seed=61)
    assert calls["n"] == 4  # the corpus configuration was redrawn
    assert all(not fresh_sample._in_corpus(d, s) for _, d, s in drawn)
    monkeypatch.undo()
    assert not any(fresh_sample._in_corpus(d, s) for _, d, s in fresh_sample.draw(200))


def test_draws_respect_the_knob_space_and_the_caps() -> None:
    drawn = fresh_sample.draw(200, seed=61)
    epochs = []
    for name, data, settings in drawn:
        assert set(settings) <= set(configs.DEFAULTS), name
        variant = datasets.VARIANTS[data]
        cfg = {**configs.DEFAULTS, **settings}
        model = cfg["model"]
        if variant.layout == "sequence":
            assert model in ("lstm", "gru")
        elif variant.layout == "image":
            assert model in ("mlp", "conv")
        else:
            assert model == "mlp"
        levels = configs.LR_LEVELS[cfg["opt"]]
        assert levels[1] * 0.99 <= cfg["lr"] <= levels[-1] * 1.01, name
        assert 1 <= cfg["epochs"] <= 150
        rows = fresh_sample._rows(data, cfg)
        steps = math.ceil(rows / cfg["batch"])
        assert cfg["epochs"] * rows <= fresh_sample.ROW_CAP[model] or cfg["epochs"] == 1
        assert cfg["epochs"] * steps <= fresh_sample.STEP_CAP[model] or cfg["epochs"] == 1
        if cfg["val"] == "unscaled_y":
            assert variant.task == "regression"
        if cfg["val"] == "sorted":
            assert variant.task != "regression"
        epochs.append(cfg["epochs"])
    short = sum(e <= 10 for e in epochs) / len(epochs)
    assert 0.25 <= short <= 0.45  # skewed short, as real runs are
    assert max(epochs) > 60


def test_the_pool_sizes_are_the_recorders() -> None:
    seen: set[str] = set()
    for name, v in datasets.VARIANTS.items():
        if v.subset is None and v.base not in seen:
            seen.add(v.base)
            assert fresh_sample._POOL[v.base] == len(datasets.load(name).x_pool), name
    assert seen == set(fresh_sample._POOL)


def _stand_ins() -> list[dict[str, Any]]:
    """Three dev records with different labels, one validated every 5 epochs."""
    from corpus import load_corpus

    dev = load_corpus("dev")
    picks = []
    for want in ("healthy", "overfitting", "diverged"):
        picks.append(next(r.record for r in dev if r.label == want
                          and r.record["config"]["vfreq"] == 1))
    picks.append(next(r.record for r in dev if r.record["config"]["vfreq"] > 1))
    return [copy.deepcopy(r) for r in picks]


def test_save_resume_and_load_judge(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    import probe_common

    stand_ins = _stand_ins()
    trained: list[str] = []

    def fake_record(name: str, data: str, settings: dict[str, Any], seed: int, *,
                    family: str, intended: str) -> dict[str, Any]:
        rec = copy.deepcopy(stand_ins[len(trained) % len(stand_ins)])
        for key in ("label", "label_reason", "label_detail", "also", "achievable", "half"):
            rec.pop(key, None)
        rec.update(name=f"{name}_s{seed}", group=name, family=family, seed=seed)
        trained.append(rec["name"])
        return rec

    fake_tf = types.SimpleNamespace(config=types.SimpleNamespace(
        threading=types.SimpleNamespace(set_intra_op_parallelism_threads=lambda n: None,
                                        set_inter_op_parallelism_threads=lambda n: None)))
    monkeypatch.setitem(sys.modules, "tensorflow", fake_tf)
    monkeypatch.setattr(probe_common, "record", fake_record)
    # a label fitdoctor cannot give on a finished run: one certain miss to list
    real_label = fresh_sample.labels.label

    def label(rec: dict[str, Any]) -> dict[str, Any]:
        out = real_label(rec)
        if rec["name"].startswith("fresh000_"):
            out = dict(out, label="too-short")
        return out

    monkeypatch.setattr(fresh_sample.labels, "label", label)
    save = tmp_path / "part1.jsonl"
    assert fresh_sample.main(["--n", "8", "--part", "1/2", "--save", str(save)]) == 0
    assert [t.split("_")[0] for t in trained] == ["fresh000", "fresh002", "fresh004",
                                                  "fresh006"]
    first = capsys.readouterr().out
    # resumed: nothing trained again
    assert fresh_sample.main(["--n", "8", "--part", "1/2", "--save", str(save)]) == 0
    assert len(trained) == 4
    capsys.readouterr()

    assert fresh_sample.main(["--load", str(save), "--misses"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 runs; labels: ")
    for view in ("run", "bare"):
        assert f"== fresh sample half, {view} view" in out
    assert "false alarms on healthy runs" in out
    assert "precision" in out
    wrong = [line for line in out.splitlines() if line.startswith("wrong headlines")]
    assert len(wrong) == 2  # the forced too-short miss, in each view
    miss = out.splitlines().index(wrong[0])
    assert "fresh000_" in out.splitlines()[miss + 1]
    assert "-> twin agrees (too-short): a rule failed" in out.splitlines()[miss + 2]
    assert "no twin" in fresh_sample.twin_verdict(
        next(r for r in probe_common.read_records(save) if r["config"]["vfreq"] > 1)
        | {"label": "healthy"})
    # --load is stable: the same text as the training run printed, without --misses
    assert fresh_sample.main(["--load", str(save)]) == 0
    assert capsys.readouterr().out == first


def test_the_stored_sample_round_trips_and_its_parts_split_by_index(tmp_path: Path) -> None:
    recs = fresh_sample.read_stored()
    assert recs, "tests/data/fresh/sample.jsonl.gz is missing"
    names = [r["name"] for r in recs]
    assert len(names) == len(set(names)) and names == sorted(names)
    assert all("label" not in r for r in recs)  # stored unlabelled: labels are computed
    held = fresh_sample.subset(recs, "held-out")
    tuned = fresh_sample.subset(recs, "tuned")
    assert len(held) + len(tuned) == len(recs)
    assert all(fresh_sample.index(r) >= fresh_sample.HELD_OUT_FROM for r in held)
    assert all(fresh_sample.index(r) < fresh_sample.HELD_OUT_FROM for r in tuned)
    path = tmp_path / "again.jsonl.gz"
    fresh_sample.store(list(reversed(recs)) + recs[:2], path)  # duplicates, any order
    assert fresh_sample.read_stored(path) == recs
