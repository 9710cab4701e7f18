"""Data flows one way: a lower layer never imports a higher one (see STYLE.md)."""

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import ecgkit

PACKAGE = Path(ecgkit.__file__).parent


@dataclass(frozen=True)
class Rule:
    """``ecgkit.<layer>`` must not import ``forbidden`` (a module and its submodules)."""

    layer: str
    forbidden: str
    static: bool  # False: allowed in the source, lazily, but not on ``import ecgkit.<layer>``

    @property
    def id(self):
        return f"{self.layer}-imports-no-{self.forbidden.removeprefix('ecgkit.')}"


_FORBIDDEN = {
    "signal": (
        "torch",
        "ecgkit.data",
        "ecgkit.models",
        "ecgkit.train",
        "ecgkit.explain",
        "ecgkit.experiment",
        "ecgkit.cli",
        "ecgkit.plot",
    ),
    "data": ("torch", "ecgkit.models", "ecgkit.train", "ecgkit.explain", "ecgkit.experiment"),
    "models": ("ecgkit.data", "ecgkit.train", "ecgkit.explain", "ecgkit.experiment"),
    "explain": ("ecgkit.train", "ecgkit.data", "ecgkit.experiment"),
    "metrics": (
        "torch",
        "ecgkit.data",
        "ecgkit.models",
        "ecgkit.train",
        "ecgkit.explain",
        "ecgkit.experiment",
    ),
}
# ecgkit.data's Dataset classes bring torch in on their first use, never on import
_LAZY = {("data", "torch")}
RULES = [
    Rule(layer, name, static=(layer, name) not in _LAZY)
    for layer, names in _FORBIDDEN.items()
    for name in names
]


def _is_within(module, package):
    return module == package or module.startswith(f"{package}.")


def _imports(path):
    """Every module a source file imports, at any depth (function bodies included)."""
    module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            yield node.lineno, source
            for alias in node.names:  # ``from ecgkit import data`` imports ecgkit.data
                yield node.lineno, f"{source}.{alias.name}"


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_layer_rule(rule):
    layer = f"ecgkit.{rule.layer}"
    code = (
        "import importlib, json, sys\n"
        f"importlib.import_module({layer!r})\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m == {rule.forbidden!r} "
        f"or m.startswith({rule.forbidden + '.'!r}))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"import {layer} loads {loaded}"
    if rule.static:
        found = [
            f"{path.relative_to(PACKAGE.parent)}:{line}: {name}"
            for path in sorted((PACKAGE / rule.layer).rglob("*.py"))
            for line, name in _imports(path)
            if _is_within(name, rule.forbidden)
        ]
        assert found == [], f"{layer} source imports {rule.forbidden}: {found}"
