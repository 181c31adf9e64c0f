"""The one internal interface of winit_fast for its adapters: what they need beyond the public
API (``import winit_fast``), in one place.

The adapters (``winit_fast.torch``, ``.keras``, ``.jax``, ``.dask``, ``.safetensors``, the
command line, the benchmark and the reference trainer) import the public API and this module,
never the private modules behind them (``tests/test_import_graph.py`` holds them to it), so
those can change without breaking an adapter. What is here:

- the argument checks, so an adapter's errors read like the NumPy API's: :func:`as_seed`,
  :func:`stream_id`, :func:`as_real`, :func:`as_count`, :func:`as_shape`, :func:`as_dtype`,
  :func:`bfloat16`;
- :class:`DryRun`: an ``out=`` that makes a call run every check of its arguments and write
  nothing (an adapter checks a call once on the client before making it per chunk or shard);
- :class:`DeviceOut`: an ``out=`` for memory that is not a NumPy array (a CUDA tensor): the
  call runs every check on a stand-in, then hands the fill it computed (family, parameters,
  stream position or runs) to a writer; :func:`strided_runs` makes the ``Runs`` record
  (:class:`Runs`) that writes a fill into strided memory;
- the registries: :data:`FAMILIES` (the family records: name, code, parameters and their
  checks), :data:`FUNCTIONS` (every fill an adapter calls by name, and how a block of it is
  made), :data:`SCHEME_FUNCTIONS` (the weight schemes of ``init_module``, ``save_init`` and
  ``init_params``) with :func:`check_scheme`, :func:`role` and :func:`weight`, and
  :data:`PRESETS` (Keras's variance-scaling presets) with :data:`TRUNCATED_STD`;
- :func:`resolve_annotations`, so ``help()`` shows an adapter's signatures without quotes;
- files written whole or not at all (``_staging``): :func:`atomic_output` for one output
  (the commands' JSON, text and PNG), and for seed checkpoints :func:`replace_atomically`,
  :func:`fill_shared` (``part=`` processes sharing one staging file, named by
  :func:`staging_path`, where :data:`HAS_FILE_LOCKS`), :func:`room` (the free space);
  :data:`MAX_BYTES` (the largest file) and :func:`byte_size` (a size for a message);
- :class:`CommandError` (a failure a command reports in one line) and :data:`MAX_THREADS`
  (the largest ``n_threads``), for the command line's options;
- :data:`BACKENDS` (the names ``use_backend`` takes), :func:`current` (the backend in use,
  docs/architecture.md: "adding a backend"), :func:`module_for` (a backend by name, or a
  ``RuntimeError`` naming what it needs) and :func:`compiled` (the C core or None, for what
  only it has: the SIMD levels).
"""

from winit_fast._backend import BACKENDS, compiled, current, module_for
from winit_fast._cli_support import CommandError
from winit_fast._families import BY_NAME as FAMILIES
from winit_fast._schemes import (
    FUNCTIONS,
    SCHEME_FUNCTIONS,
    Role,
    Scheme,
    check_scheme,
    role,
    weight,
)
from winit_fast._signatures import resolve_annotations
from winit_fast._staging import (
    HAS_FILE_LOCKS,
    atomic_output,
    fill_shared,
    replace_atomically,
    room,
    staging_path,
)
from winit_fast._stream import Runs
from winit_fast._stream import strided as strided_runs
from winit_fast._validation import (
    MAX_BYTES,
    MAX_THREADS,
    DeviceOut,
    DryRun,
    as_count,
    as_dtype,
    as_real,
    as_seed,
    as_shape,
    bfloat16,
    byte_size,
    stream_id,
)
from winit_fast._variance_scaling import PRESETS, TRUNCATED_STD

__all__ = [
    "BACKENDS",
    "FAMILIES",
    "FUNCTIONS",
    "HAS_FILE_LOCKS",
    "MAX_BYTES",
    "MAX_THREADS",
    "PRESETS",
    "SCHEME_FUNCTIONS",
    "TRUNCATED_STD",
    "CommandError",
    "DeviceOut",
    "DryRun",
    "Role",
    "Runs",
    "Scheme",
    "as_count",
    "as_dtype",
    "as_real",
    "as_seed",
    "as_shape",
    "atomic_output",
    "bfloat16",
    "byte_size",
    "check_scheme",
    "compiled",
    "current",
    "fill_shared",
    "module_for",
    "replace_atomically",
    "resolve_annotations",
    "role",
    "room",
    "staging_path",
    "stream_id",
    "strided_runs",
    "weight",
]
