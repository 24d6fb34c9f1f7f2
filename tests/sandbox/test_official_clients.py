"""Fidelity: the official clients (huggingface_hub, the exoscale SDK) work against the sandbox."""

from __future__ import annotations

import time

import pytest
import requests
from exoscale.api.exceptions import (
    ExoscaleAPIAuthException,
    ExoscaleAPIClientException,
    ExoscaleAPIServerException,
)
from exoscale.api.v2 import Client
from exoscale_auth import ExoscaleV2Auth
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.utils import GatedRepoError, RepositoryNotFoundError

from jupyter_exo_models.sandbox import DEMO, Sandbox, Timings


@pytest.fixture
def sdk(sb):
    from exoscale.api import v2

    v2._poll_interval = lambda run_time: 0.05  # the SDK's own schedule, sped up
    return Client(DEMO.exo_key, DEMO.exo_secret, url=sb.exoscale_url("de-fra-1"))


def hub(sb, token=DEMO.hf_token):
    return HfApi(endpoint=sb.hub_url, token=token)


# -- huggingface_hub ----------------------------------------------------------------------------
def test_whoami_for_each_token_kind(sb):
    me = hub(sb).whoami()
    assert me["name"] == "demo-user" and [o["name"] for o in me["orgs"]] == ["acme-ai"]
    assert me["auth"]["accessToken"]["role"] == "read" and "SANDBOX" in me["fullname"]
    fine = hub(sb, DEMO.hf_fine_grained_gated).whoami()["auth"]["accessToken"]
    assert fine["role"] == "fineGrained" and fine["fineGrained"]["canReadGatedRepos"] is True
    assert {s["entity"]["name"] for s in fine["fineGrained"]["scoped"]} == {"demo-user", "acme-ai"}
    with pytest.raises(OSError) as err:  # HfHubHTTPError; a plain HTTPError before huggingface_hub 1.0
        hub(sb, DEMO.hf_revoked).whoami()
    assert err.value.response.status_code == 401


def test_model_info_resolves_case_and_lists_files(sb):
    info = hub(sb).model_info("sandbox-org/mixed-case-model", files_metadata=True)
    assert info.id == "sandbox-org/Mixed-Case-Model"
    sizes = {s.rfilename: s.size for s in info.siblings}
    assert sizes["model.safetensors"] > 0 and info.safetensors.total > 0
    assert info.card_data["license"] == "apache-2.0"
    gated = hub(sb).model_info("sandbox-gated/Llama-Gated-8B")
    assert gated.gated == "auto" and gated.card_data["extra_gated_fields"]
    assert hub(sb).model_info("sandbox-gated/Manual-Gated-7B").gated == "manual"
    assert min(hub(sb).list_repo_files("sandbox-org/Tiny-Llama-1B")) == "README.md"


def test_private_and_missing_repos_look_alike(sb):
    for repo in ("other-user/secret-model", "sandbox-org/does-not-exist"):
        with pytest.raises(RepositoryNotFoundError):
            hub(sb).model_info(repo)
        with pytest.raises(RepositoryNotFoundError):
            hub(sb).auth_check(repo)
    with pytest.raises(RepositoryNotFoundError):
        HfApi(endpoint=sb.hub_url, token=False).model_info("demo-user/private-finetune")
    assert hub(sb).model_info("acme-ai/internal-model").private


def test_gates_and_their_states(sb):
    with pytest.raises(GatedRepoError):
        hub(sb).auth_check("sandbox-gated/Llama-Gated-8B")
    with pytest.raises(GatedRepoError) as pending:
        hub(sb).auth_check("sandbox-gated/Manual-Gated-7B")
    assert "awaiting a review" in str(pending.value)
    hub(sb).auth_check("sandbox-gated/Accepted-Gated-3B")
    sb.hub.accept("demo-user", "sandbox-gated/Llama-Gated-8B")
    hub(sb).auth_check("sandbox-gated/Llama-Gated-8B")
    assert sb.hub.accept("demo-user", "sandbox-gated/Manual-Gated-7B") == "pending"
    sb.hub.approve("demo-user", "sandbox-gated/Manual-Gated-7B")
    hub(sb).auth_check("sandbox-gated/Manual-Gated-7B")


def test_fine_grained_scopes(sb):
    user_scoped = hub(sb, DEMO.hf_fine_grained_user)
    user_scoped.auth_check("demo-user/private-finetune")
    with pytest.raises(RepositoryNotFoundError):
        user_scoped.auth_check("acme-ai/internal-model")  # not scoped to the org
    with pytest.raises(OSError) as refused:  # no gated permission: 403 without X-Error-Code, as the real Hub
        user_scoped.auth_check("sandbox-gated/Accepted-Gated-3B")
    assert not isinstance(refused.value, GatedRepoError) and refused.value.response.status_code == 403
    assert "X-Error-Code" not in refused.value.response.headers
    assert "Please enable access to public gated repositories" in str(refused.value)
    hub(sb, DEMO.hf_fine_grained_gated).auth_check("sandbox-gated/Accepted-Gated-3B")
    hub(sb, DEMO.hf_fine_grained_gated).auth_check("acme-ai/internal-model")
    with pytest.raises(RepositoryNotFoundError):
        hub(sb, DEMO.hf_fine_grained_repo).auth_check("demo-user/private-finetune")


def test_download_a_small_file_and_refuse_gated_files(sb, tmp_path):
    path = hf_hub_download(
        "sandbox-org/Tiny-Llama-1B",
        "config.json",
        endpoint=sb.hub_url,
        token=DEMO.hf_token,
        cache_dir=tmp_path,
    )
    with open(path) as config:
        assert '"sandbox": true' in config.read()
    with pytest.raises(GatedRepoError):
        hf_hub_download(
            "sandbox-gated/Llama-Gated-8B",
            "config.json",
            endpoint=sb.hub_url,
            token=DEMO.hf_token,
            cache_dir=tmp_path / "gated",
        )


# -- the official Exoscale SDK ------------------------------------------------------------------
def test_sdk_create_wait_list_get_delete(sdk):
    operation = sdk.create_model(name="sandbox-org/Tiny-Llama-1B", huggingface_token=DEMO.hf_token)
    assert operation["state"] == "pending"
    done = sdk.wait(operation["id"], max_wait_time=30)
    assert done["state"] == "success"
    model_id = done["reference"]["id"]
    names = {m["name"]: m for m in sdk.list_models()["models"]}
    assert names["sandbox-org/Tiny-Llama-1B"]["state"] == "created"
    model = sdk.get_model(id=model_id)
    assert model["model-size"] > 0 and set(model) >= {
        "id",
        "name",
        "state",
        "model-size",
        "created-at",
        "updated-at",
    }
    assert sdk.wait(sdk.delete_model(id=model_id)["id"])["state"] == "success"
    with pytest.raises(ExoscaleAPIClientException) as err:
        sdk.get_model(id=model_id)
    assert "404" in str(err.value)


# the operation's message relays the Hub's own answer to Exoscale's download (the real Hub texts)
@pytest.mark.parametrize(
    "name, reason, words",
    [
        ("sandbox-org/mixed-case-model", "not-found", "404 Client Error: Repository not found"),
        ("other-user/secret-model", "not-found", "404 Client Error: Repository not found"),
        ("sandbox-gated/Llama-Gated-8B", "forbidden", "is restricted and you are not in the authorized list"),
        ("sandbox-org/pytorch-only", "unsupported", "safetensors"),
    ],
)
def test_sdk_sees_the_four_seed_failures(sdk, name, reason, words):
    operation = sdk.create_model(name=name, huggingface_token=DEMO.hf_token)
    with pytest.raises(ExoscaleAPIServerException) as err:
        sdk.wait(operation["id"], max_wait_time=30)
    assert reason in str(err.value)
    failed = sdk.get_operation(id=operation["id"])
    assert failed["reason"] == reason and words in failed["message"]
    assert sdk.get_model(id=failed["reference"]["id"])["state"] == "error"


def test_sdk_duplicate_name_fails_its_operation_and_in_use_is_412(sdk, sb):
    # 409 is not a documented answer of POST /ai/model: the create is accepted and its operation fails
    operation = sdk.create_model(name="sandbox-org/Already-Created")
    assert operation["state"] == "pending"
    with pytest.raises(ExoscaleAPIServerException) as err:
        sdk.wait(operation["id"], max_wait_time=30)
    assert "conflict" in str(err.value)
    assert "reference" not in sdk.get_operation(id=operation["id"])
    assert [m["name"] for m in sdk.list_models()["models"]].count("sandbox-org/Already-Created") == 1
    in_use = next(m for m in sdk.list_models()["models"] if m["name"] == "sandbox-org/In-Use-Model")
    with pytest.raises(ExoscaleAPIClientException) as err:
        sdk.delete_model(id=in_use["id"])
    assert "412" in str(err.value) and "demo-deployment" in str(err.value)


def test_sdk_lists_zones_unsigned_even_with_a_restricted_key(sb):
    restricted = Client(DEMO.exo_key_no_ai, DEMO.exo_secret_no_ai, url=sb.exoscale_url("de-fra-1"))
    zones = restricted.list_zones()["zones"]
    assert {z["name"] for z in zones} >= {"de-fra-1", "ch-gva-2"}
    assert all(z["api-endpoint"].startswith("https://") for z in zones)
    assert "authorization" not in sb.requests[-1].headers
    session = requests.Session()
    session.auth = ExoscaleV2Auth(DEMO.exo_key_no_ai, DEMO.exo_secret_no_ai)
    assert session.get(sb.exoscale_url("de-fra-1") + "/zone").status_code == 403  # signed: IAM applies


@pytest.mark.parametrize(
    "key, secret",
    [
        (DEMO.exo_key, "wrong-secret"),
        ("EXOunknown", DEMO.exo_secret),
        (DEMO.exo_key_no_ai, DEMO.exo_secret_no_ai),
    ],
)
def test_sdk_auth_failures(sb, key, secret):
    client = Client(key, secret, url=sb.exoscale_url("de-fra-1"))
    with pytest.raises(ExoscaleAPIAuthException):
        client.list_models()


def test_expired_and_missing_signatures_are_rejected(sb):
    url = sb.exoscale_url("de-fra-1") + "/ai/model"
    request = requests.Request("GET", url).prepare()
    ExoscaleV2Auth(DEMO.exo_key, DEMO.exo_secret)._sign_request(request, int(time.time()) - 5)
    expired = requests.Session().send(request)
    assert expired.status_code == 403 and expired.json()["detail"] == "Request signature expired"
    missing = requests.get(url)
    assert missing.status_code == 403  # the spec documents no 401; the SDK reads 403 as the auth error
    assert missing.headers["Content-Type"] == "application/json"  # as the spec documents its error bodies
    assert missing.json()["type"] == "#/http-problem-types/forbidden"
    assert set(missing.json()) >= {"type", "title", "status", "detail"}


def test_unknown_zone_and_bad_bodies_are_problem_json(sb):
    bad_zone = Client(DEMO.exo_key, DEMO.exo_secret, url=sb.exoscale_url("mars-1"))
    with pytest.raises(ExoscaleAPIClientException):
        bad_zone.list_models()
    session = requests.Session()
    session.auth = ExoscaleV2Auth(DEMO.exo_key, DEMO.exo_secret)
    url = sb.exoscale_url("de-fra-1") + "/ai/model"
    for body, path in (
        (b"{not json", ""),
        (b"[]", ""),
        (b"{}", "name"),
        (b'{"name": ""}', "name"),
        (b'{"name": "a/b", "huggingface-token": 5}', "huggingface-token"),
    ):
        answer = session.post(url, data=body, headers={"Content-Type": "application/json"})
        problem = answer.json()
        assert answer.status_code == 422 and problem["type"] == "#/http-problem-types/request-invalid-body"
        assert "detail" not in problem and [e["path"] for e in problem["errors"]] == [path]
    assert all(m["name"] != "a/b" for m in sb.exoscale.models("de-fra-1"))
    missing = session.get(url + "/not-a-uuid")
    assert missing.status_code == 404 and missing.json()["type"] == "#/http-problem-types/not-found"


def test_state_machine_follows_a_virtual_clock():
    from jupyter_exo_models.core.clock import VirtualClock

    clock = VirtualClock()
    with Sandbox(clock=clock, timings=Timings(creating=10, downloading=100)) as sb:
        client = Client(DEMO.exo_key, DEMO.exo_secret, url=sb.exoscale_url("de-fra-1"))
        op = client.create_model(name="sandbox-org/Tiny-Llama-1B")
        model_id = op["reference"]["id"]
        assert client.get_model(id=model_id)["state"] == "creating"
        clock.advance(10)
        assert client.get_model(id=model_id)["state"] == "downloading"
        clock.advance(100)
        assert client.get_model(id=model_id)["state"] == "created"
        assert client.get_operation(id=op["id"])["state"] == "success"


def test_the_request_log_never_shows_a_secret(sb):
    from jupyter_exo_models import import_model

    import_model("sandbox-org/Tiny-Llama-1B", zone="de-fra-1")
    shown = repr(sb.requests)
    assert "POST" in shown and sb.demo.hf_token not in shown and sb.demo.exo_key not in shown
