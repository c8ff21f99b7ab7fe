"""The corpus recorder's parts: data, configurations, training, references, labels.

Run it with ``tests/data/record_corpus.py``; see ``tests/data/corpus/README.md``.
"""
