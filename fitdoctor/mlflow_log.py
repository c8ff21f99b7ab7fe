"""Write fitdoctor's verdicts back to the MLflow runs they judge (``--mlflow-log``).

Each MLflow run read from ``mlflow:EXPERIMENT`` (:mod:`fitdoctor.readers.mlflow_store`)
gets, in the store it came from:

* the tags (:data:`TAGS`)

  - ``fitdoctor.verdict``: the report's verdict (``overfitting (1 error)``);
  - ``fitdoctor.findings``: the finding codes, comma-separated, most severe first (empty
    for a healthy run);
  - ``fitdoctor.severity``: the worst severity, ``error``, ``warning``, ``info``, or
    ``none``;
  - ``fitdoctor.best_epoch``: the epoch to keep, when validation data allows judging;
  - ``fitdoctor.finding.<CODE>``: ``<severity>: <message>`` for each finding;
  - ``fitdoctor.version``;

  so that the MLflow UI's search finds them
  (``tags.fitdoctor.severity = 'error'``, ``tags.fitdoctor.findings LIKE '%FD101%'``);
  ``fitdoctor.finding.*`` tags of an earlier analysis that no longer fire are deleted;
* the artifacts ``fitdoctor/report.html`` (the HTML report, curves embedded) and
  ``fitdoctor/report.json`` (the ``fitdoctor.report/1`` contract).

An MLflow run that holds several fits (read as several fitdoctor runs) gets one set of
tags, each fit's verdict prefixed with ``fit N:``, and one report with a section per fit.
Runs that did not come from MLflow are left alone. MLflow is imported here only when
something is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fitdoctor.report import Report
    from fitdoctor.run import Run

__all__ = ["ARTIFACT_DIR", "TAGS", "TAG_PREFIX", "log_reports", "mlflow_origin", "tags_for"]

#: Prefix of every tag fitdoctor writes.
TAG_PREFIX = "fitdoctor."
#: The tags written to every run (``fitdoctor.best_epoch`` only when there is one).
TAGS = (
    "fitdoctor.verdict",
    "fitdoctor.findings",
    "fitdoctor.severity",
    "fitdoctor.best_epoch",
    "fitdoctor.version",
)
#: One tag per finding code: ``fitdoctor.finding.FD101``.
FINDING_TAG = TAG_PREFIX + "finding."
#: Folder of the run's artifacts where the reports go.
ARTIFACT_DIR = "fitdoctor"

#: Longest tag value written (MLflow accepts 8000 characters since 2.x, 5000 before).
_MAX_TAG = 5000


def mlflow_origin(run: Run | None) -> dict[str, str] | None:
    """Where a run came from in MLflow (``tracking_uri``, ``run_id``...), or ``None``."""
    if run is None:
        return None
    origin = run.meta.get("mlflow")
    if isinstance(origin, dict) and origin.get("run_id") and origin.get("tracking_uri"):
        return {str(k): str(v) for k, v in origin.items()}
    return None


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_TAG else text[: _MAX_TAG - 3] + "..."


def tags_for(reports: Sequence[Report]) -> dict[str, str]:
    """The tags that describe the reports of one MLflow run (one per fit it holds).

    Args:
        reports: The reports, in fit order (usually one).

    Returns:
        Tag name → value.
    """
    from fitdoctor import __version__

    several = len(reports) > 1
    verdicts = [
        f"fit {i + 1}: {r.verdict}" if several else r.verdict for i, r in enumerate(reports)
    ]
    codes: list[str] = []
    messages: dict[str, list[str]] = {}
    worst = None
    for i, report in enumerate(reports):
        for f in report.findings:
            if f.code not in codes:
                codes.append(f.code)
            where = f"fit {i + 1}: " if several else ""
            messages.setdefault(f.code, []).append(f"{where}{f.severity.value}: {f.message}")
            if worst is None or f.severity.rank > worst.rank:
                worst = f.severity
    tags = {
        "fitdoctor.verdict": "; ".join(verdicts),
        "fitdoctor.findings": ",".join(codes),
        "fitdoctor.severity": worst.value if worst is not None else "none",
        "fitdoctor.version": __version__,
    }
    best = [r.best_epoch for r in reports]
    if not several and best[0] is not None:
        tags["fitdoctor.best_epoch"] = str(best[0].epoch)
    for code, lines in messages.items():
        tags[FINDING_TAG + code] = "; ".join(lines)
    return {k: _cut(v) for k, v in tags.items()}


def log_reports(items: Sequence[tuple[Report, Run | None]]) -> list[str]:
    """Write each MLflow run's verdict, findings and reports back to its store.

    Args:
        items: ``(report, run)`` pairs as ``fitdoctor analyze`` made them; runs that did
            not come from MLflow are skipped.

    Returns:
        The MLflow run ids written to, in order.

    Raises:
        MissingDependency: MLflow is not installed.
        InputError: A store refused a write (the message names the run).
    """
    groups: dict[tuple[str, str], list[tuple[Report, Run | None]]] = {}
    for report, run in items:
        origin = mlflow_origin(run)
        if origin is not None:
            groups.setdefault((origin["tracking_uri"], origin["run_id"]), []).append(
                (report, run)
            )
    clients: dict[str, Any] = {}
    written: list[str] = []
    for (uri, run_id), group in groups.items():
        _write(clients, uri, run_id, group)
        written.append(run_id)
    return written


def _write(
    clients: dict[str, Any], uri: str, run_id: str, group: list[tuple[Report, Run | None]]
) -> None:
    from fitdoctor import reporters
    from fitdoctor.readers.mlflow_store import open_client, store_errors

    display = f"MLflow run {run_id}"
    if uri not in clients:
        clients[uri] = open_client(display, uri)[0]
    client = clients[uri]
    tags = tags_for([report for report, _ in group])
    html = reporters.render_many(group, "html")
    json_text = reporters.render_many(group, "json")
    with store_errors(display, uri, "write to"):
        from mlflow.entities import RunTag

        existing = client.get_run(run_id).data.tags
        client.log_batch(run_id, tags=[RunTag(k, v) for k, v in tags.items()])
        for key in existing:
            stale = key.startswith(FINDING_TAG) or key == "fitdoctor.best_epoch"
            if stale and key not in tags:
                client.delete_tag(run_id, key)
        client.log_text(run_id, html, f"{ARTIFACT_DIR}/report.html")
        client.log_text(run_id, json_text, f"{ARTIFACT_DIR}/report.json")
