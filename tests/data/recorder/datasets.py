"""Data for the recorded corpus: scikit-learn's bundled sets and generators only.

Every data *variant* has one fixed train/test split (30% test, ``random_state=0``,
stratified for classification). The test rows are never shown to Keras; they give the
ground-truth curve. The training *pool* (70%) is what ``fit`` gets: with
``validation_split`` Keras takes the pool's last rows for validation, with
``validation_data`` the recorder carves them off itself (see ``training.split``).

A variant is ``base`` data plus a subset size, an input scaling, a layout (tabular,
8x8 image, sequence) and optional training-label noise (flipped labels in the whole pool,
validation rows included, as a user's noisy labels would be; test labels stay clean).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Variant:
    """How one data variant is built from its base data."""

    base: str
    task: str  # "binary" | "multiclass" | "regression"
    subset: int | None = None  # training-pool rows kept (stratified subsample)
    scaling: str = "std"  # "std" | "div16" | "none" | "x100"
    layout: str = "tabular"  # "tabular" | "image" | "sequence"
    label_noise: float = 0.0  # share of pool labels replaced by a random other class
    y_scaling: str = "std"  # regression targets: "std" | "none"
    notes: str = ""
    #: Test score reachable by construction (the label is a function of the input).
    known_achievable: float | None = None


VARIANTS: dict[str, Variant] = {
    # --- digits: 1,797 8x8 images, 10 classes
    "digits": Variant("digits", "multiclass", scaling="div16", notes="inputs / 16"),
    "digits_raw": Variant("digits", "multiclass", scaling="none", notes="inputs 0..16"),
    "digits300": Variant("digits", "multiclass", 300, "div16"),
    "digits100": Variant("digits", "multiclass", 100, "div16"),
    "digits_img": Variant("digits", "multiclass", scaling="div16", layout="image"),
    "digits300_img": Variant("digits", "multiclass", 300, "div16", layout="image"),
    "digits_noisy20": Variant("digits", "multiclass", scaling="div16", label_noise=0.2),
    "digits_noisy40": Variant("digits", "multiclass", scaling="div16", label_noise=0.4),
    # --- tabular classification
    "bc": Variant("breast_cancer", "binary", notes="standardised"),
    "bc_raw": Variant("breast_cancer", "binary", scaling="none", notes="raw, up to ~4,000"),
    "bc40": Variant("breast_cancer", "binary", 40),
    "wine": Variant("wine", "multiclass"),
    "wine_raw": Variant("wine", "multiclass", scaling="none"),
    "iris": Variant("iris", "multiclass"),
    "iris30": Variant("iris", "multiclass", 30),
    "clf": Variant("clf", "binary", notes="make_classification, 3% flipped"),
    "clf200": Variant("clf", "binary", 200),
    "clf40": Variant("clf", "binary", 40),
    "clf_x100": Variant("clf", "binary", scaling="x100", notes="standardised inputs x 100"),
    "clf_noisy30": Variant("clf", "binary", label_noise=0.3),
    "clf_sep": Variant("clf_sep", "binary", notes="near separable: class_sep 3, no flips"),
    "moons": Variant("moons", "binary", scaling="none"),
    "moons40": Variant("moons", "binary", 40, "none"),
    "moons_easy": Variant("moons_easy", "binary", scaling="none", notes="noise 0.05"),
    # --- regression (MSE loss, MAE metric)
    "diabetes": Variant("diabetes", "regression", notes="sklearn-scaled inputs, y standardised"),
    "diabetes_rawy": Variant("diabetes", "regression", y_scaling="none", notes="y 25..346"),
    "reg_linear": Variant("reg_linear", "regression", notes="make_regression, noise 20"),
    "friedman": Variant("friedman", "regression", notes="make_friedman1, noise 1"),
    "friedman60": Variant("friedman", "regression", 60),
    "friedman200": Variant("friedman", "regression", 200),
    # --- generated sequence tasks (LSTM / GRU)
    "seq_sine": Variant("seq_sine", "multiclass", layout="sequence", scaling="none",
                        notes="24 steps of a noisy sine; class = 1, 2 or 3 cycles"),
    "seq_sine200": Variant("seq_sine", "multiclass", 200, layout="sequence", scaling="none"),
    "seq_sum": Variant("seq_sum", "regression", layout="sequence", scaling="none",
                       notes="10 steps of U(0,1); target = their sum + N(0, 0.1)"),
    "seq_parity": Variant("seq_parity", "binary", layout="sequence", scaling="none",
                          notes="10 random bits; class = their parity",
                          known_achievable=1.0),
}


def sine_sequences(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """1500 noisy sines of 24 steps; the class is the frequency (1, 2 or 3 cycles).

    Random phase and amplitude, so nothing linear in the steps tells the class. The
    ``seq_sine`` variants, and a rule case's recording (tests/rule_cases/record_cases.py).
    """
    n, steps = 1500, 24
    freq = rng.integers(0, 3, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    amp = rng.uniform(0.5, 1.5, n)
    t = np.arange(steps)
    x = amp[:, None] * np.sin(2 * np.pi * (freq[:, None] + 1) * t / steps + phase[:, None])
    return (x + rng.normal(0, 0.3, (n, steps)))[..., None], freq


def _base_arrays(base: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn import datasets

    rng = np.random.default_rng(0)
    if base == "digits":
        x, y = datasets.load_digits(return_X_y=True)
    elif base == "breast_cancer":
        x, y = datasets.load_breast_cancer(return_X_y=True)
    elif base == "wine":
        x, y = datasets.load_wine(return_X_y=True)
    elif base == "iris":
        x, y = datasets.load_iris(return_X_y=True)
    elif base == "diabetes":
        x, y = datasets.load_diabetes(return_X_y=True)
    elif base == "clf":
        x, y = datasets.make_classification(
            n_samples=2000, n_features=20, n_informative=8, n_redundant=4,
            n_clusters_per_class=3, class_sep=1.0, flip_y=0.03, random_state=0)
    elif base == "clf_sep":
        x, y = datasets.make_classification(
            n_samples=2000, n_features=20, n_informative=6, n_redundant=2,
            n_clusters_per_class=1, class_sep=3.0, flip_y=0.0, random_state=1)
    elif base == "moons":
        x, y = datasets.make_moons(n_samples=1000, noise=0.25, random_state=0)
    elif base == "moons_easy":
        x, y = datasets.make_moons(n_samples=1000, noise=0.05, random_state=0)
    elif base == "reg_linear":
        x, y = datasets.make_regression(
            n_samples=1000, n_features=20, n_informative=10, noise=20.0, random_state=0)
    elif base == "friedman":
        x, y = datasets.make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    elif base == "seq_sine":
        x, y = sine_sequences(rng)
    elif base == "seq_sum":
        n, steps = 1500, 10
        x = rng.uniform(0, 1, (n, steps, 1))
        y = x.sum(axis=(1, 2)) + rng.normal(0, 0.1, n)
    elif base == "seq_parity":
        n, steps = 1500, 10
        x = rng.integers(0, 2, (n, steps, 1)).astype("float64")
        y = (x.sum(axis=(1, 2)) % 2).astype("int64")
    else:
        raise KeyError(base)
    return np.asarray(x, dtype="float64"), np.asarray(y)


@dataclass
class Data:
    """One variant's arrays: the training pool and the test split."""

    name: str
    variant: Variant
    x_pool: np.ndarray
    y_pool: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    #: The pool's inputs without the variant's scaling (for "unscaled validation" setups).
    x_pool_unscaled: np.ndarray
    #: Regression targets before standardisation (for "unscaled validation labels").
    y_pool_unscaled: np.ndarray
    n_classes: int
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def task(self) -> str:
        return self.variant.task


_CACHE: dict[str, Data] = {}


def load(name: str) -> Data:
    """The arrays of variant ``name`` (cached per process)."""
    if name in _CACHE:
        return _CACHE[name]
    from sklearn.model_selection import train_test_split

    v = VARIANTS[name]
    x, y = _base_arrays(v.base)
    classify = v.task != "regression"
    x_pool, x_test, y_pool, y_test = train_test_split(
        x, y, test_size=0.3, random_state=0, stratify=y if classify else None)
    if v.subset is not None:
        x_pool, _, y_pool, _ = train_test_split(
            x_pool, y_pool, train_size=v.subset, random_state=0,
            stratify=y_pool if classify else None)
    raw_pool = x_pool.copy()
    if v.scaling == "div16":
        x_pool, x_test = x_pool / 16.0, x_test / 16.0
    elif v.scaling in ("std", "x100"):
        flat = x_pool.reshape(len(x_pool), -1)
        mu, sd = flat.mean(0), flat.std(0) + 1e-12
        x_pool = ((flat - mu) / sd).reshape(x_pool.shape)
        x_test = ((x_test.reshape(len(x_test), -1) - mu) / sd).reshape(x_test.shape)
        if v.scaling == "x100":
            x_pool, x_test = x_pool * 100.0, x_test * 100.0
    if v.layout == "image":
        x_pool, x_test = x_pool.reshape(-1, 8, 8, 1), x_test.reshape(-1, 8, 8, 1)
        raw_pool = raw_pool.reshape(-1, 8, 8, 1)
    raw_y = y_pool.astype("float64").copy()
    if classify:
        n_classes = int(max(y_pool.max(), y_test.max()) + 1)
        y_pool, y_test = y_pool.astype("int64"), y_test.astype("int64")
        if v.label_noise:
            rng = np.random.default_rng(12345)
            flip = rng.random(len(y_pool)) < v.label_noise
            shift = rng.integers(1, n_classes, len(y_pool))
            y_pool = np.where(flip, (y_pool + shift) % n_classes, y_pool)
    else:
        n_classes = 1
        if v.y_scaling == "std":
            mu, sd = float(y_pool.mean()), float(y_pool.std())
            y_pool, y_test = (y_pool - mu) / sd, (y_test - mu) / sd
        y_pool, y_test = y_pool.astype("float32"), y_test.astype("float32")
    data = Data(name, v, x_pool.astype("float32"), y_pool, x_test.astype("float32"), y_test,
                raw_pool.astype("float32"), raw_y.astype("float32"), n_classes)
    data.facts = {
        "base": v.base, "task": v.task, "layout": v.layout, "scaling": v.scaling,
        "label_noise": v.label_noise, "n_pool": len(x_pool), "n_test": len(x_test),
        "n_classes": n_classes, "input_shape": list(x_pool.shape[1:]), "notes": v.notes,
    }
    _CACHE[name] = data
    return data
