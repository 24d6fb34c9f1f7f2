"""The shape of the package, checked on its source: the core depends on nothing above it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "jupyter_exo_models"
ABOVE_THE_CORE = ("sandbox", "notebook", "cli", "server")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` (of ``package``) imports, lazy imports included, as absolute dotted names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # `from .. import sandbox`
    return names


def test_the_core_never_imports_the_sandbox_or_a_face():
    offenders = {
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in sorted((PACKAGE / "core").rglob("*.py"))
        for name in imported_modules(path.read_text(encoding="utf-8"),
                                     ".".join(path.relative_to(PACKAGE.parent).parts[:-1]))
        if any(name == f"jupyter_exo_models.{up}" or name.startswith(f"jupyter_exo_models.{up}.")
               for up in ABOVE_THE_CORE)
    }
    assert not offenders, sorted(offenders)


def test_the_walk_sees_relative_and_lazy_imports():
    source = "def f():\n    from .. import sandbox\n    from ..cli.demo import run_demo\n"
    names = imported_modules(source, "jupyter_exo_models.core")
    assert {"jupyter_exo_models.sandbox", "jupyter_exo_models.cli.demo"} <= names
