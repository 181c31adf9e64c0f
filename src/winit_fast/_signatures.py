"""Signatures that ``help()`` and the API reference show as written, without quotes.

The package's modules use ``from __future__ import annotations``, so at run time their
annotations are strings, and ``help(wf.he_normal)`` would show ``shape: 'Any'``. Each public
module calls :func:`resolve_annotations` on its ``__all__``: every public function, and every
public method of a public class, gets a ``__signature__`` whose annotations are evaluated in its
own module (``inspect.signature(..., eval_str=True)``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import Any


def _resolve(function: Any) -> None:
    try:
        function.__signature__ = inspect.signature(function, eval_str=True)
    except (NameError, SyntaxError, TypeError, ValueError):
        # An annotation naming what only a type checker imports: keep it as written.
        return


def resolve_annotations(namespace: dict[str, Any], names: Iterable[str]) -> None:
    """Evaluated annotations for the functions and the classes' methods named in ``names``."""
    for name in names:
        value = namespace[name]
        if inspect.isfunction(value):
            _resolve(value)
        elif inspect.isclass(value) and value.__module__.startswith("winit_fast"):
            for attribute, member in vars(value).items():
                public = not attribute.startswith("_") or attribute in ("__init__", "__call__")
                if public and inspect.isfunction(member):
                    _resolve(member)
