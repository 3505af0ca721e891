"""The layout shows the architecture: core is what every app shares, so it imports none."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

APPS = ("dealers", "complaints", "followups", "integrations", "web")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_app():
    core = Path(settings.BASE_DIR) / "core"
    offending = {
        f"{path.relative_to(core)}: {name}"
        for path in core.rglob("*.py")
        if "migrations" not in path.parts
        for name in _imports(path)
        if name.split(".")[0] in APPS
    }
    assert not offending, sorted(offending)
