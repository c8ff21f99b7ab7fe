"""How often does ``fitdoctor compare`` call a change a regression when there was none?

The recorded histories (``tests/data/histories``) hold each configuration trained with
several seeds (``*_s0``, ``*_s1``, ...): the same change-free setup. Every ordered pair of
seeds of one configuration is compared; any numeric "worse beyond noise" there is a false
alarm (at a 95% interval, a few percent are expected), and so is a regression from a
finding that fires on one seed only (the rules' own noise, reported apart).

Run from the repository root::

    .venv/bin/python bench/compare_seed_twins.py
"""

from __future__ import annotations

import itertools
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "tests" / "data" / "histories"


def main() -> int:
    from fitdoctor import load
    from fitdoctor.compare import compare
    from fitdoctor.rules import Settings

    groups: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(FOLDER.glob("*_s[0-9].json")):
        groups[re.sub(r"_s\d+$", "", path.stem)].append(path)
    settings = Settings()
    counts: Counter[str] = Counter()
    yardsticks: Counter[str] = Counter()
    for _config, paths in sorted(groups.items()):
        if len(paths) < 2:
            continue
        runs = {p: load(p) for p in paths}
        for b, a in itertools.permutations(paths, 2):
            cmp = compare(runs[b], runs[a], settings)
            counts["pairs"] += 1
            counts[cmp.change] += 1
            yardsticks[cmp.yardstick.key] += 1
            if cmp.worse_beyond_noise:
                print(f"worse beyond noise: {b.stem} → {a.stem}: {cmp.numbers}")
            if cmp.gained:
                counts["finding regressions"] += 1
            if cmp.regression:
                counts["regressions (exit 1)"] += 1
    n = counts["pairs"]
    print(f"{n} ordered pairs of seeds of {len(groups)} configurations")
    for key in ("no detectable change", "worse", "better", "not comparable", "unknown",
                "finding regressions", "regressions (exit 1)"):
        print(f"  {key:24s} {counts[key]:4d}  {100 * counts[key] / max(n, 1):5.1f}%")
    print("  yardsticks: " + ", ".join(f"{k} {v}" for k, v in yardsticks.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
