"""``demo`` and ``sandbox``: the whole flow with no accounts, against the embedded sandbox."""

from __future__ import annotations

import sys
import threading
import time

from ..core import api
from ..core.errors import DeploymentFailed, ImportFailed, PreflightFailed
from ..core.preflight import field_label
from . import phrase, problem_text
from .progress import Progress

GATED = "sandbox-gated/Llama-Gated-8B"


def _say(text: str = "") -> None:
    print(text, flush=True)


def run_demo() -> int:
    from ..sandbox import Sandbox, Timings

    started = time.perf_counter()
    timings = Timings(
        creating=1.0, downloading=2.0, deployment_creating=1.0, deployment_deploying=2.0, scaling=0.5
    )
    with Sandbox(timings=timings) as sb:
        _say("SANDBOX demo: a fake Hugging Face Hub and a fake Exoscale API on this machine")
        _say(
            f"  hub {sb.hub_url}   exoscale {sb.exoscale_url('de-fra-1')}"
            "   (no accounts, nothing leaves 127.0.0.1)"
        )
        _say()
        _say(f"1. Import {GATED} the usual way (create, then poll), without accepting its terms first")
        progress = Progress(sys.stdout)
        try:
            api.import_model(GATED, zone="de-fra-1", force=True, poll_interval=0.5, on_event=progress.update)
        except ImportFailed as exc:
            progress.close()
            failed_after = exc.model and exc.model.state
            said = (
                f"   Exoscale ended it in {failed_after or 'error'}. Diagnosis: [{exc.cause}] {exc.message}"
            )
            _say(problem_text(said, exc.fix, exc.action, indent="   "))
        else:
            progress.close()
            _say("   unexpected: the gated import succeeded")
            return 1
        api.delete_model(GATED, zone="de-fra-1")
        _say("   (deleted the failed model)")
        _say()

        _say("2. The same mistake, caught by preflight before anything is sent to Exoscale")
        t0 = time.perf_counter()
        report = api.preflight(GATED, zone="de-fra-1")
        _say(f"   ({(time.perf_counter() - t0) * 1000:.0f} ms)")
        _say(_indent(report.text(phrase)))
        gate = report["gated-access"].data
        if gate.get("prompt"):
            _say(f"   The gate asks: {gate.get('heading', '')} — {gate['prompt']}")
            for gate_field in gate.get("fields") or ():
                _say(f"     - {field_label(gate_field)}")
        _say()

        _say("3. Accept the conditions on the model page (the sandbox plays the user's click), then re-check")
        sb.hub.accept("demo-user", GATED)
        report = api.preflight(GATED, zone="de-fra-1")
        _say(f"   gated-access: {report['gated-access'].status} — {report['gated-access'].message}")
        _say()

        _say(f"4. Import {GATED}")
        progress = Progress(sys.stdout)
        try:
            job = api.import_model(GATED, zone="de-fra-1", poll_interval=0.5, on_event=progress.update)
        except (ImportFailed, PreflightFailed) as exc:
            progress.close()
            _say(f"   failed: {exc}")
            return 1
        progress.close()
        _say(f"   {job.name} is {job.state} in {job.zone} (id {job.model.id if job.model else '?'})")
        _say()
        if not _deploy(GATED):
            return 1
    _say()
    _say(f"Demo finished in {time.perf_counter() - started:.1f} s.")
    return 0


def _deploy(model: str) -> bool:
    """Steps 5 to 8: deploy the imported model, smoke-test it, chat once, scale it to zero, delete it."""
    report = api.deploy_preflight(model, zone="de-fra-1")
    _say(f"5. Deploy {model}: checks first (GPU choice and memory fit), then wait until ready and smoke-test")
    _say(f"   {report['gpu-type'].message}")
    _say(f"   {report['gpu-fit'].message}")
    progress = Progress(sys.stdout)
    try:
        job = api.deploy(model, zone="de-fra-1", poll_interval=0.5, on_event=progress.update)
    except (DeploymentFailed, PreflightFailed) as exc:
        progress.close()
        _say(f"   failed: {exc}")
        return False
    progress.close()
    deployment, smoke = job.deployment, job.smoke_test
    assert deployment is not None and smoke is not None
    _say(f"   {deployment.name} is ready at {deployment.url}")
    _say(f"   smoke test answered in {smoke.latency_ms:.0f} ms: {smoke.text}")
    _say()
    _say("6. Chat with it (the endpoint's key is fetched on demand and never shown)")
    _say(f"   > What is Exoscale?\n   {job.endpoint.chat('What is Exoscale?', max_tokens=32)}")
    _say()
    _say("7. Scale it to zero: no GPU is paid for, and the endpoint answers 503 until scaled back")
    scaled = api.scale(deployment.name, 0, zone="de-fra-1")
    _say(f"   {scaled.name}: {scaled.state}, {scaled.replicas} replica(s)")
    _say()
    _say("8. Delete it (the model stays imported)")
    api.delete_deployment(deployment.name, zone="de-fra-1")
    _say(f"   deleted {deployment.name}")
    return True


def run_sandbox(creating: float, downloading: float) -> int:
    from ..sandbox import Sandbox, Timings

    with Sandbox(timings=Timings(creating=creating, downloading=downloading)) as sb:
        demo = sb.demo
        _say("SANDBOX running (Ctrl-C to stop)")
        _say(f"  Hugging Face Hub : {sb.hub_url}")
        _say(f"  Exoscale API     : {sb.exoscale_url_template}")
        _say(f"  HF token         : {demo.hf_token}")
        _say(f"  Exoscale key     : {demo.exo_key}")
        _say(f"  Exoscale secret  : {demo.exo_secret}")
        _say("  These are fake, public demo credentials: they only work against this sandbox.")
        _say()
        _say("Use it from another shell, notebook server or script:")
        _say("  export EXO_MODELS_SANDBOX=1")
        _say(f"  export EXO_MODELS_SANDBOX_HUB_URL={sb.hub_url}")
        _say(f"  export EXO_MODELS_SANDBOX_EXOSCALE_URL='{sb.exoscale_url_template}'")
        _say()
        _say("Demo models:")
        for model_id, what in DEMO_MODELS:
            _say(f"  {model_id:<36} {what}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            _say("\nstopped")
    return 0


DEMO_MODELS = (
    ("sandbox-org/Tiny-Llama-1B", "public safetensors: every check passes"),
    ("sandbox-org/mixed-case-model", "wrong capitalization (canonical: sandbox-org/Mixed-Case-Model)"),
    ("sandbox-gated/Llama-Gated-8B", "gated, terms not accepted"),
    ("sandbox-gated/Manual-Gated-7B", "gated, approval pending"),
    ("sandbox-gated/Accepted-Gated-3B", "gated, access granted"),
    ("demo-user/private-finetune", "private, yours"),
    ("acme-ai/internal-model", "private, your organization's"),
    ("other-user/secret-model", "private, not readable by you"),
    ("sandbox-org/pytorch-only", "no safetensors (pytorch_model.bin)"),
    ("sandbox-org/gguf-only", "GGUF only (warning)"),
    ("sandbox-org/Already-Created", "already imported in de-fra-1"),
    ("sandbox-org/Broken-Import", "imported in de-fra-1, in error"),
)


def _indent(text: str, prefix: str = "   ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
