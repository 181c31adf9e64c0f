"""The adapters reach the core through the public API and one interface module only.

The core is the package's root: ``winit_fast/__init__.py``, ``initializers.py`` (the NumPy
API's objects) and every private module of the root (``winit_fast/_*.py``, ``_fallback/``).
Every other module (the adapters ``torch/``, ``keras``, ``jax``, ``dask``, ``safetensors``;
``reference/``, ``bench/``, the command line; the top-level ``bench/`` scripts) imports from
winit_fast only public modules, its own subpackage's modules and ``winit_fast._interface``
(docs/architecture.md); none names ``_validation``, ``_distributions`` or
``_variance_scaling`` at all. Read from the source with ``ast``, so nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import TESTS

ROOT = TESTS.parent
PACKAGE = ROOT / "src" / "winit_fast"
INTERFACE = "winit_fast._interface"
# the command line's own commands and options, private modules it is made of
COMMANDS = {"winit_fast._seed_checkpoint", "winit_fast._raw_stream", "winit_fast._cli_support"}
NEVER = {"_validation", "_distributions", "_variance_scaling"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_core(name: str) -> bool:
    parts = name.split(".")
    if len(parts) == 1 or name == "winit_fast.initializers":
        return True
    return parts[1].startswith("_")  # winit_fast._x and winit_fast._fallback.*


def outside_the_core() -> list[Path]:
    paths = [p for p in sorted(PACKAGE.rglob("*.py")) if not is_core(module_name(p))]
    return paths + sorted((ROOT / "bench").glob("*.py"))


def imported(tree: ast.AST) -> list[str]:
    """Every winit_fast module a source imports (``from winit_fast import x`` counts x)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in names if name.split(".")[0] == "winit_fast"]


def violations(source: str, name: str) -> list[str]:
    """What ``source`` (the module ``name``, outside the core) must not import or name."""
    found = []
    tree = ast.parse(source)
    own = ".".join(name.split(".")[:2])  # winit_fast.torch for winit_fast.torch._module
    for target in imported(tree):
        parts = target.split(".")
        private = [p for p in parts[1:] if p.startswith("_") and not p.startswith("__")]
        allowed = (
            not private
            or target.startswith(INTERFACE)
            or (target.startswith(own + ".") and not parts[1].startswith("_"))
            or (name == "winit_fast.cli" and ".".join(parts[:2]) in COMMANDS)
        )
        if not allowed:
            found.append(f"imports {target}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in NEVER:
            found.append(f"names .{node.attr}")
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] in NEVER:
            found.append(f"imports {node.name}")
    return found


@pytest.mark.parametrize("path", outside_the_core(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_outside_the_core_use_the_public_api_and_the_interface(path):
    name = module_name(path) if path.is_relative_to(PACKAGE) else f"bench.{path.stem}"
    assert violations(path.read_text(encoding="utf-8"), name) == []


def test_the_check_sees_each_way_of_reaching_the_core():
    """The checker itself: each forbidden form is reported, the allowed ones are not."""
    bad = {
        "from winit_fast import _validation as v": "imports winit_fast._validation",
        "import winit_fast._distributions": "imports winit_fast._distributions",
        "from winit_fast._variance_scaling import PRESETS": "imports winit_fast._variance_scaling",
        "from winit_fast._schemes import role": "imports winit_fast._schemes",
        "import winit_fast as wf\nwf._validation.as_dtype": "names ._validation",
        "from winit_fast.jax import _block_function": "imports winit_fast.jax._block_function",
    }
    for source, message in bad.items():
        assert message in violations(source, "winit_fast.torch._module"), source
    good = [
        "import winit_fast as wf",
        "from winit_fast import _interface as wfi",
        "from winit_fast._interface import PRESETS",
        "from winit_fast import Generator, initializers",
        "from winit_fast.torch._tensor import draw",  # its own subpackage
        "from winit_fast import __version__",
    ]
    for source in good:
        assert violations(source, "winit_fast.torch._module") == [], source
    assert violations("from winit_fast import _seed_checkpoint", "winit_fast.cli") == []
    assert violations("from winit_fast._validation import as_dtype", "winit_fast.cli") != []


def test_the_interface_is_documented():
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "_interface" in architecture
