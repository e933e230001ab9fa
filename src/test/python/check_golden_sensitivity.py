"""Check that the golden files would catch typical engine mistakes.

Loads each golden model back from disk (config.json + safetensors, through the same
reference math as make_golden.py), confirms it reproduces reference.json, then
re-runs it with one deliberate mistake at a time (wrong RoPE layout, exact GELU,
wrong GQA head mapping, ignored rope_scaling, ...) and prints how far the logits
move. A mistake that moves them by less than the Java tests' tolerance would go
unnoticed, so the script fails if any of them stays under MIN_VISIBLE.

Run after make_golden.py, from the repository root:
  /usr/bin/python3 src/test/python/check_golden_sensitivity.py
It writes nothing.
"""

import json
import math
import os
import sys

import torch

sys.dont_write_bytecode = True
import make_golden as mg  # noqa: E402

# Smallest logit change a mistake must cause; the Java golden tests should use a
# tolerance well below this (float32 vs the float64 reference is ~3e-7).
MIN_VISIBLE = 1e-3


def load(name):
    folder = os.path.join(mg.GOLDEN, name)
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    W = {}
    for fname in sorted(os.listdir(folder)):
        if fname.endswith(".safetensors"):
            W.update(mg.read_safetensors(os.path.join(folder, fname)))
    if "wte.weight" in W:  # pre-"transformer." GPT-2 names
        W = {"transformer." + k: v for k, v in W.items()}
    with open(os.path.join(folder, "reference.json")) as f:
        ref = json.load(f)
    return cfg, W, ref


def logits_of(cfg, W):
    ids, _ = mg.fixed_inputs()
    logits, _ = mg.forward(cfg, {k: v.double() for k, v in W.items()}, ids)
    return logits


class patched:
    """Temporarily replace a function in make_golden (the models look them up by name)."""

    def __init__(self, name, fn):
        self.name, self.fn = name, fn

    def __enter__(self):
        self.old = getattr(mg, self.name)
        setattr(mg, self.name, self.fn)

    def __exit__(self, *exc):
        setattr(mg, self.name, self.old)


# --- deliberate mistakes ------------------------------------------------------------


def gelu_exact(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def conv1d_transposed(x, weight, bias):
    # Reading the [in, out] Conv1D weight as if it were a Linear [out, in] one; only
    # square matrices load without a shape error, so only those are swapped.
    w = weight.T if weight.shape[0] == weight.shape[1] else weight
    return x @ w + bias


def apply_rope_interleaved(x, position_ids, inv_freq):
    # GPT-J / Meta-checkpoint convention: pairs (x[2i], x[2i+1]).
    freqs = position_ids.to(inv_freq.dtype)[:, :, None] * inv_freq[None, None, :]
    cos = freqs.cos()[:, None].repeat_interleave(2, -1).to(x.dtype)
    sin = freqs.sin()[:, None].repeat_interleave(2, -1).to(x.dtype)
    x1, x2 = x[..., 0::2], x[..., 1::2]
    rot = torch.stack((-x2, x1), dim=-1).flatten(-2)
    return x * cos + rot * sin


def repeat_kv_tiled(x, n_rep):
    # Query head h reading kv head h % n_kv instead of h // n_rep.
    return x.repeat(1, n_rep, 1, 1)


def llama3_no_blend(inv_freq, s):
    # Forgetting the smooth band: only "kept" or "divided by factor".
    wavelen = 2 * math.pi / inv_freq
    return torch.where(wavelen > s["original_max_position_embeddings"] / s["low_freq_factor"],
                       inv_freq / s["factor"], inv_freq)


def rms_norm_gemma(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * (1 + weight)


def with_cfg(cfg, **over):
    c = dict(cfg)
    c.update(over)
    return c


def drop(W, suffix):
    return {k: v for k, v in W.items() if not k.endswith(suffix)}


def mistakes(cfg, W):
    """(description, cfg, W, patches) for each mistake that applies to this model."""
    out = []
    if cfg["model_type"] == "gpt2":
        out += [
            ("exact erf GELU instead of gelu_new", cfg, W, [("gelu_new", gelu_exact)]),
            ("square Conv1D weights transposed", cfg, W, [("conv1d", conv1d_transposed)]),
            ("layer_norm_epsilon 1e-6 instead of 1e-5", with_cfg(cfg, layer_norm_epsilon=1e-6), W, []),
            ("positions shifted by one", cfg, W, [("gpt2_forward", shifted_positions(mg.gpt2_forward))]),
            ("LayerNorm biases ignored", cfg, {k: (v * 0 if k.endswith("ln_1.bias") else v)
                                              for k, v in W.items()}, []),
        ]
        return out
    out += [
        ("interleaved RoPE instead of rotate_half", cfg, W, [("apply_rope", apply_rope_interleaved)]),
        ("RMSNorm weight used as (1 + w)", cfg, W, [("rms_norm", rms_norm_gemma)]),
        ("rms_norm_eps x10", with_cfg(cfg, rms_norm_eps=cfg["rms_norm_eps"] * 10), W, []),
        ("rope_theta 10000 / 500000 swapped",
         with_cfg(cfg, rope_theta=10000.0 if cfg["rope_theta"] != 10000.0 else 500000.0), W, []),
        ("gate and up swapped", cfg, {**W, **{k.replace("gate", "up"): W[k] for k in W if "gate_proj" in k},
                                      **{k.replace("up", "gate"): W[k] for k in W if "up_proj" in k}}, []),
    ]
    if cfg["num_key_value_heads"] not in (1, cfg["num_attention_heads"]):
        out.append(("GQA kv heads tiled instead of repeated", cfg, W, [("repeat_kv", repeat_kv_tiled)]))
    scaling = cfg.get("rope_scaling")
    if scaling:
        out.append(("rope_scaling ignored", with_cfg(cfg, rope_scaling=None), W, []))
        if scaling.get("rope_type") == "llama3":
            out.append(("llama3 blend band skipped", cfg, W, [("llama3_scale_inv_freq", llama3_no_blend)]))
    if any(k.endswith("q_proj.bias") for k in W):
        out.append(("q/k/v biases ignored", cfg, drop(drop(drop(W, "q_proj.bias"), "k_proj.bias"),
                                                      "v_proj.bias"), []))
    if any(k.endswith("o_proj.bias") for k in W):
        out.append(("o_proj bias ignored", cfg, drop(W, "o_proj.bias"), []))
    return out


def report(failures, name, desc, moved):
    flag = "" if moved >= MIN_VISIBLE else "   <-- too small"
    print(f"    {desc:42s} max |dlogit| = {moved:.2e}{flag}")
    if moved < MIN_VISIBLE:
        failures.append((name, desc, moved))


def shifted_positions(fwd):
    def f(cfg, W, ids, position_ids, key_mask, cache=None):
        return fwd(cfg, W, ids, position_ids + 1, key_mask, cache)

    return f


def padding_mistakes(cfg, W, ref):
    """How far row 0 of the left-padded batch moves under two classic padding bugs."""
    W = {k: v.double() for k, v in W.items()}
    pad = ref["padded"]
    ids = torch.tensor(pad["input_ids"])
    mask = torch.tensor(pad["attention_mask"])
    want = torch.tensor(pad["last_logits"], dtype=torch.float64)[0]
    fwd = mg.gpt2_forward if cfg["model_type"] == "gpt2" else mg.llama_forward
    right_pos = torch.tensor(pad["position_ids"])
    arange_pos = torch.arange(ids.shape[1]).expand_as(ids)
    cases = [("padded row: pad keys not masked", right_pos, torch.ones_like(mask).bool())]
    # RoPE scores depend only on position differences, so for llama/qwen2 a constant
    # offset from the pads is harmless (and invisible); only learned positions care.
    if cfg["model_type"] == "gpt2":
        cases.append(("padded row: positions from arange", arange_pos, mask.bool()))
    out = []
    for desc, pos, key_mask in cases:
        logits, _ = fwd(cfg, W, ids, pos, key_mask)
        out.append((desc, float((logits[0, -1] - want).abs().max())))
    good, _ = fwd(cfg, W, ids, right_pos, mask.bool())
    assert float((good[0, -1] - want).abs().max()) < 1e-4
    return out


def main():
    torch.set_num_threads(1)
    failures = []
    names = sorted(d for d in os.listdir(mg.GOLDEN) if os.path.isdir(os.path.join(mg.GOLDEN, d)))
    for name in names:
        cfg, W, ref = load(name)
        base = logits_of(cfg, W)
        stored = torch.tensor(ref["logits"], dtype=torch.float64)
        # The stored values are float32-rounded: allow one float32 ulp or so.
        err = float(((base - stored).abs() / (1 + base.abs())).max())
        assert err < 1e-6, (name, err)
        print(f"{name}: reproduces reference.json (max err {err:.1e})")
        for desc, c, w, patches in mistakes(cfg, W):
            ctx = [patched(n, fn) for n, fn in patches]
            for p in ctx:
                p.__enter__()
            try:
                moved = float((logits_of(c, w) - base).abs().max())
            finally:
                for p in reversed(ctx):
                    p.__exit__()
            report(failures, name, desc, moved)
        for desc, moved in padding_mistakes(cfg, W, ref):
            report(failures, name, desc, moved)
    if failures:
        print("mistakes the golden data would not catch:", failures)
        sys.exit(1)
    print("all mistakes visible")


if __name__ == "__main__":
    main()
