"""Self-contained HTML report: one file, no network, plots embedded.

The page leads with the verdict, then the best epoch, the learning curves with the
findings' codes marked on them (a PNG drawn by :mod:`fitdoctor.plot`, embedded as a
``data:`` URI, when the run is given and matplotlib is installed), the findings
(message, evidence, ranked recommendations), the model summary, the per-class table of the last
recorded epoch, skipped rules and notes. CSS is inline; there are no scripts, no
external fonts or images, and a Content-Security-Policy that forbids them, so the file
opens the same offline, in a CI artifact viewer or attached to an e-mail.

Every string that comes from a run file or a rule pack (metric and layer names,
messages, evidence, class labels, the source name) is cleaned of control characters
and escaped with :func:`html.escape`, so a run file cannot inject markup or script.

Example::

    from fitdoctor.reporters.html import render_html
    Path("report.html").write_text(render_html(report, run), encoding="utf-8")
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fitdoctor.report import Report, Severity
from fitdoctor.reporters import _common as c
from fitdoctor.run import MODEL_FILE

if TYPE_CHECKING:
    from fitdoctor.run import Run

__all__ = ["CSS", "render_fragment", "render_html", "render_many"]

#: Styles, scoped under ``.fitdoctor`` so the fragment can sit in a notebook page.
CSS = """
.fitdoctor { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
  Arial, sans-serif; color: #1f2328; line-height: 1.45; max-width: 1100px; margin: 0 auto;
  padding: 16px; font-size: 14px; }
.fitdoctor h1 { font-size: 22px; margin: 0 0 4px 0; }
.fitdoctor h2 { font-size: 17px; margin: 22px 0 8px 0; border-bottom: 1px solid #d0d7de;
  padding-bottom: 4px; }
.fitdoctor h3 { font-size: 15px; margin: 0 0 6px 0; }
.fitdoctor .verdict { border-radius: 8px; padding: 12px 16px; border-left: 6px solid #1a7f37;
  background: #dafbe1; }
.fitdoctor .verdict.sev-error { border-color: #cf222e; background: #ffebe9; }
.fitdoctor .verdict.sev-warning { border-color: #bf8700; background: #fff8c5; }
.fitdoctor .facts { color: #57606a; margin: 4px 0 0 0; }
.fitdoctor .finding { border: 1px solid #d0d7de; border-left: 5px solid #0969da;
  border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.fitdoctor .finding.sev-error { border-left-color: #cf222e; }
.fitdoctor .finding.sev-warning { border-left-color: #bf8700; }
.fitdoctor .badge { display: inline-block; font-size: 11px; font-weight: 600;
  text-transform: uppercase; border-radius: 10px; padding: 1px 8px; margin-right: 6px;
  color: #fff; background: #0969da; vertical-align: middle; }
.fitdoctor .badge.sev-error { background: #cf222e; }
.fitdoctor .badge.sev-warning { background: #9a6700; }
.fitdoctor .code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.fitdoctor .muted { color: #57606a; }
.fitdoctor table { border-collapse: collapse; margin: 6px 0; }
.fitdoctor th, .fitdoctor td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left;
  vertical-align: top; }
.fitdoctor th { background: #f6f8fa; }
.fitdoctor td.num { text-align: right; font-variant-numeric: tabular-nums; }
.fitdoctor ol.recs { margin: 6px 0 0 0; padding-left: 22px; }
.fitdoctor .action { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace;
  font-size: 12px; background: #eaeef2; border-radius: 4px; padding: 0 4px; }
.fitdoctor img.curves { max-width: 100%; height: auto; border: 1px solid #d0d7de;
  border-radius: 6px; }
.fitdoctor pre { background: #f6f8fa; padding: 8px 10px; border-radius: 6px; overflow-x: auto; }
.fitdoctor footer { color: #57606a; font-size: 12px; margin-top: 28px; }
.fitdoctor .report + .report { border-top: 3px double #d0d7de; margin-top: 28px;
  padding-top: 12px; }
"""

#: No scripts, no network: only inline styles and ``data:`` images may load.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def esc(value: object) -> str:
    r"""A string from the run, safe as HTML text or attribute value.

    Control characters are shown as ``\xNN`` (:func:`fitdoctor.reporters._common.clean`),
    then ``& < > " '`` become entities.
    """
    return html.escape(c.clean(value), quote=True)


def _sev_class(severity: Severity | None) -> str:
    # Severity values are a fixed vocabulary, never run-derived.
    return f"sev-{severity.value}" if severity is not None else "sev-ok"


def _verdict_class(report: Report) -> str:
    if not any(f.severity is not Severity.INFO for f in report.findings):
        return "sev-ok"
    return _sev_class(report.worst())


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], numeric: set[int]) -> str:
    """A table; header and cells must already be escaped."""
    out = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"]
    for row in rows:
        cells = "".join(
            f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


# ------------------------------------------------------------------ sections
def _header(report: Report) -> str:
    facts = " · ".join(esc(f) for f in c.header_facts(report))
    return (
        f'<header class="verdict {_verdict_class(report)}">\n'
        f"<h1>{esc(report.verdict)}</h1>\n"
        f'<p class="facts"><span class="code">{esc(report.source)}</span> · {facts}</p>\n'
        "</header>"
    )


def _best(report: Report) -> str:
    if report.best_epoch is None:
        return ""
    summary, past = c.best_epoch_sentences(report.best_epoch)
    out = ['<section class="best">', "<h2>Best epoch</h2>", f"<p>{esc(summary)}"]
    if past is not None and c.keras_code(report):
        out[-1] += f"; {esc(past)}. Keep it with:</p>"
        out.append(f'<pre class="code">{esc(c.early_stopping_call(report.best_epoch))}</pre>')
    elif past is not None:
        out[-1] += f"; {esc(past)}.</p>"
    else:
        out[-1] += ".</p>"
    out.append("</section>")
    return "\n".join(out)


def _findings(report: Report) -> str:
    out = ['<section class="findings">', f"<h2>Findings ({len(report.findings)})</h2>"]
    if not report.findings:
        out.append('<p class="muted">No problems found.</p>')
    shared = report.shared_evidence()
    for f in report.findings:
        sev = _sev_class(f.severity)
        epoch = f' <span class="muted">at epoch {f.epoch}</span>' if f.epoch is not None else ""
        if (folds := c.folds_text(f)) is not None:
            epoch += f' <span class="muted">{esc(folds)}</span>'
        out.append(f'<article class="finding {sev}">')
        out.append(
            f'<h3><span class="badge {sev}">{esc(f.severity.value)}</span>'
            f'<span class="code">{esc(f.code)}</span> {esc(f.name)} '
            f'<span class="muted">({esc(f.diagnosis)})</span>{epoch}</h3>'
        )
        out.append(f'<p class="message">{esc(f.message)}</p>')
        own = report.own_evidence(f, shared)
        if any(v is not None for v in own.values()):
            # unknown measurements (None) fill no row: they only matter to templates
            rows = [(esc(k), esc(c.fmt_value(v))) for k, v in own.items() if v is not None]
            out.append("<details open><summary>Evidence</summary>")
            out.append(_table(("measurement", "value"), rows, {1}))
            out.append("</details>")
        if c.takes_shared(f, shared):
            out.append('<p class="muted">And the shared evidence below.</p>')
        if f.recommendations:
            out.append('<ol class="recs">')
            for r in f.recommendations:
                out.append(f'<li><span class="action">{esc(r.action)}</span> {esc(r.text)}</li>')
            out.append("</ol>")
        out.append("</article>")
    if shared.values:
        heading = c.shared_heading(shared)
        rows = [(esc(k), esc(c.fmt_value(v))) for k, v in shared.values.items()]
        out.append('<article class="shared">')
        out.append(f"<h3>{esc(heading[0].upper() + heading[1:])}</h3>")
        out.append(_table(("measurement", "value"), rows, {1}))
        out.append("</article>")
    out.append("</section>")
    return "\n".join(out)


def _curves(report: Report, run: Run | None, plots: bool) -> str:
    if not plots or run is None or run.source == MODEL_FILE:  # a saved model has no curves
        return ""
    from fitdoctor.errors import FitDoctorError

    try:
        from fitdoctor.plot import figure_png

        png = figure_png(run, report)
    except ImportError:
        body = '<p class="muted">Plots need matplotlib: pip install "fitdoctor[plot]".</p>'
    except FitDoctorError as exc:
        body = f'<p class="muted">No plot: {esc(exc)}.</p>'
    else:
        data = base64.b64encode(png).decode("ascii")
        alt = (
            f"Learning curves of {c.clean(report.source)}: training and validation per epoch, "
            "with the best epoch and findings marked"
        )
        body = f'<img class="curves" alt="{esc(alt)}" src="data:image/png;base64,{data}">'
    return f'<section class="curves">\n<h2>Learning curves</h2>\n{body}\n</section>'


def _dropout_cell(layer: Any) -> str:
    """A layer's dropout, and a recurrent layer's ``recurrent_dropout`` beside it."""
    parts = [esc(c.fmt_value(layer.dropout))] if layer.dropout else []
    if layer.recurrent_dropout:
        parts.append(f"recurrent {esc(c.fmt_value(layer.recurrent_dropout))}")
    return ", ".join(parts)


def _reg(r: Any) -> str:
    if r is None:
        return ""
    parts = [esc(r.kind)]
    if r.l1:
        parts.append(f"l1={esc(c.fmt_value(r.l1))}")
    if r.l2:
        parts.append(f"l2={esc(c.fmt_value(r.l2))}")
    return " ".join(parts)


def _model(run: Run | None) -> str:
    if run is None:
        return ""
    out: list[str] = []
    facts: list[tuple[str, str]] = []
    if run.compile is not None:
        cp = run.compile
        facts += [
            ("loss", esc(cp.loss) if cp.loss else ""),
            ("optimizer", esc(cp.optimizer) if cp.optimizer else ""),
            ("learning rate", esc(c.fmt_value(cp.learning_rate)) if cp.learning_rate else ""),
            ("metrics", esc(", ".join(str(m) for m in cp.metrics))),
        ]
    if run.fit is not None:
        ft = run.fit
        facts += [
            ("epochs asked", esc(c.fmt_value(ft.epochs)) if ft.epochs is not None else ""),
            ("batch size", esc(c.fmt_value(ft.batch_size)) if ft.batch_size is not None else ""),
            ("validation", esc(ft.validation) if ft.validation else ""),
        ]
    if run.data is not None:
        d = run.data
        for label, value in (
            ("task", d.task),
            ("label encoding", d.label_encoding),
            ("training samples", d.n_train),
            ("validation samples", d.n_val),
            ("features", d.n_features),
            ("classes", d.n_classes),
            ("training class counts", d.train_class_counts),
        ):
            if value is not None:
                facts.append((label, esc(c.fmt_value(value, max_items=20))))
    facts = [(k, v) for k, v in facts if v]
    m = run.model
    if m is None and not facts:
        return ""
    out.append('<section class="model">')
    out.append("<h2>Model</h2>")
    if m is not None:
        title = f"{esc(m.name)} <span class=\"muted\">{esc(m.class_name)}</span>"
        bits = [title]
        if m.params:
            bits.append(
                f"{esc(c.fmt_value(m.params))} parameters "
                f"({esc(c.fmt_value(m.trainable_params))} trainable)"
            )
        if m.output_activation:
            bits.append(f"output activation {esc(m.output_activation)}")
        out.append(f"<p>{' · '.join(bits)}</p>")
        if m.layers:
            rows = [
                (
                    esc(layer.path or layer.name),
                    esc(layer.class_name),
                    esc(c.fmt_value(layer.units)) if layer.units is not None else "",
                    esc(layer.activation) if layer.activation else "",
                    _reg(layer.kernel_regularizer),
                    _dropout_cell(layer),
                    esc(c.fmt_value(layer.output_shape)) if layer.output_shape else "",
                    esc(c.fmt_value(layer.params)),
                )
                for layer in m.layers
            ]
            out.append(
                _table(
                    ("layer", "class", "units", "activation", "kernel regularizer", "dropout",
                     "output shape", "params"),
                    rows,
                    {2, 7},
                )
            )
    if facts:
        out.append(_table(("setting", "value"), facts, set()))
    out.append("</section>")
    return "\n".join(out)


def _per_class(run: Run | None) -> str:
    if run is None or not run.per_class:
        return ""
    pc = max(run.per_class, key=lambda p: p.epoch)
    rows = []
    for i, label in enumerate(pc.labels):
        def at(values: Sequence[Any]) -> str:
            return esc(c.fmt_value(values[i])) if i < len(values) else ""  # noqa: B023

        rows.append((esc(label), at(pc.precision), at(pc.recall), at(pc.f1), at(pc.support)))
    out = [
        '<section class="per-class">',
        f"<h2>Per-class metrics (validation, epoch {pc.epoch})</h2>",
        _table(("class", "precision", "recall", "F1", "support"), rows, {1, 2, 3, 4}),
    ]
    if pc.threshold is not None:
        out.append(
            f"<p>Decision threshold maximising F1: {esc(c.fmt_value(pc.threshold))} "
            f"(F1 {esc(c.fmt_value(pc.threshold_f1))}).</p>"
        )
    if pc.confusion and len(pc.confusion) <= 20:
        header = ["true \\ predicted", *(esc(label) for label in pc.labels)]
        crow = [
            (esc(pc.labels[i]) if i < len(pc.labels) else str(i), *(esc(v) for v in row))
            for i, row in enumerate(pc.confusion)
        ]
        out.append("<details><summary>Confusion matrix</summary>")
        out.append(_table(header, crow, set(range(1, len(header)))))
        out.append("</details>")
    out.append("</section>")
    return "\n".join(out)


def _skipped_and_notes(report: Report) -> str:
    out: list[str] = []
    if report.skipped:
        out.append('<section class="skipped">')
        out.append(
            f"<details><summary>{esc(c.plural(len(report.skipped), 'rule'))} could not run"
            "</summary><ul>"
        )
        for group in c.group_skipped(report.skipped):
            what, hint = c.skipped_line(group)
            hint_html = f' <span class="muted">({esc(hint)})</span>' if hint else ""
            out.append(f"<li>{esc(what)}{hint_html}</li>")
        out.append("</ul></details></section>")
    if report.notes:
        out.append('<section class="notes"><h2>Notes</h2><ul>')
        out += [f"<li>{esc(n)}</li>" for n in report.notes]
        out.append("</ul></section>")
    return "\n".join(out)


def _report_section(report: Report, run: Run | None, plots: bool) -> str:
    parts = [
        _header(report),
        _best(report),
        _curves(report, run, plots),  # the picture first: the findings' codes are on it
        _findings(report),
        _model(run),
        _per_class(run),
        _skipped_and_notes(report),
    ]
    return '<div class="report">\n' + "\n".join(p for p in parts if p) + "\n</div>"


def _footer() -> str:
    from fitdoctor import __version__
    from fitdoctor.report import REPORT_SCHEMA

    return (
        f"<footer>fitdoctor {esc(__version__)} · {esc(REPORT_SCHEMA)} · "
        "self-contained: no scripts, no network.</footer>"
    )


def render_fragment(report: Report, run: Run | None = None, *, plots: bool = True) -> str:
    """The report as an HTML fragment with its own scoped ``<style>`` (for notebooks).

    Args:
        report: The report.
        run: The analyzed run (curves, model, per-class table). Defaults to `None`.
        plots: Embed the learning-curve plot when the run is given. Defaults to `True`.

    Returns:
        A ``<div class="fitdoctor">`` element.
    """
    return (
        f'<div class="fitdoctor">\n<style>{CSS}</style>\n'
        f"{_report_section(report, run, plots)}\n{_footer()}\n</div>\n"
    )


def _document(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n"
        f'<body>\n<main class="fitdoctor">\n{body}\n{_footer()}\n</main>\n</body>\n</html>\n'
    )


def render_html(report: Report, run: Run | None = None, *, plots: bool = True) -> str:
    """The report as one self-contained HTML document.

    Args:
        report: The report.
        run: The analyzed run (curves, model, per-class table). Defaults to `None`
            (findings only).
        plots: Embed the learning-curve plot when the run is given. Defaults to `True`.

    Returns:
        The HTML document.
    """
    return _document(
        f"fitdoctor: {esc(report.source)}: {esc(report.verdict)}",
        _report_section(report, run, plots),
    )


def render_many(
    items: Sequence[tuple[Report, Run | None]], *, width: int = 100, color: bool = False
) -> str:
    """Several reports as one HTML document, one section per report.

    Args:
        items: ``(report, run)`` pairs; a run adds its curves, model and per-class table.
        width: Ignored. Defaults to `100`.
        color: Ignored. Defaults to `False`.

    Returns:
        The HTML document.
    """
    del width, color
    if len(items) == 1:
        return render_html(items[0][0], items[0][1])
    title = f"fitdoctor: {esc(c.totals([r for r, _ in items]))}"
    body = "\n".join(_report_section(r, run, True) for r, run in items)
    return _document(title, f"<h1>{title}</h1>\n{body}")
