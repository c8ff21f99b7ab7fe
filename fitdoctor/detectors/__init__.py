"""Built-in detectors: pure functions that measure a run (see :mod:`.base`).

Importing this package registers every built-in detector: one module per topic.
"""

from __future__ import annotations

from fitdoctor.detectors import (  # noqa: F401  (imported to register)
    imbalance,
    learning_curve,
    memorisation,
    model_setup,
    one_class,
    stability,
    training,
    validation_setup,
)
from fitdoctor.detectors.base import Context, Evidence, detector, registry

__all__ = ["Context", "Evidence", "detector", "registry"]
