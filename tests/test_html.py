"""HTML report: self-contained, valid, escaped; opens in a headless browser with plots."""

from __future__ import annotations

import base64
import html
import importlib.util
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import fitdoctor
from fitdoctor.report import Finding, Recommendation, Report, Severity, Skipped
from fitdoctor.reporters.html import render_fragment, render_html, render_many
from fitdoctor.run import Layer, ModelInfo, PerClass, Regularizer, Run

HERE = Path(__file__).parent
BEFORE = HERE / "data" / "compare" / "before.json"  # a real overfitting training

EVIL = "<script>alert(1)</script>"
EVIL_ATTR = '"><img src=x onerror=alert(2)>'
AMP = "a & b 'quoted' \"double\""

VOID = {"meta", "img", "br", "hr", "link", "input", "col", "wbr", "source"}
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "div", "header", "footer",
    "h1", "h2", "h3", "p", "span", "section", "article", "details", "summary", "table",
    "tr", "th", "td", "ol", "ul", "li", "pre", "img",
}  # fmt: skip


class Checker(HTMLParser):
    """Collects tags, attributes and text; checks that every element is closed in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self.decl: list[str] = []
        self.in_style = False

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)
        if tag not in VOID:
            self.stack.append(tag)
        self.in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, k, v) for k, v in attrs)
        if tag not in VOID:
            self.errors.append(f"self-closing non-void <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        self.in_style = False
        if tag in VOID:
            self.errors.append(f"end tag for void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.in_style:
            self.text.append(data)


def check_html(doc: str, *, document: bool = True) -> Checker:
    checker = Checker()
    checker.feed(doc)
    checker.close()
    assert checker.errors == [], checker.errors
    assert checker.stack == [], f"unclosed: {checker.stack}"
    unknown = set(checker.tags) - ALLOWED_TAGS
    assert not unknown, f"unexpected tags {unknown}"
    for tag, name, value in checker.attrs:
        assert not name.startswith("on"), (tag, name, value)
        if name in ("src", "href", "action", "srcset"):
            assert value is not None and value.startswith("data:image/png;base64,"), (tag, name)
    if document:
        assert doc.startswith("<!DOCTYPE html>")
        for tag in ("html", "head", "body", "title"):
            assert checker.tags.count(tag) == 1, tag
    return checker


# ------------------------------------------------------------------ hostile input
def hostile() -> tuple[Report, Run]:
    n = 12
    epochs = list(range(1, n + 1))
    run = Run(
        epochs=epochs,
        metrics={
            "loss": [1.0 / e for e in epochs],
            "val_loss": [1.0 / e + 0.02 * e for e in epochs],
            f"acc{EVIL}": [0.5 + 0.03 * e for e in epochs],
            f"val_acc{EVIL}": [0.5 + 0.02 * e for e in epochs],
            AMP: [0.1] * n,
        },
        name=f"run{EVIL}{EVIL_ATTR}.json",
        source="fitdoctor",
        model=ModelInfo(
            name=f"model{EVIL}",
            class_name=f"Seq{EVIL_ATTR}",
            layers=[
                Layer(
                    name=f"dense{EVIL}",
                    class_name="Dense",
                    units=64,
                    activation=f"relu{EVIL_ATTR}",
                    kernel_regularizer=Regularizer(kind=f"L2{EVIL}", l2=1e-4),
                    params=4160,
                    output_shape=[None, 64],
                ),
                Layer(name=AMP, class_name="Dropout", dropout=0.5),
            ],
            params=4160,
            trainable_params=4160,
            output_activation=f"softmax{EVIL}",
        ),
        per_class=[
            PerClass(
                epoch=n,
                labels=[EVIL, EVIL_ATTR, AMP],
                precision=[0.9, 0.8, 0.7],
                recall=[0.8, 0.7, 0.6],
                f1=[0.85, 0.75, 0.65],
                support=[10, 20, 30],
                confusion=[[8, 1, 1], [2, 14, 4], [3, 9, 18]],
            )
        ],
    )
    report = fitdoctor.analyze(run)
    report.findings.insert(
        0,
        Finding(
            code=f"FD9{EVIL}",
            name=f"name{EVIL_ATTR}",
            diagnosis="unstable",
            severity=Severity.ERROR,
            message=f"message {EVIL} {AMP}\nsecond line \x1b[31m",
            epoch=3,
            evidence={f"key{EVIL}": f"value{EVIL_ATTR}", "nested": {EVIL: [AMP, 1.5]}},
            recommendations=[Recommendation(f"act{EVIL}", f"do {EVIL_ATTR} {AMP}")],
        ),
    )
    report.skipped.append(Skipped(f"FD8{EVIL}", AMP, f"no {EVIL}", f"add {EVIL_ATTR}"))
    report.notes.append(f"note {EVIL} {AMP}")
    return report, run


def test_hostile_run_cannot_inject_markup() -> None:
    report, run = hostile()
    doc = render_html(report, run)
    checker = check_html(doc)
    lowered = doc.lower()
    assert "<script" not in lowered
    assert "onerror=" not in lowered.replace("onerror=alert(2)&gt;", "")
    assert "<img src=x" not in lowered
    assert checker.tags.count("img") == 1  # the plot, nothing injected
    # every hostile string is there, as text
    text = "".join(checker.text)
    for needle in (EVIL, EVIL_ATTR, AMP, f"dense{EVIL}", f"message {EVIL} {AMP} second line"):
        assert needle in text, needle
    assert "\x1b" not in doc and "\\x1b[31m" in text
    # and the raw markup appears only escaped
    assert doc.count(html.escape(EVIL)) >= 10


def test_hostile_fragment_and_many() -> None:
    report, run = hostile()
    frag = render_fragment(report, run, plots=False)
    checker = check_html(frag, document=False)
    assert checker.tags[0] == "div" and "img" not in checker.tags
    many = render_many([(report, run), (report, None)])
    checker = check_html(many)
    assert checker.tags.count("img") == 1
    assert "<script" not in many.lower()


# ------------------------------------------------------------------ content
def test_real_run_report_content_order_and_plot() -> None:
    run = fitdoctor.load(BEFORE)
    report = fitdoctor.analyze(run)
    doc = render_html(report, run)
    check_html(doc)
    # verdict first, then best epoch, curves (with the codes on them), findings
    positions = [
        doc.index(f"<h1>{html.escape(report.verdict)}</h1>"),
        doc.index("<h2>Best epoch</h2>"),
        doc.index("<h2>Learning curves</h2>"),
        doc.index("<h2>Findings"),
    ]
    assert positions == sorted(positions)
    for f in report.findings:
        assert html.escape(f.message) in doc
        for r in f.recommendations:
            assert html.escape(r.text) in doc
    # self-contained: one embedded PNG of the expected size, nothing fetched
    (uri,) = re.findall(r'src="(data:image/png;base64,[^"]+)"', doc)
    png = base64.b64decode(uri.split(",", 1)[1])
    import matplotlib.image as mpimg

    assert mpimg.imread(io.BytesIO(png)).shape[:2] == (460, 1100)
    assert "Content-Security-Policy" in doc and "default-src 'none'" in doc
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", doc)
    assert "@import" not in doc and "url(" not in doc


def test_model_and_per_class_sections() -> None:
    report, run = hostile()
    doc = render_html(report, run, plots=False)
    text = "".join(check_html(doc).text)
    assert "Per-class metrics (validation, epoch 12)" in text
    assert "4160 parameters (4160 trainable)" in text
    assert "Confusion matrix" in text
    assert "Learning curves" not in text


def test_report_without_run_has_no_plot_section() -> None:
    run = fitdoctor.load(BEFORE)
    report = fitdoctor.analyze(run)
    doc = render_html(report)
    check_html(doc)
    assert "<img" not in doc and "Model</h2>" not in doc


def test_checker_catches_broken_html() -> None:
    """The validator used above can fail."""
    with pytest.raises(AssertionError):
        check_html(
            "<!DOCTYPE html><html><head><title>x</title></head><body><p></div></body></html>"
        )
    with pytest.raises(AssertionError):
        check_html("<div><img src=x onerror=alert(1)></div>", document=False)
    with pytest.raises(AssertionError):
        check_html("<div><script>alert(1)</script></div>", document=False)


def test_registered_as_a_format() -> None:
    from fitdoctor import reporters

    run = fitdoctor.load(BEFORE)
    report = fitdoctor.analyze(run)
    assert reporters.render(report, "html", run=run) == render_html(report, run)


# ------------------------------------------------------------------ browser
def _bench() -> Any:
    path = HERE.parent / "bench" / "html_screenshot.py"
    spec = importlib.util.spec_from_file_location("html_screenshot", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_headless_chromium_shows_the_plots(tmp_path: Path) -> None:
    bench = _bench()
    if bench.chromium() is None:
        pytest.skip("no chromium (apt-get install chromium); see bench/html_screenshot.py")
    run = fitdoctor.load(BEFORE)
    report = fitdoctor.analyze(run)
    counts = {}
    for plots in (True, False):
        page = tmp_path / f"report-{plots}.html"
        page.write_text(render_html(report, run, plots=plots), encoding="utf-8")
        png = bench.screenshot(page, tmp_path / f"shot-{plots}.png")
        counts[plots] = (
            bench.color_pixels(png, bench.TRAIN_RGB),
            bench.color_pixels(png, bench.VAL_RGB),
        )
    # with the plot: thousands of curve-coloured pixels; without it: (almost) none
    assert min(counts[True]) > 500, counts
    assert max(counts[False]) < 50, counts
