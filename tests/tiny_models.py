"""Tiny transformers models built from config (no download), shared by the fast_init tests:
name -> (config class, model class, config keyword arguments)."""

from __future__ import annotations

from typing import Any

# The sizes of the tiny Llama, BERT and ViT blocks: hidden 64, 2 layers of 4 heads.
_BLOCKS = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4)
# The sizes of the tiny BART and Whisper: width 32, 2 + 2 layers of 4 heads.
_ENCODER_DECODER = dict(d_model=32, encoder_layers=2, decoder_layers=2, encoder_ffn_dim=64)
_ENCODER_DECODER |= dict(decoder_ffn_dim=64, encoder_attention_heads=4, decoder_attention_heads=4)

TINY: dict[str, tuple[str, str, dict[str, Any]]] = {
    "llama": (
        "LlamaConfig",
        "LlamaForCausalLM",
        # vocab 4096 x hidden 64: the embeddings are large enough to be filled by 2 threads.
        _BLOCKS | dict(num_key_value_heads=2, vocab_size=4096, max_position_embeddings=64),
    ),
    "gpt2": (
        "GPT2Config",
        "GPT2LMHeadModel",
        dict(n_embd=64, n_layer=2, n_head=4, vocab_size=256, n_positions=64)
        | dict(bos_token_id=0, eos_token_id=0),
    ),
    "bert": (
        "BertConfig",
        "BertForMaskedLM",
        _BLOCKS | dict(vocab_size=256, max_position_embeddings=64),
    ),
    "resnet": (
        "ResNetConfig",
        "ResNetForImageClassification",
        dict(embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], num_labels=10),
    ),
    "vit": (  # trunc_normal_ on the embeddings, torch.randn in its __init__
        "ViTConfig",
        "ViTModel",
        _BLOCKS | dict(image_size=32, patch_size=8),
    ),
    # Encoder-decoder and decoder models with padding rows and tied embeddings.
    "bart": (
        "BartConfig",
        "BartForConditionalGeneration",
        _ENCODER_DECODER | dict(vocab_size=512, max_position_embeddings=64),
    ),
    "t5": (
        "T5Config",
        "T5ForConditionalGeneration",
        dict(vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4),
    ),
    "opt": (
        "OPTConfig",
        "OPTForCausalLM",
        dict(vocab_size=512, hidden_size=32, num_hidden_layers=2, ffn_dim=64)
        | dict(num_attention_heads=4, max_position_embeddings=64, word_embed_proj_dim=32)
        | dict(pad_token_id=1, bos_token_id=2, eos_token_id=2),
    ),
    "whisper": (
        "WhisperConfig",
        "WhisperForConditionalGeneration",
        _ENCODER_DECODER
        | dict(vocab_size=512, num_mel_bins=16, max_source_positions=64, max_target_positions=64)
        | dict(pad_token_id=1, bos_token_id=2, eos_token_id=2, decoder_start_token_id=3)
        | dict(suppress_tokens=None, begin_suppress_tokens=None),
    ),
}


def build(name: str) -> Any:
    """The tiny model ``name``, initialized by whatever init is active."""
    import transformers

    config_class, model_class, kwargs = TINY[name]
    config = getattr(transformers, config_class)(**kwargs)
    return getattr(transformers, model_class)(config)
