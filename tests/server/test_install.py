"""What a plain `pip install` gives: both extensions found and enabled by Jupyter's own commands."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def jupyter(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", *args], capture_output=True, text=True, timeout=120, check=False
    )
    return ANSI.sub("", done.stdout + done.stderr)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("labextension", "list"), r"jupyter-exo-models v\S+ enabled OK"),
        (
            ("server", "extension", "list"),
            (
                r"jupyter_exo_models enabled\s+- Validating jupyter_exo_models\.\.\.\s+"
                r"jupyter_exo_models \S+ OK"
            ),
        ),
    ],
)
def test_extension_is_installed_and_enabled(args, expected):
    listing = jupyter(*args)
    assert re.search(expected, listing), listing
