"""GPU families of Exoscale Dedicated Inference, their memory, and whether a model fits.

The API names families (``GET /ai/instance-type``: ``family`` and ``authorized``) but gives neither their GPU
nor its memory, so this table is the one place that knows them, each value with its public source. A family
missing here is not an error: its fit "cannot be estimated" (a warning, never a failure).

The fit is an estimate, written down once (:func:`estimate_need`):

    weights  = parameters × bytes per dtype (from the safetensors metadata), else the model's size in bytes
    need     = weights + max(2 GiB, 20 % of weights)  # KV cache for a few sequences, activations, CUDA graphs
    usable   = gpu_count × memory per GPU × 0.9       # vLLM's default --gpu-memory-utilization
    headroom = (usable − need) / usable               # fails below 0, warns below 10 %

Real needs vary with the context length (``--max-model-len``), the batch size and quantization.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GIB = 1024**3
VLLM_MEMORY_UTILIZATION = 0.9  # vLLM's default share of each GPU's memory it allocates
MIN_RESERVE = 2 * GIB  # KV cache and activations, at the least
RESERVE_SHARE = 0.2  # of the weights
LOW_HEADROOM = 0.10
GPU_COUNTS = (1, 2, 4, 8)  # what vLLM's tensor parallelism splits a model over (the API allows 1 to 8)
DTYPE_BYTES = {
    "F64": 8,
    "I64": 8,
    "U64": 8,
    "F32": 4,
    "I32": 4,
    "U32": 4,
    "F16": 2,
    "BF16": 2,
    "I16": 2,
    "U16": 2,
    "F8_E4M3": 1,
    "F8_E5M2": 1,
    "F8_E8M0": 1,
    "I8": 1,
    "U8": 1,
    "BOOL": 1,
    "F4": 0.5,
    "F6_E2M3": 0.75,
    "F6_E3M2": 0.75,
}  # the safetensors format's dtype names (huggingface/safetensors, "dtype")


@dataclass(frozen=True)
class GpuFamily:
    family: str
    gpu: str
    memory_gib: int  # per GPU
    source: str


FAMILIES: dict[str, GpuFamily] = {
    f.family: f
    for f in (
        GpuFamily(
            "gpu3080ti",
            "NVIDIA GeForce RTX 3080 Ti",
            12,
            "https://www.nvidia.com/en-us/geforce/graphics-cards/30-series/rtx-3080-3080ti/",
        ),
        GpuFamily(
            "gpua5000", "NVIDIA RTX A5000", 24, "https://www.nvidia.com/en-us/design-visualization/rtx-a5000/"
        ),
        GpuFamily("gpua30", "NVIDIA A30", 24, "https://www.nvidia.com/en-us/data-center/products/a30-gpu/"),
        GpuFamily(
            "gpu3",
            "NVIDIA A40",
            48,
            "assumed from Exoscale's GPU3 instances (NVIDIA A40): "
            "https://www.nvidia.com/en-us/data-center/a40/",
        ),
        GpuFamily(
            "gpurtx6000pro",
            "NVIDIA RTX PRO 6000 Blackwell",
            96,
            "https://www.nvidia.com/en-us/products/workstations/professional-desktop-gpus/rtx-pro-6000/",
        ),
        GpuFamily("gpub300", "NVIDIA B300", 288, "https://www.nvidia.com/en-us/data-center/dgx-b300/"),
        GpuFamily(
            "gpu2", "NVIDIA Tesla V100", 16, "assumed from Exoscale's GPU2 instances (Tesla V100 16 GB)"
        ),
        GpuFamily("gpu", "NVIDIA Tesla P100", 16, "assumed from Exoscale's GPU instances (Tesla P100 16 GB)"),
    )
}


def weights_bytes(parameters_by_dtype: Mapping[str, int] | None, size_bytes: int | None = None) -> int | None:
    """The weights' size: parameters × bytes per dtype, else ``size_bytes``; None when neither is known."""
    if parameters_by_dtype:
        try:
            return int(
                sum(count * DTYPE_BYTES[dtype.upper()] for dtype, count in parameters_by_dtype.items())
            )
        except KeyError:
            pass  # a dtype this table does not know: the download size is the better guess
    return size_bytes if size_bytes and size_bytes > 0 else None


def estimate_need(weights: int) -> int:
    """Bytes of GPU memory a model of ``weights`` bytes needs to serve (the module's formula)."""
    return int(weights + max(MIN_RESERVE, RESERVE_SHARE * weights))


@dataclass(frozen=True)
class Fit:
    family: str
    gpu_count: int
    need: int | None  # bytes; None: the model's size is unknown
    usable: int | None  # bytes; None: the family's memory is unknown

    @property
    def known(self) -> bool:
        return self.need is not None and self.usable is not None

    @property
    def headroom(self) -> float | None:
        if self.need is None or not self.usable:
            return None
        return (self.usable - self.need) / self.usable

    @property
    def fits(self) -> bool | None:
        """True, False, or None when it cannot be estimated."""
        headroom = self.headroom
        return None if headroom is None else headroom >= 0

    @property
    def verdict(self) -> str:
        """``fits``, ``tight`` (under 10 % headroom), ``too small`` or ``unknown``."""
        headroom = self.headroom
        if headroom is None:
            return "unknown"
        return "too small" if headroom < 0 else "tight" if headroom < LOW_HEADROOM else "fits"


def fit(family: str, gpu_count: int, weights: int | None) -> Fit:
    known = FAMILIES.get(family)
    usable = int(gpu_count * known.memory_gib * GIB * VLLM_MEMORY_UTILIZATION) if known else None
    return Fit(family, gpu_count, estimate_need(weights) if weights else None, usable)


def choose(authorized: Iterable[str], weights: int | None) -> Fit | None:
    """The smallest fitting choice among ``authorized`` families: least GPU memory in all, then fewest GPUs.

    None when the model's size is unknown or nothing authorized fits (even 8 of the largest).
    """
    if not weights:
        return None
    options = [
        fit(family, count, weights)
        for family in set(authorized)
        if family in FAMILIES
        for count in GPU_COUNTS
    ]
    fitting = [f for f in options if f.fits]
    return min(fitting, key=lambda f: (f.usable, f.gpu_count, f.family), default=None)


def gib(n: int | None) -> str:
    return "?" if n is None else f"{n / GIB:.1f} GiB"
