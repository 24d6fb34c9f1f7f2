"""``deploy``, ``deployments`` and ``deployment show|scale|logs|delete|key|chat``: deployments from a shell.

The key is printed only by ``deployment key NAME --show``, alone on stdout (for a pipe), with a warning on
stderr; every other output masks it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..core import api
from ..core.config import current_endpoints
from ..core.errors import (
    ConfigurationError,
    DeploymentFailed,
    ExoModelsError,
    InvalidModelIdError,
    PreflightFailed,
    UsageError,
    WatchTimeout,
)
from ..core.exoscale.models import Deployment
from ..core.runner import run_sync
from .progress import Progress

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def add_commands(
    command: Callable[..., argparse.ArgumentParser], seconds: Callable[[str], float]
) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the deployment commands to the CLI's parser; return their handlers by command name."""
    p = command("deploy", "check, import when needed, deploy, wait until ready and smoke-test", model="1")
    p.add_argument("--name", help="the deployment's name (default: from the model id)")
    p.add_argument("--gpu-type", help="GPU family, e.g. gpua5000 (default: the smallest that fits)")
    p.add_argument("--gpu-count", type=int, help="GPUs per replica, 1 to 8 (cannot change after creation)")
    p.add_argument("--replicas", type=int, default=1, help="replicas at creation (default 1)")
    p.add_argument("--engine-version", help="inference engine (vLLM) version (default: the API's)")
    p.add_argument(
        "--engine-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="an argument of the engine's server, e.g. --engine-arg=--max-model-len=4096 (repeatable)",
    )
    p.add_argument("--check", action="store_true", help="run the deployment checks only")
    p.add_argument("--no-wait", action="store_true", help="return once the deployment has started")
    p.add_argument("--no-smoke-test", action="store_true", help="do not send a prompt once ready")
    p.add_argument("--force", action="store_true", help="deploy even when a check fails")
    p.add_argument("--timeout", type=seconds, help="stop waiting after this many seconds")
    p.add_argument("--poll-interval", type=seconds, help="fixed polling interval in seconds")
    p = command("deployments", "list the deployments of a zone")
    p.add_argument("--all-zones", action="store_true", help="list every zone (concurrently)")

    p = command("deployment", "show, scale, read the logs of, delete, use, or chat with a deployment")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def action(name: str, help: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help, description=help)
        a.add_argument("name", help="the deployment's name or UUID")
        a.add_argument("-z", "--zone", default=argparse.SUPPRESS, help="Exoscale zone")
        a.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
        return a

    action("show", "show a deployment (state, details, GPUs, URL)")
    a = action("scale", "scale a deployment (0: scale to zero)")
    a.add_argument("replicas", type=int, help="replicas (0 to stop paying for GPUs)")
    a = action("logs", "print the last lines of the deployment's engine")
    a.add_argument("--tail", type=int, default=50, help="lines (default 50)")
    a = action("delete", "delete a deployment (the model stays imported)")
    a.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    a = action("key", "how to use the endpoint's key (masked); --show prints it alone, for a pipe")
    a.add_argument("--show", action="store_true", help="print the key itself on stdout")
    a = action("chat", "send one prompt to the deployment's endpoint")
    a.add_argument("prompt", help="the prompt")
    a.add_argument("--max-tokens", type=int, default=64, help="at most this many tokens (default 64)")
    return {"deploy": cmd_deploy, "deployments": cmd_deployments, "deployment": cmd_deployment}


def _print_json(data: Any) -> None:
    from . import _print_json as print_json

    print_json(data)


def _fail(args: argparse.Namespace, exc: Any, code: int, **extra: Any) -> int:
    from . import problem_text

    if getattr(args, "json", False):
        _print_json({**exc.to_dict(), **extra})
    else:
        print(problem_text(f"error: {exc.message}", exc.fix, exc.action), file=sys.stderr)
        for line in extra.get("logs", ())[-10:]:
            print(f"  log: {line}", file=sys.stderr)
    return code


def cmd_deploy(args: argparse.Namespace) -> int:
    from . import phrase

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
        if args.json:
            _print_json({k: v for k, v in report.to_dict().items() if k in ("model", "zone", "ok", "checks")})
        else:
            print(report.text(phrase))
        return EXIT_OK if report.ok else EXIT_FAILED
    progress = None if args.json else Progress(sys.stderr)
    try:
        job = api.deploy(
            args.model,
            **options,
            wait=not args.no_wait,
            timeout=args.timeout,
            smoke_test=not args.no_smoke_test,
            force=args.force,
            poll_interval=args.poll_interval,
            on_event=progress.update if progress else None,
        )
    except PreflightFailed as exc:
        if progress:
            progress.close()
        report = exc.report
        if args.json:
            return _fail(args, exc, EXIT_FAILED, cause=None, checks=[c.to_dict() for c in report.checks])
        print(report.text(phrase), file=sys.stderr)
        print("Nothing was sent to Exoscale. Fix the problems above, or pass --force.", file=sys.stderr)
        return EXIT_FAILED
    except DeploymentFailed as exc:
        if progress:
            progress.close()
        return _fail(args, exc, EXIT_FAILED, logs=list(exc.logs))
    except WatchTimeout as exc:
        if progress:
            progress.close()
        return _fail(args, exc, EXIT_FAILED, cause=None)
    except ExoModelsError as exc:  # the documented error shape has a cause, whatever went wrong
        if progress:
            progress.close()
        usage = isinstance(exc, (UsageError, ConfigurationError, InvalidModelIdError))
        return _fail(args, exc, EXIT_USAGE if usage else EXIT_FAILED, cause=getattr(exc, "cause", None))
    finally:
        if progress:
            progress.close()
    if args.json:
        data = job.to_dict()
        _print_json(
            {"deployment": data["deployment"], "smoke_test": data["smoke_test"], "checks": data["checks"]}
        )
        return EXIT_OK
    d = job.deployment
    verb = "Attached to" if job.attached else "Deployed"
    if d is None or job.state != "ready":
        print(f"Started {job.name} in {job.zone}: {job.state} (watch it: deployment show {job.name})")
        return EXIT_OK
    print(f"{verb} {d.name} in {d.zone}: {d.state} on {d.gpu_type} × {d.gpu_count}, {d.replicas} replica(s)")
    print(f"  url: {d.url}")
    if job.smoke_test is not None:
        smoke = job.smoke_test
        print(f"  smoke test ({smoke.latency_ms:.0f} ms, {smoke.model}): {smoke.text}")
    return EXIT_OK


def _row(d: Deployment) -> tuple[str, ...]:
    gpus = f"{d.gpu_type or '?'} × {d.gpu_count or '?'}"
    return (d.name, d.zone, d.state, gpus, str(d.replicas if d.replicas is not None else "?"), d.url or "-")


def cmd_deployments(args: argparse.Namespace) -> int:
    deployments, errors = api.list_deployments(args.zone, all_zones=args.all_zones)
    if args.json:
        _print_json([d.to_dict() for d in deployments])
    elif not deployments:
        print("No deployments.")
    else:
        head = ("NAME", "ZONE", "STATE", "GPUS", "REPLICAS", "URL")
        rows = [_row(d) for d in deployments]
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        for row in (head, *rows):
            print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip())
    for zone, error in errors.items():
        print(f"{zone}: {error.message}", file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK


def cmd_deployment(args: argparse.Namespace) -> int:
    zone = getattr(args, "zone", None)
    as_json = getattr(args, "json", False)
    if args.action == "show":
        d = api.get_deployment(args.name, zone=zone)
        if as_json:
            _print_json({**d.to_dict(), "sandbox": current_endpoints().sandbox})
        else:
            print(f"{d.name} in {d.zone}: {d.state}" + (f" ({d.state_details})" if d.state_details else ""))
            model = d.model_name or d.model_id
            print(f"  model: {model}  gpus: {d.gpu_type} × {d.gpu_count}  replicas: {d.replicas}")
            print(f"  url: {d.url or '-'}  engine: {d.engine_version or '-'} {' '.join(d.engine_parameters)}")
        return EXIT_FAILED if d.state == "error" else EXIT_OK
    if args.action == "scale":
        d = api.scale(args.name, args.replicas, zone=zone)
        if as_json:
            _print_json(d.to_dict())
        else:
            print(f"{d.name} in {d.zone}: {d.state}, {d.replicas} replica(s)")
        return EXIT_OK
    if args.action == "logs":
        for line in api.deployment_logs(args.name, zone=zone, tail=args.tail):
            print(line)
        return EXIT_OK
    if args.action == "delete":
        d = api.get_deployment(args.name, zone=zone)
        if not args.yes:
            if as_json or not sys.stdin.isatty():
                refused = ConfigurationError(
                    f"Refusing to delete {d.name} without confirmation", fix="Pass --yes"
                )
                return _fail(args, refused, EXIT_USAGE)
            if input(f"Delete deployment {d.name} ({d.id}) in {d.zone}? [y/N] ").strip().lower() not in (
                "y",
                "yes",
            ):
                print("Not deleted.")
                return EXIT_OK
        operation = api.delete_deployment(d.id, zone=d.zone)
        if as_json:
            _print_json({"deleted": d.to_dict(), "operation": operation.to_dict()})
        else:
            print(f"Deleted {d.name} ({d.id}) in {d.zone}")
        return EXIT_OK
    endpoint = api.endpoint(args.name, zone=zone)
    if args.action == "key":
        key = run_sync(endpoint.api_key())
        if args.show:
            print("warning: this is the endpoint's key in plain text; keep it out of logs", file=sys.stderr)
            print(key.reveal())
        elif as_json:
            _print_json({"name": endpoint.name, "url": endpoint.base_url, "key": key.masked})
        else:
            print(f"{endpoint.name}: key {key.masked} (masked), OpenAI-compatible API at {endpoint.base_url}")
            print(
                "  from Python, without the key in your code: jupyter_exo_models.endpoint(NAME).chat('Hello')"
            )
            print(f"  for a pipe: python -m jupyter_exo_models deployment key {endpoint.name} --show")
        return EXIT_OK
    reply = run_sync(endpoint.achat_reply(args.prompt, args.max_tokens))
    if as_json:
        _print_json(reply.to_dict())
    else:
        print(reply.text)
    return EXIT_OK
