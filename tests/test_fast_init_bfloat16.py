"""bfloat16 without ml_dtypes: ``fast_init`` leaves the fills to torch instead of failing.

winit_fast writes bfloat16 through ml_dtypes' NumPy dtype. In a process where
``import ml_dtypes`` fails (the package not installed), a bfloat16 model built inside
``fast_init`` raised ``ImportError`` before this was handled; now its bfloat16 fills are
torch's own (the same values as outside the context), the other dtypes are still served, and
winit_fast's in-place functions refuse a bfloat16 tensor naming the package to install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("transformers", reason="needs transformers")

_CHILD = """
import json, sys
sys.modules["ml_dtypes"] = None  # `import ml_dtypes` fails, as where it is not installed
import torch, transformers, winit_fast.torch as wft

def build():
    linear = torch.nn.Linear(16, 8, dtype=torch.bfloat16)
    config = transformers.LlamaConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=4,
        num_key_value_heads=2, vocab_size=128,
    )
    llama = transformers.LlamaForCausalLM._from_config(config, dtype=torch.bfloat16)
    return [linear.weight, linear.bias] + list(llama.parameters())

torch.manual_seed(0)
own = build()
torch.manual_seed(0)
with wft.fast_init(seed=0) as session:
    inside = build()
    served = torch.nn.Linear(4, 4)  # float32: still winit_fast's
try:
    wft.normal_(torch.empty(3, dtype=torch.bfloat16), seed=0)
    refused = ""
except ImportError as exc:
    refused = str(exc)
print(json.dumps({
    "dtypes": sorted({str(p.dtype) for p in inside}),
    "same_as_own": all(torch.equal(a, b) for a, b in zip(own, inside, strict=True)),
    "calls": session.calls,
    "refused": refused,
}))
"""


@pytest.fixture(scope="module")
def child():
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_bfloat16_model_builds_inside_fast_init_with_torchs_own_values(child):
    assert child["dtypes"] == ["torch.bfloat16"]
    assert child["same_as_own"]


def test_the_other_dtypes_are_still_served(child):
    assert child["calls"] == 2  # the float32 Linear's weight and bias


def test_the_in_place_functions_name_the_package_to_install(child):
    assert "ml_dtypes" in child["refused"] and "bfloat16" in child["refused"]
