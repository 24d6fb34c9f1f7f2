"""``python -m jupyter_exo_models`` / ``jupyter-exo-models``: the scripting face of the core.

Exit status: 0 success, 1 a check or the import failed, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from .. import activate_sandbox_if_requested
from ..core import api
from ..core.config import current_endpoints
from ..core.credentials import hf_login_command
from ..core.errors import (
    ConfigurationError,
    ExoModelsError,
    ImportFailed,
    InvalidModelIdError,
    ModelInUseError,
    PreflightFailed,
    UsageError,
    WatchTimeout,
)
from ..core.fixes import Action
from ..core.jobs import check_timeout
from ..core.preflight import human_bytes
from .deploy import add_commands
from .progress import Progress

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROG = "python -m jupyter_exo_models"


def phrase(action: Action) -> str | None:
    """The shell command that does what a fix's ``action`` asks (None when the fix's words say it all).

    Every argument is shell-quoted: names and ids come from the user or from Exoscale.
    """
    q, args = shlex.quote, action.args
    if action.kind == "delete-model":
        return f"{PROG} delete {q(args['model'])} -z {q(args['zone'])}"
    if action.kind == "attach":
        return f"{PROG} status {q(args['model'])} -z {q(args['zone'])} --watch"
    if action.kind == "list-models":
        return f"{PROG} list -z {q(args['zone'])}"
    if action.kind == "delete-deployments" and args["names"]:
        zone = q(args["zone"])
        return " && ".join(f"{PROG} deployment delete {q(n)} -z {zone} --yes" for n in args["names"])
    if action.kind == "attach-deployment":
        return f"{PROG} deployment show {q(args['deployment'])} -z {q(args['zone'])}"
    if action.kind == "scale-deployment":
        return f"{PROG} deployment scale {q(args['deployment'])} {int(args['replicas'])} -z {q(args['zone'])}"
    if action.kind == "deploy":
        gpus = (
            f" --gpu-type {q(args['gpu_type'])} --gpu-count {int(args['gpu_count'])}"
            if "gpu_type" in args
            else ""
        )
        return f"{PROG} deploy {q(args['model'])} -z {q(args['zone'])}{gpus}"
    if action.kind == "login-hf":
        return hf_login_command()  # huggingface_hub's CLI: its saved token is found like HF_TOKEN
    if action.kind == "login-exoscale":
        return "exo config"
    return None  # use-id, accept-terms, retry-later: the fix names the id, the page, the wait


def problem_text(message: str, fix: str = "", action: Action | None = None, *, indent: str = "  ") -> str:
    """A message, its fix and the fix's command as this face phrases it: the CLI's one text for them."""
    command = phrase(action) if action else None
    return (
        message + (f"\n{indent}fix: {fix}" if fix else "") + (f"\n{indent}run: {command}" if command else "")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m jupyter_exo_models",
        description="Import gated, private and organization-owned Hugging Face models into Exoscale "
        "Dedicated Inference. Credentials: HF_TOKEN (or the saved Hugging Face token), "
        "EXOSCALE_API_KEY/EXOSCALE_API_SECRET (or the exo CLI config).",
    )
    parser.add_argument(
        "--sandbox", action="store_true", help="use the embedded sandbox (same as EXO_MODELS_SANDBOX=1)"
    )
    parser.add_argument(
        "-A",
        "--use-account",
        metavar="NAME",
        help="the exo CLI config's account to use (same as EXOSCALE_ACCOUNT)",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0, help="log to stderr (-vv for debug)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, *, model: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if model:
            p.add_argument(
                "model", nargs="+" if model == "+" else None, help="Hugging Face repo id (or model UUID)"
            )
        p.add_argument("-z", "--zone", help="Exoscale zone (default: EXOSCALE_ZONE, exo config, or de-fra-1)")
        p.add_argument("--json", action="store_true", help="print machine-readable JSON")
        # also after the command; SUPPRESS keeps the value given before it
        p.add_argument(
            "--sandbox", action="store_true", default=argparse.SUPPRESS, help="use the embedded sandbox"
        )
        p.add_argument(
            "-A",
            "--use-account",
            metavar="NAME",
            default=argparse.SUPPRESS,
            help="the exo CLI config's account to use",
        )
        return p

    command("check", "run the preflight checks (nothing is sent to Exoscale)", model="+")
    p = command("import", "preflight, create the model at Exoscale, and watch it", model="1")
    p.add_argument("--no-wait", action="store_true", help="return once the creation has started")
    p.add_argument("--force", action="store_true", help="import even when a check fails")
    p.add_argument("--timeout", type=_seconds, help="stop watching after this many seconds")
    p.add_argument("--poll-interval", type=_seconds, help="fixed polling interval in seconds")
    p = command("list", "list the models of a zone")
    p.add_argument("--all-zones", action="store_true", help="list every zone (concurrently)")
    p = command("status", "show a model's state; --watch to follow it until it settles", model="1")
    p.add_argument("--watch", action="store_true", help="follow the import until created or error")
    p.add_argument("--timeout", type=_seconds, help="stop watching after this many seconds")
    p = command("delete", "delete a model", model="1")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    COMMANDS.update(add_commands(command, _seconds))
    sub.add_parser(
        "demo",
        help="walk through a failing gated import, its diagnosis, and a successful import "
        "(embedded sandbox, no accounts needed)",
    )
    p = sub.add_parser("sandbox", help="run the sandbox servers in the foreground and print how to use them")
    p.add_argument("--creating", type=float, default=2.0, help="seconds a model stays in 'creating'")
    p.add_argument("--downloading", type=float, default=5.0, help="seconds a model stays in 'downloading'")
    return parser


def _seconds(value: str) -> float:
    """A number of seconds, by the core's one rule (greater than 0, finite)."""
    try:
        seconds = check_timeout(float(value), "the value")
    except (ValueError, UsageError) as exc:
        raise argparse.ArgumentTypeError(getattr(exc, "message", f"not a number: {value!r}")) from None
    assert seconds is not None
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "all_zones", False) and args.zone:
        parser.error("--zone and --all-zones exclude each other")  # exits 2
    _configure_logging(args.verbose)
    if args.sandbox:
        os.environ["EXO_MODELS_SANDBOX"] = "1"
    if args.use_account is not None:  # as the exo CLI: the flag wins over EXOSCALE_ACCOUNT
        os.environ["EXOSCALE_ACCOUNT"] = args.use_account
    try:
        return _run(args)
    except KeyboardInterrupt:  # the demo and the sandbox included: 130, as a shell reports SIGINT
        # Work cut off mid-way is dropped on purpose as the process ends: a coroutine not started yet
        # ("never awaited") or an object half built (an event loop's "Exception ignored in __del__").
        warnings.filterwarnings("ignore", "coroutine .* was never awaited", RuntimeWarning)
        sys.unraisablehook = lambda _: None
        print("\ninterrupted", file=sys.stderr)
        return 130
    except (InvalidModelIdError, ConfigurationError, UsageError) as exc:
        return _fail(args, exc, EXIT_USAGE)
    except ExoModelsError as exc:
        return _fail(args, exc, EXIT_FAILED)


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from .demo import run_demo

        return run_demo()
    if args.command == "sandbox":
        from .demo import run_sandbox

        return run_sandbox(args.creating, args.downloading)
    activate_sandbox_if_requested()  # EXO_MODELS_SANDBOX=1 or --sandbox, resolved once, here
    if not getattr(args, "json", False) and current_endpoints().sandbox:
        from .. import sandbox

        private = isinstance(sandbox.current(), sandbox.Sandbox)  # started by this command, gone when it ends
        print(
            "[SANDBOX] embedded fake Hugging Face Hub and Exoscale API: nothing leaves this machine"
            + (
                "\n[SANDBOX] this command's own sandbox: to keep models between commands, run "
                "`python -m jupyter_exo_models sandbox` and export what it prints"
                if private
                else ""
            ),
            file=sys.stderr,
        )
    return COMMANDS[args.command](args)


def _fail(args: argparse.Namespace, exc: ExoModelsError, code: int) -> int:
    if getattr(args, "json", False):
        _print_json(exc.to_dict())
    else:
        print(problem_text(f"error: {exc.message}", exc.fix, exc.action), file=sys.stderr)
    return code


def cmd_check(args: argparse.Namespace) -> int:
    reports = api.preflight_many(args.model, zone=args.zone)
    if args.json:
        payload = [r.to_dict() for r in reports]
        _print_json(payload[0] if len(payload) == 1 else payload)
    else:
        print("\n\n".join(r.text(phrase) for r in reports))
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED


def cmd_import(args: argparse.Namespace) -> int:
    progress = None if args.json else Progress(sys.stderr)
    try:
        job = api.import_model(
            args.model,
            zone=args.zone,
            wait=not args.no_wait,
            timeout=args.timeout,
            force=args.force,
            poll_interval=args.poll_interval,
            on_event=progress.update if progress else None,
        )
    except PreflightFailed as exc:
        if args.json:
            _print_json(exc.report.to_dict())
        else:
            print(exc.report.text(phrase), file=sys.stderr)
            print("Nothing was sent to Exoscale. Fix the problems above, or pass --force.", file=sys.stderr)
        return EXIT_FAILED
    except (ImportFailed, WatchTimeout) as exc:
        if progress:
            progress.close()
        return _fail(args, exc, EXIT_FAILED)
    finally:
        if progress:
            progress.close()
    if args.json:
        _print_json(job.to_dict())
    else:
        verb = "Attached to" if job.attached else "Started"
        print(
            f"{verb} {job.name} in {job.zone}: {job.state}" + (f" (id {job.model.id})" if job.model else "")
        )
        if job.events and job.events[-1].message and job.state in ("created", "ready"):
            print(job.events[-1].message)
            print(f"  run: {phrase(Action('deploy', {'model': job.name, 'zone': job.zone}))}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    models, errors = api.listing(args.zone, all_zones=args.all_zones)
    if args.json:
        _print_json(
            {
                "models": [m.to_dict() for m in models],
                "sandbox": current_endpoints().sandbox,
                "errors": {z: e.to_dict() for z, e in errors.items()},
            }
        )
        return EXIT_FAILED if errors else EXIT_OK
    if not models:
        print("No models.")
    else:
        rows = [(m.name, m.zone, m.state, human_bytes(m.size) if m.size else "-", m.id) for m in models]
        widths = [
            max(len(str(r[i])) for r in rows + [("NAME", "ZONE", "STATE", "SIZE", "ID")]) for i in range(5)
        ]
        for row in [("NAME", "ZONE", "STATE", "SIZE", "ID"), *rows]:
            print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
    for zone, error in errors.items():
        print(f"{zone}: {error.message}", file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK  # the list is incomplete


def cmd_status(args: argparse.Namespace) -> int:
    if args.watch:
        progress = None if args.json else Progress(sys.stderr)
        try:
            job = api.attach(
                args.model,
                zone=args.zone,
                timeout=args.timeout,
                on_event=progress.update if progress else None,
            )
        except (ImportFailed, WatchTimeout) as exc:
            return _fail(args, exc, EXIT_FAILED)
        finally:
            if progress:
                progress.close()
        result: dict[str, Any] = job.to_dict()
    else:
        result = {
            **api.get_model(args.model, zone=args.zone).to_dict(),
            "sandbox": current_endpoints().sandbox,
        }
    if args.json:
        _print_json(result)
    else:
        size = human_bytes(result.get("model_size")) if result.get("model_size") else "-"
        print(f"{result['name']} in {result['zone']}: {result['state']} (size {size}, id {result['id']})")
    return EXIT_FAILED if result["state"] == "error" else EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    model = api.get_model(args.model, zone=args.zone)
    if not args.yes:
        if args.json or not sys.stdin.isatty():
            refused = ConfigurationError(
                f"Refusing to delete {model.name} without confirmation", fix="Pass --yes"
            )
            return _fail(args, refused, EXIT_USAGE)
        answer = input(f"Delete {model.name} ({model.id}) in {model.zone}? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Not deleted.")
            return EXIT_OK
    try:
        operation = api.delete_model(model.id, zone=model.zone)
    except ModelInUseError as exc:
        if args.json:
            _print_json({**exc.to_dict(), "deployments": exc.deployments})
            return EXIT_FAILED
        return _fail(args, exc, EXIT_FAILED)  # the message names the deployments
    if args.json:
        _print_json({"deleted": model.to_dict(), "operation": operation.to_dict()})
    else:
        print(f"Deleting {model.name} ({model.id}) in {model.zone}: {operation.state}")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "import": cmd_import,
    "list": cmd_list,
    "status": cmd_status,
    "delete": cmd_delete,
}


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def _configure_logging(verbosity: int) -> None:
    if verbosity:
        logging.basicConfig(
            level=logging.DEBUG if verbosity > 1 else logging.INFO,
            format="%(asctime)s %(name)s %(levelname)s %(message)s",
            stream=sys.stderr,
        )
