"""Fuzzing fitdoctor: generators (:mod:`strategies`), the oracle (:mod:`oracle`), properties.

``strategies`` builds inputs of every kind fitdoctor reads (histories in every format,
run files v1 and v2, cross-validation and learning-curve documents, configurations,
rule packs) and command lines that use them; ``oracle`` runs a command line in-process
and names every way the outcome breaks the contract ("a report, or exit 2 with one
line"). The bounded property tests beside them run in CI; ``bench/fuzz_campaign.py``
runs the same generators for as long as one wants and counts the failures by kind.
"""
