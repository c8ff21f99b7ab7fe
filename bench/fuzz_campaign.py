"""Long fuzzing campaign: generated command lines and inputs through the real CLI, in-process.

The generators are the suite's (``tests/fuzz/strategies.py``), the checks its oracle
(``tests/fuzz/oracle.py``): for every case, a report (exit 0/1, quiet stderr, strict
JSON, nothing a terminal would interpret) or exit 2 with one ``fitdoctor: error:`` line
per unusable input -- never a traceback, a hang, an FD000 internal finding or an
exit-0 run of no epochs; and a well-formed file is never refused. Unlike the suite,
the campaign does not stop at the first failure: it counts every case and every
failure by kind and owner, and keeps the first case of each kind to reproduce it.

    python bench/fuzz_campaign.py                    # 10,000 cases, seed 0
    python bench/fuzz_campaign.py --cases 500 --only analyze --seed 3 --save /tmp/fz
    python bench/fuzz_campaign.py --minutes 20       # stop after 20 minutes, counts so far

On a loaded machine, ``--minutes`` bounds the wall time (the counts cover the cases that
ran), and Ctrl-C prints the counts so far too. ``--timeout`` is wall time per case: raise
it when the machine is loaded, or slow cases count as hangs.

Run it under ``nice``; it uses one core. Owners: ``part-b`` is the rule engine
(engine, rules, templates, detectors, verdict), ``part-a`` everything else.
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzz import oracle
from fuzz import strategies as gen
from hypothesis import HealthCheck, Phase, given, seed, settings

COMMANDS = {
    "any": gen.scenarios,
    "analyze": gen.analyze_scenarios,
    "compare": gen.compare_scenarios,
    "plot": gen.plot_scenarios,
    "rules": gen.rules_scenarios,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=sorted(COMMANDS), default="any")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per case")
    parser.add_argument("--memory-gb", type=float, default=3.0, help="address-space cap")
    parser.add_argument("--save", type=Path, help="write the first case of each kind here")
    parser.add_argument("--progress", type=int, default=500, help="print every N cases")
    parser.add_argument("--minutes", type=float, help="stop after this much wall time")
    args = parser.parse_args()

    cap = int(args.memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    by_command: collections.Counter[str] = collections.Counter()
    by_input: collections.Counter[str] = collections.Counter()
    by_exit: collections.Counter[str] = collections.Counter()
    failures: collections.Counter[tuple[str, str, str]] = collections.Counter()
    failed_cases: collections.Counter[str] = collections.Counter()
    examples: dict[tuple[str, str, str], str] = {}
    slowest: list[tuple[float, str]] = []
    start = time.perf_counter()

    @seed(args.seed)
    @settings(max_examples=args.cases, database=None, phases=[Phase.generate],
              deadline=None, suppress_health_check=list(HealthCheck))
    @given(COMMANDS[args.only]())
    def one(sc: gen.Scenario) -> None:
        if args.minutes is not None and time.perf_counter() - start > 60 * args.minutes:
            raise _Stop
        out = oracle.run(sc, timeout=args.timeout)
        found = oracle.violations(sc, out)
        n = sum(by_command.values()) + 1
        by_command[sc.command] += 1
        for item in sc.inputs:
            by_input[item.kind.split(":")[0] + ("" if item.valid else "~")] += 1
        by_exit[str(out.code)] += 1
        if sc.benign and sc.inputs and all(i.valid for i in sc.inputs):
            by_exit[f"{out.code} (valid inputs)"] += 1
        slowest.append((out.seconds, " ".join(sc.argv)[:100]))
        slowest.sort(reverse=True)
        del slowest[5:]
        owners = set()
        for v in found:
            key = (v.owner, v.kind, _short(v.detail))
            failures[key] += 1
            owners.add(v.owner)
            if key not in examples:
                examples[key] = f"{v}\n{sc.describe()}\nstdout: {out.stdout[-600:]!r}\n" \
                                f"stderr: {out.stderr[-600:]!r}\n"
                if args.save is not None:
                    args.save.mkdir(parents=True, exist_ok=True)
                    name = f"{len(examples):03d}-{v.owner}-{v.kind}.txt"
                    (args.save / name).write_text(examples[key], encoding="utf-8",
                                                  errors="backslashreplace")
        for owner in owners:
            failed_cases[owner] += 1
        if args.progress and n % args.progress == 0:
            rate = n / (time.perf_counter() - start)
            print(f"  {n:,} cases, {sum(failed_cases.values()):,} failing, {rate:.1f}/s",
                  flush=True)

    stopped = ""
    try:
        one()
    except _Stop:
        stopped = f", stopped after {args.minutes:g} min"
    except KeyboardInterrupt:
        stopped = ", interrupted"
    elapsed = time.perf_counter() - start
    total = sum(by_command.values())
    print(f"fuzz campaign: {total:,} cases in {elapsed:,.0f} s (seed {args.seed}, "
          f"{args.only}{stopped})")
    print("  commands: " + ", ".join(f"{k} {v:,}" for k, v in by_command.most_common()))
    print("  inputs (~ = broken on purpose): "
          + ", ".join(f"{k} {v:,}" for k, v in sorted(by_input.items())))
    print("  exit codes: " + ", ".join(f"{k}: {v:,}" for k, v in sorted(by_exit.items())))
    print("  slowest: " + "; ".join(f"{s:.1f} s {a}" for s, a in slowest[:3]))
    for owner in ("part-a", "part-b"):
        print(f"  cases failing ({owner}): {failed_cases[owner]:,}")
    print("failures by kind (owner, kind, detail): count")
    if not failures:
        print("  none")
    for (owner, kind, detail), count in sorted(failures.items(), key=lambda kv: -kv[1]):
        print(f"  {owner:7} {kind:17} {count:6,}  {detail}")
    if examples and args.save is None:
        print("\nfirst case of each kind:")
        for text in examples.values():
            print(text)
    return 1 if failures else 0


class _Stop(BaseException):
    """The wall-time budget is spent (a BaseException: hypothesis does not catch it)."""


def _short(detail: str) -> str:
    """The part of a violation's detail that names its kind (not the case's data)."""
    if " at fitdoctor/" in detail:
        return detail
    return detail.split(":")[0][:80]


if __name__ == "__main__":
    sys.exit(main())
