"""The sandbox's demo world: users, tokens, repos and pre-existing Exoscale models.

Every credential here is fake and public: it only opens the embedded sandbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Role = Literal["read", "write", "fineGrained"]
GB = 1_000_000_000


@dataclass(frozen=True)
class DemoCredentials:
    hf_token: str = "hf_sandbox_demo_read_token_000000000001"
    hf_write_token: str = "hf_sandbox_demo_write_token_00000000002"
    hf_fine_grained_user: str = (
        "hf_sandbox_finegrained_user_0000000003"  # scoped to demo-user, no gated repos
    )
    hf_fine_grained_gated: str = "hf_sandbox_finegrained_gated_000000004"  # demo-user + canReadGatedRepos
    hf_fine_grained_repo: str = "hf_sandbox_finegrained_tiny_0000000005"  # sandbox-org/Tiny-Llama-1B only
    hf_revoked: str = "hf_sandbox_revoked_token_0000000000006"
    # the token Exoscale's guide recommends: fine-grained, scoped to the gated repos themselves, no global
    # gated access
    hf_fine_grained_gated_repo: str = "hf_sandbox_finegrained_llama_000000007"
    exo_key: str = "EXOsandboxdemokey0000000001"
    exo_secret: str = "sandbox-demo-secret-do-not-use-elsewhere-0001"
    exo_key_no_ai: str = "EXOsandboxnoaikey000000002"  # IAM role without Dedicated Inference
    exo_secret_no_ai: str = "sandbox-noai-secret-0002"
    user: str = "demo-user"
    org: str = "acme-ai"
    tiny: str = "sandbox-org/Tiny-Llama-1B"
    mixed_case: str = "sandbox-org/Mixed-Case-Model"
    gated: str = "sandbox-gated/Llama-Gated-8B"
    gated_manual: str = "sandbox-gated/Manual-Gated-7B"
    gated_accepted: str = "sandbox-gated/Accepted-Gated-3B"
    private: str = "demo-user/private-finetune"
    org_private: str = "acme-ai/internal-model"
    foreign_private: str = "other-user/secret-model"
    pytorch_only: str = "sandbox-org/pytorch-only"
    gguf_only: str = "sandbox-org/gguf-only"
    no_weights: str = "sandbox-org/no-weights"
    already_created: str = "sandbox-org/Already-Created"
    broken_import: str = "sandbox-org/Broken-Import"
    in_use: str = "sandbox-org/In-Use-Model"
    # deployments: 70B parameters in BF16 (141 GB) fit no single small GPU; the other needs engine >= 0.25.0
    large: str = "sandbox-gated/Llama-Large-70B"
    new_architecture: str = "sandbox-org/Next-Arch-4B"


DEMO = DemoCredentials()


@dataclass
class User:
    name: str
    fullname: str
    orgs: tuple[str, ...] = ()


@dataclass
class Token:
    value: str
    user: str
    name: str
    role: Role
    can_read_gated: bool = False
    scoped: tuple[tuple[str, str], ...] = ()  # (entity type, name) with repo.content.read
    revoked: bool = False

    def covers(self, repo_id: str) -> bool:
        """Whether a fine-grained token's scopes give read access to this repo (the repo or its owner)."""
        owner = repo_id.split("/", 1)[0]
        return any(
            (kind == "model" and name.lower() == repo_id.lower())
            or (kind in ("user", "org") and name == owner)
            for kind, name in self.scoped
        )

    def whoami_auth(self) -> dict[str, Any]:
        token: dict[str, Any] = {
            "displayName": self.name,
            "role": self.role,
            "createdAt": "2026-01-01T00:00:00.000Z",
        }
        if self.role == "fineGrained":
            token["fineGrained"] = {
                "canReadGatedRepos": self.can_read_gated,
                "global": ["discussion.write", "post.write"],
                "scoped": [
                    {
                        "entity": {"_id": _oid(name), "type": kind, "name": name},
                        "permissions": ["repo.content.read", "repo.access.read"],
                    }
                    for kind, name in self.scoped
                ],
            }
        return {"type": "access_token", "accessToken": token}


@dataclass
class Repo:
    id: str
    files: dict[str, int]  # path -> size in bytes
    private: bool = False
    gated: Literal["auto", "manual"] | None = None
    license: str | None = "apache-2.0"
    card: dict[str, Any] = field(default_factory=dict)
    parameters: int | None = None
    architecture: str = "LlamaForCausalLM"  # config.json's architectures[0], what vLLM resolves
    min_engine: str | None = None  # the first vLLM version that knows the architecture (None: all do)

    @property
    def owner(self) -> str:
        return self.id.split("/", 1)[0]

    @property
    def sha(self) -> str:
        return hashlib.sha1(self.id.encode()).hexdigest()

    @property
    def safetensors_bytes(self) -> int:
        return sum(size for path, size in self.files.items() if path.endswith(".safetensors"))


@dataclass
class SeedModel:
    zone: str
    name: str
    state: str
    deployments: tuple[str, ...] = ()


@dataclass
class Catalog:
    users: dict[str, User]
    orgs: dict[str, str]  # name -> fullname
    tokens: dict[str, Token]
    repos: dict[str, Repo]  # keyed by lower-case id: the Hub resolves ids case-insensitively
    access: dict[tuple[str, str], str]  # (user, repo id lower) -> "accepted" | "pending"
    exoscale_keys: dict[str, tuple[str, bool]]  # key -> (secret, may use Dedicated Inference)
    models: list[SeedModel]
    # zone -> GPU family -> authorized, as GET /ai/instance-type answers (see INSTANCE_TYPES)
    instance_types: dict[str, dict[str, bool]] = field(default_factory=lambda: _instance_types())

    def add_repo(self, repo: Repo) -> Repo:
        self.repos[repo.id.lower()] = repo
        return repo

    def repo(self, repo_id: str) -> Repo | None:
        return self.repos.get(repo_id.lower())


def _oid(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()[:24]


def _shards(n: int, total: int, prefix: str = "model") -> dict[str, int]:
    files = {f"{prefix}-{i:05d}-of-{n:05d}.safetensors": total // n for i in range(1, n + 1)}
    files[f"{prefix}.safetensors.index.json"] = 23_950
    return files


BASIC = {"config.json": 698, "generation_config.json": 124, "tokenizer.json": 1_842_767, "README.md": 4_210}
GATE_LLAMA = {
    "extra_gated_heading": "Acknowledge the SANDBOX Llama license to access the repository",
    "extra_gated_prompt": (
        "You agree to not use the model to conduct experiments that cause harm to human subjects."
    ),
    "extra_gated_fields": {
        "Company": "text",
        "Country": "country",
        "Date of birth": "date_picker",
        "Intended use": {
            "type": "select",
            "options": ["Research", "Education", {"label": "Other", "value": "other"}],
        },
        "geo": "ip_location",
        "I agree to use this model for non-commercial use ONLY": "checkbox",
    },
    "extra_gated_button_content": "Acknowledge license",
}


# The GPU families each zone offers and whether the organisation may use them (``GET /ai/instance-type``).
# Exoscale publishes no such table: the sandbox's is consistent with the example of Exoscale's Limits page
# (at-vie-2: gpu3080ti and gpua5000 authorized; ch-dk-2: gpurtx6000pro not; de-fra-1: gpu3 and gpurtx6000pro
# authorized; hr-zag-1: gpurtx6000pro authorized); the rest is invented so that every zone offers something
# and some families are refused in one zone but authorized in another (gpurtx6000pro, gpua5000, gpu3,
# gpub300).
INSTANCE_TYPES: dict[str, dict[str, bool]] = {
    "at-vie-1": {"gpu3": True, "gpua30": False},
    "at-vie-2": {"gpu3080ti": True, "gpua5000": True, "gpub300": False},
    "bg-sof-1": {"gpua5000": True, "gpu3": False},
    "ch-dk-2": {"gpu3": True, "gpurtx6000pro": False},
    "ch-gva-2": {"gpu3": True, "gpua30": True, "gpub300": False},
    "de-fra-1": {"gpu3": True, "gpurtx6000pro": True, "gpua5000": False},
    "de-muc-1": {"gpua30": True, "gpu3": False},
    "hr-zag-1": {"gpurtx6000pro": True, "gpub300": False},
}


def _instance_types() -> dict[str, dict[str, bool]]:
    return {zone: dict(families) for zone, families in INSTANCE_TYPES.items()}


def default_catalog() -> Catalog:
    """A fresh, mutable copy of the demo world; it covers every preflight outcome."""
    d = DEMO
    users = {
        d.user: User(d.user, "Demo User (SANDBOX)", (d.org,)),
        "other-user": User("other-user", "Someone Else (SANDBOX)"),
    }
    tokens = [
        Token(d.hf_token, d.user, "sandbox-read", "read"),
        Token(d.hf_write_token, d.user, "sandbox-write", "write"),
        Token(
            d.hf_fine_grained_user, d.user, "sandbox-fine-grained", "fineGrained", False, (("user", d.user),)
        ),
        Token(
            d.hf_fine_grained_gated,
            d.user,
            "sandbox-fine-grained-gated",
            "fineGrained",
            True,
            (("user", d.user), ("org", d.org)),
        ),
        Token(
            d.hf_fine_grained_repo, d.user, "sandbox-tiny-only", "fineGrained", False, (("model", d.tiny),)
        ),
        Token(d.hf_revoked, d.user, "sandbox-revoked", "read", revoked=True),
        Token(
            d.hf_fine_grained_gated_repo,
            d.user,
            "sandbox-llama-repos",
            "fineGrained",
            False,
            (("model", d.gated), ("model", d.gated_accepted)),
        ),
    ]
    repos = [
        Repo(d.tiny, {**BASIC, **_shards(2, int(2.2 * GB))}, parameters=1_100_048_384),
        Repo(d.mixed_case, {**BASIC, "model.safetensors": int(0.5 * GB)}, parameters=247_000_000),
        Repo(
            "sandbox-org/single-safetensors",
            {**BASIC, "model.safetensors": int(1.2 * GB)},
            parameters=600_000_000,
        ),
        Repo(
            d.gated,
            {**BASIC, **_shards(4, 16 * GB)},
            gated="auto",
            license="llama3.1",
            card=GATE_LLAMA,
            parameters=8_030_261_248,
        ),
        Repo(
            d.gated_manual,
            {**BASIC, **_shards(3, 14 * GB)},
            gated="manual",
            license="other",
            card={
                "extra_gated_prompt": "Access is reviewed by the SANDBOX research team within 2 days.",
                "extra_gated_fields": {"Affiliation": "text", "Intended use": "text"},
            },
            parameters=7_241_732_096,
        ),
        Repo(
            d.gated_accepted,
            {**BASIC, **_shards(2, 6 * GB)},
            gated="auto",
            license="llama3.2",
            card=GATE_LLAMA,
            parameters=3_212_749_824,
        ),
        Repo(d.private, {**BASIC, "model.safetensors": int(3 * GB)}, private=True, parameters=1_500_000_000),
        Repo(
            d.org_private,
            {**BASIC, **_shards(2, 9 * GB)},
            private=True,
            license="other",
            parameters=4_500_000_000,
        ),
        Repo(d.foreign_private, {**BASIC, "model.safetensors": 2 * GB}, private=True),
        Repo(d.pytorch_only, {**BASIC, "pytorch_model.bin": int(1.4 * GB)}, license="mit"),
        Repo(
            d.gguf_only,
            {"README.md": 3_000, "model-Q4_K_M.gguf": int(4.9 * GB), "model-Q8_0.gguf": int(8.5 * GB)},
        ),
        Repo(d.no_weights, {"README.md": 1_000, "config.json": 600}),
        Repo(d.already_created, {**BASIC, "model.safetensors": int(1.1 * GB)}, parameters=560_000_000),
        Repo(d.broken_import, {**BASIC, "model.safetensors": int(1.1 * GB)}, parameters=560_000_000),
        Repo(d.in_use, {**BASIC, "model.safetensors": int(1.1 * GB)}, parameters=560_000_000),
        Repo(
            d.large,
            {**BASIC, **_shards(30, 141_107_412_992)},
            gated="auto",
            license="llama3.3",
            card=GATE_LLAMA,
            parameters=70_553_706_496,
        ),
        Repo(
            d.new_architecture,
            {**BASIC, **_shards(2, 8 * GB)},
            parameters=4_022_468_096,
            architecture="SandboxNextForCausalLM",
            min_engine="0.25.0",
        ),
    ]
    return Catalog(
        users=users,
        orgs={d.org: "ACME AI (SANDBOX)", "sandbox-org": "Sandbox Org", "sandbox-gated": "Sandbox Gated"},
        tokens={t.value: t for t in tokens},
        repos={r.id.lower(): r for r in repos},
        access={
            (d.user, d.gated_manual.lower()): "pending",
            (d.user, d.gated_accepted.lower()): "accepted",
            (d.user, d.large.lower()): "accepted",
        },
        exoscale_keys={d.exo_key: (d.exo_secret, True), d.exo_key_no_ai: (d.exo_secret_no_ai, False)},
        models=[
            SeedModel("de-fra-1", d.already_created, "created"),
            SeedModel("de-fra-1", d.broken_import, "error"),
            SeedModel("de-fra-1", d.in_use, "created", ("demo-deployment",)),
        ],
    )
