"""IPython magics: ``%load_ext jupyter_exo_models``, then ``%exo_import``, ``%%exo_import``, ``%exo_models``,
``%exo_status``, ``%exo_delete`` and ``%exo_login``; for deployments ``%exo_deploy``, ``%exo_deployments``,
``%exo_scale``, ``%exo_logs``, ``%exo_undeploy`` and ``%%exo_chat``. ``%exo_import?`` (any of them followed
by ``?``) documents every option.

The core is imported on first use, so ``%load_ext`` stays cheap.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

TOKEN = re.compile(r"(hf_|api_org_)[A-Za-z0-9_]{8,}|EXO[A-Za-z0-9]{8,}")
UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
TOKEN_WARNING = (
    "An argument that looks like a token or secret was ignored and not echoed. If it is one, it is now "
    "part of the notebook file: revoke it, then use jupyter_exo_models.login() or the HF_TOKEN / "
    "EXOSCALE_API_KEY / EXOSCALE_API_SECRET environment variables."
)


def _display(data: dict[str, str]) -> None:
    from IPython.display import display

    display(data, raw=True)


def _error_bundle(exc: Any) -> dict[str, str]:
    from .render import error_bundle

    return error_bundle(exc)


def _error(exc: Any) -> None:
    _display(_error_bundle(exc))


def looks_secret(word: str) -> bool:
    """Whether a whole magic argument is a token, or a long high-entropy string such as an API secret.

    Model ids (they have a slash) and UUIDs never are; ``acme/hf_demo`` is an id, not a token.
    """
    value = word.strip("'\"").rpartition("=")[2]  # --opt=value too
    if TOKEN.fullmatch(value):
        return True
    if len(value) < 16 or "/" in value or value.startswith("-") or UUID.fullmatch(value):
        return False
    kinds = sum(any(test(c) for c in value) for test in (str.islower, str.isupper, str.isdigit))
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return kinds >= 2 and entropy >= 3.0


def _scrub(line: str) -> str:
    """Drop whole arguments that look like secrets, so no error message can echo them.

    The warning goes to stderr every time (``warnings.warn`` would show once per location).
    """
    words = line.split()
    kept = [w for w in words if not looks_secret(w)]
    if len(kept) == len(words):
        return line
    print(TOKEN_WARNING, file=sys.stderr)
    return " ".join(kept)


def _args(magic: Any, line: str) -> Any:
    from IPython.core.error import UsageError

    try:
        args = parse_argstring(magic, _scrub(line))
    except ValueError as exc:  # shlex's "No closing quotation"
        raise UsageError(f"{exc}: see {magic.__name__}? for every option") from None
    for name, value in vars(args).items():  # IPython keeps the quotes of "quoted" arguments
        if isinstance(value, str):
            setattr(args, name, _unquote(value))
        elif isinstance(value, list):
            setattr(args, name, [_unquote(v) if isinstance(v, str) else v for v in value])
    return args


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"" else value


def _say(text: str) -> None:
    from .render import bundle, esc

    _display(bundle(text, esc(text)))


@magics_class
class ExoMagics(Magics):
    @magic_arguments()
    @argument(
        "model", nargs="?", help="Hugging Face repo id (namespace/name); in the cell form, one id a line"
    )
    @argument("-z", "--zone", help="Exoscale zone (default: EXOSCALE_ZONE, the exo config, or de-fra-1)")
    @argument("--check", action="store_true", help="only run the preflight checks")
    @argument(
        "--no-wait",
        action="store_true",
        help="return once the creation has started (watched in the background)",
    )
    @argument("--force", action="store_true", help="import even when a check fails")
    @argument("--timeout", type=float, help="stop watching after this many seconds (the import goes on)")
    @line_cell_magic
    def exo_import(self, line: str, cell: str | None = None) -> Any:
        """Preflight, import and watch a Hugging Face model in Exoscale Dedicated Inference.

        Line form: ``%exo_import MODEL_ID [--zone Z] [--check] [--no-wait] [--force] [--timeout S]``
        returns the ImportJob (or the PreflightReport with --check).
        Cell form: ``%%exo_import [--zone Z] [--check]`` with one model id a line: all are checked
        concurrently, those that pass are imported, one table shows them all live, with each
        failure's message and fix. It returns a BatchImport: ``.reports``, ``.jobs``, ``.errors``
        and ``.failed`` (also ``_`` right after the cell).
        Arguments that look like tokens or secrets are ignored, never echoed.
        """
        from ..core.errors import ExoModelsError
        from ..core.jobs import check_timeout

        args = _args(self.exo_import, line)
        try:
            check_timeout(args.timeout, "--timeout")  # the core's rule, before anything is sent
            if cell is not None:
                ids = [_scrub(x.split("#", 1)[0]).strip() for x in cell.splitlines()]  # "# comments" too
                return _batch([i for i in [args.model, *ids] if i], args)
            if not args.model:
                raise _usage(
                    "%exo_import needs a model id, e.g. %exo_import meta-llama/Llama-3.1-8B-Instruct"
                )
            return _single(args)
        except ExoModelsError as exc:
            _error(exc)
            return None

    @magic_arguments()
    @argument("-z", "--zone", help="Exoscale zone")
    @argument("--all-zones", action="store_true", help="list every zone (asked concurrently)")
    @line_magic
    def exo_models(self, line: str) -> Any:
        """List Dedicated Inference models: ``%exo_models [--zone Z | --all-zones]``."""
        from ..core import api
        from .render import models_bundle

        return _listing(_args(self.exo_models, line), api.listing, models_bundle, ModelList)

    @magic_arguments()
    @argument("model", help="model name (Hugging Face id) or UUID")
    @argument("-z", "--zone", help="Exoscale zone")
    @line_magic
    def exo_status(self, line: str) -> Any:
        """Show a model's state: ``%exo_status MODEL [--zone Z]``."""
        from ..core import api
        from ..core.errors import ExoModelsError
        from .render import models_bundle

        args = _args(self.exo_status, line)
        try:
            model = api.get_model(args.model, zone=args.zone)
        except ExoModelsError as exc:
            _error(exc)
            return None
        _display(models_bundle([model]))
        return model

    @magic_arguments()
    @argument("model", help="model name (Hugging Face id) or UUID")
    @argument("-z", "--zone", help="Exoscale zone")
    @argument("-y", "--yes", action="store_true", help="really delete (without it, only says what would go)")
    @line_magic
    def exo_delete(self, line: str) -> Any:
        """Delete a model: ``%exo_delete MODEL [--zone Z] --yes``. A model used by deployments is kept
        (412)."""
        from ..core import api
        from ..core.errors import ExoModelsError, ModelInUseError
        from .render import bundle, esc, problem

        args = _args(self.exo_delete, line)
        try:
            model = api.get_model(args.model, zone=args.zone)
            if not args.yes:
                text = (
                    f"Would delete {model.name} ({model.id}) in {model.zone}: "
                    "run again with --yes to delete it."
                )
                _display(bundle(text, esc(text)))
                return None
            operation = api.delete_model(model.id, zone=model.zone)
        except ModelInUseError as exc:  # the message names the deployments
            _display(bundle(*problem(exc.message, exc.fix, exc.action, lead="Not deleted:")))
            return None
        except ExoModelsError as exc:
            _error(exc)
            return None
        text = f"Deleting {model.name} ({model.id}) in {model.zone}: {operation.state}"
        _display(bundle(text, esc(text)))
        return operation

    # -- deployments --------------------------------------------------------------------------------
    @magic_arguments()
    @argument("model", help="Hugging Face repo id (namespace/name), or the Exoscale model's UUID")
    @argument("--name", help="the deployment's name (default: from the model id, e.g. llama-3-1-8b)")
    @argument("-z", "--zone", help="Exoscale zone (default: EXOSCALE_ZONE, the exo config, or de-fra-1)")
    @argument("--gpu-type", help="GPU family (default: the smallest authorized one that fits the model)")
    @argument("--gpu-count", type=int, help="GPUs per replica, 1 to 8 (default: the fewest that fit)")
    @argument("--replicas", type=int, default=1, help="replicas at creation (default 1)")
    @argument("--engine-version", help="inference engine (vLLM) version (default: the API's)")
    @argument(
        "--engine-arg",
        action="append",
        default=[],
        help="one engine argument, repeatable; give a flag with '=': --engine-arg=--max-model-len=4096",
    )
    @argument("--check", action="store_true", help="only run the deployment checks")
    @argument("--no-wait", action="store_true", help="return once created (watched in the background)")
    @argument("--no-smoke-test", action="store_true", help="do not send the short prompt once ready")
    @argument("--force", action="store_true", help="deploy even when a check fails")
    @argument("--timeout", type=float, help="stop watching after this many seconds (it goes on)")
    @line_magic
    def exo_deploy(self, line: str) -> Any:
        """Check, import if needed, deploy, watch to ready and smoke-test a model.

        ``%exo_deploy MODEL [--name N] [--zone Z] [--gpu-type T] [--gpu-count C] [--replicas R]
        [--engine-version V] [--engine-arg=ARG ...] [--check] [--no-wait] [--no-smoke-test] [--force]
        [--timeout S]`` returns the DeploymentJob (``.endpoint.chat(prompt)``), or the
        DeploymentReport with --check. The Hugging Face token is the one login() or HF_TOKEN gives.
        """
        from ..core.errors import ExoModelsError
        from ..core.jobs import check_timeout

        args = _args(self.exo_deploy, line)
        try:
            check_timeout(args.timeout, "--timeout")
            return _deploy(self.shell, args)
        except ExoModelsError as exc:
            _error(exc)
            return None

    @magic_arguments()
    @argument("-z", "--zone", help="Exoscale zone")
    @argument("--all-zones", action="store_true", help="list every zone (asked concurrently)")
    @line_magic
    def exo_deployments(self, line: str) -> Any:
        """List your deployments: ``%exo_deployments [--zone Z | --all-zones]``."""
        from ..core import api
        from .render import deployments_bundle

        return _listing(
            _args(self.exo_deployments, line), api.list_deployments, deployments_bundle, DeploymentList
        )

    @magic_arguments()
    @argument("name", help="deployment name or UUID")
    @argument("replicas", type=int, help="0 scales to zero (no GPU paid for; the endpoint answers 503)")
    @argument("-z", "--zone", help="Exoscale zone")
    @line_magic
    def exo_scale(self, line: str) -> Any:
        """Scale a deployment and wait for it: ``%exo_scale NAME REPLICAS [--zone Z]``."""
        from ..core import api
        from ..core.errors import ExoModelsError

        args = _args(self.exo_scale, line)
        try:
            deployment = api.scale(args.name, args.replicas, zone=args.zone)
        except ExoModelsError as exc:
            _error(exc)
            return None
        _say(
            f"Scaled {deployment.name} in {deployment.zone} to {deployment.replicas} replica(s): "
            f"{deployment.state}"
        )
        return deployment

    @magic_arguments()
    @argument("name", help="deployment name or UUID")
    @argument("--tail", type=int, default=50, help="how many of the last lines (default 50)")
    @argument("-z", "--zone", help="Exoscale zone")
    @line_magic
    def exo_logs(self, line: str) -> Any:
        """Show a deployment's last log lines (redacted): ``%exo_logs NAME [--tail N] [--zone Z]``."""
        from ..core import api
        from ..core.errors import ExoModelsError
        from .render import bundle, esc

        args = _args(self.exo_logs, line)
        try:
            lines = api.deployment_logs(args.name, zone=args.zone, tail=args.tail)
        except ExoModelsError as exc:
            _error(exc)
            return None
        text = "\n".join(str(x) for x in lines) or "No log lines."
        _display(bundle(text, f"<pre style='white-space:pre-wrap'>{esc(text)}</pre>"))
        return LogLines(lines)

    @magic_arguments()
    @argument("name", help="deployment name or UUID")
    @argument("-z", "--zone", help="Exoscale zone")
    @argument("-y", "--yes", action="store_true", help="really delete (without it, only says what would go)")
    @line_magic
    def exo_undeploy(self, line: str) -> Any:
        """Delete a deployment (its GPUs are released; the model stays imported):
        ``%exo_undeploy NAME --yes [--zone Z]``."""
        from ..core import api
        from ..core.errors import ExoModelsError

        args = _args(self.exo_undeploy, line)
        try:
            found = api.get_deployment(args.name, zone=args.zone)
            if not args.yes:
                _say(f"Would delete {found.name} ({found.id}) in {found.zone}: run again with --yes")
                return None
            operation = api.delete_deployment(found.id, zone=found.zone)
        except ExoModelsError as exc:
            _error(exc)
            return None
        _say(f"Deleted {found.name} ({found.id}) in {found.zone}: {operation.state}")
        return operation

    @magic_arguments()
    @argument("name", help="deployment name or UUID")
    @argument("--max-tokens", type=int, default=256, help="longest reply, in tokens (default 256)")
    @argument("-z", "--zone", help="Exoscale zone")
    @cell_magic
    def exo_chat(self, line: str, cell: str) -> Any:
        """Send the cell as a prompt to a deployment: ``%%exo_chat NAME [--max-tokens N] [--zone Z]``.

        Shows the reply, the model and the latency; returns the reply (a str with ``.latency_ms`` and
        ``.model``). The endpoint's key is fetched from Exoscale, never shown.
        """
        from ..core import api
        from ..core.errors import ExoModelsError
        from .render import chat_bundle

        args = _args(self.exo_chat, line)
        try:
            endpoint = api.endpoint(args.name, zone=args.zone)
            reply = _run(endpoint.achat_reply(cell, args.max_tokens))
        except ExoModelsError as exc:
            _error(exc)
            return None
        _display(chat_bundle(reply))
        return Reply(reply)

    @magic_arguments()
    @argument("--force", action="store_true", help="ask again even when valid credentials are present")
    @argument("-z", "--zone", help="zone in which to check the Exoscale key")
    @line_magic
    def exo_login(self, line: str) -> Any:
        """Log in to Hugging Face (and Exoscale when needed): ``%exo_login [--force] [--zone Z]``."""
        from .login import login

        args = _args(self.exo_login, line)
        result = login(force=args.force, zone=args.zone)
        if hasattr(result, "children"):
            from IPython.display import display

            display(result)
        return None


def _usage(message: str) -> Any:
    from ..core.errors import ExoModelsError

    return ExoModelsError(message, fix="See %exo_import? for every option")


# -- results: the magics display them in full, so their reprs (echoed as Out[n]) stay one line ----------
class ModelList(list):
    """``%exo_models``'s models (a plain list), with a one-line repr: the table is shown above."""

    def __repr__(self) -> str:
        states = Counter(m.state for m in self)
        return f"<{len(self)} models: {', '.join(f'{n} {s}' for s, n in sorted(states.items())) or 'none'}>"


class DeploymentList(list):
    """``%exo_deployments``'s deployments (a plain list), with a one-line repr."""

    def __repr__(self) -> str:
        states = Counter(d.state for d in self)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items())) or "none"
        return f"<{len(self)} deployments: {summary}>"


class LogLines(list):
    """``%exo_logs``'s lines (a plain list of LogLine), with a one-line repr."""

    def __repr__(self) -> str:
        return f"<{len(self)} log lines>"


class Reply(str):
    """``%%exo_chat``'s reply: the text itself, with ``.latency_ms`` and ``.model``; a one-line repr."""

    latency_ms: float
    model: str

    def __new__(cls, reply: Any) -> Reply:  # noqa: PYI034  typing.Self is Python 3.11+
        self = super().__new__(cls, reply.text)
        self.latency_ms, self.model = reply.latency_ms, reply.model
        return self

    def __repr__(self) -> str:
        return f"<reply of {len(self)} characters from {self.model} in {self.latency_ms:.0f} ms>"


@dataclass
class BatchImport:
    """What ``%%exo_import`` did, one entry per model id.

    Attributes:
        reports: the preflight report of each id.
        jobs: the import job of each id whose import started.
        errors: each id whose import could not start or failed (``message`` and ``fix``).
    """

    reports: list[Any]
    jobs: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, Any] = field(default_factory=dict)
    check_only: bool = False

    def state(self, report: Any) -> str:
        job = self.jobs.get(report.model)
        if report.model in self.errors and (job is None or not job.done):
            return "failed"
        if job is not None:
            return job.state
        if not report.ok:
            return "refused: " + ", ".join(c.id for c in report.failures)
        return "ready to import" if self.check_only else "not imported"

    def problem(self, report: Any) -> tuple[str, str, Any]:
        """The message, fix and action to show under the model's row ("" when all is well)."""
        job = self.jobs.get(report.model)
        shown: Any = None
        if job is not None and job.diagnosis is not None:
            shown = job.diagnosis
        elif report.model in self.errors:
            shown = self.errors[report.model]
        elif not report.ok and report.failures:
            shown = report.failures[0]
        return (shown.message, shown.fix, shown.action) if shown is not None else ("", "", None)

    @property
    def failed(self) -> list[str]:
        """The ids refused by preflight, whose import could not start, or that ended in error."""
        return [r.model for r in self.reports if self.state(r) in ("failed", "error") or not r.ok]

    def __repr__(self) -> str:
        states = Counter(self.state(r).split(":")[0] for r in self.reports)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        return f"<%%exo_import of {len(self.reports)} models: {summary}>"


def _batch_bundle(batch: BatchImport) -> dict[str, str]:
    import textwrap

    from ..core.text import shown
    from .render import STATE_COLORS, bundle, esc, problem

    rows_text, rows_html = [], []
    for report in batch.reports:
        state = batch.state(report)
        message, fix, action = batch.problem(report)
        text, detail = problem(message, fix, action, tint=False) if message else ("", "")
        rows_text.append(
            f"{shown(report.model):<40} {state}" + ("\n" + textwrap.indent(text, "    ") if text else "")
        )
        color = STATE_COLORS.get(state, "#cf222e" if message else "inherit")
        rows_html.append(
            f"<tr><td style='text-align:left'>{esc(shown(report.model))}</td>"
            f"<td style='text-align:left;color:{color}'>{esc(state)}</td>"
            f"<td style='text-align:left'>{detail}</td></tr>"
        )
    return bundle("\n".join(rows_text), "<table>" + "".join(rows_html) + "</table>")


def _single(args: Any) -> Any:
    from IPython.display import display

    from ..core import api
    from ..core.errors import ExoModelsError, ImportFailed, PreflightFailed, WatchTimeout
    from .render import bundle, report_bundle, timeline_html, timeline_text

    if args.check:
        report = api.preflight(args.model, zone=args.zone)
        _display(report_bundle(report))
        return report
    from .login import _in_kernel

    handle = display(
        bundle(f"Starting the import of {args.model}…", "<i>Starting…</i>"), raw=True, display_id=True
    )
    every_poll = _in_kernel()  # a terminal prints each update anew: there, state changes only

    def show(_: Any = None) -> None:
        handle.update(bundle(timeline_text(job), timeline_html(job)), raw=True)

    try:
        job = api.start_import(args.model, zone=args.zone, force=args.force)
    except PreflightFailed as exc:
        handle.update(report_bundle(exc.report), raw=True)
        return exc.report
    except ExoModelsError as exc:
        handle.update(_error_bundle(exc), raw=True)  # in place of "Starting…"
        return None

    def redraw(event: Any) -> None:
        if every_poll or event.changed or event.final:
            show()

    if args.no_wait:
        job.subscribe(redraw)
        job.start()
        return job
    try:
        job.result(timeout=args.timeout, on_event=redraw)  # on a timeout, released unless others follow it
    except ImportFailed:
        pass  # the timeline shows the diagnosis
    except WatchTimeout as exc:
        show()  # its final event is recorded by now
        _error(exc)
    except KeyboardInterrupt:
        job.stop()
        show()
    return job


def _batch(ids: list[str], args: Any) -> BatchImport:
    import asyncio

    from IPython.display import display

    from ..core import api
    from ..core.errors import ExoModelsError
    from ..core.runner import run_sync, submit

    if not ids:
        raise _usage("%%exo_import needs one model id a line in the cell")
    batch = BatchImport(api.preflight_many(ids, zone=args.zone), check_only=args.check)
    handle = display(_batch_bundle(batch), raw=True, display_id=True)

    def table(_: Any = None) -> None:
        handle.update(_batch_bundle(batch), raw=True)

    if args.check:
        return batch

    async def one(report: Any) -> None:
        try:
            job = await api.astart_import(report.model, zone=report.zone, force=args.force)
            batch.jobs[report.model] = job
            await job.wait(args.timeout, on_event=table)  # as %exo_import: released on a timeout
        except ExoModelsError as exc:  # ImportFailed and WatchTimeout too: the row shows message and fix
            batch.errors[report.model] = exc
        except Exception as exc:  # noqa: BLE001  a bug must not hide the other rows; its text may quote a secret
            batch.errors[report.model] = ExoModelsError(
                f"Unexpected error: {type(exc).__name__}",
                fix="Run %exo_import on this model alone to see more",
            )
        table()

    async def run_all() -> None:
        await asyncio.gather(*(one(r) for r in batch.reports if r.ok or args.force))

    if args.no_wait:
        submit(run_all())
    else:
        run_sync(run_all())
    table()
    return batch


def _run(coro: Any) -> Any:
    from ..core.runner import run_sync

    return run_sync(coro)


def _deploy(shell: Any, args: Any) -> Any:
    from IPython.display import display

    from ..core import api
    from ..core.errors import DeploymentFailed, ExoModelsError, PreflightFailed, WatchTimeout
    from . import display as job_display
    from .login import _in_kernel
    from .render import bundle, deploy_report_bundle

    options: dict[str, Any] = {
        "name": args.name,
        "zone": args.zone,
        "gpu_type": args.gpu_type,
        "gpu_count": args.gpu_count,
        "replicas": args.replicas,
        "engine_version": args.engine_version,
        "engine_args": args.engine_arg,
    }
    if args.check:
        report = api.deploy_preflight(args.model, **options)
        _display(deploy_report_bundle(report))
        return report
    handle = display(
        bundle(f"Starting the deployment of {args.model}…", "<i>Starting…</i>"), raw=True, display_id=True
    )
    try:
        job = api.deploy(
            args.model, **options, wait=False, smoke_test=not args.no_smoke_test, force=args.force
        )
    except PreflightFailed as exc:
        handle.update(deploy_report_bundle(exc.report), raw=True)
        return exc.report
    except ExoModelsError as exc:
        handle.update(_error_bundle(exc), raw=True)  # in place of "Starting…"
        return None
    job_display.shown_live(job, shell)  # the magic's value echoed below it: one line, not the timeline
    every_poll = _in_kernel()  # a terminal prints each update anew: there, state changes only
    if args.no_wait:
        job_display.follow(job, handle, every_poll=every_poll)
        return job
    redraw = job_display.redrawer(job, handle, every_poll=every_poll)
    try:
        job.result(timeout=args.timeout, on_event=redraw)  # on a timeout, released unless others follow it
    except DeploymentFailed:
        pass  # the timeline shows the diagnosis and the last log lines
    except WatchTimeout as exc:
        redraw(None)  # its final event is recorded by now
        _error(exc)
    except KeyboardInterrupt:
        job.stop()
        redraw(None)
    return job


DEPLOYMENT_LINE = ("exo_deploy", "exo_deployments", "exo_scale", "exo_logs", "exo_undeploy")


def load_ipython_extension(ipython: Any) -> None:
    from .. import activate_sandbox_if_requested
    from .display import register

    activate_sandbox_if_requested()
    ipython.register_magics(ExoMagics)
    register(ipython)  # `jem.deploy(...)` as a cell's last line shows the timeline


def unload_ipython_extension(ipython: Any) -> None:
    for kind, names in (
        ("line", ("exo_import", "exo_models", "exo_status", "exo_delete", "exo_login", *DEPLOYMENT_LINE)),
        ("cell", ("exo_import", "exo_chat")),
    ):
        for name in names:
            ipython.magics_manager.magics[kind].pop(name, None)


def _listing(args: Any, fetch: Any, bundle: Any, wrap: Any) -> Any:
    """``%exo_models`` and ``%exo_deployments``: one zone's or every zone's, the zones that failed shown."""
    from ..core.errors import ExoModelsError

    if args.all_zones and args.zone:
        from IPython.core.error import UsageError

        raise UsageError("--zone and --all-zones exclude each other")
    try:
        found, errors = fetch(args.zone, all_zones=args.all_zones)
    except ExoModelsError as exc:
        _error(exc)
        return None
    _display(bundle(found, errors))
    return wrap(found)
