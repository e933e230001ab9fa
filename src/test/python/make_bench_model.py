"""Random-weight, full-size HF-format model folders for benchmarking Scales.

Usage (from the repository root, Debian's python3-torch):
  /usr/bin/python3 src/test/python/make_bench_model.py --arch gpt2  --out /tmp/bench-gpt2
  /usr/bin/python3 src/test/python/make_bench_model.py --arch llama --out /tmp/bench-llama \
      [--seed 0]
  /usr/bin/python3 src/test/python/make_bench_model.py --arch smollm2-135m --out /tmp/bench-smollm2
  /usr/bin/python3 src/test/python/make_bench_model.py --arch qwen2.5-0.5b --out /tmp/bench-qwen

Writes DIR/config.json, generation_config.json, tokenizer.json and model.safetensors
(one F32 file). The folders are large (gpt2 ~498 MB, llama ~300 MB): put them under
/tmp, never in the repository. Same arguments -> byte-identical files.

  gpt2   GPT-2 small shape: n_embd 768, 12 layers, 12 heads, 1024 positions,
         vocab 50257, lm_head tied to wte (124.4M params).
  llama  Llama shape: hidden 512, 8 layers, 8 heads / 4 kv heads (head_dim 64),
         intermediate 1376, 1024 positions, rope_theta 1e4, untied lm_head,
         vocab 50257 (74.7M params; see llama_bench_config for the vocab choice).
  smollm2-135m  SmolLM2-135M's shape: llama, hidden 576, 30 layers, 9 / 3 kv heads,
         intermediate 1536, vocab 49152, 8192 positions, rope_theta 1e5, tied (134.5M params).
  qwen2.5-0.5b  Qwen2.5-0.5B's shape: qwen2, hidden 896, 24 layers, 14 / 2 kv heads,
         intermediate 4864, q/k/v biases, vocab 151936, 32768 positions, rope_theta 1e6,
         tied (494.0M params, ~2 GB).

Every folder ships the real GPT-2 tokenizer (src/test/resources/tokenizers/gpt2), so
the engine can load and run them end to end; for a vocabulary smaller than GPT-2's
(SmolLM2's 49152) it is cut to the ids below the vocabulary size, with the merges that
only use kept tokens, so no token id exceeds the model's vocabulary. Weights are HF's init: matrices and
embeddings N(0, 0.02), norm weights 1, biases 0 - the values only have to be
realistic in scale (no denormals, no overflow); what comes out is noise.

Configs, tensor names and the safetensors writer come from make_golden.py, so these
folders have exactly the layout the golden checkpoints (and the Java loader) use.
"""

import argparse
import json
import os
import shutil
import sys

import torch

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import make_golden as ref  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
GPT2_TOKENIZER = os.path.join(HERE, "..", "resources", "tokenizers", "gpt2", "tokenizer.json")

VOCAB = 50257
EOT = 50256  # GPT-2's <|endoftext|>: bos and eos
MAX_POS = 1024
INIT_STD = 0.02  # HF's initializer_range


def gpt2_bench_config():
    cfg = ref.gpt2_config()
    cfg.update(
        bos_token_id=EOT, eos_token_id=EOT, vocab_size=VOCAB,
        n_embd=768, n_head=12, n_layer=12, n_ctx=MAX_POS, n_positions=MAX_POS,
    )
    return cfg


def llama_bench_config():
    # The vocabulary must match a tokenizer the engine can load; the only full-size one
    # in the repository is GPT-2's, so this "Llama" uses vocab 50257 and GPT-2's
    # tokenizer.json (a real Llama 2 has 32000 and a SentencePiece-style tokenizer).
    # Untied, this puts 2 x 25.7M parameters in embed_tokens + lm_head (74.7M total);
    # tied it would be 48.9M.
    return ref.llama_config(
        bos_token_id=EOT, eos_token_id=EOT, vocab_size=VOCAB,
        hidden_size=512, num_hidden_layers=8, num_attention_heads=8,
        num_key_value_heads=4, head_dim=64, intermediate_size=1376,
        max_position_embeddings=MAX_POS, rope_theta=10000.0, tie_word_embeddings=False,
    )


def smollm2_bench_config():
    return ref.llama_config(
        bos_token_id=0, eos_token_id=0, vocab_size=49152,
        hidden_size=576, num_hidden_layers=30, num_attention_heads=9,
        num_key_value_heads=3, head_dim=64, intermediate_size=1536,
        max_position_embeddings=8192, rope_theta=100000.0, tie_word_embeddings=True,
    )


def qwen25_bench_config():
    cfg = ref.qwen2_config()
    cfg.update(
        bos_token_id=EOT, eos_token_id=EOT, vocab_size=151936,
        hidden_size=896, num_hidden_layers=24, num_attention_heads=14,
        num_key_value_heads=2, intermediate_size=4864, max_position_embeddings=32768,
        sliding_window=32768, max_window_layers=21, rope_theta=1000000.0, tie_word_embeddings=True,
    )
    return cfg


def gpt2_bench_weights(cfg, g):
    d, inner = cfg["n_embd"], 4 * cfg["n_embd"]

    def normal(*shape):
        return torch.randn(*shape, generator=g) * INIT_STD

    # Same names (with the "transformer." prefix) and [in, out] Conv1D layout as
    # make_golden.gpt2_weights; lm_head is tied to wte, so it is not stored.
    W = {"transformer.wte.weight": normal(cfg["vocab_size"], d),
         "transformer.wpe.weight": normal(cfg["n_positions"], d)}
    for i in range(cfg["n_layer"]):
        p = f"transformer.h.{i}."
        W[p + "ln_1.weight"], W[p + "ln_1.bias"] = torch.ones(d), torch.zeros(d)
        W[p + "attn.c_attn.weight"] = normal(d, 3 * d)
        W[p + "attn.c_attn.bias"] = torch.zeros(3 * d)
        W[p + "attn.c_proj.weight"], W[p + "attn.c_proj.bias"] = normal(d, d), torch.zeros(d)
        W[p + "ln_2.weight"], W[p + "ln_2.bias"] = torch.ones(d), torch.zeros(d)
        W[p + "mlp.c_fc.weight"], W[p + "mlp.c_fc.bias"] = normal(d, inner), torch.zeros(inner)
        W[p + "mlp.c_proj.weight"], W[p + "mlp.c_proj.bias"] = normal(inner, d), torch.zeros(d)
    W["transformer.ln_f.weight"], W["transformer.ln_f.bias"] = torch.ones(d), torch.zeros(d)
    return W


def llama_bench_weights(cfg, g):
    d, inter = cfg["hidden_size"], cfg["intermediate_size"]
    hd = cfg.get("head_dim", d // cfg["num_attention_heads"])
    n_head, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]

    def normal(*shape):
        return torch.randn(*shape, generator=g) * INIT_STD

    # Same names and nn.Linear [out, in] layout as make_golden.llama_weights; Qwen2 adds
    # q/k/v biases.
    W = {"model.embed_tokens.weight": normal(cfg["vocab_size"], d)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        W[p + "self_attn.q_proj.weight"] = normal(n_head * hd, d)
        W[p + "self_attn.k_proj.weight"] = normal(n_kv * hd, d)
        W[p + "self_attn.v_proj.weight"] = normal(n_kv * hd, d)
        if cfg["model_type"] == "qwen2":
            for n, rows in (("q", n_head * hd), ("k", n_kv * hd), ("v", n_kv * hd)):
                W[p + f"self_attn.{n}_proj.bias"] = torch.zeros(rows)
        W[p + "self_attn.o_proj.weight"] = normal(d, n_head * hd)
        W[p + "mlp.gate_proj.weight"] = normal(inter, d)
        W[p + "mlp.up_proj.weight"] = normal(inter, d)
        W[p + "mlp.down_proj.weight"] = normal(d, inter)
        W[p + "input_layernorm.weight"] = torch.ones(d)
        W[p + "post_attention_layernorm.weight"] = torch.ones(d)
    W["model.norm.weight"] = torch.ones(d)
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = normal(cfg["vocab_size"], d)
    return W


def tokenizer_for(vocab_size):
    """GPT-2's tokenizer.json, cut to the ids below vocab_size when the model's vocabulary is smaller."""
    with open(GPT2_TOKENIZER, encoding="utf-8") as f:
        tok = json.load(f)
    if vocab_size >= len(tok["model"]["vocab"]):
        return tok
    kept = {t: i for t, i in tok["model"]["vocab"].items() if i < vocab_size}
    merges = []
    for m in tok["model"]["merges"]:
        a, b = m.split(" ") if isinstance(m, str) else m
        if a in kept and b in kept and a + b in kept:
            merges.append(m)
    tok["model"]["vocab"], tok["model"]["merges"] = kept, merges
    tok["added_tokens"] = [t for t in tok["added_tokens"] if t["id"] < vocab_size]
    return tok


ARCHS = {"gpt2": (gpt2_bench_config, gpt2_bench_weights),
         "llama": (llama_bench_config, llama_bench_weights),
         "smollm2-135m": (smollm2_bench_config, llama_bench_weights),
         "qwen2.5-0.5b": (qwen25_bench_config, llama_bench_weights)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", required=True, choices=sorted(ARCHS))
    ap.add_argument("--out", required=True, help="folder to (re)create, e.g. /tmp/bench-gpt2")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    out = os.path.abspath(args.out)
    repo = os.path.abspath(ref.REPO) + os.sep
    if (out + os.sep).startswith(repo):
        sys.exit(f"refusing to write hundreds of MB into the repository: {out}")

    make_cfg, make_weights = ARCHS[args.arch]
    cfg = make_cfg()
    W = make_weights(cfg, torch.Generator().manual_seed(args.seed))

    shutil.rmtree(out, ignore_errors=True)  # no stale shards or files from an older run
    os.makedirs(out)
    ref.write_json(os.path.join(out, "config.json"), cfg, hf_style=True)
    gen = {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"]}
    ref.write_json(os.path.join(out, "generation_config.json"), gen, hf_style=True)
    with open(os.path.join(out, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_for(cfg["vocab_size"]), f, ensure_ascii=False)
    st = os.path.join(out, "model.safetensors")
    ref.write_safetensors(st, W)

    # Independent re-read (make_golden's checker), so a writer bug shows here and not
    # as a mysterious benchmark result.
    back = ref.read_safetensors(st)
    assert back.keys() == W.keys() and all(torch.equal(back[k], W[k]) for k in W)

    n_params = sum(t.numel() for t in W.values())
    print(f"{args.arch}: {n_params:,} params, {os.path.getsize(st) / 1e6:.1f} MB -> {out}")


if __name__ == "__main__":
    main()
