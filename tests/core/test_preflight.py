"""Every check id and outcome (README, "Preflight checks"), over real HTTP against the sandbox."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jupyter_exo_models.core.credentials import ExoscaleCredentials
from jupyter_exo_models.core.preflight import CHECK_IDS, preflight, preflight_many
from jupyter_exo_models.core.secrets import Secret
from jupyter_exo_models.sandbox import Repo
from jupyter_exo_models.sandbox.catalog import BASIC

HUB_CHECKS = ("hf-token", "repo-access", "repo-id-case", "gated-access", "weights-format", "license", "size")


def statuses(report):
    return {c.id: c.status for c in report.checks}


def exoscale_posts(sb):
    return [r for r in sb.requests if r.service == "exoscale" and r.method != "GET"]


async def test_every_check_passes_for_a_plain_public_model(sb):
    report = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1")
    assert [c.id for c in report.checks] == list(CHECK_IDS)
    assert report.ok, str(report)
    assert set(statuses(report).values()) == {"pass"}
    assert report["size"].data["bytes"] > 0 and report["size"].data["parameters"] > 0
    assert "responsible" in report["license"].message
    assert report["hf-token"].data["user"] == "demo-user"
    assert report.to_dict()["checks"][0].keys() >= {"id", "status", "message", "fix"}
    assert "SANDBOX" in str(report)


async def test_wrong_capitalization_names_the_canonical_id(sb):
    report = await preflight("sandbox-org/mixed-case-model", zone="de-fra-1")
    check = report["repo-id-case"]
    assert check.status == "fail" and not report.ok
    assert check.data["canonical_id"] == "sandbox-org/Mixed-Case-Model"
    assert "sandbox-org/Mixed-Case-Model" in check.fix
    assert check.action.to_dict() == {"kind": "use-id", "model": "sandbox-org/Mixed-Case-Model"}


async def test_gated_not_accepted_carries_the_gate(sb):
    report = await preflight("sandbox-gated/Llama-Gated-8B", zone="de-fra-1")
    check = report["gated-access"]
    assert check.status == "fail" and check.data["state"] == "not-accepted"
    assert check.data["url"].endswith("/sandbox-gated/Llama-Gated-8B")
    assert check.data.get("prompt") and check.data.get("fields")
    assert "accept" in check.fix.lower()
    assert check.data["prompt"][:40] in str(report) and "Country" in str(report)  # terminals see the gate too
    assert statuses(report)["repo-access"] == "pass"


async def test_gated_pending_manual_approval(sb):
    check = (await preflight("sandbox-gated/Manual-Gated-7B", zone="de-fra-1"))["gated-access"]
    assert check.status == "fail" and check.data["state"] == "pending"
    assert "approv" in check.message.lower()


@pytest.mark.parametrize("gated", ["auto", "manual"])
async def test_a_repo_named_like_a_review_is_not_taken_for_pending(sb, gated):
    repo = f"sandbox-gated/Code-Review-Pending-{gated}"
    sb.hub.add_repo(Repo(repo, {**BASIC, "model.safetensors": 10**9}, gated=gated))
    check = (await preflight(repo, zone="de-fra-1"))["gated-access"]
    assert check.data["state"] == "not-accepted" and "accept the conditions" in check.fix


@pytest.mark.slow
@pytest.mark.parametrize("status", [400, 503])
async def test_hub_trouble_when_asking_again_with_the_canonical_id_is_a_result(sb, status):
    for _ in range(6):  # every attempt of the second auth-check, the one with the Hub's spelling
        sb.faults.once("hub", "GET", r"Llama-Gated-8B/auth-check", status)
    report = await preflight("sandbox-gated/llama-gated-8b", zone="de-fra-1")
    assert report["repo-access"].status == "fail" and f"HTTP {status}" in report["repo-access"].message
    assert report["exoscale-credentials"].status == "pass"


async def test_accepting_the_gate_turns_the_check_green(sb):
    assert (await preflight("sandbox-gated/Accepted-Gated-3B", zone="de-fra-1"))[
        "gated-access"
    ].status == "pass"
    sb.hub.accept("demo-user", "sandbox-gated/Llama-Gated-8B")
    assert (await preflight("sandbox-gated/Llama-Gated-8B", zone="de-fra-1")).ok


@pytest.mark.parametrize("repo", ["demo-user/private-finetune", "acme-ai/internal-model"])
async def test_private_repos_the_token_can_read(sb, repo):
    report = await preflight(repo, zone="de-fra-1")
    assert report.ok, str(report)
    assert report["repo-access"].data["private"] is True


async def test_private_repo_of_someone_else_looks_missing(sb):
    report = await preflight("other-user/secret-model", zone="de-fra-1")
    assert report["repo-access"].status == "fail"
    assert "private" in report["repo-access"].message
    assert statuses(report)["repo-id-case"] == "skip"


async def test_missing_repo(sb):
    report = await preflight("sandbox-org/does-not-exist", zone="de-fra-1")
    assert report["repo-access"].status == "fail" and "spelling" in report["repo-access"].fix


@pytest.mark.parametrize(
    "repo, status",
    [
        ("sandbox-org/pytorch-only", "fail"),
        ("sandbox-org/gguf-only", "warn"),
        ("sandbox-org/no-weights", "fail"),
        ("sandbox-org/single-safetensors", "pass"),
    ],
)
async def test_weights_format(sb, repo, status):
    check = (await preflight(repo, zone="de-fra-1"))["weights-format"]
    assert check.status == status, check


async def test_already_imported(sb):
    created = (await preflight("sandbox-org/Already-Created", zone="de-fra-1"))["already-imported"]
    assert created.status == "warn" and "attach" in created.fix.lower()
    assert created.data["model"]["state"] == "created"
    broken = await preflight("sandbox-org/Broken-Import", zone="de-fra-1")
    assert broken["already-imported"].status == "fail" and "delete" in broken["already-imported"].fix.lower()
    check = broken["already-imported"]
    assert check.action.kind == "delete-model" and check.action.args["model"] == "sandbox-org/Broken-Import"
    assert check.action.args["zone"] == "de-fra-1" and check.action.args["id"] == check.data["model"]["id"]
    assert "%exo" not in check.fix and "exo " not in check.fix  # no face's command in the core's words
    assert check.to_dict()["action"] == {"kind": "delete-model", **check.action.args}
    assert (await preflight("sandbox-org/Already-Created", zone="ch-gva-2"))[
        "already-imported"
    ].status == "pass"


async def test_no_token_needed_for_public_repo_but_needed_for_gated(sb):
    public = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1", hf_token=False)
    assert public["hf-token"].status == "pass" and public.ok
    gated = await preflight("sandbox-gated/Llama-Gated-8B", zone="de-fra-1", hf_token=False)
    assert gated["hf-token"].status == "fail" and "token" in gated["hf-token"].fix.lower()
    private = await preflight("demo-user/private-finetune", zone="de-fra-1", hf_token=False)
    assert private["hf-token"].status == "fail" and private["repo-access"].status == "fail"


@pytest.mark.parametrize("token", ["hf_sandbox_not_a_real_token_at_all", "   hf_garbage\n"])
async def test_invalid_token(sb, token):
    report = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1", hf_token=token)
    assert report["hf-token"].status == "fail" and "invalid" in report["hf-token"].message
    assert token.strip() not in str(report) and token.strip() not in str(report.to_dict())
    # the repo is still diagnosed, anonymously
    assert report["weights-format"].status == "pass"


async def test_revoked_token(sb):
    sb.hub.revoke(sb.demo.hf_token)
    report = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1")
    assert report["hf-token"].status == "fail"


async def test_exoscale_credentials_rejected(sb):
    wrong = ExoscaleCredentials(sb.demo.exo_key, Secret("not-the-secret"), "de-fra-1", "argument")
    report = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1", exoscale=wrong)
    assert report["exoscale-credentials"].status == "fail"
    assert report["already-imported"].status == "skip"
    assert "not-the-secret" not in str(report)
    unknown = ExoscaleCredentials("EXOunknownkey", Secret("whatever-secret"), "de-fra-1", "argument")
    assert (await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1", exoscale=unknown))[
        "exoscale-credentials"
    ].status == "fail"


@pytest.mark.parametrize("zone", ["nowhere-1", "", "DE-FRA-9"])
async def test_unknown_zone_sends_nothing_to_exoscale(sb, zone):
    sb.clear_log()
    report = await preflight("sandbox-org/Tiny-Llama-1B", zone=zone or "  ")
    assert report["zone"].status == "fail" and "de-fra-1" in report["zone"].fix
    assert report["exoscale-credentials"].status == "skip"
    assert not [r for r in sb.requests if r.service == "exoscale"]


BAD_IDS = [
    "",
    " ",
    "a/b/c",
    "../x",
    "x" * 200,
    "ünïcødé/model",
    "https://huggingface.co/org/model",
    "org/",
    "/model",
    "org//model",
    "org/model\n",
    "org/mo del",
    "org/model.git",
    "org/--x",
    "gpt2",
    "org/..",
    "org\\model",
    "org/model?x=1",
    "org/model#x",
]


@pytest.mark.parametrize("model_id", BAD_IDS)
async def test_invalid_ids_send_nothing(sb, model_id):
    sb.clear_log()
    report = await preflight(model_id, zone="de-fra-1")
    fix = report["repo-id"].fix
    # the valid form, or, for an id wrapped in a URL, a revision, .git or spaces, the id inside it
    assert report["repo-id"].status == "fail" and ("namespace" in fix or "Use the repo id org/model," in fix)
    assert {statuses(report)[c] for c in HUB_CHECKS} == {"skip"}
    assert sb.requests == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=120))
async def test_generated_ids_never_crash(sb, model_id):
    report = await preflight(model_id, zone="de-fra-1")
    assert report["repo-id"].status in ("pass", "fail")
    if report["repo-id"].status == "fail":
        assert all(r.service != "exoscale" or r.method == "GET" for r in sb.requests)


async def test_batch_shares_whoami_and_model_list(sb):
    ids = [
        "sandbox-org/Tiny-Llama-1B",
        "sandbox-gated/Llama-Gated-8B",
        "sandbox-org/gguf-only",
        "sandbox-org/Already-Created",
        "not valid",
    ]
    sb.clear_log()
    reports = await preflight_many(ids, zone="de-fra-1")
    assert [r.model for r in reports] == ids
    assert [r.ok for r in reports] == [True, False, True, True, False]
    whoami = [r for r in sb.requests if r.path.endswith("/whoami-v2")]
    lists = [r for r in sb.requests if r.service == "exoscale" and r.path.endswith("/ai/model")]
    assert len(whoami) == 1 and len(lists) == 1


async def test_four_seed_causes_are_found_without_any_exoscale_write(sb):
    sb.clear_log()
    for model_id, check in [
        ("sandbox-org/mixed-case-model", "repo-id-case"),
        ("other-user/secret-model", "repo-access"),
        ("sandbox-gated/Llama-Gated-8B", "gated-access"),
        ("sandbox-org/pytorch-only", "weights-format"),
    ]:
        report = await preflight(model_id, zone="de-fra-1")
        assert report[check].status == "fail", (model_id, str(report))
    assert exoscale_posts(sb) == []


@pytest.mark.parametrize(
    ("token", "repo", "expected"),
    [
        ("hf_fine_grained_user", "demo-user/private-finetune", {"hf-token": "pass", "repo-access": "pass"}),
        ("hf_fine_grained_user", "acme-ai/internal-model", {"hf-token": "fail", "repo-access": "fail"}),
        ("hf_fine_grained_user", "sandbox-gated/Llama-Gated-8B", {"hf-token": "fail"}),
        (
            "hf_fine_grained_gated",
            "sandbox-gated/Llama-Gated-8B",
            {"hf-token": "pass", "gated-access": "fail"},
        ),
        ("hf_fine_grained_gated", "acme-ai/internal-model", {"hf-token": "pass", "repo-access": "pass"}),
        ("hf_fine_grained_repo", "sandbox-org/Tiny-Llama-1B", {"hf-token": "pass"}),
        ("hf_fine_grained_repo", "demo-user/private-finetune", {"hf-token": "fail", "repo-access": "fail"}),
        ("hf_fine_grained_repo", "other-user/secret-model", {"hf-token": "warn", "repo-access": "fail"}),
    ],
)
async def test_fine_grained_token_scopes(sb, token, repo, expected):
    report = await preflight(repo, zone="de-fra-1", hf_token=getattr(sb.demo, token))
    assert {check: statuses(report)[check] for check in expected} == expected, str(report)
    if expected["hf-token"] != "pass":
        assert "fine-grained" in report["hf-token"].message.lower() and report["hf-token"].fix


@pytest.mark.parametrize(
    "token",
    [
        "“hf_sandbox_demo_read_token_000000000001”",
        "hf_sandbox\nsplit_token",
        "hf_with space_inside",
        "hf_nul\x00",
    ],
)
async def test_malformed_token_is_refused_before_sending(sb, token):
    report = await preflight("sandbox-gated/Llama-Gated-8B", zone="de-fra-1", hf_token=token)
    assert report["hf-token"].status == "fail" and "copy" in report["hf-token"].message.lower()
    assert report["gated-access"].status == "fail" and report["weights-format"].status == "pass"
    assert all(r.bearer() is None for r in sb.requests if r.service == "hub")
    assert token.strip() not in str(report.to_dict())


@pytest.mark.parametrize(
    ("key", "secret"), [("EXO\nkey", "secret-value"), ("EXOkey", "sec ret"), ("EXOkey", "“secret”")]
)
async def test_malformed_exoscale_credentials_are_a_check_failure(sb, key, secret, monkeypatch):
    monkeypatch.setenv("EXOSCALE_API_KEY", key)
    monkeypatch.setenv("EXOSCALE_API_SECRET", secret)
    from jupyter_exo_models.core import credentials
    from jupyter_exo_models.core.errors import ConfigurationError

    with pytest.raises(ConfigurationError) as err:
        credentials.resolve_exoscale(key, secret)
    assert secret not in str(err.value) and "copy" in err.value.message.lower()
    sb.clear_log()
    credentials.set_session_credentials(key=key, secret=secret)  # typed into login(): wins over the sandbox's
    report = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1")
    check = report["exoscale-credentials"]
    assert check.status == "fail" and "copy" in check.message.lower() and not report.ok
    assert secret not in str(report.to_dict()) and not [r for r in sb.requests if r.service == "exoscale"]


async def test_a_hanging_hub_gives_an_answer_not_a_hang(sb, monkeypatch):
    from jupyter_exo_models.core import hub

    monkeypatch.setattr(hub, "HUB_TIMEOUT", 0.5)
    sb.faults.services = {"hub"}
    sb.faults.hang = True
    try:
        report = await preflight("sandbox-org/Tiny-Llama-1B", zone="de-fra-1")
    finally:
        sb.faults.hang = False
    assert report["repo-access"].status == "fail" and "no answer within" in report["repo-access"].message
    assert report["exoscale-credentials"].status == "pass"
