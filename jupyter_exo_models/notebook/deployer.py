"""The deploy panel: check, deploy, watch, try, scale and delete one deployment from a notebook.

One panel class, :class:`DeployPanel`, used by :class:`ModelImporter` (once its model is ``created``) and by
:class:`Deployer` (on its own). Standard ipywidgets controls only (7.6 to 8.x); every action runs on the
package's background loop and returns a future, so the kernel never blocks. The deployment's key is fetched
by the endpoint when a request needs it, and never reaches a widget.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Coroutine
from typing import Any

import ipywidgets as widgets

from ..core import api
from ..core.config import current_endpoints
from ..core.deploy_preflight import DeploymentReport
from ..core.deployments import DeploymentJob
from ..core.errors import ConfigurationError, ExoModelsError, PreflightFailed
from ..core.exoscale.models import Deployment
from ..core.jobs import StatusEvent
from ..core.runner import submit
from ..core.secrets import Secret
from . import render
from .login import valid_zone_or_error

log = logging.getLogger("jupyter_exo_models.notebook")
HIDDEN, SHOWN = "none", ""


def _done(value: Any) -> concurrent.futures.Future[Any]:
    future: concurrent.futures.Future[Any] = concurrent.futures.Future()
    future.set_result(value)
    return future


class DeployPanel(widgets.VBox):
    """Deploy a model imported in ``zone`` (or follow an existing deployment), then use and manage it.

    Attributes:
        future: the latest action's future (check, deploy, try, scale, delete), for scripts and tests.
        report: the latest deployment checks; job: the deployment followed.
    """

    def __init__(self, zone: str, *, hf_token: Secret | bool | None = None, **kwargs: Any) -> None:
        self.zone = zone
        self.model: str | None = None
        self.report: DeploymentReport | None = None
        self.job: DeploymentJob | None = None
        self.future: concurrent.futures.Future[Any] | None = None
        self._hf_token = hf_token  # never a trait: not saved with the notebook
        self._checks_started = 0  # only the latest check may fill in the report
        self._filling = False  # fields set by a report are no edit
        self._unsubscribe: Any = None

        self.title = widgets.HTML()
        self.gpu_type = widgets.Dropdown(options=[], description="GPU", layout=widgets.Layout(width="340px"))
        self.gpu_count = widgets.BoundedIntText(value=1, min=1, max=8, description="GPUs", layout=_w("150px"))
        self.replicas = widgets.BoundedIntText(
            value=1, min=1, max=100, description="Replicas", layout=_w("150px")
        )
        self.name = widgets.Text(placeholder="from the model id", description="Name", layout=_w("340px"))
        self.check_button = widgets.Button(
            description="Check", icon="search", tooltip="Run the deployment checks"
        )
        self.deploy_button = widgets.Button(
            description="Deploy", icon="rocket", button_style="primary", disabled=True
        )
        self.force = widgets.Checkbox(
            value=False, description="Deploy despite failed checks", indent=False, layout=_hidden()
        )
        self.results = widgets.HTML()
        self.status = widgets.HTML()
        # once there is a deployment: use it, scale it, delete it
        self.info = widgets.HTML()
        self.prompt = widgets.Textarea(
            value="Say hello in one sentence.", description="Prompt", layout=_w("520px")
        )
        self.send_button = widgets.Button(description="Try it", icon="paper-plane")
        self.reply = widgets.HTML()
        self.try_box = widgets.VBox([widgets.HBox([self.prompt, self.send_button]), self.reply])
        self.scale_zero_button = widgets.Button(
            description="Scale to zero", icon="pause", tooltip="No GPU is paid for; the endpoint answers 503"
        )
        self.scale_one_button = widgets.Button(description="Scale to 1", icon="play")
        self.delete_button = widgets.Button(description="Delete", icon="trash")
        self.confirm_delete = widgets.Button(
            description="Really delete", button_style="danger", icon="trash", layout=_hidden()
        )
        self.cancel_delete = widgets.Button(description="Cancel", layout=_hidden())
        self.manage_status = widgets.HTML()
        self.code = widgets.HTML()
        self.manage = widgets.VBox(
            [
                self.info,
                self.try_box,
                widgets.HBox(
                    [
                        self.scale_zero_button,
                        self.scale_one_button,
                        self.delete_button,
                        self.confirm_delete,
                        self.cancel_delete,
                    ]
                ),
                self.manage_status,
                self.code,
            ],
            layout=_hidden(),
        )
        super().__init__(
            children=[
                self.title,
                widgets.HBox([self.gpu_type, self.gpu_count, self.replicas]),
                widgets.HBox([self.name]),
                widgets.HBox([self.check_button, self.deploy_button, self.force]),
                self.results,
                self.status,
                self.manage,
            ],
            **kwargs,
        )
        self.check_button.on_click(lambda _: self.check())
        self.deploy_button.on_click(lambda _: self.deploy())
        self.send_button.on_click(lambda _: self.try_it())
        self.scale_zero_button.on_click(lambda _: self.scale(0))
        self.scale_one_button.on_click(lambda _: self.scale(1))
        self.delete_button.on_click(lambda _: self._ask_delete(True))
        self.cancel_delete.on_click(lambda _: self._ask_delete(False))
        self.confirm_delete.on_click(lambda _: self.delete())
        self.force.observe(lambda _: self._update_deploy_button(), names="value")
        for field in (self.gpu_count, self.replicas, self.name):
            field.observe(self._edited, names="value")
        self.gpu_type.observe(self._family_chosen, names="value")

    def __repr__(self) -> str:
        state = self.job.state if self.job else ("checked" if self.report else "not checked")
        return f"DeployPanel(model={self.model!r}, zone={self.zone!r}): {state}"

    # -- actions (each returns a future) ----------------------------------------------------------
    def show_for(self, model: str, zone: str | None = None) -> concurrent.futures.Future[Any]:
        """Offer to deploy ``model`` (checked at once); nothing new when it is the model shown already."""
        zone = zone or self.zone
        if (model, zone) == (self.model, self.zone) and (self.report is not None or self.job is not None):
            return self.future or _done(None)
        self._forget_job()
        self.model, self.zone, self.report = model, zone, None
        self._fill(name="", gpu_type=None, options=[])  # the core's plan gives the defaults
        self._title()
        return self.check()

    def check(self) -> concurrent.futures.Future[DeploymentReport | None]:
        """Run the deployment checks with the fields' values (empty ones: the core's choice)."""
        if self.model is None:
            return _done(None)
        self._checks_started += 1
        self.check_button.disabled = self.deploy_button.disabled = True
        self.results.value = f"<i>Checking the deployment of {render.esc(self.model)} in {self.zone}…</i>"
        return self._run(self._check(self.model, self._checks_started))

    async def _check(self, model: str, number: int) -> DeploymentReport:
        fields = self._fields()
        try:
            report = await api.adeploy_preflight(
                model,
                name=fields[0] or None,
                zone=self.zone,
                gpu_type=fields[1],
                gpu_count=fields[2] if fields[1] else None,  # a count without its family means nothing
                replicas=fields[3],
                hf_token=self._hf_token,
            )
        finally:
            if number == self._checks_started:
                self.check_button.disabled = False
        if number != self._checks_started or model != self.model:
            return report  # a newer check runs, or another model is shown
        self.report = report
        plan = report.plan
        if plan is not None:
            self._fill(
                name=plan.name,
                gpu_type=plan.gpu_type,
                gpu_count=plan.gpu_count or 1,
                replicas=plan.replicas,
                options=[(o.label(), o.family) for o in report.options if o.authorized],
            )
        self.results.value = render.deploy_report_html(report)
        self.force.layout.display = SHOWN if not report.ok else HIDDEN
        self._update_deploy_button()
        existing = report.existing
        job = self.job
        following = job is not None and job.name == existing.name if existing else False
        if existing is not None and existing.state != "error" and not following:
            # deployed already (elsewhere, or before a kernel restart): show where it stands, and its controls
            self._follow(await api.aattach_deployment(existing.name, zone=self.zone, wait=False))
        return report

    def deploy(self) -> concurrent.futures.Future[DeploymentJob | None]:
        """Deploy as the report planned (importing the model first when needed), watched in the background.

        Nothing happens without a report matching the fields, nor while a deployment is being watched.
        """
        report, job = self.report, self.job
        if report is None or not self._shows(report) or (job is not None and not job.done):
            return _done(None)
        self.deploy_button.disabled = True
        self.status.value = "<i>Starting the deployment…</i>"
        return self._run(self._deploy(report))

    async def _deploy(self, report: DeploymentReport) -> DeploymentJob | None:
        plan = report.plan
        assert plan is not None
        try:
            job = await api.adeploy(
                report.model,
                name=plan.name,
                zone=self.zone,
                gpu_type=plan.gpu_type,
                gpu_count=plan.gpu_count,
                replicas=plan.replicas,
                engine_version=plan.engine_version,
                engine_args=plan.engine_args,
                hf_token=self._hf_token,
                wait=False,
                force=self.force.value,
            )
        except PreflightFailed as exc:  # something changed since the check: show what it says now
            self.report = exc.report
            self.results.value = render.deploy_report_html(exc.report)
            self.status.value = (
                "<b style='color:#cf222e'>Deployment refused: fix the failed checks first.</b>"
            )
            self._update_deploy_button()
            return None
        self._follow(job)
        return job

    def attach(self, deployment: str) -> concurrent.futures.Future[DeploymentJob]:
        """Follow an existing deployment by name or UUID (its model is then the one offered)."""
        self.status.value = f"<i>Looking for {render.esc(deployment)} in {self.zone}…</i>"

        async def attach() -> DeploymentJob:
            job = await api.aattach_deployment(deployment, zone=self.zone, wait=False)
            d = job.deployment
            self.model = d.model_name if d and d.model_name else self.model
            self._title()
            if d is not None:
                self._fill(
                    name=d.name, gpu_type=d.gpu_type, gpu_count=d.gpu_count or 1, replicas=1, options=[]
                )
            self._follow(job)
            return job

        return self._run(attach())

    def follow(self, job: DeploymentJob) -> None:
        """Show a job started elsewhere (``jem.deploy(..., wait=False)``)."""
        self.model = job.model.name if job.model else (job.report.model if job.report else self.model)
        self._title()
        self._follow(job)

    def try_it(self) -> concurrent.futures.Future[Any]:
        """Send the prompt to the endpoint; shows the reply and its latency."""
        job, prompt = self.job, self.prompt.value
        if job is None or job.deployment is None or not job.deployment.url:
            return _done(None)
        self.send_button.disabled = True
        self.reply.value = "<i>Sending…</i>"

        async def send() -> Any:
            try:
                reply = await job.endpoint.achat_reply(prompt, 256)
            finally:
                self.send_button.disabled = False
            self.reply.value = (
                f"<div style='white-space:pre-wrap;border-left:3px solid #1a7f37;padding-left:6px'>"
                f"{render.esc(reply.text)}</div><div style='opacity:0.7'>{render.esc(reply.model)} · "
                f"{reply.latency_ms:.0f} ms</div>"
            )
            return reply

        return self._run(send(), shown_in=self.reply)

    def scale(self, replicas: int) -> concurrent.futures.Future[Any]:
        """Scale to ``replicas`` (0: no GPU is paid for, the endpoint answers 503); back to 1, watched to
        ready and smoke-tested again."""
        job = self.job
        if job is None:
            return _done(None)
        name = job.name
        self.scale_zero_button.disabled = self.scale_one_button.disabled = True
        self.manage_status.value = f"<i>Scaling {render.esc(name)} to {replicas}…</i>"

        async def scale() -> Deployment:
            try:
                deployment = await api.ascale(name, replicas, zone=self.zone)
            finally:
                self.scale_zero_button.disabled = self.scale_one_button.disabled = False
            self.manage_status.value = render.esc(
                f"Scaled to {deployment.replicas} replica(s)"
                + (
                    ": no GPU is paid for; the endpoint answers 503 until scaled to 1"
                    if replicas == 0
                    else ""
                )
            )
            if replicas > 0:  # watched again to ready, and smoke-tested
                self._follow(await api.aattach_deployment(name, zone=self.zone, wait=False))
            else:
                self._draw_manage()
            return deployment

        return self._run(scale(), shown_in=self.manage_status)

    def delete(self) -> concurrent.futures.Future[Any]:
        """Delete the deployment (after the confirmation step); the model stays imported."""
        job = self.job
        if job is None:
            return _done(None)
        name = job.name
        self._ask_delete(False)
        self.delete_button.disabled = True
        self.manage_status.value = f"<i>Deleting {render.esc(name)}…</i>"

        async def delete() -> Any:
            try:
                operation = await api.adelete_deployment(name, zone=self.zone)
            finally:
                self.delete_button.disabled = False
            self._forget_job()
            self.report = None  # what it described is gone
            self._update_deploy_button()
            self.status.value = render.esc(f"Deleted {name} in {self.zone} (the model stays imported).")
            self.results.value = "<i>Check again to deploy anew.</i>"
            return operation

        return self._run(delete(), shown_in=self.manage_status)

    # -- rendering ----------------------------------------------------------------------------------
    def _title(self) -> None:
        sandbox = render.sandbox_badge(current_endpoints().sandbox)
        model = f" <b>{render.esc(self.model)}</b>" if self.model else ""
        self.title.value = f"{sandbox}<b>Deploy</b>{model} in {render.esc(self.zone)}"

    def _fields(self) -> tuple[str, str | None, int, int]:
        return (self.name.value.strip(), self.gpu_type.value, self.gpu_count.value, self.replicas.value)

    def _shows(self, report: DeploymentReport) -> bool:
        """Whether the fields still say what the report checked."""
        plan = report.plan
        return plan is not None and self._fields() == (
            plan.name,
            plan.gpu_type,
            plan.gpu_count or 1,
            plan.replicas,
        )

    def _fill(self, options: list[tuple[str, str]] | None = None, **values: Any) -> None:
        self._filling = True
        try:
            if options is not None:
                chosen = values.get("gpu_type")
                if chosen is not None and chosen not in [family for _, family in options]:
                    options = [*options, (chosen, chosen)]  # as given (the check says what is wrong with it)
                self.gpu_type.options = options
            for field, value in values.items():
                getattr(self, field).value = value
        finally:
            self._filling = False

    def _update_deploy_button(self) -> None:
        report, job = self.report, self.job
        ready = report is not None and self._shows(report) and (report.ok or self.force.value)
        busy = job is not None and (not job.done or job.state == "ready")  # watched, or deployed already
        self.deploy_button.disabled = not ready or busy

    def _edited(self, _: Any) -> None:
        if self._filling:
            return
        if self.report is not None and not self._shows(self.report):
            self.results.value = "<i>Changed: check again.</i>"
        self._update_deploy_button()

    def _family_chosen(self, change: Any) -> None:
        report = self.report
        if not self._filling and report is not None:  # the fewest GPUs of that family that fit
            option = next((o for o in report.options if o.family == change["new"]), None)
            if option is not None and option.gpu_count:
                self._fill(gpu_count=option.gpu_count)
        self._edited(change)

    def _follow(self, job: DeploymentJob) -> None:
        self._forget_job()
        self.job = job
        self._update_deploy_button()
        self._unsubscribe = job.subscribe(self._on_event)
        job.start()

    def _forget_job(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()  # the old job's events must not redraw this panel
        self._unsubscribe = self.job = None
        self.status.value = ""
        self.manage.layout.display = HIDDEN
        self.reply.value = self.manage_status.value = ""
        self._update_deploy_button()

    def _on_event(self, event: StatusEvent) -> None:
        job = self.job
        if job is None or event.name != job.name:
            return
        self.status.value = render.deployment_html(job, endpoint=False)  # the manage section shows it
        if event.final:
            self._update_deploy_button()
            self._draw_manage()

    def _draw_manage(self) -> None:
        job = self.job
        d = job.deployment if job else None
        if job is None or d is None:
            self.manage.layout.display = HIDDEN
            return
        ready = job.state == "ready" and bool(d.url)
        self.manage.layout.display = SHOWN
        self.try_box.layout.display = SHOWN if ready else HIDDEN
        self.info.value = render.ready_html(d, job.smoke_test) if ready else ""
        self.code.value = (
            f"<div>From Python (the key is fetched when needed, never shown):</div>"
            f"<pre>{render.esc(render.usage_code(job.name, job.zone))}</pre>"
        )

    def _ask_delete(self, asking: bool) -> None:
        self.confirm_delete.layout.display = self.cancel_delete.layout.display = SHOWN if asking else HIDDEN
        self.delete_button.layout.display = HIDDEN if asking else SHOWN

    def _run(
        self, coro: Coroutine[Any, Any, Any], shown_in: widgets.HTML | None = None
    ) -> concurrent.futures.Future[Any]:
        self.future = future = submit(coro)
        future.add_done_callback(lambda done: self._report_crash(done, shown_in or self.status))
        return future

    def _report_crash(self, future: concurrent.futures.Future[Any], where: widgets.HTML) -> None:
        if future.cancelled() or future.exception() is None:
            return
        exc = future.exception()
        self.check_button.disabled = False
        self._update_deploy_button()  # a failed start may be retried
        if isinstance(exc, ExoModelsError):
            where.value = render.error_html(exc)
        else:  # its text may quote a secret: the type only
            log.error("DeployPanel failed: %s", type(exc).__name__)
            where.value = (
                f"<div style='color:#cf222e'>Unexpected error: {render.esc(type(exc).__name__)}</div>"
            )


def _w(width: str) -> widgets.Layout:
    return widgets.Layout(width=width)


def _hidden() -> widgets.Layout:
    return widgets.Layout(display=HIDDEN)


class Deployer(widgets.VBox):
    """The deploy panel on its own: deploy a model imported (or to import) in a zone, or manage an existing
    deployment.

    Args:
        model_or_deployment: a Hugging Face repo id (it has a ``/``: checked at once, with the core's
            choice of GPU), a deployment's name or UUID (followed), a :class:`Deployment` or a
            :class:`DeploymentJob`.
        zone: the Exoscale zone (default from the environment or the exo config).
        hf_token: a Hugging Face token for importing the model first (default: the one :func:`login` or the
            environment gives).

    Example:
        >>> import jupyter_exo_models as jem
        >>> jem.Deployer("sandbox-gated/Llama-Gated-8B", zone="de-fra-1")
    """

    def __init__(
        self,
        model_or_deployment: str | Deployment | DeploymentJob,
        zone: str | None = None,
        *,
        hf_token: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        target = model_or_deployment
        if isinstance(target, (Deployment, DeploymentJob)) and zone is None:
            zone = target.zone
        zone_value, zone_error = valid_zone_or_error(zone)  # a typo must not deploy into another zone
        token = Secret(hf_token) if isinstance(hf_token, str) else hf_token
        self.panel = DeployPanel(zone_value or "", hf_token=token)
        super().__init__(children=[self.panel], **kwargs)
        if zone_error is not None:
            self.panel.status.value = render.error_html(zone_error)
            refused: concurrent.futures.Future[Any] = concurrent.futures.Future()
            refused.set_exception(ConfigurationError("No zone chosen", fix="Pass one of the zones listed"))
            self.panel.future = refused
        elif isinstance(target, DeploymentJob):
            self.panel.follow(target)
        elif isinstance(target, Deployment):
            self.panel.attach(target.id)
        elif "/" in target:
            self.panel.show_for(target)
        else:
            self.panel.attach(target)

    @property
    def future(self) -> concurrent.futures.Future[Any] | None:
        return self.panel.future

    def __repr__(self) -> str:
        return repr(self.panel).replace("DeployPanel", "Deployer", 1)
