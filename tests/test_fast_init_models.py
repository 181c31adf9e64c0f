"""fast_init on real transformers model classes built from tiny configs (no download): every
parameter has the statistics of the model's own init, nothing is left to torch's generator,
and a fixed seed gives the same bytes in another process and with another thread count."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("ml_dtypes", reason="needs ml_dtypes (bfloat16)")
transformers = pytest.importorskip("transformers", reason="needs transformers")
stats = pytest.importorskip("scipy.stats", reason="needs scipy")

from tiny_models import TINY, build  # noqa: E402

import winit_fast as wf  # noqa: E402
import winit_fast.torch as wft  # noqa: E402

MODELS = ("llama", "gpt2", "bert", "resnet", "vit")


def tensors(model):
    """Parameters and buffers by name (tied parameters once)."""
    return {**dict(model.named_parameters()), **dict(model.named_buffers())}


@pytest.fixture(scope="module", params=MODELS)
def pair(request):
    """(the model's own init, the same model built inside fast_init, the session)."""
    torch.manual_seed(0)
    theirs = build(request.param)
    state = torch.get_rng_state()
    with wft.fast_init(seed=0) as session:
        ours = build(request.param)
    # Every random draw was winit_fast's: torch's generator did not move.
    assert torch.equal(torch.get_rng_state(), state)
    return theirs, ours, session


def test_fast_init_served_the_model(pair):
    theirs, ours, session = pair
    assert session.calls > 0
    parameters = dict(ours.named_parameters())
    random = [n for n, p in theirs.named_parameters() if p.numel() > 1 and p.std() > 0]
    assert random  # and each of them holds new values, not torch's
    for name in random:
        assert not torch.equal(parameters[name], dict(theirs.named_parameters())[name]), name


def test_same_names_shapes_dtypes_and_ties(pair):
    theirs, ours, _ = pair
    assert {n: (t.shape, t.dtype) for n, t in tensors(ours).items()} == {
        n: (t.shape, t.dtype) for n, t in tensors(theirs).items()
    }


def test_every_parameter_has_the_statistics_of_the_models_own_init(pair):
    theirs, ours, _ = pair
    parameters = dict(ours.named_parameters())
    for name, reference in theirs.named_parameters():
        got, reference = parameters[name].detach(), reference.detach()
        if reference.numel() < 2 or reference.std() == 0:
            # constants: norms' ones, biases' zeros, zeroed tokens -- exactly
            assert torch.equal(got, reference), name
            continue
        n = reference.numel()
        ref64, got64 = reference.double(), got.double()
        mean, std = float(ref64.mean()), float(ref64.std())
        # Two independent samples of one distribution: 6 standard errors apart at most.
        assert abs(float(got64.mean()) - mean) <= 6 * std * math.sqrt(2 / n), name
        assert abs(float(got64.std()) / std - 1) <= 6 * math.sqrt(1 / n), name
        assert float(got64.abs().max()) <= 1.5 * float(ref64.abs().max()), name  # same support
        if n >= 500:
            p = stats.ks_2samp(got64.flatten().numpy(), ref64.flatten().numpy()).pvalue
            assert p > 1e-6, (name, p)


def test_buffers_are_the_models_own(pair):
    # running statistics, counters, rotary frequencies, position ids: exactly
    theirs, ours, _ = pair
    for name, buffer in theirs.named_buffers():
        assert torch.equal(dict(ours.named_buffers())[name], buffer), name


def test_transformers_saved_references_are_served():
    initialization = pytest.importorskip(
        "transformers.initialization", reason="needs transformers 5 (its saved init references)"
    )
    saved = initialization.TORCH_INIT_FUNCTIONS
    tensor = torch.empty(40, 30)
    with wft.fast_init(seed=5) as session:
        saved["normal_"](tensor, std=0.02)
        initialization.trunc_normal_(tensor[:20], std=0.1)  # a row view
    expected = wf.normal((40, 30), 0.0, 0.02, seed=5, stream=0)
    expected[:20] = wf.truncated_normal((20, 30), 0.0, 0.1, a=-20.0, b=20.0, seed=5, stream=1)
    assert tensor.numpy().tobytes() == expected.tobytes()
    assert session.calls == 2


# The child imports only what it needs (transformers, torch, winit_fast): fast to start.
_CHILD = """
import hashlib, json, os, sys, torch, transformers
import winit_fast.torch as wft
torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
with wft.fast_init(seed=11):
    models = [
        getattr(transformers, model)(getattr(transformers, config)(**kwargs))
        for config, model, kwargs in json.loads(sys.argv[1])
    ]
hasher = hashlib.sha256()
for model in models:
    for name, tensor in {**dict(model.named_parameters()), **dict(model.named_buffers())}.items():
        hasher.update(name.encode())
        hasher.update(tensor.detach().contiguous().view(torch.uint8).numpy().tobytes())
print(hasher.hexdigest())
"""
DIGESTED = ("llama", "vit")


def digest(models):
    hasher = hashlib.sha256()
    for model in models:
        for name, tensor in tensors(model).items():
            hasher.update(name.encode())
            hasher.update(tensor.detach().contiguous().view(torch.uint8).numpy().tobytes())
    return hasher.hexdigest()


def test_same_bytes_in_another_process_with_another_thread_count():
    with wft.fast_init(seed=11):
        here = digest([build(name) for name in DIGESTED])
    threads_here = wf.show_config()["max_threads"]
    threads = "1" if threads_here > 1 else "2"
    env = {**os.environ, "OMP_NUM_THREADS": threads, "HF_HUB_OFFLINE": "1"}
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps([TINY[name] for name in DIGESTED])],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert child.stdout.strip().splitlines()[-1] == here, (threads_here, threads)
