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
        for name in imported_modules(
            path.read_text(encoding="utf-8"), ".".join(path.relative_to(PACKAGE.parent).parts[:-1])
        )
        if any(
            name == f"jupyter_exo_models.{up}" or name.startswith(f"jupyter_exo_models.{up}.")
            for up in ABOVE_THE_CORE
        )
    }
    assert not offenders, sorted(offenders)


def test_the_walk_sees_relative_and_lazy_imports():
    source = "def f():\n    from .. import sandbox\n    from ..cli.demo import run_demo\n"
    names = imported_modules(source, "jupyter_exo_models.core")
    assert {"jupyter_exo_models.sandbox", "jupyter_exo_models.cli.demo"} <= names


def test_the_lazy_surface_is_the_declared_one_and_type_checkers_see_it():
    import jupyter_exo_models as jem

    assert set(jem.__all__) - {"__version__"} == set(jem._LAZY)
    source = (PACKAGE / "__init__.py").read_text(encoding="utf-8")
    block = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
    )
    seen = {alias.asname or alias.name for node in block.body for alias in node.names}
    assert seen == set(jem._LAZY)
    for name in jem.__all__:
        assert getattr(jem, name) is not None


FACE_COMMANDS = ("%exo_", "python -m jupyter_exo_models", "jupyter_exo_models.login(", "attach(")


def test_the_core_s_words_name_no_face_s_command():
    """A fix says what to do in words and carries an Action (core/fixes.py): each face phrases it."""
    offenders = []
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        offenders += [
            f"{path.name}:{node.lineno} {node.value!r}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
            if any(command in node.value for command in FACE_COMMANDS)
        ]
    assert not offenders, offenders
