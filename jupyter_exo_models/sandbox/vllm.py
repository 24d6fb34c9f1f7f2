"""What the sandbox's fake vLLM knows: engine versions, flags, texts, and its OpenAI-compatible answers.

The texts imitate vLLM's own (argparse errors, startup lines, CUDA out-of-memory); the flags are a realistic
subset of ``vllm serve --help``, the same for every version (the sandbox does not model their history).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..core import deploy_preflight

# inference-engine-version's enum and default in exoscale/openapi.json, as the client knows them
# (tests/contract checks they agree)
ENGINE_VERSIONS, DEFAULT_ENGINE = deploy_preflight.ENGINE_VERSIONS, deploy_preflight.DEFAULT_ENGINE_VERSION
DEFAULT_MAX_MODEL_LEN = 8192
SUPPORTED_ARCHITECTURES = (
    "LlamaForCausalLM",
    "MistralForCausalLM",
    "Qwen2ForCausalLM",
    "Qwen3ForCausalLM",
    "Gemma3ForCausalLM",
    "Phi3ForCausalLM",
)


@dataclass(frozen=True)
class Flag:
    name: str
    section: str
    type: str  # "int", "float", "bool" or "str"
    description: str
    default: str | None = None
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def flags(self) -> list[str]:
        negative = [f"--no-{self.name}"] if self.type == "bool" else []  # vLLM's BooleanOptionalAction
        return [f"--{self.name}", *negative, *self.aliases]

    def entry(self) -> dict:
        """One ``inference-engine-parameter-entry`` of the spec."""
        entry: dict = {
            "name": self.name,
            "section": self.section,
            "type": self.type,
            "flags": self.flags,
            "description": self.description,
        }
        if self.default is not None:
            entry["default"] = self.default
        if self.allowed:
            entry["allowed-values"] = list(self.allowed)
        return entry


FLAGS = (
    Flag(
        "max-model-len",
        "ModelConfig",
        "int",
        "Model context length (prompt and output). If unspecified, will be automatically derived from "
        "the model config.",
    ),
    Flag(
        "dtype",
        "ModelConfig",
        "str",
        "Data type for model weights and activations. 'auto' uses FP16 for FP32 and FP16 models and BF16 "
        "for BF16 models.",
        "auto",
        ("auto", "half", "float16", "bfloat16", "float", "float32"),
    ),
    Flag(
        "quantization",
        "ModelConfig",
        "str",
        "Method used to quantize the weights. If None, the quantization_config of the model config is used.",
        None,
        ("awq", "awq_marlin", "bitsandbytes", "compressed-tensors", "fp8", "gguf", "gptq", "gptq_marlin"),
        ("-q",),
    ),
    Flag("enforce-eager", "ModelConfig", "bool", "Always use eager-mode PyTorch (no CUDA graph).", "False"),
    Flag(
        "trust-remote-code",
        "ModelConfig",
        "bool",
        "Trust remote code (e.g., from Hugging Face) when downloading the model and tokenizer.",
        "False",
    ),
    Flag("served-model-name", "ModelConfig", "str", "The model name(s) used in the API."),
    Flag(
        "gpu-memory-utilization",
        "CacheConfig",
        "float",
        "The fraction of GPU memory to be used for the model executor, from 0 to 1.",
        "0.9",
    ),
    Flag(
        "kv-cache-dtype",
        "CacheConfig",
        "str",
        "Data type for kv cache storage. If 'auto', will use model data type.",
        "auto",
        ("auto", "fp8", "fp8_e4m3", "fp8_e5m2"),
    ),
    Flag("enable-prefix-caching", "CacheConfig", "bool", "Whether to enable prefix caching."),
    Flag(
        "max-num-seqs", "SchedulerConfig", "int", "Maximum number of sequences to be processed in one step."
    ),
    Flag(
        "max-num-batched-tokens",
        "SchedulerConfig",
        "int",
        "Maximum number of tokens to be processed in a single iteration.",
    ),
    Flag(
        "tensor-parallel-size",
        "ParallelConfig",
        "int",
        "Number of tensor parallel groups.",
        "1",
        aliases=("-tp",),
    ),
    Flag("chat-template", "Frontend", "str", "The file path to the chat template, or the template inline."),
    Flag(
        "enable-auto-tool-choice",
        "Frontend",
        "bool",
        "Enable auto tool choice for supported models.",
        "False",
    ),
    Flag("tool-call-parser", "Frontend", "str", "Select the tool call parser depending on the model."),
)
_BY_FLAG = {flag: f for f in FLAGS for flag in f.flags}


def parse(arguments: list[str]) -> tuple[dict[str, str], str | None]:
    """``vllm serve``'s reading of the extra arguments: ({flag name: value}, argparse's error or None)."""
    values: dict[str, str] = {}
    leftover: list[str] = []
    tokens = list(arguments)
    while tokens:
        token = tokens.pop(0)
        name, eq, inline = token.partition("=")
        flag = _BY_FLAG.get(name) if token.startswith("-") else None
        if flag is None:
            leftover.append(token)  # argparse collects unknown options and the values that follow them
            continue
        if flag.type == "bool":
            if eq:
                return values, f"vllm serve: error: argument {name}: ignored explicit argument {inline!r}"
            values[flag.name] = "False" if name.startswith("--no-") else "True"
            continue
        if not eq and (not tokens or tokens[0].startswith("--")):
            return values, f"vllm serve: error: argument {name}: expected one argument"
        value = inline if eq else tokens.pop(0)
        if flag.allowed and value not in flag.allowed:
            choices = ", ".join(repr(a) for a in flag.allowed)
            return (
                values,
                f"vllm serve: error: argument {name}: invalid choice: {value!r} (choose from {choices})",
            )
        if flag.type in ("int", "float"):
            try:
                int(value) if flag.type == "int" else float(value)
            except ValueError:
                return values, f"vllm serve: error: argument {name}: invalid {flag.type} value: {value!r}"
        values[flag.name] = value
    if leftover:
        return values, "vllm serve: error: unrecognized arguments: " + " ".join(leftover)
    return values, None


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def architecture_error(architecture: str) -> str:
    """vLLM's refusal of an architecture its version does not know."""
    return (
        f"ValueError: Model architectures [{architecture!r}] are not supported for now. "
        f"Supported architectures: dict_keys({list(SUPPORTED_ARCHITECTURES)!r})"
    )


def out_of_memory(capacity_gib: float, need_gib: float) -> str:
    """PyTorch's CUDA out-of-memory error as vLLM's worker dies of it while loading weights."""
    used = capacity_gib * 0.97
    return (
        f"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {min(need_gib, 1.96):.2f} GiB. "
        f"GPU 0 has a total capacity of {capacity_gib:.2f} GiB of which {(capacity_gib - used) * 1024:.2f} "
        f"MiB is free. Including non-PyTorch memory, this process has {used:.2f} GiB memory in use. "
        "If reserved but unallocated memory is large try setting "
        "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation."
    )


def startup_lines(
    version: str, model: str, architecture: str, gpu_count: int, weights_gib: float
) -> list[str]:
    """The startup of ``vllm serve`` until it loads the weights (the api key never appears)."""
    return [
        f"INFO [api_server.py] vLLM API server version {version}",
        (
            f"INFO [api_server.py] args: model='/models/{model}', served_model_name=['{model}'], "
            f"tensor_parallel_size={gpu_count}, api_key=<redacted>"
        ),
        f"INFO [model.py] Resolved architecture: {architecture}",
        f"INFO [gpu_model_runner.py] Starting to load model /models/{model}...",
        (
            f"INFO [default_loader.py] Loading weights took {1 + weights_gib / 4:.2f} seconds "
            f"({weights_gib / gpu_count:.2f} GiB per GPU)"
        ),
    ]


READY_LINES = [
    "INFO [kv_cache_utils.py] GPU KV cache size: 262,144 tokens",
    "INFO [api_server.py] Starting vLLM API server on http://0.0.0.0:8000",
    "INFO:     Started server process [1]",
    "INFO:     Waiting for application startup.",
    "INFO:     Application startup complete.",
]
SHUTDOWN_LINES = ["INFO:     Shutting down", "INFO:     Application shutdown complete."]


def access_line(method: str, path: str, status: int) -> str:
    from http import HTTPStatus

    return f'INFO:     10.0.0.17:51234 - "{method} {path} HTTP/1.1" {status} {HTTPStatus(status).phrase}'


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: about one token per word, at least one."""
    return max(1, len(text.split()))
