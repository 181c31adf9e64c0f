"""The API reference site (Sphinx, docs/conf.py) builds with warnings as errors and documents
every public name: each entry of the ``__all__`` of the public modules is an object of the
built site's inventory (objects.inv), and each command of the CLI has its section."""

from __future__ import annotations

import importlib
import importlib.util
import os
import posixpath
import subprocess
import sys

import pytest
from support import TESTS

ROOT = TESTS.parent
DOCS = ROOT / "docs"
PUBLIC_MODULES = ("winit_fast", "winit_fast.initializers", "winit_fast.torch", "winit_fast.keras",
                  "winit_fast.jax", "winit_fast.dask", "winit_fast.safetensors")  # fmt: skip
NEEDED = ("sphinx", "myst_parser", "sphinxarg", "torch", "keras", "jax", "dask", "safetensors")

pytestmark = [
    pytest.mark.skipif(not (DOCS / "conf.py").exists(), reason="needs the source tree's docs/"),
    pytest.mark.skipif(
        any(importlib.util.find_spec(name) is None for name in NEEDED),
        reason=f"needs {', '.join(NEEDED)} (the test extra: pip install torch '.[test]')",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built as `make docs` builds it (-W: a warning fails the build)."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "torch")}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def inventory(site) -> dict[str, set[str]]:
    from sphinx.util.inventory import InventoryFile

    with open(site / "objects.inv", "rb") as handle:
        loaded = InventoryFile.load(handle, "", posixpath.join)
    items = loaded.data.items() if hasattr(loaded, "data") else loaded.items()
    return {kind: set(objects) for kind, objects in items}


@pytest.mark.slow
def test_every_public_name_is_in_the_api_reference(site):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    documented = set().union(*inventory(site).values())
    missing = []
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        missing += [
            f"{module_name}.{name}"
            for name in module.__all__
            if f"{module_name}.{name}" not in documented
            and not (name == "initializers" and "winit_fast.initializers" in documented)
        ]
    assert missing == []


@pytest.mark.slow
def test_the_site_holds_the_docs_pages_and_the_command_line(site):
    found = inventory(site)
    pages = {path.stem for path in DOCS.glob("*.md")}
    assert pages <= found["std:doc"]  # every Markdown page of docs/ is on the site
    from winit_fast.cli import build_parser

    (commands,) = [a for a in build_parser()._actions if a.dest == "command"]
    assert {f"winit-fast {name}" for name in commands.choices} <= found["commands:command"]
