"""Learning-curve detectors: would more data help?

They measure a :class:`~fitdoctor.cv.LearningCurveResult` (``input="learning-curve"``:
the engine never runs them on a run) with what :mod:`fitdoctor.cv.power_law` computes --
the power law through the validation scores, its gain at twice the data with a
bootstrap uncertainty, the change per doubling over the upper sizes -- and the
train/validation gap at the largest size. The three answers share one measurement
and one classification with the rule's thresholds:

* ``learning-curve-helps``: the gain from doubling is large and real, the validation
  score still falls with data, and a large train/validation gap remains (high variance);
* ``learning-curve-flat``: the validation score no longer falls with data (even at the
  top of its uncertainty), the gain is small, and training and validation agree (high
  bias);
* ``learning-curve-inconclusive``: neither, with what stood in the way.

Severities and wording live in ``rules/cross_validation.toml``; these functions measure.
"""

from __future__ import annotations

from typing import Any

from fitdoctor.detectors.base import Context, Evidence, detector
from fitdoctor.errors import MissingInput

#: Sizes a power law needs (three parameters).
MIN_SIZES = 3
_TINY = 1e-12


def _measure(ctx: Context) -> dict[str, Any]:
    """What the learning curve measures, once per analysis (shared by the three rules)."""
    if "learning-curve" in ctx.memo:
        return dict(ctx.memo["learning-curve"])
    lc = ctx.learning_curve
    sizes = lc.sizes
    if len(sizes) < MIN_SIZES:
        raise MissingInput(
            f"{len(sizes)} training-set size{'s' if len(sizes) != 1 else ''}: at least "
            f"{MIN_SIZES} are needed to fit a curve",
            "measure at least 3 sizes: learning_curve(..., sizes=(0.1, 0.25, 0.5, 1.0))",
        )
    ex = lc.extrapolation
    trend = lc.doubling_trend()
    if ex is None or trend is None:
        raise MissingInput(
            "the power law could not be fitted to the validation scores",
            "measure sizes that differ more (e.g. 10% to 100% of the data)",
        )
    first, last = sizes[0], sizes[-1]
    slope, slope_se = trend
    scale = max(abs(last.val_mean), _TINY)
    gap = last.val_mean - last.train_mean
    m: dict[str, Any] = {
        "score": lc.score,
        "sizes": len(sizes),
        "k": lc.k,
        "n_first": round(first.n),
        "n_now": round(ex.n_now),
        "n_target": round(ex.n_target),
        "train_first": round(first.train_mean, 4),
        "val_first": round(first.val_mean, 4),
        "train_last": round(last.train_mean, 4),
        "val_last": round(last.val_mean, 4),
        "gap": round(gap, 4),
        "gap_first": round(first.val_mean - first.train_mean, 4),
        "gap_rel": round(gap / scale, 4),
        "now": round(ex.now, 4),
        "predicted": round(ex.predicted, 4),
        "predicted_std": None if ex.predicted_std is None else round(ex.predicted_std, 4),
        "gain": round(ex.gain, 4),
        "gain_std": None if ex.gain_std is None else round(ex.gain_std, 4),
        "gain_pct": round(100 * ex.gain / scale, 1),
        "slope": round(slope, 4),
        "slope_se": None if slope_se is None else round(slope_se, 4),
        "decline": round(-slope, 4),
        "_scale": scale,
        "_raw": (ex.gain, ex.gain_std, slope, slope_se, gap / scale),
        "_scaled_epochs": lc.meta.get("scale_epochs") is True,
    }
    ctx.memo["learning-curve"] = m
    return dict(m)


def _classify(
    m: dict[str, Any], *, min_relative_gain: float, z: float, z_trend: float,
    variance_gap: float,
) -> tuple[str, dict[str, Any]]:
    """``"helps"``, ``"flat"`` or ``"inconclusive"``, and the tests behind it."""
    gain, gain_sd, slope, slope_se, gap_rel = m["_raw"]
    needed = min_relative_gain * m["_scale"]
    declining = slope_se is not None and -slope > z_trend * slope_se
    flat = slope_se is not None and -slope + z_trend * slope_se < needed
    gain_real = gain_sd is not None and gain > z * gain_sd
    big_gain = gain >= needed
    high_variance = gap_rel >= variance_gap
    tests = {
        "needed": round(needed, 4),
        "declining": declining,
        "flat": flat,
        "gain_real": gain_real,
        "high_variance": high_variance,
    }
    if big_gain and gain_real and declining and high_variance:
        return "helps", tests
    if flat and not big_gain and not high_variance:
        return "flat", tests
    return "inconclusive", tests


def _public(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k not in ("_raw", "_scale", "_scaled_epochs")}


@detector("learning-curve-helps", input="learning-curve")
def learning_curve_helps(
    ctx: Context, *, min_relative_gain: float, z: float, z_trend: float, variance_gap: float
) -> Evidence | None:
    """The validation score still falls with more data, with a large train/validation gap."""
    m = _measure(ctx)
    outcome, tests = _classify(m, min_relative_gain=min_relative_gain, z=z, z_trend=z_trend,
                               variance_gap=variance_gap)
    if outcome != "helps":
        return None
    return Evidence({**_public(m), "needed": tests["needed"]})


@detector("learning-curve-flat", input="learning-curve")
def learning_curve_flat(
    ctx: Context, *, min_relative_gain: float, z: float, z_trend: float, variance_gap: float,
    poor_error: float,
) -> Evidence | None:
    """The validation score no longer falls with more data, and training agrees with it."""
    m = _measure(ctx)
    outcome, tests = _classify(m, min_relative_gain=min_relative_gain, z=z, z_trend=z_trend,
                               variance_gap=variance_gap)
    if outcome != "flat":
        return None
    is_error = m["score"] == "error"
    poor = not is_error or m["train_last"] >= poor_error
    return Evidence({
        **_public(m),
        "needed": tests["needed"],
        "train_error": m["train_last"] if is_error else None,
        "_capacity": "" if poor else None,
    })


@detector("learning-curve-inconclusive", input="learning-curve")
def learning_curve_inconclusive(
    ctx: Context, *, min_relative_gain: float, z: float, z_trend: float, variance_gap: float,
    max_k: int, k_factor: int,
) -> Evidence | None:
    """The learning curve tells neither that more data helps nor that it won't.

    The advice proposes ``k_factor`` times the folds measured, at most ``max_k``.
    """
    m = _measure(ctx)
    outcome, t = _classify(m, min_relative_gain=min_relative_gain, z=z, z_trend=z_trend,
                           variance_gap=variance_gap)
    if outcome != "inconclusive":
        return None
    gain, gain_sd, *_ = m["_raw"]
    big_gain = gain >= t["needed"]
    # what stood in the way, for the recommendations that address it
    # training and validation agree, yet the score falls with data: small subsets that
    # got fewer gradient steps look worse than they are
    undertrained = not t["high_variance"] and (big_gain or t["declining"])
    # a large gap, and the score does not measurably fall with data
    gap_stays = t["high_variance"] and not t["declining"]
    # the gain's band straddles what would matter, or the trend is neither down nor flat
    straddles = gain_sd is None or abs(gain - t["needed"]) < z * gain_sd
    uncertain = (not t["declining"] and not t["flat"]) or straddles
    k_more = min(max_k, k_factor * m["k"])
    return Evidence({
        **_public(m),
        "needed": t["needed"],
        "declining": t["declining"],
        "flat": t["flat"],
        "gain_real": t["gain_real"],
        "k_more": k_more if k_more > m["k"] else None,
        "_undertrained": "" if undertrained and not m["_scaled_epochs"] else None,
        "_gap_stays": "" if gap_stays else None,
        "_uncertain": "" if uncertain else None,
    })
