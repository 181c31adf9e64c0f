"""Where a fill's values come from in the stream and where they go: one object, not 7 keywords.

Every public fill takes the same keyword tail (``seed, dtype, out, stream, offset, n_threads,
index``), spelled out in its signature because that is what users, type checkers and IDEs
read. Inside, the tail travels as one frozen :class:`Placement`, so a layer that only passes
it on (the variance-scaling family, the presets, orthogonal) does not list it again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np


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

    def with_(self, **changes: Any) -> Placement:
        """A copy with some fields changed."""
        return replace(self, **changes)
