"""``fitdoctor demo``: train the Keras tutorial network with ``FitDoctor()`` and report.

Needs the keras extra; without it, one error line and exit 2.
"""

from pathlib import Path

import click

from fitdoctor.cli import common
from fitdoctor.cli.common import format_option
from fitdoctor.cli.core import Command

#: Report formats of ``fitdoctor demo`` (those the callback prints).
FORMATS = ("auto", "rich", "text")


@click.command("demo", cls=Command)
@click.option(
    "--epochs",
    "epochs",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    metavar="N",
    help="Epochs to train.",
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("fitdoctor-demo-run.json"),
    show_default=True,
    metavar="FILE",
    help="Where the run file is saved.",
)
@format_option(FORMATS, "auto", "Report format.")
@click.option(
    "--seed", "seed", type=int, default=0, show_default=True, metavar="N", help="Random seed."
)
def demo(epochs: int, output: Path, output_format: str, seed: int) -> None:
    """Train the Keras tutorial network (Dense 512 relu, softmax) with FitDoctor() and report.

    Uses MNIST when Keras has it cached on this machine, else scikit-learn's bundled
    digits (no download). Needs the keras extra: pip install 'fitdoctor[keras]'.
    """
    try:
        from fitdoctor.demo import run_demo

        with common.unusable_exits():
            run_demo(epochs=epochs, path=str(output), report=output_format, seed=seed,
                     echo=common.emit)
    except ImportError as exc:
        common.fail(
            f"the demo needs keras and a backend: pip install 'fitdoctor[keras]' ({exc})"
        )
