"""``ModelImporter``: check, import and watch a model from a notebook, without blocking the kernel.

Standard ipywidgets controls only (7.6 to 8.x), so it renders in JupyterLab,
Notebook 7, VS Code and Colab. Work runs on the package's background loop;
the widgets are updated from there by setting trait values.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Coroutine
from typing import Any

import ipywidgets as widgets

from ..core import api
from ..core.config import ZONES, current_endpoints
from ..core.errors import ConfigurationError, ExoModelsError, PreflightFailed
from ..core.imports import ImportJob, StatusEvent, attach, known_job
from ..core.preflight import PreflightReport
from ..core.runner import submit
from ..core.secrets import Secret
from ..core.text import shown
from . import render
from .deployer import DeployPanel
from .login import valid_zone_or_error

log = logging.getLogger("jupyter_exo_models.notebook")
HIDDEN, SHOWN = "none", ""


class ModelImporter(widgets.VBox):
    """Preflight, import and live status for one Hugging Face model.

    Args:
        model_id: the Hugging Face repo id; when given, the checks start at once (and an import
            already under way for it is shown).
        zone: the Exoscale zone (default from the environment or the exo config).
        hf_token: a Hugging Face token for this widget only (default: the one :func:`login` or the
            environment gives); False checks and imports anonymously.

    Attributes:
        future: the latest action's future (check or import), for scripts and tests to wait on.
        deploy_panel: the :class:`DeployPanel` shown once the model is ``created`` (its own ``future``).

    Example:
        >>> from jupyter_exo_models import ModelImporter
        >>> ModelImporter("meta-llama/Llama-3.1-8B-Instruct", zone="de-fra-1")
    """

    def __init__(
        self,
        model_id: str | None = None,
        zone: str | None = None,
        *,
        hf_token: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        zone_value, zone_error = valid_zone_or_error(zone)  # a typo must not import into another zone
        self.model_input = widgets.Text(
            value=model_id or "",
            placeholder="namespace/model-name",
            description="Model",
            layout=widgets.Layout(width="420px"),
        )
        self.zone_input = widgets.Dropdown(options=list(ZONES), description="Zone", value=zone_value)
        self.check_button = widgets.Button(
            description="Check", icon="search", tooltip="Run the preflight checks"
        )
        self.import_button = widgets.Button(
            description="Import",
            icon="cloud-upload",
            button_style="primary",
            disabled=True,
            tooltip="Create the model in Exoscale",
        )
        self.override = widgets.Checkbox(
            value=False,
            description="Import despite warnings",
            indent=False,
            layout=widgets.Layout(display=HIDDEN),
        )
        self.use_canonical = widgets.Button(
            description="", button_style="warning", layout=widgets.Layout(display=HIDDEN)
        )
        self.recheck_button = widgets.Button(
            description="Re-check", icon="refresh", layout=widgets.Layout(display=HIDDEN)
        )
        self.results = widgets.HTML()
        self.gate = widgets.HTML()
        self.facts = widgets.HTML()
        self.status = widgets.HTML(render.error_html(zone_error) if zone_error else "")
        self.stop_button = widgets.Button(
            description="Stop watching",
            icon="stop",
            layout=widgets.Layout(display=HIDDEN),
            tooltip="Stop following; the import goes on at Exoscale",
        )
        self.cli_toggle = widgets.ToggleButton(
            value=False, description="Show exo CLI command", icon="terminal"
        )
        self.cli = widgets.HTML(layout=widgets.Layout(display=HIDDEN))
        self.report: PreflightReport | None = None
        self.job: ImportJob | None = None
        self.future: concurrent.futures.Future[Any] | None = None
        self._hf_token = (
            Secret(hf_token) if isinstance(hf_token, str) else hf_token
        )  # never a trait: not saved
        self._checks_started = 0  # only the latest check may fill in the report
        self._busy = False
        self._importing = False
        self._unsubscribe: Any = None
        self._zone_error = zone_error is not None  # shown in the status until a zone is chosen
        self.deploy_panel = DeployPanel(
            zone_value or "", hf_token=self._hf_token, layout=widgets.Layout(display=HIDDEN)
        )

        sandbox = render.sandbox_badge(current_endpoints().sandbox)
        title = widgets.HTML(f"{sandbox}<b>Import a Hugging Face model into Exoscale Dedicated Inference</b>")
        super().__init__(
            children=[
                title,
                widgets.HBox([self.model_input, self.zone_input]),
                widgets.HBox([self.check_button, self.import_button, self.override, self.cli_toggle]),
                self.results,
                widgets.HBox([self.use_canonical]),
                self.gate,
                self.recheck_button,
                self.facts,
                self.status,
                self.stop_button,
                self.cli,
                self.deploy_panel,
            ],
            **kwargs,
        )

        self.check_button.on_click(lambda _: self.check())
        self.recheck_button.on_click(lambda _: self.check())
        self.import_button.on_click(lambda _: self.start_import())
        self.use_canonical.on_click(lambda _: self._apply_canonical())
        self.stop_button.on_click(lambda _: self.stop())
        self.override.observe(lambda _: self._update_import_button(), names="value")
        self.cli_toggle.observe(lambda _: self._update_cli(), names="value")
        self.model_input.observe(self._edited, names="value")
        self.zone_input.observe(self._edited, names="value")
        if model_id and zone_error is None:
            self.check()

    def __repr__(self) -> str:
        state = self.job.state if self.job else ("checked" if self.report else "not checked")
        return f"ModelImporter(model_id={self.model_input.value!r}, zone={self.zone_input.value!r}): {state}"

    # Shown again (a re-run cell, `display(importer)`) after its watch was stopped: look at Exoscale again.
    if hasattr(widgets.VBox, "_repr_mimebundle_"):  # ipywidgets 8

        def _repr_mimebundle_(self, **kwargs: Any) -> Any:
            self._refresh_if_stopped()
            return super()._repr_mimebundle_(**kwargs)
    else:  # ipywidgets 7

        def _ipython_display_(self, **kwargs: Any) -> None:
            self._refresh_if_stopped()
            super()._ipython_display_(**kwargs)

    def _refresh_if_stopped(self) -> None:
        job = self.job
        if job is not None and job.done and job.state not in ("created", "ready", "error") and not self._busy:
            self.check()

    # -- actions (each returns a future, so scripts and tests can wait) --------------------------
    def check(self) -> concurrent.futures.Future[PreflightReport]:
        """Run preflight in the background and show one row per check."""
        model_id, zone = self.model_input.value.strip(), self.zone_input.value
        if zone is None:  # the zone given was unknown: the user chooses one, it is never guessed
            self.results.value = "<i>Choose a zone first.</i>"
            refused: concurrent.futures.Future[PreflightReport] = concurrent.futures.Future()
            refused.set_exception(ConfigurationError("No zone chosen", fix="Choose a zone in the list"))
            self.future = refused
            return refused
        self._checks_started += 1
        self._busy = True
        self._drop_report()
        self.check_button.disabled = self.import_button.disabled = True
        self.results.value = f"<i>Checking {render.esc(shown(model_id))} in {zone}…</i>"
        return self._run(self._check(model_id, zone, self._checks_started))

    async def _check(self, model_id: str, zone: str, number: int) -> PreflightReport:
        try:
            report = await api.apreflight(model_id, zone=zone, hf_token=self._hf_token)
        finally:
            if number == self._checks_started:
                self._busy = False
                self.check_button.disabled = False
        if number != self._checks_started or not self._shows(report):
            # a newer check runs, or the fields changed meanwhile: this report describes another model
            if number == self._checks_started:
                self.results.value = "<i>Changed while checking: check again.</i>"
            return report
        self.report = report
        self._show_report(report)
        await self._show_import_state(report)
        return report

    async def _show_import_state(self, report: PreflightReport) -> None:
        """What Exoscale (or this process) says about an import of the report's model."""
        job = self.job
        if job is not None and job.name == report.model and job.zone == report.zone and not job.done:
            return  # already watching it live
        existing = report.existing
        known = known_job(report.model, report.zone)
        failed_here = (
            known is not None
            and known.diagnosis is not None
            and known.model is not None
            and existing is not None
            and existing.id == known.model.id
        )
        if existing is not None and existing.state != "error":
            # a new watch from Exoscale's current state: after "Stop watching", a kernel restart, another tab
            self._follow(await attach(existing.name, zone=report.zone))
        elif known is not None and (not known.done or failed_here):
            self._follow(
                known
            )  # started here and not listed yet, or failed here (still listed): its diagnosis
        elif job is not None:
            self._forget_job()  # what it showed is gone (the model was deleted, or this is another model)

    def start_import(self) -> concurrent.futures.Future[ImportJob | None]:
        """Create the report's model (or attach to it) and watch it.

        Nothing happens while an import starts or is watched (a double click), nor when the report
        is missing or describes another model than the fields show.
        """
        report, job = self.report, self.job
        watching = job is not None and not job.done
        if self._importing or watching or report is None or not self._shows(report):
            if report is not None and not self._shows(report):
                self.results.value = "<i>Changed: check again.</i>"
            done: concurrent.futures.Future[ImportJob | None] = concurrent.futures.Future()
            done.set_result(None)
            return done
        self._importing = True
        self.import_button.disabled = True
        self.status.value = "<i>Starting the import…</i>"
        return self._run(self._import(report))

    async def _import(self, report: PreflightReport) -> ImportJob | None:
        try:
            job = await api.astart_import(report.model, zone=report.zone, hf_token=self._hf_token)
        except PreflightFailed as exc:  # something changed since the check: show what it says now
            self.report = exc.report
            self._show_report(exc.report)
            self.status.value = "<b style='color:#cf222e'>Import refused: fix the failed checks first.</b>"
            return None
        finally:
            self._importing = False
        self._follow(job)
        return job

    def stop(self) -> None:
        """Stop watching (the import goes on at Exoscale)."""
        if self.job is not None:
            self.job.stop()

    # -- rendering ----------------------------------------------------------------------------
    def _show_report(self, report: PreflightReport) -> None:
        self.results.value = render.report_html(report)
        case = report["repo-id-case"]
        canonical = case.data.get("canonical_id") if case.status == "fail" else None
        self.use_canonical.description = f"Use {canonical}" if canonical else ""
        self.use_canonical.layout.display = SHOWN if canonical else HIDDEN
        gate = report["gated-access"]
        gated_problem = gate.status == "fail" and gate.data.get("state") in ("not-accepted", "pending")
        self.gate.value = render.gate_html(gate.data) if gated_problem else ""
        self.recheck_button.layout.display = SHOWN if gated_problem else HIDDEN
        self.facts.value = render.facts_html(report)
        self.override.layout.display = SHOWN if report.ok and report.warnings else HIDDEN
        self._update_import_button()
        self._update_cli()

    def _shows(self, report: PreflightReport) -> bool:
        """Whether the fields still show the report's model and zone."""
        return (self.model_input.value.strip(), self.zone_input.value) == (report.model, report.zone)

    def _update_import_button(self) -> None:
        report = self.report
        ready = (
            report is not None
            and self._shows(report)
            and report.ok
            and (not report.warnings or self.override.value)
        )
        watching = self.job is not None and not self.job.done
        self.import_button.disabled = not ready or self._busy or self._importing or watching

    def _update_cli(self) -> None:
        show = self.cli_toggle.value
        self.cli.layout.display = SHOWN if show else HIDDEN
        model_id = self.report.model if self.report else self.model_input.value.strip()
        command = render.exo_command(model_id, self.zone_input.value or "")
        self.cli.value = (
            f"<pre>{render.esc(command)}</pre>"
            if command
            else "<i>No command: enter a valid model id (namespace/name) and zone first.</i>"
        )

    def _apply_canonical(self) -> None:
        canonical = self.use_canonical.description.removeprefix("Use ").strip()
        if canonical:
            self.model_input.value = canonical
            self.check()

    def _edited(self, _: Any) -> None:
        if self._zone_error and self.zone_input.value is not None:
            self._zone_error = False
            self.status.value = ""
        if self.report is not None and not self._shows(self.report):
            self._drop_report()
            self.results.value = "<i>Changed: check again.</i>"
        self._update_import_button()

    def _drop_report(self) -> None:
        """Forget the report and all it showed: its canonical id, gate, facts and the consent to its
        warnings."""
        self.report = None
        for control in (self.use_canonical, self.recheck_button, self.override):
            control.layout.display = HIDDEN
        self.override.value = False
        self.gate.value = self.facts.value = ""

    def _follow(self, job: ImportJob) -> None:
        self._forget_job()
        self.job = job
        self.import_button.disabled = True
        self.stop_button.layout.display = SHOWN
        self._unsubscribe = job.subscribe(self._on_event)
        job.start()
        self._update_import_button()

    def _forget_job(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()  # the old job's events must not redraw this widget
        self._unsubscribe = self.job = None
        self.stop_button.layout.display = HIDDEN
        self.status.value = ""
        self.deploy_panel.layout.display = HIDDEN  # shown again once this model is created
        self._update_import_button()

    def _on_event(self, event: StatusEvent) -> None:
        job = self.job
        if job is None:
            return
        html = render.timeline_html(job)
        if event.final:
            self.stop_button.layout.display = HIDDEN
            if job.diagnosis is not None:
                d = job.diagnosis
                html += render.problem(d.message, d.fix, d.action, lead=f"Diagnosis ({d.cause}):")[1]
            elif job.error is not None:
                html += render.error_html(job.error)
            if job.state == "created":  # imported: deploying it comes next, in the same widget
                self.deploy_panel.layout.display = SHOWN
                self.deploy_panel.show_for(job.name, job.zone)
        self.status.value = html

    def _run(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        self.future = future = submit(coro)
        future.add_done_callback(self._report_crash)
        return future

    def _report_crash(self, future: concurrent.futures.Future[Any]) -> None:
        if future.cancelled() or future.exception() is None:
            return
        exc = future.exception()
        self.check_button.disabled = False
        self._update_import_button()  # a failed start may be retried
        if isinstance(exc, ExoModelsError):
            self.status.value = render.error_html(exc)
        else:
            log.error("ModelImporter failed: %s", type(exc).__name__)
            self.status.value = (
                f"<div style='color:#cf222e'>Unexpected error: {render.esc(type(exc).__name__)}</div>"
            )
