"""The screenshot fixture leaves the README's tracked images alone unless asked (no browser needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

DOCS_IMAGES = Path(__file__).parents[2] / "docs" / "images"


class FakePage:
    def screenshot(self, path: str) -> None:
        with open(path, "wb") as file:
            file.write(b"not a png")


def test_a_readme_screenshot_goes_to_a_temporary_folder_by_default(request, screenshot):
    if request.config.getoption("--update-screenshots"):
        pytest.skip("--update-screenshots: this run is meant to replace docs/images/")
    tracked = DOCS_IMAGES / "lab-sidebar.png"
    before = tracked.read_bytes()
    path = screenshot(FakePage(), "lab-sidebar", docs=True)
    assert path.read_bytes() == b"not a png" and DOCS_IMAGES not in path.parents
    assert tracked.read_bytes() == before
