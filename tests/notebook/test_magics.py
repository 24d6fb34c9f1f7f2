"""The magics without a kernel: secret hygiene of their lines, argument parsing, terminal output."""

from __future__ import annotations

import time
import warnings

import pytest

from jupyter_exo_models.notebook.magics import _scrub, looks_secret
from jupyter_exo_models.sandbox import DEMO


@pytest.mark.parametrize(
    "word",
    [
        "acme/hf_transformers_demo",
        "org/EXOPLANETclassifier",
        "sandbox-org/Tiny-Llama-1B",
        "de-fra-1",
        "--zone=de-fra-1",
        "--timeout",
        "3600",
        "0b6a7c3e-5f21-4a9e-9d3c-2f1e0a9b8c7d",
        "EXOPLANET",
        "meta-llama/Llama-3.1-8B-Instruct",
    ],
)
def test_ids_options_and_uuids_are_not_secrets(word):
    assert not looks_secret(word)


@pytest.mark.parametrize(
    "word",
    [
        DEMO.hf_token,
        DEMO.exo_key,
        DEMO.exo_secret,
        "hf_abcdefghijklmnopqrstuvwxyz012345",
        "'hf_quotedTOKEN12345'",
        "--huggingface-token=hf_abcdefghijklmnop",
        "Zx8vQ2mN7pL4kR9tW3yB6cF1hJ5aa",
        "api_org_abcdefghijklmnop",
    ],
)
def test_tokens_and_secret_shaped_words_are(word):
    assert looks_secret(word)


def test_scrub_drops_whole_arguments_only_and_warns_every_time(capsys):
    line = f"acme/hf_transformers_demo --zone de-fra-1 {DEMO.exo_secret}"
    for _ in range(2):
        assert _scrub(line) == "acme/hf_transformers_demo --zone de-fra-1"
    err = capsys.readouterr().err
    assert err.count("looks like a token or secret") == 2 and DEMO.exo_secret not in err
    assert _scrub("org/EXOPLANETclassifier --check") == "org/EXOPLANETclassifier --check"
    assert capsys.readouterr().err == ""


@pytest.fixture
def ip(sb):
    """Terminal IPython (no kernel, no widget frontend) with the extension loaded."""
    from IPython.core.interactiveshell import InteractiveShell

    with warnings.catch_warnings():  # IPython 7 warns when VIRTUAL_ENV names another venv (.ci/run's)
        warnings.filterwarnings("ignore", "Attempting to work in a virtualenv")
        shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("jupyter_exo_models")
    return shell


def test_quoted_arguments_are_unquoted(ip):
    report = ip.run_line_magic("exo_import", f"\"{DEMO.tiny}\" --zone 'de-fra-1' --check")
    assert report.model == DEMO.tiny and report.zone == "de-fra-1" and report.ok


def test_an_unclosed_quote_is_a_usage_error(ip):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="exo_import"):
        ip.run_line_magic("exo_import", f'{DEMO.tiny} --zone "de-fra-1')


def test_cell_ids_may_carry_trailing_comments(ip):
    batch = ip.run_cell_magic("exo_import", "--check", f"{DEMO.tiny}   # the small one\n# a whole comment\n")
    assert [r.model for r in batch.reports] == [DEMO.tiny] and not batch.failed


def test_a_cell_line_with_an_escape_reaches_the_terminal_escaped(ip, capsys):
    batch = ip.run_cell_magic("exo_import", "--check", "org/\x1b[31mred\n")
    out = capsys.readouterr().out
    assert batch.failed and "\x1b" not in out and "'org/\\x1b[31mred'" in out


@pytest.mark.parametrize("timeout", ["-1", "0", "nan"])
def test_a_timeout_must_be_positive(ip, capsys, timeout):
    assert ip.run_line_magic("exo_import", f"{DEMO.tiny} --timeout {timeout}") is None
    assert "--timeout must be" in capsys.readouterr().out


def test_a_terminal_shows_state_changes_not_every_poll(ip, sb, capsys):
    job = ip.run_line_magic("exo_import", DEMO.tiny)
    out = capsys.readouterr().out
    assert job.state == "created"
    polls = len([r for r in sb.requests if r.service == "exoscale" and r.method == "GET"])
    assert out.count("deploy it next") == 1 and out.count("\n") < polls, out


def test_zone_and_all_zones_exclude_each_other(ip):
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="exclude"):
        ip.run_line_magic("exo_models", "--zone de-fra-1 --all-zones")


def test_a_cell_timeout_stops_the_watches_it_alone_followed(ip):
    batch = ip.run_cell_magic("exo_import", "--timeout 0.05", f"{DEMO.tiny}\n")
    job = batch.jobs[DEMO.tiny]
    assert type(batch.errors[DEMO.tiny]).__name__ == "WatchTimeout"
    for _ in range(500):
        if job.done:
            break
        time.sleep(0.01)
    assert job.state == "timeout"


@pytest.mark.parametrize(
    "magic, line, says",
    [
        ("exo_status", '""', "empty"),
        ("exo_delete", "a/b/c --yes", "a/b/c"),
        ("exo_status", "'org/model '", "'org/model '"),
        ("exo_models", "-z ''", "Unknown zone ''"),
        ("exo_login", "--zone ../", "Unknown zone ../"),
    ],
)
def test_an_unusable_argument_shows_the_error_with_nothing_sent(ip, sb, capsys, magic, line, says):
    sb.clear_log()
    assert ip.run_line_magic(magic, line) is None
    out = capsys.readouterr().out
    assert out.startswith("error: ") and says in out and "fix: " in out and "Traceback" not in out
    assert not [r for r in sb.requests if r.service == "exoscale"]


def test_a_fix_s_action_is_phrased_as_this_face_s_magic(ip, capsys):
    report = ip.run_line_magic("exo_import", f"{DEMO.broken_import} --zone de-fra-1 --check")
    out = capsys.readouterr().out
    assert not report.ok and f"run: %exo_delete {DEMO.broken_import} --zone de-fra-1" in out
    assert "python -m jupyter_exo_models" not in out
    batch = ip.run_cell_magic("exo_import", "--check --zone de-fra-1", f"{DEMO.broken_import}\n")
    assert batch.failed and f"%exo_delete {DEMO.broken_import} --zone de-fra-1" in capsys.readouterr().out


def test_a_model_in_use_shows_the_commands_deleting_its_deployments(ip, capsys):
    assert ip.run_line_magic("exo_delete", f"{DEMO.in_use} --zone de-fra-1 --yes") is None
    out = capsys.readouterr().out
    assert out.startswith("Not deleted: ") and "demo-deployment" in out
    assert "run: %exo_undeploy demo-deployment --yes --zone de-fra-1" in out


def test_the_one_renderer_escapes_and_phrases():
    from jupyter_exo_models.core.fixes import Action
    from jupyter_exo_models.notebook.render import problem

    action = Action("attach", {"model": "org/<b>m", "zone": "de-fra-1"})
    text, html = problem("<i>gone</i>", "watch it again", action, lead="Stopped:")
    assert text == (
        "Stopped: <i>gone</i>\n  fix: watch it again\n"
        "  run: jupyter_exo_models.attach('org/<b>m', zone='de-fra-1')"
    )
    assert "<i>" not in html and "&lt;i&gt;gone" in html and "attach(&#x27;org/&lt;b&gt;m" in html
