"""``fitdoctor demo``: train the Keras tutorial network with ``FitDoctor()`` and report.

Needs the keras extra; without it, one error line and exit 2.
"""

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from fitdoctor.cli import common


class DemoFormat(str, Enum):
    """Report formats of ``fitdoctor demo`` (those the callback prints)."""

    auto = "auto"
    rich = "rich"
    text = "text"


def demo(
    epochs: Annotated[
        int, typer.Option("--epochs", min=1, metavar="N", help="Epochs to train.")
    ] = 10,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", dir_okay=False, help="Where the run file is saved."
        ),
    ] = Path("fitdoctor-demo-run.json"),
    output_format: Annotated[
        DemoFormat, typer.Option("--format", "-f", help="Report format.")
    ] = DemoFormat.auto,
    seed: Annotated[int, typer.Option("--seed", metavar="N", help="Random seed.")] = 0,
) -> None:
    """Train the Keras tutorial network (Dense 512 relu, softmax) with FitDoctor() and report.

    Uses MNIST when Keras has it cached on this machine, else scikit-learn's bundled
    digits (no download). Needs the keras extra: pip install 'fitdoctor[keras]'.
    """
    try:
        from fitdoctor.demo import run_demo

        with common.unusable_exits():
            run_demo(epochs=epochs, path=str(output), report=output_format.value, seed=seed,
                     echo=common.emit)
    except ImportError as exc:
        common.fail(
            f"the demo needs keras and a backend: pip install 'fitdoctor[keras]' ({exc})"
        )
