"""Compatibility shim: reading is :mod:`fitdoctor.readers`, writing :mod:`fitdoctor.storage`.

``fitdoctor.io.load``, ``from_any``, ``save``, ``dumps``, ``write_json_atomic``,
``write_text_atomic``, ``is_document_file`` and ``MAX_BYTES`` keep working for code
written against them; new code imports from the two modules above.
"""

from __future__ import annotations

from fitdoctor.readers import (
    DOCUMENT_SCHEMAS,
    MAX_BYTES,
    from_any,
    is_document_file,
    load,
    load_runs,
    runs_from_any,
)
from fitdoctor.storage import dumps, save, write_json_atomic, write_text_atomic

__all__ = [
    "DOCUMENT_SCHEMAS",
    "MAX_BYTES",
    "dumps",
    "from_any",
    "is_document_file",
    "load",
    "load_runs",
    "runs_from_any",
    "save",
    "write_json_atomic",
    "write_text_atomic",
]
