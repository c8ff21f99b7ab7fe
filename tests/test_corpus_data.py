"""The recorded corpus (tests/data/corpus) is what its README says it is.

These tests check the data, not fitdoctor: both halves load, every record's two views
(run file, bare history) are readable, the halves split by configuration and do not
depend on labels, and every stored label is what the documented rules compute from the
stored test curve (so no label was typed in or copied from ``intended``).
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from pathlib import Path

import pytest
from corpus import CORPUS, EXPECTED, HALVES, LABELS, CorpusRun, load_corpus

sys.path.insert(0, str(Path(__file__).parent / "data"))

from record_corpus import assign_halves
from recorder import configs, labels


@pytest.fixture(scope="module")
def runs() -> list[CorpusRun]:
    return load_corpus(HALVES)


def test_size_and_halves(runs: list[CorpusRun]) -> None:
    assert len(runs) >= 600
    assert {r.half for r in runs} == set(HALVES)
    assert len({r.name for r in runs}) == len(runs)
    halves_of_group: dict[str, set[str]] = {}
    for r in runs:
        halves_of_group.setdefault(r.group, set()).add(r.half)
    assert all(len(h) == 1 for h in halves_of_group.values())
    # the stored halves are the ones the names alone decide
    dealt = assign_halves()
    assert all(dealt[r.group] == r.half for r in runs)


def test_every_label_in_both_halves(runs: list[CorpusRun]) -> None:
    counts = Counter((r.label, r.half) for r in runs)
    for label in LABELS:
        for half in HALVES:
            assert counts[(label, half)] >= 3, (label, half, counts)
    assert set(EXPECTED) == set(LABELS) == set(configs.LABELS)


def test_intended_is_not_the_label(runs: list[CorpusRun]) -> None:
    # labels come from the test curves: some configurations did not do what they were
    # designed to do, and the corpus says so
    assert 0 < sum(r.label != r.intended for r in runs) < len(runs)


def test_labels_follow_the_documented_rules(runs: list[CorpusRun]) -> None:
    records = [r.record for r in runs]
    achievable = labels.achievable(records)
    for r in runs:
        assert r.record["achievable"] == pytest.approx(achievable[r.data])
        got = labels.label(r.record)
        assert (got["label"], got["label_reason"]) == (r.label, r.label_reason), r.name


def test_views_are_readable_and_agree(runs: list[CorpusRun]) -> None:
    for r in runs[::7]:
        run, bare = r.run(), r.bare()
        history = r.history()
        assert run.n_epochs == bare.n_epochs == len(history["loss"]) == len(r.test["loss"])
        assert run.model is not None and run.data is not None and run.fit is not None
        assert bare.model is None and bare.data is None
        for key, values in history.items():
            logged = [v for v in run.series(key) if not math.isnan(v)]
            finite = [v for v in values if not math.isnan(v)]
            assert logged == finite, (r.name, key)


def test_broken_validation_is_in_the_facts(runs: list[CorpusRun]) -> None:
    broken = [r for r in runs if r.label == "validation-broken"]
    assert broken
    for r in broken:
        assert r.facts["corruption"] in ("sorted", "unscaled", "unscaled_y", "shuffled")
        if r.facts["corruption"] == "sorted":
            counts = r.run().data.val_class_counts  # type: ignore[union-attr]
            assert counts is not None and sum(1 for c in counts if c) == 1


def test_unknown_half_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown half"):
        load_corpus("test", CORPUS)
