"""All benchmarks, each printed as a ratio measured side by side in one run, next to its target.

Run: python benchmarks/run.py            (about a minute)
     python benchmarks/run.py --only polling

1. preflight latency     (see bench_preflight.py) wall time / per-request latency, 1 and 20 models
2. actionable answer     time to the failing check vs. create-and-poll at the CLI schedule, per seed cause
3. polling economy       requests while watching a simulated 10-minute import vs. what the CLI schedule
                         implies
4. import cost           `import jupyter_exo_models` and `%load_ext` vs. `import huggingface_hub`
5. kernel responsiveness latency of `1+1` while 10 imports are watched vs. with nothing running
6. deployment preflight  wall time / L (200 ms added per request), next to the same questions asked in turn
7. deployment polling    requests while watching a simulated 15-minute deployment vs. the SDK schedule
8. deploy, already ready `deploy` of a ready deployment (attach, smoke test) / L
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from jupyter_exo_models.core.clock import VirtualClock
from jupyter_exo_models.core.credentials import resolve_exoscale
from jupyter_exo_models.core.errors import ImportFailed
from jupyter_exo_models.core.exoscale.client import ExoscaleClient
from jupyter_exo_models.core.imports import start_import
from jupyter_exo_models.core.polling import PollSchedule, sdk_interval
from jupyter_exo_models.core.preflight import preflight
from jupyter_exo_models.sandbox import Sandbox, Timings

SEED_CAUSES = [
    ("sandbox-org/mixed-case-model", "repo-id-case"),
    ("other-user/secret-model", "repo-access"),
    ("sandbox-gated/Llama-Gated-8B", "gated-access"),
    ("sandbox-org/pytorch-only", "weights-format"),
]
ROWS: list[tuple[str, float, str, bool, str]] = []  # name, ratio, target, met, detail


def row(name: str, ratio: float, target: float, detail: str) -> None:
    ROWS.append((name, ratio, f"<= {target:g}", ratio <= target, detail))


def bench_preflight() -> None:
    import bench_preflight

    for name, ratio, seq_ratio, target in asyncio.run(bench_preflight.main(0.2)):
        row(name + " / L", ratio, target, f"sequential: {seq_ratio:.1f} L")


def bench_actionable(failing_after: float = 60.0) -> None:
    """Preflight (real time, L = 200 ms per request) vs. create-and-poll at the CLI's schedule.

    The create-and-poll side runs in simulated time against a sandbox in which Exoscale ends the
    import in error ``failing_after`` seconds after the create (an assumption: the real delay
    depends on the service); the polling schedule then decides when the error is seen.
    """

    async def main() -> None:
        for model_id, cause in SEED_CAUSES:
            with Sandbox() as sb:
                sb.faults.latency = 0.2
                started = time.perf_counter()
                report = await preflight(model_id, zone="de-fra-1")
                answer = time.perf_counter() - started
                assert report[cause].status == "fail"
            clock = VirtualClock()
            with Sandbox(clock=clock, timings=Timings(creating=failing_after, downloading=600)):
                job = await start_import(
                    model_id, zone="de-fra-1", force=True, clock=clock, schedule=PollSchedule()
                )
                try:
                    await job.wait()
                except ImportFailed as exc:
                    assert exc.cause == cause, (model_id, exc.cause)
                else:
                    raise AssertionError(f"{model_id} was imported: the seed cause did not fail at Exoscale")
            row(
                f"actionable answer: {cause}",
                answer / clock.time(),
                0.01,
                f"{answer * 1000:.0f} ms vs {clock.time():.0f} s (simulated)",
            )

    asyncio.run(main())


def bench_polling() -> None:
    async def main() -> None:
        clock = VirtualClock()
        with Sandbox(clock=clock, timings=Timings(creating=60, downloading=540)) as sb:
            job = await start_import(
                "sandbox-org/Tiny-Llama-1B", zone="de-fra-1", clock=clock, schedule=PollSchedule()
            )
            sb.clear_log()
            await job.wait()
            sent = len([r for r in sb.requests if r.service == "exoscale"])
        implied, t = 1, 0.0
        while t < 600:
            t += sdk_interval(t)
            implied += 1
        changes = len(job.events)
        row(
            "polling economy (10-min import)",
            sent / (implied + changes),
            1.0,
            f"{sent} requests; schedule implies {implied} + {changes} state changes",
        )

    asyncio.run(main())


def _timed(code: str, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def bench_import_cost() -> None:
    timer = "import time; t = time.perf_counter(); {}; print(time.perf_counter() - t)"
    shell = (
        "from IPython.core.interactiveshell import InteractiveShell; sh = InteractiveShell.instance(); "
        + timer
    )
    hub = _timed(timer.format("import huggingface_hub"))
    ours = _timed(timer.format("import jupyter_exo_models"))
    load_ext = _timed(shell.format("sh.run_line_magic('load_ext', 'jupyter_exo_models')"))
    row("import jupyter_exo_models", ours / hub, 1.2, f"{ours * 1000:.1f} ms vs {hub * 1000:.1f} ms")
    row(
        "%load_ext jupyter_exo_models",
        load_ext / hub,
        1.2,
        f"{load_ext * 1000:.1f} ms vs {hub * 1000:.1f} ms",
    )


def bench_kernel(samples: int = 40) -> None:
    from jupyter_client.manager import start_new_kernel

    with Sandbox(timings=Timings(creating=5, downloading=60)) as sb:
        names = [f"sandbox-org/bench-{i}" for i in range(10)]
        from jupyter_exo_models.sandbox import Repo

        for name in names:
            sb.hub.add_repo(Repo(name, {"model.safetensors": 10**9}, parameters=10**8))
        env = {**os.environ, "EXO_MODELS_POLL_INTERVAL": "0.2"}
        manager, client = start_new_kernel(kernel_name="python3", env=env)
        try:

            def latency() -> float:
                times = []
                for _ in range(samples):
                    started = time.perf_counter()
                    client.execute_interactive("1+1", timeout=30, output_hook=lambda msg: None)
                    times.append(time.perf_counter() - started)
                return statistics.median(times)

            client.execute_interactive(
                "import jupyter_exo_models as jem", timeout=60, output_hook=lambda m: None
            )
            idle = latency()
            client.execute_interactive(
                f"jobs = [jem.import_model(n, zone='de-fra-1', wait=False) for n in {names!r}]",
                timeout=120,
                output_hook=lambda m: None,
            )
            busy = latency()
            still: list[str] = []
            client.execute_interactive(
                "print(sum(not j.done for j in jobs))",
                timeout=30,
                output_hook=lambda msg: (
                    still.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None
                ),
            )
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    watching = "".join(still).strip() or "?"
    row(
        "kernel: `1+1` with 10 watches",
        busy / idle,
        1.5,
        f"{busy * 1000:.1f} ms vs {idle * 1000:.1f} ms idle ({watching} of 10 still watching at the end)",
    )


def bench_deploy_preflight() -> None:
    from jupyter_exo_models.core.config import ZONES
    from jupyter_exo_models.core.deploy_preflight import deploy_preflight

    async def main() -> None:
        with Sandbox() as sb:
            await deploy_preflight(sb.demo.already_created, zone="de-fra-1")  # warm: TLS contexts, whoami
            sb.faults.latency = latency = 0.2
            started = time.perf_counter()
            report = await deploy_preflight(sb.demo.already_created, zone="de-fra-1")
            wall = time.perf_counter() - started
            assert report.ok, str(report)
            credentials = resolve_exoscale(zone="de-fra-1")
            started = time.perf_counter()
            for zone in ZONES:  # what the checks ask, one question after another
                async with ExoscaleClient(credentials, zone) as client:
                    await client.list_instance_types()
            async with ExoscaleClient(credentials, "de-fra-1") as client:
                await client.list_models()
                await client.list_deployments()
                await client.engine_parameters()
            sequential = time.perf_counter() - started
        row("deployment preflight / L", wall / latency, 1.5, f"sequential: {sequential / latency:.1f} L")

    asyncio.run(main())


def bench_deploy_polling() -> None:
    from jupyter_exo_models.core.deployments import start_deployment

    async def main() -> None:
        clock = VirtualClock()
        timings = Timings(deployment_creating=120, deployment_deploying=780)  # 15 minutes to ready
        with Sandbox(clock=clock, timings=timings) as sb:
            job = await start_deployment(
                sb.demo.already_created,
                zone="de-fra-1",
                clock=clock,
                schedule=PollSchedule(),
                smoke_test=False,
            )
            sb.clear_log()
            await job.wait()
            sent = len([r for r in sb.requests if r.service == "exoscale"])
        implied, t = 1, 0.0
        while t < 900:
            t += sdk_interval(t)
            implied += 1
        changes = len([e for e in job.events if e.changed])
        row(
            "polling economy (15-min deployment)",
            sent / (implied + changes),
            1.0,
            f"{sent} requests; schedule implies {implied} + {changes} state changes",
        )

    asyncio.run(main())


def bench_deploy_ready() -> None:
    """L is added to the API's answers (Hub and Exoscale), as in the other rows; the endpoint (vLLM on the
    deployment's GPUs, another server) answers the smoke test's two requests without it. With L on the
    endpoint too (the detail): four dependent round trips (checks, key, /v1/models, the prompt)."""
    from jupyter_exo_models.core.api import adeploy
    from jupyter_exo_models.core.deployments import forget_deployment_jobs

    async def once(sb: Sandbox, services: set[str]) -> float:
        forget_deployment_jobs()
        sb.faults.services, sb.faults.latency = services, 0.0
        await adeploy(sb.demo.already_created, zone="de-fra-1")  # warm: TLS contexts, whoami
        forget_deployment_jobs()
        sb.faults.latency = 0.2
        started = time.perf_counter()
        job = await adeploy(sb.demo.already_created, zone="de-fra-1")
        wall = time.perf_counter() - started
        sb.faults.latency = 0.0
        assert job.attached and job.smoke_test is not None
        return wall / 0.2

    async def main() -> None:
        with Sandbox(timings=Timings(deployment_creating=0, deployment_deploying=0)) as sb:
            await adeploy(sb.demo.already_created, zone="de-fra-1", poll_interval=0.05)
            api_only = await once(sb, {"hub", "exoscale"})
            everywhere = await once(sb, {"hub", "exoscale", "inference"})
        row("deploy, already ready / L", api_only, 3.0, f"with L on the endpoint too: {everywhere:.1f} L")

    asyncio.run(main())


BENCHMARKS = {
    "preflight": bench_preflight,
    "actionable": bench_actionable,
    "polling": bench_polling,
    "import": bench_import_cost,
    "kernel": bench_kernel,
    "deploy-preflight": bench_deploy_preflight,
    "deploy-polling": bench_deploy_polling,
    "deploy-ready": bench_deploy_ready,
}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", choices=sorted(BENCHMARKS), action="append")
    args = parser.parse_args()
    for name in args.only or BENCHMARKS:
        BENCHMARKS[name]()
    width = max(len(r[0]) for r in ROWS)
    print(f"{'benchmark':<{width}}  {'ratio':>8}  {'target':>7}  verdict  detail")
    for name, ratio, target, met, detail in ROWS:
        print(f"{name:<{width}}  {ratio:>8.3f}  {target:>7}  {'ok' if met else 'MISSED':<7}  {detail}")
