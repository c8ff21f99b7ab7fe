#!/usr/bin/env python
"""Documented check: the HTML report opens in a headless browser with its plots visible.

Usage:
    python bench/html_screenshot.py RUN [--out DIR]

Renders ``fitdoctor analyze RUN --format html`` (via the library) to DIR/report.html,
opens it in headless Chromium (Debian: ``apt-get install chromium``) with networking
off, saves a screenshot to DIR/report.png and prints how many pixels carry the plot's
training (blue) and validation (orange) curve colours: both must be well above zero
when the embedded plot is visible. tests/test_html.py runs the same check (skipped
when Chromium is absent, e.g. on CI runners without it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Curve colours of fitdoctor.plot (matplotlib's tab:blue and tab:orange), 0-255.
TRAIN_RGB = (0x1F, 0x77, 0xB4)
VAL_RGB = (0xFF, 0x7F, 0x0E)


def chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html_path: Path, png_path: Path, *, width: int = 1200, height: int = 3000) -> Path:
    """Screenshot ``html_path`` with headless Chromium into ``png_path``.

    Raises:
        RuntimeError: Chromium is missing or wrote no screenshot.
    """
    exe = chromium()
    if exe is None:
        raise RuntimeError("chromium not found (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            f"--screenshot={png_path}",
            f"--window-size={width},{height}",
            html_path.resolve().as_uri(),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if not png_path.exists() or png_path.stat().st_size == 0:
        raise RuntimeError(f"chromium wrote no screenshot: {proc.stderr[-500:]}")
    return png_path


def color_pixels(png_path: Path, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    """Number of pixels within ``tolerance`` (per channel, 0-255) of ``rgb``."""
    import matplotlib.image as mpimg
    import numpy as np

    img = np.asarray(mpimg.imread(png_path), dtype=float)[..., :3] * 255.0
    target = np.asarray(rgb, dtype=float)
    return int((np.abs(img - target) <= tolerance).all(axis=-1).sum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="fitdoctor-")))
    args = parser.parse_args(argv)

    import fitdoctor
    from fitdoctor.reporters.html import render_html

    run = fitdoctor.load(args.run)
    report = fitdoctor.analyze(run)
    args.out.mkdir(parents=True, exist_ok=True)
    html_path = args.out / "report.html"
    html_path.write_text(render_html(report, run), encoding="utf-8")
    png = screenshot(html_path, args.out / "report.png")
    train, val = color_pixels(png, TRAIN_RGB), color_pixels(png, VAL_RGB)
    print(f"html: {html_path} ({os.path.getsize(html_path)} bytes)")
    print(f"screenshot: {png}")
    print(f"plot pixels: train-blue {train}, validation-orange {val}")
    ok = train > 500 and val > 500
    print("plots visible" if ok else "PLOTS NOT VISIBLE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
