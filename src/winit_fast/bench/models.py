"""Time to an initialized transformers model: its own init, inside ``fast_init``, meta + init.

Each measurement runs in a fresh process (``python -c``), so no run inherits the memory, page
mappings or thread pools of another. The child imports torch and transformers first, then
times only the construction of an initialized model from its config (no download):

- ``own``: ``Model(config)``, transformers' and torch's own init;
- ``fast_init``: the same call inside :func:`winit_fast.torch.fast_init`;
- ``meta``: built on the meta device, ``to_empty(device="cpu")``, then
  :func:`winit_fast.torch.init_module` (weights ``N(0, initializer_range**2)``, biases 0,
  norms 1) -- the parameters only: the model's computed buffers (rotary frequencies) would
  still need its own code.

Beside the wall time the child reports its minor page faults and user and system CPU time, the
profile of where the time goes (the first touch of fresh memory shows as faults and system
time), and for ``fast_init`` ``written_per_parameter``: the elements its fills wrote
(``FastInit.written``) over the parameter count, 1.0 when each weight is written once (the
table's ``written`` column).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from typing import Any

# name -> (config class, model class, config keyword arguments); in transformers, or in
# winit_fast.bench.timm_style where the class is named "timm_style.<class>".
MODELS: dict[str, tuple[str, str, dict[str, Any]]] = {
    # Llama-style, 0.5 B parameters: 16 layers of hidden 1536, grouped-query attention.
    "llama-0.5b": (
        "LlamaConfig",
        "LlamaForCausalLM",
        {
            "hidden_size": 1536,
            "intermediate_size": 4096,
            "num_hidden_layers": 16,
            "num_attention_heads": 12,
            "num_key_value_heads": 4,
            "vocab_size": 32000,
        },
    ),
    "gpt2": ("GPT2Config", "GPT2LMHeadModel", {}),  # the default config: GPT-2 small, 124 M
    "resnet-50": ("ResNetConfig", "ResNetForImageClassification", {}),  # the default: 25.6 M
    "vit-base": ("ViTConfig", "ViTModel", {}),  # the default: ViT-B/16, 86 M
    # Encoder-decoders and OPT at their public checkpoints' sizes (config.json on the Hub),
    # spelled out so that a change of transformers' defaults does not change the model.
    "t5-base": (  # 222.9 M (the output layer tied to the shared embedding)
        "T5Config",
        "T5ForConditionalGeneration",
        {
            "d_model": 768,
            "d_kv": 64,
            "d_ff": 3072,
            "num_layers": 12,
            "num_decoder_layers": 12,
            "num_heads": 12,
            "vocab_size": 32128,
        },
    ),
    "bart-base": (  # 139.4 M
        "BartConfig",
        "BartForConditionalGeneration",
        {
            "d_model": 768,
            "encoder_layers": 6,
            "decoder_layers": 6,
            "encoder_attention_heads": 12,
            "decoder_attention_heads": 12,
            "encoder_ffn_dim": 3072,
            "decoder_ffn_dim": 3072,
            "vocab_size": 50265,
            "max_position_embeddings": 1024,
        },
    ),
    "opt-125m": (  # 125.2 M
        "OPTConfig",
        "OPTForCausalLM",
        {
            "hidden_size": 768,
            "ffn_dim": 3072,
            "num_hidden_layers": 12,
            "num_attention_heads": 12,
            "vocab_size": 50272,
            "max_position_embeddings": 2048,
            "word_embed_proj_dim": 768,
        },
    ),
    "whisper-base": (  # 72.6 M
        "WhisperConfig",
        "WhisperForConditionalGeneration",
        {
            "d_model": 512,
            "encoder_layers": 6,
            "decoder_layers": 6,
            "encoder_attention_heads": 8,
            "decoder_attention_heads": 8,
            "encoder_ffn_dim": 2048,
            "decoder_ffn_dim": 2048,
            "vocab_size": 51865,
            "num_mel_bins": 80,
            "max_source_positions": 1500,
            "max_target_positions": 448,
        },
    ),
    # timm's ViT-B/16 (86.6 M) with timm's init: trunc_normal_ as five in-place ops.
    "timm-vit-b": ("timm_style.ViTConfig", "timm_style.VisionTransformer", {}),
    # A few seconds in all: for the tests and a quick look.
    "tiny-llama": (
        "LlamaConfig",
        "LlamaForCausalLM",
        {
            "hidden_size": 64,
            "intermediate_size": 128,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "vocab_size": 1024,
        },
    ),
}

METHODS = ("own", "fast_init", "meta")

_CHILD = """
import sys
from winit_fast.bench.models import _child
_child(*sys.argv[1:])
"""


def _class(name: str) -> Any:
    """A class of transformers, or of ``winit_fast.bench.timm_style`` (``"timm_style.X"``)."""
    if name.startswith("timm_style."):
        from winit_fast.bench import timm_style

        return getattr(timm_style, name.removeprefix("timm_style."))
    import transformers

    return getattr(transformers, name)


def _build(name: str) -> Any:
    config_class, model_class, kwargs = MODELS[name]
    return _class(config_class)(**kwargs), _class(model_class)


def _init_meta(model: Any, config: Any, seed: int) -> None:
    import winit_fast.torch as wft

    std = float(getattr(config, "initializer_range", 0.02))

    def scheme(tensor: Any, *, seed: Any, stream: Any) -> Any:
        return wft.normal_(tensor, 0.0, std, seed=seed, stream=stream)

    model.to_empty(device="cpu")
    if hasattr(model, "tie_weights"):  # transformers' models
        model.tie_weights()  # to_empty gives tied parameters separate storage: tie them again
    wft.init_module(model, scheme, seed)


def _child(name: str, method: str, threads: str) -> None:
    """One measurement; prints a JSON object on stdout."""
    import resource
    import time

    import torch
    import transformers  # noqa: F401  (imported before the clock starts)

    import winit_fast.torch as wft

    torch.set_num_threads(int(threads))
    config, model_class = _build(name)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    if method == "own":
        model = model_class(config)
    elif method == "fast_init":
        with wft.fast_init(seed=0) as session:
            model = model_class(config)
    elif method == "meta":
        with torch.device("meta"):
            model = model_class(config)
        _init_meta(model, config, seed=0)
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    result = {
        "model": name,
        "method": method,
        "threads": int(threads),
        "parameters": sum(p.numel() for p in model.parameters()),
        "seconds": seconds,
        "user_s": after.ru_utime - usage.ru_utime,
        "system_s": after.ru_stime - usage.ru_stime,
        "cpu_s": after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime,
        "minor_faults": after.ru_minflt - usage.ru_minflt,
    }
    if method == "fast_init":  # elements its fills wrote, per parameter: 1.0 is each once
        result["written_per_parameter"] = session.written / result["parameters"]
    print(json.dumps(result))


def measure(name: str, method: str, threads: int = 2) -> dict[str, Any]:
    """One measurement in a fresh process with ``threads`` threads (torch and OpenMP)."""
    if name not in MODELS:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, got {name!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "HF_HUB_OFFLINE": "1"}
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, name, method, str(threads)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{name} / {method} failed:\n{completed.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def run_models(
    models: Iterable[str] = ("llama-0.5b", "gpt2", "resnet-50"),
    methods: Sequence[str] = METHODS,
    *,
    threads: int = 2,
    repeats: int = 1,
) -> list[dict[str, Any]]:
    """Every (model, method) ``repeats`` times, interleaved, each in a fresh process.

    Returns one dict per model and method with the best wall time (load from other processes
    only adds time), its profile, ``speedup``: the best ``own`` time over this one, and
    ``cpu_speedup``: the same for the CPU time (user + system, all threads), the work done,
    which a loaded machine disturbs less than the wall time.
    """
    rows = []
    for name in models:
        runs: dict[str, list[dict[str, Any]]] = {method: [] for method in methods}
        for _ in range(repeats):  # interleaved: a burst of load hits every method alike
            for method in methods:
                runs[method].append(measure(name, method, threads))
        best = {m: min(r, key=lambda x: x["seconds"]) for m, r in runs.items()}
        least_cpu = {m: min(x["cpu_s"] for x in r) for m, r in runs.items()}
        for method in methods:
            row = {**best[method], "cpu_s": least_cpu[method]}
            if "own" in best:
                row["speedup"] = best["own"]["seconds"] / row["seconds"]
                row["cpu_speedup"] = least_cpu["own"] / least_cpu[method]
            rows.append(row)
    return rows


def format_rows(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of :func:`run_models`' rows."""
    header = (
        f"{'model':<12} {'method':<10} {'params':>8} {'seconds':>8} {'speedup':>8} "
        f"{'cpu_s':>7} {'cpu x':>7} {'user_s':>7} {'sys_s':>7} {'faults':>9} {'written':>7}"
    )
    lines = [header]
    for row in rows:
        speedup = f"{row['speedup']:.2f}x" if "speedup" in row else "-"
        cpu_speedup = f"{row['cpu_speedup']:.2f}x" if "cpu_speedup" in row else "-"
        written = row.get("written_per_parameter")
        written_text = "-" if written is None else f"{written:.2f}"
        lines.append(
            f"{row['model']:<12} {row['method']:<10} {row['parameters'] / 1e6:>7.1f}M "
            f"{row['seconds']:>8.3f} {speedup:>8} {row['cpu_s']:>7.2f} {cpu_speedup:>7} "
            f"{row['user_s']:>7.2f} {row['system_s']:>7.2f} {row['minor_faults']:>9} "
            f"{written_text:>7}"
        )
    return "\n".join(lines)
