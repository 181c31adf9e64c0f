"""The distribution families: the registry of their records, the one Python home of a family.

A :class:`Family` record says what a family is called, the code every backend knows it by
(the integers of ``csrc/wf_families.h``), the parameters its public function takes, how they
are checked and rounded for an output dtype into the flat tuple of floats the backends take
(docs/architecture.md: "adding a backend"), and how far its values can reach from the mean
(in standard deviations, where a 16-bit dtype could overflow). The records themselves are
made beside their public functions, in ``_distributions``; the public functions,
``Generator``, the initializer classes and the adapters find them here, by name or code.

A fill's parameters are checked once per set of values, their types and the dtype (init code
repeats the same few): :meth:`Family.prepare` keeps what it found, and the compiled core's
per-call short path (:func:`short_path`) keeps a copy in C.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Check = Callable[..., tuple[float, ...]]  # (*values, dtype) -> the backend's parameters
Reach = Callable[[tuple[float, ...], np.dtype], float]  # (values, working dtype) -> stds


class Family:
    """One distribution family (see the module's notes)."""

    __slots__ = ("_checked", "check", "code", "initializer", "name", "parameters", "reach")
    LIMIT = 1024  # parameter sets kept per family before the cache starts over

    def __init__(
        self,
        name: str,
        code: int,
        parameters: tuple[str, ...],
        check: Check,
        reach: Reach | None = None,
        *,
        initializer: bool = True,
    ) -> None:
        self.name = name
        self.code = code
        self.parameters = parameters  # the public function's names, in order
        self.check = check  # check(*values, dtype): raises a ValueError/TypeError naming one
        self.reach = reach  # None: its values are bounded by its parameters (uniform)
        # whether its public function (of the family's name, in _distributions) is an
        # initializer: shape, the parameters, the placement keywords (raw words are not)
        self.initializer = initializer
        self._checked: dict[tuple, tuple[float, ...]] = {}
        if name in BY_NAME or code in BY_CODE:
            raise ValueError(f"a family is already registered as {name!r} or as {code}")
        BY_NAME[name] = BY_CODE[code] = self

    def __repr__(self) -> str:
        return f"Family({self.name!r}, code={self.code}, parameters={self.parameters})"

    def prepare(self, values: tuple, dtype: np.dtype) -> tuple[float, ...]:
        """The backends' parameters for ``values`` (the public function's, in order) and an
        output of ``dtype``, after every check.

        Kept per values, their types (so ``True`` is never taken for the ``1`` checked before
        it) and dtype, only once the checks have passed, so finding an entry proves them; a
        value that cannot be hashed (a 0-d array) is checked each time. A zero parameter is
        taken as +0.0 (``-0.0 == 0.0`` as a key), so the sign of a zero never depends on
        earlier calls.
        """
        key = (values, tuple(map(type, values)), dtype)
        try:
            return self._checked[key]
        except KeyError:
            pass
        except TypeError:  # unhashable: check without keeping
            return self.check(*values, dtype)
        params = self.check(*values, dtype)
        if len(self._checked) >= self.LIMIT:
            self._checked.clear()
        self._checked[key] = params
        return params


BY_NAME: dict[str, Family] = {}
BY_CODE: dict[int, Family] = {}


def family(name: str) -> Family:
    """The record of the family ``name``; ``ValueError`` naming the known ones otherwise."""
    try:
        return BY_NAME[name]
    except (KeyError, TypeError):
        names = ", ".join(map(repr, BY_NAME))
        raise ValueError(f"family must be one of {names}, got {name!r}") from None


def short_path() -> Callable[..., Any]:
    """The compiled core's per-call short path, bound to the records and to the backend
    choice; without the core, a function that always declines (returns None).

    ``short(code, where, *values)`` fills ``where["out"]`` and returns it when the C core is
    the backend in use and the call is the common one: ``where`` (the public function's
    keyword tail) holds ``out=`` (an aligned, writeable, C-contiguous float32, float64 or
    float16 array) and an int ``seed=``, and at most int ``stream=``/``offset=`` in range and
    ``n_threads=`` (no ``dtype=`` or ``index=``), and the values are ints or floats. It checks
    values it has not seen with :meth:`Family.prepare`, so it raises exactly the errors the
    full path would. Anything else returns None, and the caller takes the full path.
    """
    from winit_fast import _backend  # which imports the fallback, which imports this module

    core = _backend.compiled()
    if core is None:
        return _decline
    core.bind_short_path(_backend.selected, core, BY_CODE)
    return core.short_fill


def _decline(*args: Any) -> None:
    return None
