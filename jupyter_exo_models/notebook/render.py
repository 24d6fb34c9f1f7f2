"""HTML and plain-text renderings shared by the widgets and the magics (no widget code here)."""

from __future__ import annotations

import html
import json
import shlex
from collections.abc import Iterable, Sequence
from typing import Any

from ..core.config import current_endpoints, validate_zone
from ..core.deploy_preflight import DeploymentReport
from ..core.deployments import DeploymentJob
from ..core.endpoint import ChatReply
from ..core.errors import ExoModelsError
from ..core.exoscale.models import Deployment, Model
from ..core.fixes import Action
from ..core.hub import check_repo_id
from ..core.ids import refuse_wrapped_repo_id
from ..core.imports import ImportJob
from ..core.preflight import CheckResult, PreflightReport, field_label, human_bytes, human_count

# plain symbols with colors: every font has them (emoji fonts are missing on many Linux desktops)
ICONS = {
    "pass": "<span style='color:#1a7f37'>✔</span>",
    "warn": "<span style='color:#bf8700'>⚠</span>",
    "fail": "<span style='color:#cf222e'>✘</span>",
    "skip": "<span style='color:#6e7781'>–</span>",
}
STATE_COLORS = {
    "creating": "#1f6feb",
    "downloading": "#8250df",
    "created": "#1a7f37",
    "ready": "#1a7f37",
    "error": "#cf222e",
    "stopped": "#6e7781",
    "timeout": "#6e7781",
    "importing": "#1f6feb",
    "deploying": "#8250df",
    "scaling": "#8250df",
}
TIMELINE = ("creating", "downloading", "created")
DEPLOY_TIMELINE = ("creating", "deploying", "ready")
LOG_TAIL = 10  # log lines a failure shows (the job keeps 50)
esc = html.escape


def bundle(text: str, html_text: str) -> dict[str, str]:
    """A display bundle: every rich display carries its plain-text fallback."""
    return {"text/plain": text, "text/html": html_text}


def phrase(action: Action) -> str | None:
    """What does a fix's ``action`` in a notebook: a magic, a call or a ``!`` shell command (None when the
    fix's words say it all). Magic and shell arguments are shell-quoted, as IPython splits them."""
    q, args = shlex.quote, action.args
    if action.kind == "delete-model":
        return f"%exo_delete {q(args['model'])} --zone {q(args['zone'])}"
    if action.kind == "attach":
        return f"jupyter_exo_models.attach({args['model']!r}, zone={args['zone']!r})"
    if action.kind == "list-models":
        return f"%exo_models --zone {q(args['zone'])}"
    if action.kind == "delete-deployments" and args["names"]:  # one magic a line: a cell runs them all
        return "\n".join(f"%exo_undeploy {q(n)} --yes --zone {q(args['zone'])}" for n in args["names"])
    if action.kind == "attach-deployment":  # no magic attaches: %exo_deploy needs the model
        return f"jupyter_exo_models.attach_deployment({args['deployment']!r}, zone={args['zone']!r})"
    if action.kind == "scale-deployment":
        return f"%exo_scale {q(args['deployment'])} {int(args['replicas'])} --zone {q(args['zone'])}"
    if action.kind == "deploy":
        gpus = (
            f" --gpu-type {q(args['gpu_type'])} --gpu-count {int(args['gpu_count'])}"
            if "gpu_type" in args
            else ""
        )
        return f"%exo_deploy {q(args['model'])} --zone {q(args['zone'])}{gpus}"
    if action.kind in ("login-hf", "login-exoscale"):
        return "%exo_login"
    return None  # use-id, accept-terms, retry-later: the fix names the id, the page, the wait


def problem(
    message: str,
    fix: str = "",
    action: Action | None = None,
    *,
    lead: str = "",
    mark: str = "",
    tint: bool = True,
) -> tuple[str, str]:
    """A message, its fix and the fix's action as this face phrases it: (plain text, escaped HTML).

    The notebook's one rendering of them (errors, check rows, diagnoses, the batch table, login):
    ``lead`` is bold text before the message, ``mark`` HTML before it (an icon), ``tint`` colors it red.
    """
    command = phrase(action) if action else None
    text = f"{lead} {message}" if lead else message
    run = command.replace("\n", "\n       ") if command else ""  # a command a line, aligned
    text += (f"\n  fix: {fix}" if fix else "") + (f"\n  run: {run}" if command else "")
    body = mark + (f"<b>{esc(lead)}</b> " if lead else "") + esc(message)
    body += f"<div style='opacity:0.8'>fix: {esc(fix)}</div>" if fix else ""
    body += f"<div><code>{esc(command).replace(chr(10), '<br>')}</code></div>" if command else ""
    return text, f"<div style='color:#cf222e'>{body}</div>" if tint else f"<div>{body}</div>"


def error_bundle(exc: ExoModelsError) -> dict[str, str]:
    """An error's message and fix, as the magics and login() show it in place of a traceback."""
    text, html_text = problem(exc.message, exc.fix, exc.action)
    return bundle(f"error: {text}", html_text)


def error_html(exc: ExoModelsError) -> str:
    return problem(exc.message, exc.fix, exc.action)[1]


def sandbox_badge(sandbox: bool) -> str:
    return (
        (
            "<span style='background:#bf8700;color:white;border-radius:4px;padding:1px 6px;"
            "font-size:0.8em;font-weight:bold'>SANDBOX</span> "
        )
        if sandbox
        else ""
    )


def check_rows_html(checks: Iterable[CheckResult]) -> str:
    rows = []
    for c in checks:
        shows_fix = c.status in ("fail", "warn")
        cell = problem(c.message, c.fix if shows_fix else "", c.action if shows_fix else None, tint=False)[1]
        rows.append(
            f"<tr><td>{ICONS[c.status]}</td><td><code>{esc(c.id)}</code></td>"
            f"<td style='text-align:left'>{cell}</td></tr>"
        )
    return "<table style='border-collapse:collapse'>" + "".join(rows) + "</table>"


def report_html(report: PreflightReport) -> str:
    verdict = (
        "<b style='color:#1a7f37'>Ready to import</b>"
        if report.ok
        else f"<b style='color:#cf222e'>{len(report.failures)} problem(s) to fix before importing</b>"
    )
    head = (
        f"<div>{sandbox_badge(report.sandbox)}<b>{esc(report.model)}</b> "
        f"in {esc(report.zone)}: {verdict}</div>"
    )
    return head + check_rows_html(report.checks)


def report_bundle(report: PreflightReport) -> dict[str, str]:
    return bundle(report.text(phrase), report_html(report))


def gate_html(data: dict[str, Any]) -> str:
    """The gate as the Hub will show it: heading, prompt, fields, and where to accept."""
    fields = "".join(f"<li>{esc(field_label(f))}</li>" for f in data.get("fields") or ())
    pending = data.get("state") == "pending"
    action = (
        "Your request is <b>pending approval</b> by the repo authors."
        if pending
        else f"<a href='{esc(data.get('url', ''))}' target='_blank' rel='noopener'>Open the model page and "
        f"{esc(data.get('button_content') or 'accept the conditions')}</a>, then re-check."
    )
    return (
        f"<div style='border-left:4px solid #bf8700;padding:4px 8px;margin:4px 0'>"
        f"<b>{esc(data.get('heading') or 'This model is gated')}</b>"
        f"<p>{esc(data.get('prompt') or '')}</p>"
        + (f"<div>The Hub will ask for:<ul>{fields}</ul></div>" if fields else "")
        + f"<div>{action}</div></div>"
    )


def facts_html(report: PreflightReport) -> str:
    size, lic = report["size"], report["license"]
    if size.status == "skip":
        return ""
    params = human_count(size.data.get("parameters")) if size.data.get("parameters") else "?"
    return (
        f"<div>Size: <b>{human_bytes(size.data.get('bytes'))}</b> · parameters: <b>{params}</b> · "
        f"license: <b>{esc(str(lic.data.get('license') or 'not stated'))}</b></div>"
        f"<div style='opacity:0.8;font-size:0.9em'>{esc(lic.message.split('. ', 1)[-1])}</div>"
    )


def steps_html(timeline: Iterable[str], job: Any) -> str:
    """``a → b → c``: the steps reached colored, the current one bold, an off-timeline state appended."""
    state, timeline = job.state, tuple(timeline)
    reached = {e.state for e in job.events}
    steps = []
    for step in timeline:
        color = STATE_COLORS[step] if step in reached or step == state else "#afb8c1"
        weight = "bold" if step == state else "normal"
        steps.append(f"<span style='color:{color};font-weight:{weight}'>{step}</span>")
    if state not in timeline:
        steps.append(
            f"<span style='color:{STATE_COLORS.get(state, '#cf222e')};font-weight:bold'>{esc(state)}</span>"
        )
    return " → ".join(steps)


def timeline_html(job: ImportJob) -> str:
    size = f" · {human_bytes(job.model.size)}" if job.model and job.model.size else ""
    last = job.last_event.message if job.last_event and job.last_event.message else ""
    message = f"<div>{esc(last)}</div>" if last else ""
    return (
        f"<div><b>{esc(job.name)}</b> in {esc(job.zone)}"
        f"{' (attached to an existing import)' if job.attached else ''}"
        f"</div><div>{steps_html(TIMELINE, job)} · {job.elapsed:.0f} s{size}</div>{message}"
    )


def timeline_text(job: ImportJob) -> str:
    size = f", {human_bytes(job.model.size)}" if job.model and job.model.size else ""
    last = f"\n{job.last_event.message}" if job.last_event and job.last_event.message else ""
    return f"{job.name} in {job.zone}: {job.state} ({job.elapsed:.0f} s{size}){last}"


def table_bundle(
    header: tuple[str, ...], rows: Sequence[tuple[str, ...]], errors: dict[str, Any] | None, empty: str
) -> dict[str, str]:
    """A listing (its third column a state, colored), and the zones that failed to answer."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    text = "\n".join("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip() for r in [header, *rows])
    cells = "".join(
        "<tr>"
        + "".join(
            "<td style='text-align:left'>"
            + (
                f"<span style='color:{STATE_COLORS.get(v, 'inherit')};font-weight:bold'>{esc(str(v))}</span>"
                if i == 2
                else esc(str(v))
            )
            + "</td>"
            for i, v in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    head = "".join(f"<th style='text-align:left'>{h}</th>" for h in header)
    notes = "".join(
        f"<div style='color:#cf222e'>{esc(z)}: {esc(e.message)}</div>" for z, e in (errors or {}).items()
    )
    if not rows:
        return bundle(
            empty + "".join(f"\n{z}: {e.message}" for z, e in (errors or {}).items()),
            f"<i>{esc(empty)}</i>" + notes,
        )
    return bundle(text, f"<table><tr>{head}</tr>{cells}</table>{notes}")


def models_bundle(models: list[Model], errors: dict[str, Any] | None = None) -> dict[str, str]:
    header = ("NAME", "ZONE", "STATE", "SIZE", "CREATED", "ID")
    rows = [
        (m.name, m.zone, m.state, human_bytes(m.size) if m.size else "-", m.created_at or "-", m.id)
        for m in models
    ]
    return table_bundle(header, rows, errors, "No models.")


def exo_command(model_id: str, zone: str) -> str | None:
    """The equivalent exo CLI command, or None for an id or zone no command should carry.

    Every argument is shell-quoted (an id is typed by the user: ``org/m;curl … | sh`` must stay one
    argument, and is refused anyway); the token is always the shell variable, never its value.
    """
    try:
        refuse_wrapped_repo_id(model_id)
        check_repo_id(model_id)
        validate_zone(zone)
    except ExoModelsError:
        return None
    create = " ".join(
        shlex.quote(word) for word in ("exo", "dedicated-inference", "model", "create", model_id)
    )
    return f'{create} --huggingface-token "$HF_TOKEN" -z {shlex.quote(zone)}'


# -- deployments ---------------------------------------------------------------------------------------
def deploy_report_text(report: DeploymentReport) -> str:
    return report.text(phrase)  # with the import's checks when deploy imports it first


def deploy_report_html(report: DeploymentReport) -> str:
    failures = len(report.all_failures)
    verdict = (
        "<b style='color:#1a7f37'>Ready to deploy</b>"
        if report.ok
        else f"<b style='color:#cf222e'>{failures} problem(s) to fix before deploying</b>"
    )
    plan = report.plan
    chosen = (
        f"<div style='opacity:0.8'>{esc(plan.reason)}</div>" if plan and plan.chosen and plan.reason else ""
    )
    html_text = (
        f"<div>{sandbox_badge(report.sandbox)}<b>{esc(report.model)}</b> in {esc(report.zone)}: "
        f"{verdict}</div>" + chosen + check_rows_html(report.checks)
    )
    if report.needs_import and report.import_report is not None:
        html_text += "<div><b>Import checks</b> (it is imported first)</div>"
        html_text += check_rows_html(report.import_report.checks)
    return html_text


def deploy_report_bundle(report: DeploymentReport) -> dict[str, str]:
    return bundle(deploy_report_text(report), deploy_report_html(report))


def usage_code(name: str, zone: str) -> str:
    """Python that uses the endpoint without its key (fetched from Exoscale on demand)."""
    where = f"{json.dumps(name)}, zone={json.dumps(zone)}"
    return (
        "import jupyter_exo_models as jem\n"
        f'jem.endpoint({where}).chat("Hello")\n'
        "# or the OpenAI client (pip install 'jupyter_exo_models[openai]'):\n"
        f"client = jem.endpoint({where}).openai_client()"
    )


def _gpus(job: DeploymentJob) -> str:
    d, plan = job.deployment, job.report.plan if job.report else None
    family = (d.gpu_type if d else None) or (plan.gpu_type if plan else None)
    count = (d.gpu_count if d else None) or (plan.gpu_count if plan else None)
    return f"{family} × {count or 1}" if family else ""


def deployment_text(job: DeploymentJob) -> str:
    """A deployment job's state in plain text: the timeline's words, then the endpoint or the diagnosis."""
    gpus = f", {_gpus(job)}" if _gpus(job) else ""
    lines = [f"{job.name} in {job.zone}: {job.state} ({job.elapsed:.0f} s{gpus})"]
    d = job.deployment
    if d is not None and d.state_details and job.state != "ready" and job.diagnosis is None:
        lines.append(f"  {d.state_details}")
    if job.last_event and job.last_event.message and not job.last_event.final:
        lines.append(f"  {job.last_event.message}")
    if job.state == "ready" and d is not None and d.url:
        lines.append(f"  url: {d.url}")
        smoke = job.smoke_test
        if smoke is not None:
            lines.append(f"  model: {smoke.model}")
            lines.append(f"  smoke test ({smoke.latency_ms:.0f} ms): {smoke.text}")
        lines.append("  use it: " + usage_code(job.name, job.zone).replace("\n", "\n          "))
    lines.extend(_failure(job)[0])
    return "\n".join(lines)


def _failure(job: DeploymentJob) -> tuple[list[str], str]:
    """The diagnosis (or the error) and the last log lines: (text lines, HTML)."""
    if not job.done:
        return [], ""
    d = job.diagnosis
    if d is not None:
        text, html_text = problem(d.message, d.fix, d.action, lead=f"Diagnosis ({d.cause}):")
    elif job.error is not None:
        text, html_text = problem(job.error.message, job.error.fix, job.error.action)
    else:
        return [], ""
    logs = list(job.logs[-LOG_TAIL:])
    lines = text.splitlines() + [f"  log: {line}" for line in logs]
    if logs:
        html_text += (
            f"<details><summary>Last {len(logs)} log lines</summary>"
            f"<pre style='white-space:pre-wrap;font-size:0.85em'>{esc(chr(10).join(logs))}</pre></details>"
        )
    return lines, html_text


def deployment_html(job: DeploymentJob, *, endpoint: bool = True) -> str:
    """The timeline; once ready, the endpoint and the smoke test too (unless ``endpoint`` is false: the
    deploy panel shows them with its controls)."""
    timeline = (("importing",) if job.import_job is not None else ()) + DEPLOY_TIMELINE
    gpus = f" on {esc(_gpus(job))}" if _gpus(job) else ""
    attached = " (attached to an existing deployment)" if job.attached else ""
    d = job.deployment
    details = (
        f"<div style='opacity:0.8'>{esc(d.state_details)}</div>"
        if d is not None and d.state_details and job.state != "ready" and job.diagnosis is None
        else ""
    )
    last = job.last_event
    message = f"<div>{esc(last.message)}</div>" if last and last.message and not last.final else ""
    html_text = (
        f"<div>{sandbox_badge(current_endpoints().sandbox)}<b>{esc(job.name)}</b> in {esc(job.zone)}"
        f"{gpus}{attached}</div>"
        f"<div>{steps_html(timeline, job)} · {job.elapsed:.0f} s</div>{details}{message}"
    )
    if endpoint and job.state == "ready" and d is not None and d.url:
        html_text += ready_html(d, job.smoke_test)
    return html_text + _failure(job)[1]


def ready_html(d: Deployment, smoke: ChatReply | None) -> str:
    model = smoke.model if smoke else d.model_name or "?"
    html_text = (
        f"<div>Endpoint: <code>{esc(d.url or '')}</code> · model <code>{esc(model)}</code> · "
        f"{d.replicas if d.replicas is not None else '?'} replica(s)</div>"
    )
    if smoke is not None:
        html_text += (
            f"<div>Smoke test answered in <b>{smoke.latency_ms:.0f} ms</b>: <i>{esc(smoke.text)}</i></div>"
        )
    return html_text


def deployment_bundle(job: DeploymentJob) -> dict[str, str]:
    html_text = deployment_html(job)
    if job.state == "ready" and job.deployment is not None and job.deployment.url:
        html_text += f"<pre>{esc(usage_code(job.name, job.zone))}</pre>"
    return bundle(deployment_text(job), html_text)


def deployments_bundle(deployments: list[Deployment], errors: dict[str, Any] | None = None) -> dict[str, str]:
    header = ("NAME", "ZONE", "STATE", "GPUS", "REPLICAS", "URL")
    rows = [
        (
            d.name,
            d.zone,
            d.state,
            f"{d.gpu_type or '?'} × {d.gpu_count or '?'}",
            str(d.replicas if d.replicas is not None else "?"),
            d.url or "-",
        )
        for d in deployments
    ]
    return table_bundle(header, rows, errors, "No deployments.")


def chat_bundle(reply: ChatReply) -> dict[str, str]:
    said = f"{reply.model} · {reply.latency_ms:.0f} ms"
    return bundle(
        f"{reply.text}\n({said})",
        f"<div style='white-space:pre-wrap'>{esc(reply.text)}</div>"
        f"<div style='opacity:0.7'>{esc(said)}</div>",
    )
