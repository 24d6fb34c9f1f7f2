"""Secrets, credentials discovery, polling schedule, zones and the sync runner."""

from __future__ import annotations

import asyncio
import logging
import pickle
import textwrap

import pytest
from exoscale.api.v2 import _poll_interval as sdk_poll_interval
from hypothesis import given
from hypothesis import strategies as st

from jupyter_exo_models.core import credentials as creds
from jupyter_exo_models.core.config import ensure_safe_url, is_loopback, validate_zone
from jupyter_exo_models.core.errors import (
    ConfigurationError,
    CredentialsMissingError,
    ExoModelsError,
    InsecureEndpointError,
)
from jupyter_exo_models.core.polling import PollSchedule, sdk_interval
from jupyter_exo_models.core.runner import run_sync
from jupyter_exo_models.core.secrets import Secret, mask

CANARY = "hf_canaryCANARYcanaryCANARY0123456789"


def test_secret_is_masked_everywhere(caplog):
    s = Secret(CANARY)
    texts = [repr(s), str(s), f"{s}", f"{s!r}", "%s" % s, repr([s]), repr({"token": s})]  # noqa: UP031
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("x").debug("token %s %r", s, s)
    texts.append(caplog.text)
    assert all(CANARY not in t for t in texts)
    assert s.reveal() == CANARY and str(s) == "hf_…6789"
    with pytest.raises(TypeError):
        pickle.dumps(s)


@given(st.text(max_size=80))
def test_mask_never_reveals_more_than_four_chars(value):
    masked = mask(value)
    if len(value) < 12:
        assert masked in ("", "***")
        return
    assert masked.endswith("…" + value[-4:])
    prefix = masked[:-5]  # sliced, not split: the value itself may contain "…"
    assert prefix == "" or (
        prefix.endswith("_") and value.startswith(prefix) and len(prefix) <= 5
    )  # like hf_
    assert mask("sandbox-noai-secret-0002") == "…0002"


@pytest.mark.parametrize("raw", ["", "   ", "\n", "\t \n"])
def test_blank_tokens_count_as_none(raw):
    assert creds.clean_token(raw) is None
    assert creds.resolve_hf_token(raw) is None


def test_hf_token_sources(monkeypatch):
    assert creds.resolve_hf_token(f"  {CANARY}\n").value.reveal() == CANARY
    monkeypatch.setenv("HF_TOKEN", CANARY + "\n")
    token = creds.resolve_hf_token()
    assert token.source == "environment" and token.value.reveal() == CANARY
    creds.set_session_credentials(hf_token="hf_sessionsessionsession")
    assert creds.resolve_hf_token().source == "login"
    assert CANARY not in repr(token)


def test_exoscale_credentials_order(monkeypatch, tmp_path):
    with pytest.raises(CredentialsMissingError) as err:
        creds.resolve_exoscale()
    assert "EXOSCALE_API_KEY" in err.value.fix
    config = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        textwrap.dedent("""
        defaultaccount = "work"
        [[accounts]]
        name = "personal"
        key = "EXOpersonal"
        secret = "personal-secret"
        defaultZone = "ch-gva-2"
        [[accounts]]
        name = "work"
        key = "EXOwork"
        secret = "work-secret-value"
        defaultZone = "at-vie-1"
    """)
    )
    found = creds.resolve_exoscale()
    assert (found.key, found.zone, found.secret.reveal()) == ("EXOwork", "at-vie-1", "work-secret-value")
    assert "work-secret-value" not in repr(found)
    monkeypatch.setenv("EXOSCALE_ZONE", "de-muc-1")
    monkeypatch.setenv("EXOSCALE_API_KEY", "EXOenv")
    monkeypatch.setenv("EXOSCALE_API_SECRET", "env-secret-value\n")
    found = creds.resolve_exoscale()
    assert (found.key, found.zone, found.source, found.secret.reveal()) == (
        "EXOenv",
        "de-muc-1",
        "environment",
        "env-secret-value",
    )
    assert creds.resolve_exoscale("EXOarg", "arg-secret", zone="hr-zag-1").source == "argument"
    with pytest.raises(CredentialsMissingError):
        creds.resolve_exoscale("EXOonly-key")


def test_unknown_default_zone_in_the_exo_config_is_named(tmp_path):
    from jupyter_exo_models.core.config import validate_zone

    config = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[[accounts]]\nname = "a"\nkey = "EXOa"\nsecret = "a-secret-value"\ndefaultZone = "ch-zrh-9"\n'
    )
    assert creds.default_zone() == "ch-zrh-9"
    with pytest.raises(ConfigurationError) as err:
        validate_zone(creds.default_zone())
    assert "ch-zrh-9" in err.value.message and "de-fra-1" in err.value.fix
    assert creds.default_zone("de-fra-1") == "de-fra-1"


def test_broken_exo_config_is_a_clear_error(tmp_path):
    config = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    config.parent.mkdir(parents=True)
    config.write_text("this is = = not toml secret-value")
    with pytest.raises(ConfigurationError) as err:
        creds.resolve_exoscale()
    assert "secret-value" not in str(err.value) and "exo config" in err.value.fix


TWO_ACCOUNTS = """
[[accounts]]
name = "personal"
key = "EXOpersonal"
secret = "personal-secret"
[[accounts]]
name = "work"
key = "EXOwork"
secret = "work-secret-value"
"""


def write_exo_config(tmp_path, text):
    config = tmp_path / "xdg" / "exoscale" / "exoscale.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(text)
    return config


@pytest.mark.parametrize(
    "default, env", [('defaultaccount = "nope"', None), ('defaultaccount = "work"', "nope"), ("", None)]
)
def test_an_account_the_exo_config_lacks_is_refused_with_the_names_it_has(
    tmp_path, monkeypatch, default, env
):
    write_exo_config(tmp_path, default + "\n" + TWO_ACCOUNTS)
    if env:
        monkeypatch.setenv("EXOSCALE_ACCOUNT", env)
    with pytest.raises(CredentialsMissingError) as err:
        creds.resolve_exoscale()
    assert "personal" in err.value.fix and "work" in err.value.fix
    assert "personal-secret" not in str(err.value) and "work-secret-value" not in str(err.value)


def test_exoscale_account_chooses_among_the_accounts(tmp_path, monkeypatch):
    write_exo_config(tmp_path, 'defaultaccount = "personal"\n' + TWO_ACCOUNTS)
    assert creds.resolve_exoscale().key == "EXOpersonal"
    monkeypatch.setenv("EXOSCALE_ACCOUNT", "work")
    assert creds.resolve_exoscale().key == "EXOwork"
    write_exo_config(
        tmp_path,
        TWO_ACCOUNTS.split("[[accounts]]", 2)[0] + "[[accounts]]" + TWO_ACCOUNTS.split("[[accounts]]", 2)[2],
    )  # one account, no default: that one
    monkeypatch.delenv("EXOSCALE_ACCOUNT")
    assert creds.resolve_exoscale().key == "EXOwork"


@pytest.mark.parametrize(
    "text",
    [
        "accounts = 5",
        'accounts = "abc"',
        "[accounts]\nname = 'x'",
        "accounts = [1, 2]",
        "defaultaccount = 3\n" + TWO_ACCOUNTS,
        '[[accounts]]\nname = "a"\nkey = 5\nsecret = "s-secret-value"',
        '[[accounts]]\nname = "a"\nkey = "EXOa"\nsecret = "s-secret-value"\ndefaultZone = 1',
    ],
)
def test_a_malformed_exo_config_is_a_credentials_problem(tmp_path, text):
    path = write_exo_config(tmp_path, text)
    with pytest.raises(CredentialsMissingError) as err:
        creds.resolve_exoscale()
    assert f"exo config at {path} is malformed" in err.value.message and "exo config" in err.value.fix
    assert "secret-value" not in str(err.value)
    assert creds.default_zone() == "de-fra-1"  # the zone alone never fails


@pytest.mark.parametrize("elapsed", [0, 10, 29.9, 30, 31, 100, 450, 899, 900, 901, 3600, 7200])
def test_schedule_matches_the_sdk(elapsed):
    assert sdk_interval(elapsed) == pytest.approx(sdk_poll_interval(elapsed))


def test_fixed_interval_from_env(monkeypatch):
    monkeypatch.setenv("EXO_MODELS_POLL_INTERVAL", "0.25")
    assert PollSchedule().interval(1000) == 0.25
    monkeypatch.setenv("EXO_MODELS_POLL_INTERVAL", "nonsense")
    assert PollSchedule().interval(0) == 3.0
    assert PollSchedule(2).interval(5000) == 2


@pytest.mark.parametrize("zone", ["", "nowhere", "de-fra-9", "../de-fra-1", None])
def test_unknown_zone(zone):
    with pytest.raises(ConfigurationError) as err:
        validate_zone(zone)
    assert "de-fra-1" in err.value.fix


@pytest.mark.parametrize(
    "url",
    [
        "https://api-de-fra-1.exoscale.com/v2",
        "http://127.0.0.1:8080/v2",
        "http://localhost:1/x",
        "http://[::1]:80/v2",
        "http://127.5.6.7/",
    ],
)
def test_safe_urls(url):
    ensure_safe_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://api-de-fra-1.exoscale.com/v2",
        "http://10.0.0.1/v2",
        "ftp://127.0.0.1/",
        "http://127.0.0.1.evil.com/",
        "//nohost",
        "http://localhost.evil.com/",
    ],
)
def test_unsafe_urls(url):
    with pytest.raises(InsecureEndpointError):
        ensure_safe_url(url)
    assert not is_loopback("example.com")


BAD_ENDPOINTS = [
    ("EXOSCALE_API_ENDPOINT", "https://api.exoscale.com/v2", "{zone}"),
    ("EXOSCALE_API_ENDPOINT", "http://[127.0.0.1]/{zone}/v2", "parse"),
    ("EXOSCALE_API_ENDPOINT", "http://127.0.0.1:99999/{zone}/v2", "parse"),
    ("EXOSCALE_API_ENDPOINT", "garbage{zone}", "scheme"),
    ("EXOSCALE_API_ENDPOINT", "https://api-{zone}.exoscale.com/v2?x=1", "query"),
    ("EXOSCALE_API_ENDPOINT", "https://{region}.example.com/{zone}", "placeholder"),
    ("HF_ENDPOINT", "https://" + "a" * 5000 + ".co", "characters long"),
    ("HF_ENDPOINT", "https://" + "a" * 70 + ".co", "parse"),
    ("HF_ENDPOINT", "hf.co\x1b[31m", "control"),
]


@pytest.mark.parametrize("variable, value, why", BAD_ENDPOINTS)
def test_a_malformed_endpoint_is_named_with_its_value_and_the_fix(monkeypatch, variable, value, why):
    from jupyter_exo_models.core.config import current_endpoints
    from jupyter_exo_models.core.text import shown

    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as err:
        current_endpoints()
    assert err.value.message.startswith(f"{variable}={shown(value)} ") and why in err.value.message
    assert variable in err.value.fix and len(err.value.message) < 300 and "\x1b" not in err.value.message


@pytest.mark.parametrize(
    "template",
    ["https://api-{zone}.exoscale.com/v2", "http://[::1]:8080/{zone}/v2/", "http://127.0.0.1:1/{zone}"],
)
def test_usable_endpoints_are_kept(monkeypatch, template):
    from jupyter_exo_models.core.config import current_endpoints

    monkeypatch.setenv("EXOSCALE_API_ENDPOINT", template)
    assert current_endpoints().exoscale("de-fra-1") == template.replace("{zone}", "de-fra-1").rstrip("/")


def test_run_sync_inside_a_running_loop():
    async def inner():
        await asyncio.sleep(0.01)
        return 42

    async def outer():  # as in a Jupyter cell: a loop is already running in this thread
        return run_sync(inner())

    assert asyncio.run(outer()) == 42
    assert run_sync(inner()) == 42


def test_errors_are_reachable_from_the_package_as_the_readme_writes_them():
    import jupyter_exo_models as jem
    from jupyter_exo_models.core import errors

    for name in ("PreflightFailed", "ImportFailed", "AuthenticationError", "ModelInUseError", "WatchTimeout"):
        assert getattr(jem, name) is getattr(errors, name) and issubclass(
            getattr(jem, name), jem.ExoModelsError
        )


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.get_model(None),
        lambda api: api.list_models(zone=5),
        lambda api: api.preflight_many("org/model"),
        lambda api: api.preflight_many(["org/model", None]),
        lambda api: api.preflight(5),
        lambda api: api.import_model("org/model", wait="no"),
        lambda api: api.import_model("org/model", timeout="10"),
        lambda api: api.delete_model(b"org/model"),
        lambda api: api.attach("org/model", on_event="print"),
        lambda api: api.validate_credentials(hf_token=b"hf_" + b"x" * 30),
        lambda api: api.start_import("org/m", force=1),
    ],
)
def test_the_public_api_refuses_wrong_types_before_sending_anything(sb, call):
    from jupyter_exo_models.core import api

    with pytest.raises(TypeError) as err:
        call(api)
    assert " must be " in str(err.value) and "x" * 30 not in str(err.value)
    assert not sb.requests


@pytest.mark.parametrize(
    "call, error, says",
    [
        (lambda api: api.get_model(""), "InvalidModelIdError", "empty"),
        (lambda api: api.delete_model("a/b/c"), "InvalidModelIdError", "a/b/c"),
        (lambda api: api.attach("org/model "), "InvalidModelIdError", "'org/model '"),
        (lambda api: api.get_model("https://huggingface.co/org/name"), "InvalidModelIdError", "org/name"),
        (lambda api: api.list_models(zone=""), "ConfigurationError", "''"),
        (lambda api: api.list_models(zone=" "), "ConfigurationError", "' '"),
        (lambda api: api.preflight("org/model", zone="\x00"), "ConfigurationError", "'\\x00'"),
        (lambda api: api.import_model("org/model", timeout=0), "UsageError", "timeout"),
        (
            lambda api: api.import_model("org/model", poll_interval=float("nan")),
            "UsageError",
            "poll_interval",
        ),
    ],
)
def test_the_public_api_refuses_unusable_values_before_sending_anything(sb, call, error, says):
    from jupyter_exo_models.core import api

    with pytest.raises(ExoModelsError) as err:
        call(api)
    assert type(err.value).__name__ == error and says in str(err.value) and err.value.fix
    assert not sb.requests


def test_every_public_function_checks_its_arguments():
    from jupyter_exo_models.core import api

    for name in (
        "apreflight",
        "apreflight_many",
        "astart_import",
        "aimport_model",
        "aattach",
        "alist_models",
        "aget_model",
        "adelete_model",
        "avalidate_credentials",
    ):
        assert getattr(api, name).__wrapped__, name  # @_checked


@pytest.mark.parametrize(
    "pasted, repo_id, says",
    [
        ("https://huggingface.co/meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B", "URL"),
        ("huggingface.co/org/name/tree/main", "org/name", "URL"),
        ("https://hf.co/org/name?library=transformers", "org/name", "URL"),
        ("git@hf.co:org/name.git", "org/name", "URL"),
        ("org/name@main", "org/name", "revision"),
        ("org/name.git", "org/name", ".git"),
        ("org/name ", "org/name", "spaces"),
    ],
)
def test_a_wrapped_repo_id_is_refused_naming_the_id_inside(pasted, repo_id, says):
    from jupyter_exo_models.core.errors import InvalidModelIdError
    from jupyter_exo_models.core.ids import refuse_wrapped_repo_id, repo_id_inside
    from jupyter_exo_models.core.text import shown

    assert repo_id_inside(pasted) == repo_id
    with pytest.raises(InvalidModelIdError) as err:
        refuse_wrapped_repo_id(pasted)
    assert err.value.message.startswith(shown(pasted)) and f"Use the repo id {repo_id}," in err.value.fix
    assert says in err.value.message + err.value.fix


@pytest.mark.parametrize(
    "value",
    [
        "org/name",
        "a/b/c",
        "../x",
        "",
        "https://huggingface.co/datasets/org/name",
        "https://huggingface.co/org",
        "org/na me@main",
    ],
)
def test_ids_and_non_ids_that_wrap_nothing_are_left_to_the_id_check(value):
    from jupyter_exo_models.core.ids import refuse_wrapped_repo_id, repo_id_inside

    assert repo_id_inside(value) is None
    refuse_wrapped_repo_id(value)
