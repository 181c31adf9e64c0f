"""Where a fill's values come from in the stream and where they go: the keyword tail of every
public fill, written once.

Every random fill takes the same keywords after its own parameters (``seed, dtype, out,
stream, offset, n_threads, index``); the variance-scaling family adds its fan keywords, the
constant fills take ``dtype, out, n_threads``. Each tail is defined here once: as a
``TypedDict`` (:class:`Where`, :class:`Scaling`, :class:`Filling`) that a public function
takes as ``**where: Unpack[Where]`` (PEP 692: type checkers and IDEs read the names and
types), and as the defaults :func:`spelled_out` writes into the function's signature (what
``help()``, ``inspect`` and the docs show). Inside, the tail travels as one frozen
:class:`Placement`, so a layer that only passes it on (the variance-scaling family, the
presets, orthogonal) does not list it again.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, TypedDict, TypeVar, get_type_hints

import numpy as np


class Filling(TypedDict, total=False):
    """The keywords of every fill: the constant ones take only these."""

    dtype: Any
    out: np.ndarray | None
    n_threads: int | None


class Where(Filling, total=False):
    """The keywords of every random fill."""

    seed: Any
    stream: Any
    offset: Any
    index: Any


class Scaling(Where, total=False):
    """The keywords of the variance-scaling family: its fans, then the random fill's."""

    layout: str
    fan_in: int | None
    fan_out: int | None
    input_axes: Any
    output_axes: Any


# Each tail's keywords with their defaults, in the order signatures show them.
FILLING = {"dtype": None, "out": None, "n_threads": None}
WHERE = {
    "seed": None,
    "dtype": None,
    "out": None,
    "stream": 0,
    "offset": 0,
    "n_threads": None,
    "index": None,
}
FANS = {"layout": "keras", "fan_in": None, "fan_out": None, "input_axes": None, "output_axes": None}
_TYPES = get_type_hints(Scaling)  # each keyword's type, evaluated (help() shows no quotes)

F = TypeVar("F", bound=Callable[..., Any])


def spelled_out(*tails: dict[str, Any]) -> Callable[[F], F]:
    """The decorated function's signature with its ``**`` parameter replaced by the keywords
    of ``tails``, each keyword-only with its default and type, and every annotation
    evaluated: what ``help()``, ``inspect.signature`` and the API reference show."""

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        scope = function.__globals__
        own = [
            p.replace(annotation=_evaluated(p.annotation, scope))
            for p in signature.parameters.values()
            if p.kind != p.VAR_KEYWORD
        ]
        keyword = inspect.Parameter.KEYWORD_ONLY
        tail = [
            inspect.Parameter(name, keyword, default=value, annotation=_TYPES[name])
            for keywords in tails
            for name, value in keywords.items()
        ]
        returns = _evaluated(signature.return_annotation, scope)
        function.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*own, *tail], return_annotation=returns
        )
        return function

    return decorate


def _evaluated(annotation: Any, scope: dict[str, Any]) -> Any:
    """An annotation written as a string (``from __future__ import annotations``), evaluated
    in its module; as written if it names what only a type checker imports."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, scope)  # the package's own annotations
    except (NameError, SyntaxError, TypeError):
        return annotation


def unexpected(function: str, given: Mapping[str, Any], *tails: Collection[str]) -> None:
    """The ``TypeError`` Python gives for a keyword ``function`` does not take, if any."""
    for name in given:
        if not any(name in tail for tail in tails):
            raise TypeError(f"{function}() got an unexpected keyword argument {name!r}")


@dataclass(frozen=True, slots=True)
class Placement:
    """The keyword tail of a fill, unchecked: the fill that uses it checks each field."""

    seed: Any = None
    dtype: Any = None
    out: np.ndarray | None = None
    stream: Any = 0
    offset: Any = 0
    n_threads: int | None = None
    index: Any = None

    @classmethod
    def of(cls, function: str, where: Mapping[str, Any]) -> Placement:
        """The placement of a call of ``function`` given the keywords ``where``."""
        unexpected(function, where, _FIELDS)
        return cls(**where)

    def with_(self, **changes: Any) -> Placement:
        """A copy with some fields changed."""
        return replace(self, **changes)


_FIELDS = frozenset(field.name for field in fields(Placement))
