"""HTML and plain-text renderings shared by the widgets and the magics (no widget code here)."""

from __future__ import annotations

import html
import shlex
from collections.abc import Iterable
from typing import Any

from ..core.config import validate_zone
from ..core.errors import ExoModelsError
from ..core.exoscale.models import Model
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
}
TIMELINE = ("creating", "downloading", "created")
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
    if action.kind == "delete-deployments" and args["names"]:
        return "; ".join(
            f"jupyter_exo_models.delete_deployment({n!r}, zone={args['zone']!r})" for n in args["names"]
        )
    if action.kind == "attach-deployment":
        return f"jupyter_exo_models.attach_deployment({args['deployment']!r}, zone={args['zone']!r})"
    if action.kind == "scale-deployment":
        return f"jupyter_exo_models.scale({args['deployment']!r}, {args['replicas']}, zone={args['zone']!r})"
    if action.kind == "deploy":
        return (
            f"jupyter_exo_models.deploy({args['model']!r}, zone={args['zone']!r}, "
            f"gpu_type={args['gpu_type']!r}, gpu_count={args['gpu_count']})"
        )
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
    text += (f"\n  fix: {fix}" if fix else "") + (f"\n  run: {command}" if command else "")
    body = mark + (f"<b>{esc(lead)}</b> " if lead else "") + esc(message)
    body += f"<div style='opacity:0.8'>fix: {esc(fix)}</div>" if fix else ""
    body += f"<div><code>{esc(command)}</code></div>" if command else ""
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


def timeline_html(job: ImportJob) -> str:
    state = job.state
    reached = {e.state for e in job.events}
    steps = []
    for step in TIMELINE:
        color = STATE_COLORS[step] if step in reached or step == state else "#afb8c1"
        weight = "bold" if step == state else "normal"
        steps.append(f"<span style='color:{color};font-weight:{weight}'>{step}</span>")
    if state not in TIMELINE:
        steps.append(
            f"<span style='color:{STATE_COLORS.get(state, '#cf222e')};font-weight:bold'>{esc(state)}</span>"
        )
    size = f" · {human_bytes(job.model.size)}" if job.model and job.model.size else ""
    last = job.last_event.message if job.last_event and job.last_event.message else ""
    message = f"<div>{esc(last)}</div>" if last else ""
    return (
        f"<div><b>{esc(job.name)}</b> in {esc(job.zone)}"
        f"{' (attached to an existing import)' if job.attached else ''}"
        f"</div><div>{' → '.join(steps)} · {job.elapsed:.0f} s{size}</div>{message}"
    )


def timeline_text(job: ImportJob) -> str:
    size = f", {human_bytes(job.model.size)}" if job.model and job.model.size else ""
    last = f"\n{job.last_event.message}" if job.last_event and job.last_event.message else ""
    return f"{job.name} in {job.zone}: {job.state} ({job.elapsed:.0f} s{size}){last}"


def models_bundle(models: list[Model], errors: dict[str, Any] | None = None) -> dict[str, str]:
    header = ("NAME", "ZONE", "STATE", "SIZE", "CREATED", "ID")
    rows = [
        (m.name, m.zone, m.state, human_bytes(m.size) if m.size else "-", m.created_at or "-", m.id)
        for m in models
    ]
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
            "No models." + "".join(f"\n{z}: {e.message}" for z, e in (errors or {}).items()),
            "<i>No models.</i>" + notes,
        )
    return bundle(text, f"<table><tr>{head}</tr>{cells}</table>{notes}")


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
