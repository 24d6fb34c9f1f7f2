"""Preflight latency: wall time as a multiple of the per-request latency L, concurrent vs sequential.

Run: python benchmarks/bench_preflight.py [--latency 0.2]
Targets (issue 8): one model <= 1.15 L, twenty models <= 2 L.

Where the time went, and what removed it: the sandbox answered in two writes (headers, then body) with
Nagle's algorithm on, so the client's delayed ACK held every body back 40 ms (0.2 L); a wrong-case id re-asks
the access check with the canonical id (a dependent round trip: the Hub's gated checks fail under the wrong
case), which a batch now shares with the same id asked in its own case. What remains on the Exoscale side:
creating an ``ExoscaleClient`` loads a fresh SSL context (about 35 ms, on the event loop, before any request
leaves).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from jupyter_exo_models.core.credentials import resolve_exoscale
from jupyter_exo_models.core.exoscale.client import ExoscaleClient
from jupyter_exo_models.core.preflight import preflight, preflight_many
from jupyter_exo_models.sandbox import Sandbox

MODELS = [
    "sandbox-org/Tiny-Llama-1B",
    "sandbox-org/Mixed-Case-Model",
    "sandbox-org/single-safetensors",
    "sandbox-gated/Llama-Gated-8B",
    "sandbox-gated/Manual-Gated-7B",
    "sandbox-gated/Accepted-Gated-3B",
    "demo-user/private-finetune",
    "acme-ai/internal-model",
    "other-user/secret-model",
    "sandbox-org/pytorch-only",
    "sandbox-org/gguf-only",
    "sandbox-org/no-weights",
    "sandbox-org/Already-Created",
    "sandbox-org/Broken-Import",
    "sandbox-org/In-Use-Model",
    "sandbox-org/mixed-case-model",
    "sandbox-org/does-not-exist",
    "sandbox-gated/llama-gated-8b",
    "acme-ai/Internal-Model",
    "demo-user/Private-Finetune",
]


async def sequential(sb: Sandbox, model_ids: list[str]) -> None:
    """The same questions, asked one after another: the naive way."""
    api = HfApi(endpoint=sb.hub_url, token=sb.demo.hf_token)
    credentials = resolve_exoscale(zone="de-fra-1")
    await asyncio.to_thread(api.whoami)
    async with ExoscaleClient(credentials, "de-fra-1") as client:
        await client.list_models()
    for model_id in model_ids:
        for call, kwargs in ((api.model_info, {"files_metadata": True}), (api.auth_check, {})):
            try:
                await asyncio.to_thread(call, model_id, **kwargs)
            except HfHubHTTPError:
                pass


async def timed(coro) -> float:
    start = time.perf_counter()
    await coro
    return time.perf_counter() - start


async def main(latency: float) -> list[tuple[str, float, float, float]]:
    with Sandbox() as sb:
        await preflight(MODELS[0], zone="de-fra-1")  # warm connections and imports
        sb.faults.latency = latency
        one = await timed(preflight(MODELS[0], zone="de-fra-1"))
        one_seq = await timed(sequential(sb, MODELS[:1]))
        many = await timed(preflight_many(MODELS, zone="de-fra-1"))
        many_seq = await timed(sequential(sb, MODELS))
    return [
        ("preflight, 1 model", one / latency, one_seq / latency, 1.15),
        ("preflight, 20 models", many / latency, many_seq / latency, 2.0),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added to every sandbox request")
    args = parser.parse_args()
    rows = asyncio.run(main(args.latency))
    print(f"latency L = {args.latency * 1000:.0f} ms per request")
    print(f"{'benchmark':<24}{'concurrent / L':>16}{'sequential / L':>16}{'target':>9}  verdict")
    for name, ratio, seq_ratio, target in rows:
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{name:<24}{ratio:>16.2f}{seq_ratio:>16.2f}{'<= ' + str(target):>9}  {verdict}")
