"""IPython magics: ``%load_ext jupyter_exo_models``, then ``%exo_import``, ``%%exo_import``, ``%exo_models``,
``%exo_status``, ``%exo_delete`` and ``%exo_login``. ``%exo_import?`` documents every option.

The core is imported on first use, so ``%load_ext`` stays cheap.
"""

from __future__ import annotations

import re
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

TOKEN_LIKE = re.compile(r"\bhf_[A-Za-z0-9]{8,}|\bEXO[A-Za-z0-9]{8,}")
TOKEN_WARNING = ("A token-like value was written in this cell: it is ignored and was not echoed. It is now part of "
                 "the notebook file: revoke it, then use jupyter_exo_models.login() or the HF_TOKEN / "
                 "EXOSCALE_API_KEY / EXOSCALE_API_SECRET environment variables.")


def _display(data: dict[str, str]) -> None:
    from IPython.display import display

    display(data, raw=True)


def _error(exc: Any) -> None:
    from .render import bundle, esc

    fix = f"\n  fix: {exc.fix}" if getattr(exc, "fix", "") else ""
    _display(bundle(f"error: {exc.message}{fix}",
                    f"<div style='color:#cf222e'><b>{esc(exc.message)}</b>"
                    + (f"<br>fix: {esc(exc.fix)}" if getattr(exc, "fix", "") else "") + "</div>"))


def _scrub(line: str) -> str:
    """Drop token-like words from a magic line (with a warning that never repeats them)."""
    if TOKEN_LIKE.search(line):
        import warnings

        warnings.warn(TOKEN_WARNING, stacklevel=3)
        line = TOKEN_LIKE.sub("", line)
    return line


def _args(magic: Any, line: str) -> Any:
    return parse_argstring(magic, _scrub(line))


@magics_class
class ExoMagics(Magics):
    @magic_arguments()
    @argument("model", nargs="?", help="Hugging Face repo id (namespace/name); in the cell form, one id a line")
    @argument("-z", "--zone", help="Exoscale zone (default: EXOSCALE_ZONE, the exo config, or de-fra-1)")
    @argument("--check", action="store_true", help="only run the preflight checks")
    @argument("--no-wait", action="store_true", help="return once the creation has started (watched in the background)")
    @argument("--force", action="store_true", help="import even when a check fails")
    @argument("--timeout", type=float, help="stop watching after this many seconds (the import goes on)")
    @line_cell_magic
    def exo_import(self, line: str, cell: str | None = None) -> Any:
        """Preflight, import and watch a Hugging Face model in Exoscale Dedicated Inference.

        Line form: ``%exo_import MODEL_ID [--zone Z] [--check] [--no-wait] [--force] [--timeout S]``
        returns the ImportJob (or the PreflightReport with --check).
        Cell form: ``%%exo_import [--zone Z] [--check]`` with one model id a line: all are checked
        concurrently, those that pass are imported, one table shows them all live.
        """
        from ..core.errors import ExoModelsError

        args = _args(self.exo_import, line)
        try:
            if cell is not None:
                ids = [_scrub(x).strip() for x in cell.splitlines() if x.strip() and not x.strip().startswith("#")]
                return _batch(ids, args)
            if not args.model:
                raise _usage("%exo_import needs a model id, e.g. %exo_import meta-llama/Llama-3.1-8B-Instruct")
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
        from ..core.config import ZONES
        from ..core.errors import ExoModelsError
        from .render import models_bundle

        args = _args(self.exo_models, line)
        try:
            if args.all_zones:
                by_zone, errors = api.list_models_all_zones()
                models = [m for zone in ZONES for m in by_zone.get(zone, [])]
            else:
                models, errors = api.list_models(args.zone), {}
        except ExoModelsError as exc:
            _error(exc)
            return None
        _display(models_bundle(models, errors))
        return models

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
        """Delete a model: ``%exo_delete MODEL [--zone Z] --yes``. A model used by deployments is kept (412)."""
        from ..core import api
        from ..core.errors import ExoModelsError, ModelInUseError
        from .render import bundle, esc

        args = _args(self.exo_delete, line)
        try:
            model = api.get_model(args.model, zone=args.zone)
            if not args.yes:
                text = f"Would delete {model.name} ({model.id}) in {model.zone}: run again with --yes to delete it."
                _display(bundle(text, esc(text)))
                return None
            operation = api.delete_model(model.id, zone=model.zone)
        except ModelInUseError as exc:
            text = f"{exc.message}\n  fix: {exc.fix}"
            _display(bundle(text, f"<div style='color:#cf222e'><b>Not deleted:</b> used by "
                                  f"{esc(', '.join(exc.deployments))}<br>fix: {esc(exc.fix)}</div>"))
            return None
        except ExoModelsError as exc:
            _error(exc)
            return None
        text = f"Deleting {model.name} ({model.id}) in {model.zone}: {operation.state}"
        _display(bundle(text, esc(text)))
        return operation

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


def _single(args: Any) -> Any:
    from IPython.display import display

    from ..core import api
    from ..core.errors import ImportFailed, PreflightFailed, WatchTimeout
    from .render import bundle, report_bundle, timeline_html, timeline_text

    if args.check:
        report = api.preflight_sync(args.model, zone=args.zone)
        _display(report_bundle(report))
        return report
    handle = display(bundle(f"Starting the import of {args.model}…", "<i>Starting…</i>"), raw=True, display_id=True)

    def show(_: Any = None) -> None:
        handle.update(bundle(timeline_text(job), timeline_html(job)), raw=True)

    try:
        job = api.start_import_sync(args.model, zone=args.zone, force=args.force)
    except PreflightFailed as exc:
        handle.update(report_bundle(exc.report), raw=True)
        return exc.report
    job.subscribe(show)
    if args.no_wait:
        job.start()
        return job
    try:
        job.result(timeout=args.timeout)
    except (ImportFailed, WatchTimeout):
        pass  # the timeline shows the diagnosis or the timeout
    except KeyboardInterrupt:
        job.stop()
    show()
    return job


def _batch(ids: list[str], args: Any) -> Any:
    from IPython.display import display

    from ..core import api
    from ..core.runner import run_sync
    from .render import bundle, esc

    if not ids:
        raise _usage("%%exo_import needs one model id a line in the cell")
    reports = api.preflight_many_sync(ids, zone=args.zone)
    jobs: dict[str, Any] = {}
    handle = display(bundle("…", "…"), raw=True, display_id=True)

    def table(_: Any = None) -> None:
        rows_text, rows_html = [], []
        for report in reports:
            job = jobs.get(report.model)
            failed = ", ".join(c.id for c in report.failures)
            state = job.state if job else ("ready to import" if report.ok else f"refused: {failed}")
            rows_text.append(f"{report.model:<40} {state}")
            color = {"created": "#1a7f37", "error": "#cf222e"}.get(state, "#cf222e" if not report.ok else "inherit")
            rows_html.append(f"<tr><td style='text-align:left'>{esc(report.model)}</td>"
                             f"<td style='text-align:left;color:{color}'>{esc(state)}</td></tr>")
        handle.update(bundle("\n".join(rows_text), "<table>" + "".join(rows_html) + "</table>"), raw=True)

    table()
    if args.check:
        return reports

    async def run_all() -> None:
        import asyncio

        async def one(report: Any) -> None:
            job = await api.astart_import(report.model, zone=report.zone, force=args.force)
            jobs[report.model] = job
            job.subscribe(table)
            await job.wait(args.timeout)

        await asyncio.gather(*(one(r) for r in reports if r.ok or args.force), return_exceptions=True)

    if args.no_wait:
        from ..core.runner import submit

        submit(run_all())
    else:
        run_sync(run_all())
    table()
    return {"reports": reports, "jobs": jobs}


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(ExoMagics)


def unload_ipython_extension(ipython: Any) -> None:
    for kind, names in (("line", ("exo_import", "exo_models", "exo_status", "exo_delete", "exo_login")),
                        ("cell", ("exo_import",))):
        for name in names:
            ipython.magics_manager.magics[kind].pop(name, None)

