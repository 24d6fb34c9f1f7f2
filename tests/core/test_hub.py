"""The Hub layer: real Hub texts, whoami once per token, bounded calls against hostile local servers."""

from __future__ import annotations

import socketserver
import threading

import pytest

from jupyter_exo_models.core import hub
from jupyter_exo_models.core.api import avalidate_credentials
from jupyter_exo_models.core.hub import HubClient
from jupyter_exo_models.core.preflight import preflight, preflight_many
from jupyter_exo_models.core.secrets import Secret
from jupyter_exo_models.sandbox import DEMO

GATED, ACCEPTED, MANUAL = DEMO.gated, DEMO.gated_accepted, DEMO.gated_manual


def whoami_requests(sb):
    return [r for r in sb.requests if r.path.endswith("/whoami-v2")]


def statuses(report, *ids):
    return {i: report[i].status for i in ids}


# -- the sandbox answers as the real Hub (docs/SERVICES.md) -----------------------------
@pytest.mark.parametrize(
    ("token", "repo", "status", "code", "text"),
    [
        (
            DEMO.hf_token,
            GATED,
            403,
            "GatedRepo",
            (
                f"Access to model {GATED} is restricted and you are not in the authorized list. "
                f"Visit https://huggingface.co/{GATED} to ask for access."
            ),
        ),
        (
            DEMO.hf_token,
            MANUAL,
            403,
            "GatedRepo",
            f"Your request to access model {MANUAL} is awaiting a review from the repo authors.",
        ),
        (
            None,
            GATED,
            401,
            "GatedRepo",
            (
                f"Access to model {GATED} is restricted. You must have access to it and be authenticated "
                "to access it. "
                "Please log in."
            ),
        ),
        (
            DEMO.hf_fine_grained_user,
            ACCEPTED,
            403,
            None,
            (
                "Please enable access to public gated repositories in your fine-grained token settings "
                "to view this repository."
            ),
        ),
        (DEMO.hf_token, "sandbox-org/does-not-exist", 404, "RepoNotFound", "Repository not found"),
        (DEMO.hf_revoked, GATED, 401, None, "Invalid credentials in Authorization header"),
    ],
)
async def test_the_sandbox_answers_auth_check_with_the_real_hub_texts(sb, token, repo, status, code, text):
    client = HubClient(sb.hub_url, Secret(token) if token else None)
    answer = await client.auth_check(repo)
    assert (answer.status, answer.code, answer.message) == (status, code, text)


async def test_classification_follows_the_real_texts(sb):
    assert await HubClient(sb.hub_url, Secret(DEMO.hf_token)).access(MANUAL) == (
        "pending",
        f"Your request to access model {MANUAL} is awaiting a review from the repo authors.",
    )
    assert (await HubClient(sb.hub_url, Secret(DEMO.hf_token)).access(GATED))[0] == "not-accepted"
    assert (await HubClient(sb.hub_url, None).access(GATED))[0] == "login-required"
    assert (await HubClient(sb.hub_url, Secret(DEMO.hf_fine_grained_user)).access(GATED))[
        0
    ] == "no-gated-permission"


# -- 17: a fine-grained token without access to public gated repos --------------------------------
@pytest.mark.parametrize("model_id", [GATED, GATED.lower()])
async def test_a_token_without_gated_permission_is_named_and_the_case_fix_still_shown(sb, model_id):
    report = await preflight(model_id, zone="de-fra-1", hf_token=DEMO.hf_fine_grained_user)
    token = report["hf-token"]
    assert token.status == "fail", str(report)
    assert "enable access to public gated repositories in the token's settings" in token.fix.lower()
    assert "did not answer usefully" not in str(report)
    assert report["repo-access"].status == "pass" and report["weights-format"].status == "pass"
    assert report["repo-id-case"].status == ("pass" if model_id == GATED else "fail")
    if model_id != GATED:
        assert report["repo-id-case"].fix == f"Use {GATED}"


async def test_a_403_without_code_on_model_info_still_describes_the_repo(sb):
    """Tolerance: should the Hub refuse the metadata too ("... to view this repository"), it is asked
    anonymously."""
    sb.faults.once("hub", "GET", r"/api/models/sandbox-gated/Llama-Gated-8B$", 403)
    report = await preflight(GATED, zone="de-fra-1", hf_token=DEMO.hf_fine_grained_user)
    assert report["hf-token"].status == "fail" and "gated" in report["hf-token"].fix
    assert report["repo-access"].status == "pass" and report["size"].status == "pass"


# -- 18: a fine-grained token scoped to the gated repo itself --------------------------------------
async def test_a_token_scoped_to_the_gated_repo_reads_it(sb):
    accepted = await preflight(ACCEPTED, zone="de-fra-1", hf_token=DEMO.hf_fine_grained_gated_repo)
    assert accepted.ok, str(accepted)
    assert statuses(accepted, "hf-token", "gated-access") == {"hf-token": "pass", "gated-access": "pass"}
    not_accepted = await preflight(GATED, zone="de-fra-1", hf_token=DEMO.hf_fine_grained_gated_repo)
    assert not_accepted["hf-token"].status == "pass", str(not_accepted)
    assert not_accepted["gated-access"].data["state"] == "not-accepted"


# -- 21: whoami once per token per process; a 429 is a rate limit ---------------------------------
async def test_whoami_is_asked_once_per_token_across_preflights(sb):
    sb.clear_log()
    await preflight(DEMO.tiny, zone="de-fra-1")
    await preflight_many([GATED, ACCEPTED], zone="de-fra-1")
    await preflight(DEMO.tiny, zone="de-fra-1", hf_token=DEMO.hf_write_token)
    assert len(whoami_requests(sb)) == 2  # the read token once, the write token once
    assert all(DEMO.hf_token not in key and DEMO.hf_write_token not in key for key in hub._WHOAMI)


async def test_a_failed_whoami_is_not_remembered(sb):
    sb.faults.once("hub", "GET", r"/whoami-v2$", 429)
    first = await preflight(DEMO.tiny, zone="de-fra-1")
    assert "rate-limit" in first["hf-token"].message and "user" not in first["hf-token"].data
    assert (await preflight(DEMO.tiny, zone="de-fra-1"))["hf-token"].data["user"] == "demo-user"


async def test_a_rate_limited_whoami_says_so_and_the_other_checks_go_on(sb):
    sb.faults.once("hub", "GET", r"/whoami-v2$", 429)
    sb.clear_log()
    report = await preflight(ACCEPTED, zone="de-fra-1")
    assert len(whoami_requests(sb)) == 1  # strict limits: not retried
    assert report["hf-token"].status == "pass" and "rate-limit" in report["hf-token"].message
    assert statuses(report, "repo-access", "gated-access", "weights-format") == {
        "repo-access": "pass",
        "gated-access": "pass",
        "weights-format": "pass",
    }
    sb.faults.once("hub", "GET", r"/whoami-v2$", 429)
    report = await preflight(DEMO.tiny, zone="de-fra-1", hf_token=DEMO.hf_write_token)
    assert report["hf-token"].status == "pass"  # auth-check passed for it: the Hub accepts the token
    hub.forget_whoami()
    sb.faults.once("hub", "GET", r"/whoami-v2$", 429)
    check = await avalidate_credentials()
    assert check.hf is None and "rate-limit" in check.hf_error and "unreach" not in check.hf_error


async def test_a_token_revoked_after_its_whoami_was_remembered_is_reported(sb):
    assert (await preflight(DEMO.tiny, zone="de-fra-1"))["hf-token"].status == "pass"
    sb.hub.revoke(DEMO.hf_token)
    report = await preflight(DEMO.tiny, zone="de-fra-1")
    assert report["hf-token"].status == "fail" and "invalid or revoked" in report["hf-token"].message
    assert report["weights-format"].status == "pass"


# -- batches: one auth-check per exact id ---------------------------------------------------------
async def test_a_batch_asks_the_canonical_auth_check_once(sb):
    sb.clear_log()
    await preflight_many([GATED, GATED.lower()], zone="de-fra-1")
    canonical = [r for r in sb.requests if r.path == f"/api/models/{GATED}/auth-check"]
    assert len(canonical) == 1


# -- 22: gate fields of every type, normalized once ----------------------------------------------
async def test_gate_fields_are_normalized_with_their_choices(sb):
    report = await preflight(GATED, zone="de-fra-1")
    fields = {f["name"]: f for f in report["gated-access"].data["fields"]}
    assert fields["Intended use"] == {
        "name": "Intended use",
        "type": "select",
        "options": ["Research", "Education", "Other"],
    }
    assert fields["geo"]["type"] == "ip_location" and fields["Company"] == {
        "name": "Company",
        "type": "text",
        "options": [],
    }
    text = str(report)
    assert "Intended use (one of: Research, Education, Other)" in text and "{" not in text


def test_gate_fields_tolerate_odd_cards():
    assert hub.gate_fields(None) == [] and hub.gate_fields(["Company"]) == []
    assert hub.gate_fields(
        {
            "Use": {"options": "not-a-list"},
            "X": {"type": "select", "options": [{"value": "v"}, ""]},
            "Y\x1b[31m": 5,
        }
    ) == [
        {"name": "Use", "type": "select", "options": []},
        {"name": "X", "type": "select", "options": ["v"]},
        {"name": "Y", "type": "5", "options": []},
    ]


# -- 2: every call bounded, against servers that never answer, trickle, or never end --------------
class _Hostile(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def hostile():
    """A local server whose behaviour a test picks: "silent" (accepts, reads, never answers), "trickle" (a
    byte every 50 ms, forever) or "endless" (a body that never ends). Bounded: it stops with the test."""
    stop = threading.Event()
    mode = {"value": "silent"}

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.recv(65536)
            try:
                if mode["value"] == "trickle":
                    self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n")
                    while not stop.wait(0.05):
                        self.request.sendall(b" ")
                elif mode["value"] == "endless":
                    self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n")
                    while not stop.is_set():
                        self.request.sendall(b"{" * 65536)
                else:
                    stop.wait()
            except OSError:  # the client gave up: that is the point
                pass

    server = _Hostile(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", mode
    stop.set()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["silent", "trickle"])
@pytest.mark.parametrize(
    "path", ["/api/whoami-v2", f"/api/models/{GATED}", f"/api/models/{GATED}/auth-check"]
)
def test_a_call_to_a_hub_that_never_finishes_frees_its_thread(hostile, monkeypatch, mode, path):
    url, behaviour = hostile
    behaviour["value"] = mode
    monkeypatch.setattr(hub, "HUB_TIMEOUT", 0.5)
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            HubClient(url, Secret(DEMO.hf_token)).fetch(path)
        except BaseException as exc:  # noqa: BLE001 — the test inspects it
            outcome.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(timeout=30)  # a bound, not a measure: the call must end by itself
    assert not worker.is_alive(), "the Hub call still holds its thread"
    assert isinstance(outcome[0], hub.HubError) and "no answer within 0.5 s" in outcome[0].message


def test_an_endless_answer_is_cut_at_the_cap(hostile, monkeypatch):
    url, behaviour = hostile
    behaviour["value"] = "endless"
    monkeypatch.setattr(hub, "HUB_MAX_BODY", 1_000_000)
    with pytest.raises(hub.HubError) as err:
        HubClient(url, None).fetch(f"/api/models/{GATED}")
    assert "larger than 1 MB" in err.value.message


async def test_a_silent_hub_gives_a_preflight_answer(hostile, monkeypatch, sb):
    url, _ = hostile
    monkeypatch.setattr(hub, "HUB_TIMEOUT", 0.5)
    from jupyter_exo_models.core import config

    endpoints = config.current_endpoints()  # the sandbox's Exoscale, a Hub that never answers
    monkeypatch.setattr(
        "jupyter_exo_models.core.preflight.current_endpoints",
        lambda: config.Endpoints(url, endpoints.exoscale_template, sandbox=True),
    )
    report = await preflight(DEMO.tiny, zone="de-fra-1", hf_token=DEMO.hf_token)
    assert (
        report["repo-access"].status == "fail" and "no answer within 0.5 s" in report["repo-access"].message
    )
    assert report["exoscale-credentials"].status == "pass"


def test_the_hub_session_is_huggingface_hubs_own_and_left_unchanged(sb):
    """The bound is per call: huggingface_hub's shared client keeps its settings for the user's downloads."""
    from huggingface_hub.utils import get_session

    session = get_session()
    before = getattr(session, "timeout", None)
    HubClient(sb.hub_url, Secret(DEMO.hf_token)).fetch("/api/whoami-v2")
    assert get_session() is session and getattr(session, "timeout", None) == before


def test_fetch_sends_the_token_only_when_asked(sb):
    sb.clear_log()
    HubClient(sb.hub_url, Secret(DEMO.hf_token)).fetch(f"/api/models/{DEMO.tiny}", anonymous=True)
    HubClient(sb.hub_url, Secret(DEMO.hf_token)).fetch(f"/api/models/{DEMO.tiny}")
    assert [r.bearer() for r in sb.requests] == [None, DEMO.hf_token]
