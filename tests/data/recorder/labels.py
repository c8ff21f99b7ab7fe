"""Ground-truth labels from the held-out test curve and the data facts the recorder knows.

The rules (first match wins) are documented in ``tests/data/corpus/README.md``; each
function below is one rule and returns a reason (the numbers) or ``None``. The labels
never look at ``intended`` and never at fitdoctor's output.

Notation: L = training loss per epoch (the history's ``loss``), V = validation loss per
logged epoch, T = test loss per epoch, A = test metric per epoch (accuracy or MAE),
E = epochs run, w = max(2, ceil(0.2 E)), C = loss of the best constant predictor on the
training rows, late(s) = median of the last w values of s, noise(s) = median |second
difference| / 1.7 over the second half of s (epoch-to-epoch noise, blind to a steady trend).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import datasets

Rule = Callable[[dict[str, Any]], "str | None"]


def _g(x: float) -> str:
    return f"{x:.4g}"


def _finite(xs: list[float]) -> bool:
    return all(x is not None and math.isfinite(x) for x in xs)


def noise(s: list[float]) -> float:
    """Epoch-to-epoch noise of the second half of ``s``, blind to a steady trend."""
    half = np.asarray(s[len(s) // 2:], dtype=float)
    if len(half) >= 3:
        return float(np.median(np.abs(np.diff(half, 2)))) / 1.7
    if len(half) == 2:
        return abs(float(half[1] - half[0]))
    return 0.0


def wiggle(s: list[float]) -> float:
    """Average per-epoch movement not explained by a falls-then-rises shape."""
    n = len(s)
    if n < 3:
        return 0.0
    total = float(np.sum(np.abs(np.diff(s))))
    low = min(s)
    unimodal = (s[0] - low) + (s[-1] - low)
    return max(0.0, total - unimodal) / (n - 1)


def total_decrease(first: float, const: float, end: float) -> float:
    """How far a loss fell from its start to ``end``.

    The start is ``min(first, const)`` when the loss ended below the constant predictor's
    (so a wild first epoch does not dwarf the rest), else the first epoch (a model that has
    not yet beaten the constant predictor is measured from where it began). Zero or
    negative: the loss did not fall at all, and a share of it means nothing.
    """
    start = min(first, const) if end < const else first
    return start - end


def metric_gain(v: dict[str, Any], before: slice, end: slice) -> tuple[float, float]:
    """(gain, noise bar) of the test metric between two windows (medians).

    Gain is positive when the metric improved (accuracy rose, MAE fell). The bar is
    2 SE of the accuracy (``sqrt(a (1 - a) / n_test)`` at the windows' mean accuracy), or
    for MAE 2 noise(MAE), at least 1% of the later MAE.
    """
    A = v["A"]
    a_a, a_b = float(np.median(A[before])), float(np.median(A[end]))
    if v["clf"]:
        mean = (a_a + a_b) / 2
        se = math.sqrt(max(mean * (1 - mean), 0.0) / v["rec"]["test"]["n"])
        return a_b - a_a, 2 * se
    return a_a - a_b, max(2 * noise(A), 0.01 * abs(a_b))


def view(rec: dict[str, Any]) -> dict[str, Any]:
    """The quantities the rules read, computed once per record."""
    metrics = rec["run"]["metrics"]
    L = [float(v) for v in metrics["loss"] if v is not None]
    V = [float(v) for v in metrics.get("val_loss", []) if v is not None]
    mname = rec["test"]["metric_name"]
    val_metric = [float(v) for v in metrics.get(f"val_{mname}", []) if v is not None]
    train_metric = [float(v) for v in metrics.get(mname, []) if v is not None]
    T, A = rec["test"]["loss"], rec["test"]["metric"]
    E = len(L)
    facts = rec["facts"]
    restored = bool(facts.get("restored")) and (facts.get("best_val_epoch") or E) < E
    return dict(rec=rec, L=L, V=V, T=T, A=A, E=E, w=max(2, math.ceil(0.2 * E)),
                C=facts["constant_loss"], Ct=facts["constant_test_loss"],
                clf=mname == "accuracy", facts=facts,
                val_metric=val_metric, train_metric=train_metric, restored=restored,
                achievable=rec.get("achievable"))


# ----------------------------------------------------------------------------- rules
def diverged_explosion(v: dict[str, Any]) -> str | None:
    L, T = v["L"], v["T"]
    if not _finite(L) or not _finite(T):
        for kind, s in (("train", L), ("test", T)):
            for i, x in enumerate(s):
                if x is None or not math.isfinite(x):
                    return f"non-finite {kind} loss from epoch {i + 1}"
    if len(L) > 1 and max(L[1:]) > 3 * L[0]:
        return f"train loss exploded: max {_g(max(L[1:]))} > 3x first epoch {_g(L[0])}"
    return None


def validation_broken(v: dict[str, Any]) -> str | None:
    facts = v["facts"]
    kind = facts.get("corruption")
    if kind is None:
        return None
    counts = facts.get("val_class_counts")
    if kind == "sorted" and counts is not None:
        present = [i for i, c in enumerate(counts) if c]
        if len(present) == 1:
            return (f"class-sorted validation_split: the {facts['n_val']} validation rows "
                    f"are all class {present[0]}")
    V, T, w = v["V"], v["T"], v["w"]
    if not V:
        return None
    wv = max(1, min(w, len(V)))
    lv, lt = float(np.median(V[-wv:])), float(np.median(T[-w:]))
    ratio = lv / lt if lt > 0 else math.inf
    parts = [f"val loss {_g(lv)} vs test loss {_g(lt)} (x{ratio:.2g})"]
    disagree = ratio > 2 or ratio < 0.5
    if v["clf"] and v["val_metric"]:
        av = float(np.median(v["val_metric"][-wv:]))
        at = float(np.median(v["A"][-w:]))
        parts.append(f"val accuracy {av:.3f} vs test {at:.3f}")
        disagree = disagree or abs(av - at) > 0.15
    if disagree:
        return f"validation {kind} by construction and it disagrees with the test curve: " + \
            ", ".join(parts)
    return None


def too_short(v: dict[str, Any]) -> str | None:
    if v["E"] <= 2:
        return f"{v['E']} epoch{'s' if v['E'] > 1 else ''}: too short to judge"
    return None


def stalled(v: dict[str, Any]) -> str | None:
    L = v["L"]
    move = (max(L) - min(L)) / L[0] if L[0] > 0 else 0.0
    if move < 0.03:
        return f"stalled: train loss moved only {move:.1%} from epoch 1 ({_g(L[0])} -> min " \
               f"{_g(min(L))})"
    return None


def diverged_blowup(v: dict[str, Any]) -> str | None:
    L, C, w = v["L"], v["C"], v["w"]
    late = float(np.median(L[-w:]))
    if late > (1.5 if v["clf"] else 10.0) * C:
        return (f"train loss {_g(late)} over the last {w} epochs is far above the "
                f"constant-predictor loss {_g(C)}")
    if max(L) > 10 * C and late >= 0.95 * C:
        return (f"loss blew up to {_g(max(L))} ({max(L) / C:.3g}x the constant-predictor "
                f"loss) and the model ended no better than a constant predictor (last "
                f"{w} epochs {_g(late)}, constant {_g(C)})")
    tail = v["T"][-w:]
    if max(L) > 10 * C and max(tail) - min(tail) <= 1e-6 * max(abs(max(tail)), 1e-12):
        return (f"loss blew up to {_g(max(L))} ({max(L) / C:.3g}x the constant-predictor "
                f"loss), then the model froze: the test loss did not move at all over the "
                f"last {w} epochs ({_g(tail[-1])}; train loss {_g(late)})")
    return None


def unstable(v: dict[str, Any]) -> str | None:
    L, T, E, C = v["L"], v["T"], v["E"], v["C"]
    half = max(1, E // 2)
    wl, wt = wiggle(L), wiggle(T)
    sl = max(float(np.median(L[half:])), 0.1 * min(L[0], C))
    st = max(float(np.median(T[half:])), 0.1 * min(T[0], v["Ct"]))
    # With Dropout or GaussianNoise the training loss is measured with noise injected on
    # purpose: its swings are the regularisation at work, not a step size too large, so
    # only the test curve (measured without that noise) can show instability there.
    config = v["rec"].get("config", {})
    stochastic = bool(config.get("dropout")) or bool(config.get("noise"))
    if wl / sl > 0.10 and wl > 0.01 * C and not stochastic:
        return (f"train loss oscillates: average per-epoch up/down movement {_g(wl)} = "
                f"{wl / sl:.0%} of its late level ({_g(sl)}), {wl / C:.1%} of the "
                f"constant-predictor loss")
    if wt / st > 0.15:
        if v["clf"]:
            wa = wiggle([-a for a in v["A"]])
            if wa < 0.005:
                return None
            extra = f"; test accuracy moves {wa:.1%} per epoch beyond its trend"
        elif wt > 0.01 * C:
            extra = f", {wt / C:.1%} of the constant-predictor loss"
        else:
            return None
        return (f"test loss oscillates: average per-epoch up/down movement {_g(wt)} = "
                f"{wt / st:.0%} of its late level ({_g(st)}){extra}")
    return None


def overfitting(v: dict[str, Any]) -> str | None:
    L, T, E, w = v["L"], v["T"], v["E"], v["w"]
    tmin = min(T)
    imin = T.index(tmin)
    nz = noise(T)
    rec = v["rec"]
    t_end = rec["test"]["final_loss"] if v["restored"] else float(np.mean(T[-2:]))
    rise = t_end / tmin - 1 if tmin > 0 else 0.0
    if v["restored"]:
        b = int(v["facts"]["best_val_epoch"])
        if rise > 0.10 and t_end - tmin > 2 * nz and b > imin + 1 and L[b - 1] < L[imin]:
            return (f"restored model (epoch {b}/{E}) has test loss {_g(t_end)}, {rise:.0%} "
                    f"above the test minimum {_g(tmin)} at epoch {imin + 1}, while train "
                    f"loss fell {_g(L[imin])} -> {_g(L[b - 1])} (validation did not track "
                    f"the test set)")
        return None
    if (rise > 0.10 and t_end - tmin > 2 * nz and imin <= E - w - 1
            and L[-1] < L[imin] and L[-1] < tmin):
        return (f"test loss min {_g(tmin)} at epoch {imin + 1}/{E}, end {_g(t_end)} "
                f"(+{rise:.0%}, noise {_g(nz)}) while train loss fell {_g(L[imin])} -> "
                f"{_g(L[-1])}")
    A, tm = v["A"], v["train_metric"]
    if v["clf"] and len(tm) == E:
        amax = max(A)
        ibest = A.index(amax)
        a_end = float(np.mean(A[-2:]))
        se = math.sqrt(max(amax * (1 - amax), 1e-9) / rec["test"]["n"])
        drop = amax - a_end
        if (drop > max(0.03, 2 * se) and ibest <= E - w - 1 and tm[-1] > tm[ibest]
                and L[-1] < L[ibest]):
            return (f"test accuracy best {amax:.3f} at epoch {ibest + 1}/{E}, end "
                    f"{a_end:.3f} (-{drop:.3f}, 2 SE {2 * se:.3f}) while train accuracy "
                    f"rose {tm[ibest]:.3f} -> {tm[-1]:.3f}")
    return None


#: Rule 8's steep pace: a classifier's test loss still falling faster than this (relative,
#: per epoch over the last w epochs) with test rows still misclassified is not converged,
#: whatever share of the total fall the window holds. From bench/label_twins.py (short
#: runs and the same runs trained 2.5x longer): every short run falling >= 7.4%/epoch
#: ended at 0.08-0.65x its test loss when trained on, and below 100% accuracy always
#: gained accuracy (+0.4 to +6.9 points); at 4.6-5.9% the outcomes split (breast cancer:
#: 0.84-0.91x, no accuracy gained).
STEEP_PACE = 0.07


def not_converged(v: dict[str, Any]) -> str | None:
    L, T, A, E, w = v["L"], v["T"], v["A"], v["E"], v["w"]
    nz = noise(T)
    if v["restored"]:
        # stopped too early: the weights kept are from before the test optimum
        b, tmin = int(v["facts"]["best_val_epoch"]), min(T)
        imin = T.index(tmin)
        t_end = v["rec"]["test"]["final_loss"]
        if imin + 1 > b and t_end > 1.10 * tmin and t_end - tmin > 2 * nz:
            return (f"early stopping restored epoch {b}/{E}, before the test optimum "
                    f"{_g(tmin)} at epoch {imin + 1}: the restored model's test loss "
                    f"{_g(t_end)} is {t_end / tmin - 1:.0%} above it (stopped too early)")
        return None
    if w >= E:
        return None
    # the window's ends: medians of up to 3 epochs, so that one spike does not decide
    before, end = slice(max(0, E - w - 3), E - w), slice(E - min(3, w), E)
    t_a, t_b = float(np.median(T[before])), float(np.median(T[end]))
    l_fall = float(np.median(L[before])) - float(np.median(L[end]))
    t_fall = t_a - t_b
    t_tot = total_decrease(T[0], v["Ct"], t_b)
    l_tot = total_decrease(L[0], v["C"], min(L))
    t_share = t_fall / t_tot if t_tot > 0 else 0.0
    l_share = l_fall / l_tot if l_tot > 0 else 0.0
    t_rate = t_fall / t_a / w if t_a > 0 else 0.0
    gain, bar = metric_gain(v, before, end)
    mname = "accuracy" if v["clf"] else "MAE"
    if gain < -bar:  # the test metric got worse: whatever the loss does, not still learning
        return None
    # steep: the test loss still falls fast while test rows are still misclassified (an
    # accuracy of 100% leaves only confidence to gain, however fast the loss falls)
    steep = (v["clf"] and t_rate > STEEP_PACE
             and float(np.median(A[end])) < 1 - 0.5 / v["rec"]["test"]["n"])
    if t_fall > 2 * nz and l_fall > 0 and (t_share > 0.10 or (t_rate > 0.01 and gain > bar)
                                           or steep):
        share = f"{t_share:.0%} of its total decrease" if t_tot > 0 else "no total decrease"
        return (f"test loss still falling: {t_rate:.1%}/epoch over the last {w}/{E} epochs "
                f"({share}; test {mname} improved {gain:+.3g}, noise bar {_g(bar)})")
    if l_share > 0.15 and l_fall > 2 * noise(L) and t_fall > -nz:
        return (f"train loss still falling: the last {w}/{E} epochs gave "
                f"{l_share:.0%} of its total decrease, test loss not rising")
    return None


def underfitting(v: dict[str, Any]) -> str | None:
    ach = v["achievable"]
    if ach is None or not v["train_metric"]:
        return None
    rec = v["rec"]
    a_end = rec["test"]["final_metric"]
    a_train = v["train_metric"][-1]
    if v["clf"]:
        se = math.sqrt(max(a_end * (1 - a_end), 1e-9) / rec["test"]["n"])
        margin = max(0.03, 2 * se)
        if a_end < ach - margin and a_train < ach + 0.01:
            return (f"plateaued at test accuracy {a_end:.3f} (train {a_train:.3f}) vs "
                    f"{ach:.3f} achievable (margin {margin:.3f})")
    elif a_end > 1.15 * ach and a_train > 0.9 * ach:
        return (f"plateaued at test MAE {_g(a_end)} (train {_g(a_train)}) vs {_g(ach)} "
                f"achievable")
    return None


#: (label, rule) in the order they are tried; the first that returns a reason wins.
RULES: list[tuple[str, Rule]] = [
    ("diverged", diverged_explosion),
    ("validation-broken", validation_broken),
    ("too-short", too_short),
    ("not-converged", stalled),
    ("diverged", diverged_blowup),
    ("unstable", unstable),
    ("overfitting", overfitting),
    ("not-converged", not_converged),
    ("underfitting", underfitting),
]


#: The rules that can judge a run of one or two epochs.
SHORT_RULES = (diverged_explosion, validation_broken, too_short)


def achievable(records: list[dict[str, Any]]) -> dict[str, float]:
    """Per data variant: the best test score a model reached on it.

    The best of: the best reference model's test score (each model's median over the
    variant's runs), the median of the three best
    final test scores of the corpus's networks on that variant (a median, so that one lucky
    run does not set the bar) and, for generated data whose label is a function of the
    input (parity), the score reachable by construction. Accuracy: higher is better; MAE:
    lower.
    """
    by_data: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        by_data.setdefault(rec["data"], []).append(rec)
    out: dict[str, float] = {}
    for name, recs in by_data.items():
        clf = recs[0]["test"]["metric_name"] == "accuracy"
        key = "accuracy" if clf else "mae"
        # each reference model's median over the variant's runs (their samples and seeds
        # differ): the same bar whatever order the runs come in
        by_model: dict[str, list[float]] = {}
        for r in recs:
            for model, m in r["references"].items():
                if isinstance(m, dict) and math.isfinite(m["test"][key]):
                    by_model.setdefault(model, []).append(m["test"][key])
        refs = [float(np.median(v)) for v in by_model.values()]
        nets = sorted((r["test"]["final_metric"] for r in recs
                       if math.isfinite(r["test"]["final_metric"])), reverse=clf)
        top = float(np.median(nets[:3])) if nets else None
        pool = refs + ([top] if top is not None else [])
        known = datasets.VARIANTS[name].known_achievable
        if known is not None:
            pool.append(known)
        out[name] = max(pool) if clf else min(pool)
    return out


def label(rec: dict[str, Any]) -> dict[str, Any]:
    """``label``, ``label_reason``, ``label_detail`` and ``also`` for one record."""
    v = view(rec)
    matches: list[tuple[str, str, str]] = []
    for name, rule in RULES:
        if v["E"] < 3 and rule not in SHORT_RULES:  # the others need three epochs
            continue
        try:
            reason = rule(v)
        except (ValueError, ZeroDivisionError, IndexError):  # a curve too short for a rule
            reason = None
        if reason is not None:
            matches.append((name, rule.__name__, reason))
    if not matches:
        T = v["T"]
        imin = T.index(min(T))
        restored = (f"early stopped, weights of epoch {v['facts']['best_val_epoch']} "
                    f"restored; " if v["restored"] else "")
        return dict(label="healthy", label_detail=None, also=[], label_reason=(
            f"{restored}no rule matched: test loss min {_g(T[imin])} at epoch "
            f"{imin + 1}/{v['E']}, final {_g(rec['test']['final_loss'])}; test "
            f"{rec['test']['metric_name']} {_g(rec['test']['final_metric'])} (achievable "
            f"{_g(v['achievable']) if v['achievable'] is not None else '?'})"))
    first = matches[0]
    also = []
    for name, _, _ in matches[1:]:
        if name != first[0] and name not in also:
            also.append(name)
    return dict(label=first[0], label_reason=first[2],
                label_detail="stalled" if first[1] == "stalled" else None, also=also)
