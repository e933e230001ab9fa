"""Golden checkpoints and reference outputs for Scales' Java inference engine.

What this writes (all under src/test/resources/golden/):
  tokenizer-cases.json          text -> ids for the golden tokenizer (from our own BPE)
  <model>/config.json           as HF `save_pretrained` writes it (indent 2, sorted keys)
  <model>/generation_config.json
  <model>/tokenizer.json        the tiny byte-level BPE below (same file in every folder)
  <model>/model.safetensors     or, for llama-tiny-sharded, two shards + index json
  <model>/reference.json        logits / padded batch / greedy / log-probs, see below

Models (vocab 260, max 128 positions, random weights):
  gpt2-tiny                 GPT-2, n_embd 32, 4 heads, 2 layers, F32, "transformer." names
  gpt2-tiny-noprefix        same weights, names without "transformer." (old hub layout)
  llama-tiny-gqa            llama, hidden 64, 4 heads / 2 kv heads, untied, theta 1e4
  llama-tiny-f16            llama-tiny-gqa weights stored as F16
  llama-tiny-bf16           llama-tiny-gqa weights stored as BF16
  llama-tiny-sharded        llama-tiny-gqa split over two safetensors shards + index
  llama-tiny-tied-rope3     llama, tied, 4 kv heads, theta 5e5, llama3 rope scaling
  llama-tiny-rope-linear    llama, tied, attention_bias (q,k,v,o), legacy {"type":"linear"}
  qwen2-tiny                qwen2, 4 heads / 1 kv head, q/k/v bias, tied, theta 1e6

reference.json layout (floats rounded to 9 significant digits, i.e. exact float32):
  input_ids       [2][10]        two unpadded sequences
  logits          [2][10][260]   logits at every position of both sequences
  padded          {pad_token_id, input_ids [2][10], attention_mask [2][10],
                   position_ids [2][10], last_logits [2][260]}
                  row 0 is left-padded (3 x pad then input_ids[0][:7]), row 1 is
                  input_ids[1]; position_ids = cumsum(mask)-1, pads set to 1 (as HF
                  generate does). last_logits == logits of each row run alone, so
                  last_logits[0] == logits[0][6] and last_logits[1] == logits[1][9].
  greedy          {prompt [5], tokens [20]}   argmax continuation, no EOS in it
  logprobs        {ids [12], token_logprobs [11]}  log p(ids[t] | ids[:t]), t = 1..11

The references are computed in float64 from the exact weights stored on disk (for
F16/BF16 files: the rounded values), then rounded to float32. Logits are in the few
units range (|max| ~ 6..12). A plain float32 evaluation lands within ~1e-5 of them
(printed per model as f32-vs-f64), while every typical engine mistake moves them by
>= 1e-3 (check_golden_sensitivity.py), so an absolute tolerance of 1e-4 on logits
and log-probs separates the two. Greedy continuations win every step by >= 1e-2.

Conventions: RoPE is HF's rotate_half (pairs x[i], x[i+d/2]); llama3 scaling as in
HF `_compute_llama3_parameters` / Meta's apply_scaling; linear scaling divides the
frequencies by `factor`; GQA query head h reads kv head h // (heads / kv_heads);
masking uses the dtype's most negative finite value (as HF), not -inf.

Rerun from the repository root (needs Debian's python3-torch; python3-regex optional):
  /usr/bin/python3 src/test/python/make_golden.py
  /usr/bin/python3 src/test/python/check_golden_sensitivity.py   # optional audit
Output is deterministic: a rerun produces byte-identical files.
"""

import json
import math
import os
import shutil
import struct
import sys

import torch

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import bytelevel_bpe  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GOLDEN = os.path.join(REPO, "src", "test", "resources", "golden")

VOCAB_SIZE = 260
EOT_ID = 259  # <|endoftext|>: bos, eos and pad for every golden model
MAX_POS = 128

# The reference math runs in float64 so the golden numbers carry no float32 noise of
# their own; the Java engine's float32 error is then the only error a test sees.
REF_DTYPE = torch.float64


# ---------------------------------------------------------------------------------
# Golden tokenizer: GPT-2 byte alphabet (ids 0..255 in GPT-2's order, so byte ids
# coincide with real GPT-2) + 3 merges + <|endoftext|>.
# ---------------------------------------------------------------------------------

GOLDEN_MERGES = ["Ġ t", "h e", "Ġt he"]  # -> 256 "Ġt", 257 "he", 258 "Ġthe"


def golden_tokenizer():
    vocab = {}
    for ch in bytelevel_bpe.bytes_to_unicode().values():
        vocab[ch] = len(vocab)
    for m in GOLDEN_MERGES:
        left, right = m.split(" ")
        # A merge may only combine tokens that already exist, and its result gets the next id.
        assert left in vocab and right in vocab
        vocab[left + right] = len(vocab)
    vocab["<|endoftext|>"] = EOT_ID
    assert len(vocab) == VOCAB_SIZE
    return vocab, GOLDEN_MERGES, {"<|endoftext|>": EOT_ID}


# ---------------------------------------------------------------------------------
# safetensors writer (format: u64 LE header length, JSON header, raw LE data).
# ---------------------------------------------------------------------------------

ST_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        # numpy has no bfloat16; reinterpreting as int16 keeps the raw bits for both.
        t = t.view(torch.int16)
    assert sys.byteorder == "little"
    return t.numpy().tobytes()


def write_safetensors(path, tensors):
    # The reference implementation orders tensors by (dtype alignment desc, name); all
    # of ours share a dtype, so that is plain name order. Offsets are relative to the
    # end of the header and tensors are packed back to back.
    header = {"__metadata__": {"format": "pt"}}
    blobs, offset = [], 0
    for name in sorted(tensors):
        t = tensors[name]
        data = tensor_bytes(t)
        header[name] = {
            "dtype": ST_DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - len(head) % 8) % 8)  # pad so tensor data starts 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    return offset  # bytes of tensor data, used for the shard index's total_size


def read_safetensors(path):
    """Independent re-read of what we wrote, to catch writer bugs before Java does."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, "header should be padded to 8 bytes"
    header = json.loads(raw[8 : 8 + n])
    header.pop("__metadata__", None)
    base = 8 + n
    spans = sorted(info["data_offsets"] for info in header.values())
    assert spans[0][0] == 0 and spans[-1][1] == len(raw) - base, "data must fill the file"
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), "data must be contiguous"
    by_name = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        dt = by_name[info["dtype"]]
        if dt == torch.float32:
            t = torch.frombuffer(bytearray(raw[base + b : base + e]), dtype=torch.float32)
        else:
            t = torch.frombuffer(bytearray(raw[base + b : base + e]), dtype=torch.int16).view(dt)
        out[name] = t.reshape(info["shape"])
    return out


# ---------------------------------------------------------------------------------
# Building blocks, written from the published math.
# ---------------------------------------------------------------------------------


def layer_norm(x, weight, bias, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)  # biased variance, as torch/HF
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def rms_norm(x, weight, eps):
    # HF computes this in float32 even for half models; here everything is >= float32.
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def gelu_new(x):
    # GPT-2's tanh approximation; differs from exact erf-GELU by up to ~5e-4 (at |x| ~ 2.7).
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def silu(x):
    return x * torch.sigmoid(x)


def conv1d(x, weight, bias):
    # HF's GPT-2 "Conv1D" is a linear layer whose weight is stored [in, out].
    return x @ weight + bias


def linear(x, weight, bias=None):
    # torch.nn.Linear layout: weight is [out, in].
    y = x @ weight.T
    return y if bias is None else y + bias


def rope_inv_freq(cfg, head_dim):
    """Per-pair rotation frequencies, including HF's rope_scaling variants."""
    theta = cfg["rope_theta"]
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    scaling = cfg.get("rope_scaling")
    if scaling is None:
        return inv_freq
    kind = scaling.get("rope_type", scaling.get("type"))  # legacy configs say "type"
    if kind == "linear":
        # Position interpolation: position p behaves like p / factor.
        return inv_freq / scaling["factor"]
    if kind == "llama3":
        return llama3_scale_inv_freq(inv_freq, scaling)
    raise ValueError(f"unsupported rope_scaling {scaling}")


def llama3_scale_inv_freq(inv_freq, s):
    """Llama 3.1 frequency-dependent scaling.

    Wavelengths longer than original_ctx/low_freq_factor are slowed by `factor`,
    shorter than original_ctx/high_freq_factor are kept, and the band in between is
    a linear blend in (original_ctx / wavelen) between the two.
    """
    factor = s["factor"]
    low, high = s["low_freq_factor"], s["high_freq_factor"]
    old_ctx = s["original_max_position_embeddings"]
    low_freq_wavelen = old_ctx / low
    high_freq_wavelen = old_ctx / high
    wavelen = 2 * math.pi / inv_freq
    scaled = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
    smooth = (old_ctx / wavelen - low) / (high - low)
    blended = (1 - smooth) * scaled / factor + smooth * scaled
    is_medium = (wavelen >= high_freq_wavelen) & (wavelen <= low_freq_wavelen)
    return torch.where(is_medium, blended, scaled)


def rotate_half(x):
    # HF/NeoX convention: the head dim is two halves [x1, x2] (not interleaved pairs),
    # and pair i is (x[i], x[i + d/2]).
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def apply_rope(x, position_ids, inv_freq):
    # x: [B, H, T, D]; position_ids: [B, T]
    freqs = position_ids.to(inv_freq.dtype)[:, :, None] * inv_freq[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)  # each frequency used for both halves
    cos = emb.cos()[:, None].to(x.dtype)
    sin = emb.sin()[:, None].to(x.dtype)
    return x * cos + rotate_half(x) * sin


def repeat_kv(x, n_rep):
    # GQA: query head h reads kv head h // n_rep (each kv head repeated in place).
    return x.repeat_interleave(n_rep, dim=1)


def attention(q, k, v, key_mask, past_len):
    """Causal scaled dot-product attention. q: [B,H,T,D], k/v: [B,H,S,D], S = past+T.

    key_mask: [B, S] bool, False for padding. Disallowed scores get the dtype's most
    negative finite value (like HF) rather than -inf, so a row that sees no key at
    all (a pad query) yields a harmless uniform average instead of NaN.
    """
    T, S = q.shape[2], k.shape[2]
    scores = (q @ k.transpose(-1, -2)) / math.sqrt(q.shape[-1])
    causal = torch.arange(S)[None, :] <= (torch.arange(T)[:, None] + past_len)  # [T, S]
    allowed = causal[None, None] & key_mask[:, None, None, :]
    scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    return torch.softmax(scores, dim=-1) @ v


def split_heads(x, n_heads):
    B, T, _ = x.shape
    return x.view(B, T, n_heads, -1).transpose(1, 2)


def merge_heads(x):
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, H * D)


def self_test():
    """Cross-check the building blocks against independent formulations."""
    import torch.nn.functional as F

    g = torch.Generator().manual_seed(7)

    def rnd(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    x, w, b = rnd(3, 5, 16), rnd(16), rnd(16)
    assert torch.allclose(layer_norm(x, w, b, 1e-5), F.layer_norm(x, (16,), w, b, 1e-5))
    assert torch.allclose(gelu_new(x), F.gelu(x, approximate="tanh"))
    assert torch.allclose(silu(x), F.silu(x))

    # RoPE as a complex rotation of the pairs (x[i], x[i + d/2]) by angle pos * f_i.
    q = rnd(2, 3, 6, 16)  # [B, H, T, D]
    pos = torch.tensor([[0, 1, 2, 3, 4, 5], [7, 3, 0, 9, 11, 30]])
    inv = rope_inv_freq({"rope_theta": 10000.0}, 16)
    angle = pos[:, None, :, None] * inv
    z = torch.complex(q[..., :8], q[..., 8:]) * torch.polar(torch.ones_like(angle), angle)
    assert torch.allclose(apply_rope(q, pos, inv), torch.cat((z.real, z.imag), dim=-1))

    # llama3 scaling as a per-frequency if/elif/else, the way Meta's reference code reads.
    s = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
         "original_max_position_embeddings": 64}
    base = rope_inv_freq({"rope_theta": 500000.0}, 16)
    expect = []
    for f in base.tolist():
        wavelen = 2 * math.pi / f
        if wavelen < 64 / 4.0:
            expect.append(f)
        elif wavelen > 64 / 1.0:
            expect.append(f / 8.0)
        else:
            smooth = (64 / wavelen - 1.0) / (4.0 - 1.0)
            expect.append((1 - smooth) * f / 8.0 + smooth * f)
    assert torch.allclose(llama3_scale_inv_freq(base, s), torch.tensor(expect, dtype=torch.float64))

    # Attention against a per-query loop over the keys it may see.
    k, v = rnd(2, 3, 6, 16), rnd(2, 3, 6, 16)
    key_mask = torch.tensor([[False, True, True, True, True, True], [True] * 6])
    out = attention(q, k, v, key_mask, past_len=0)
    for bi in range(2):
        for t in range(6):
            keys = [j for j in range(t + 1) if key_mask[bi, j]]
            if not keys:
                continue
            sc = q[bi, :, t, None] @ k[bi, :, keys].transpose(-1, -2) / 4.0  # [H, 1, K]
            assert torch.allclose(out[bi, :, t], (torch.softmax(sc, -1) @ v[bi, :, keys])[:, 0])

    # GQA: query head h must read kv head h // (n_head / n_kv), as HF's repeat_kv does.
    kv = torch.arange(2.0).view(1, 2, 1, 1)
    assert repeat_kv(kv, 2).flatten().tolist() == [0.0, 0.0, 1.0, 1.0]


# ---------------------------------------------------------------------------------
# Models. `W` maps HF tensor names to tensors; `cache` is a per-layer list of (k, v).
# ---------------------------------------------------------------------------------


def gpt2_forward(cfg, W, ids, position_ids, key_mask, cache=None, last_only=False):
    p = "transformer."
    n_embd, n_head, eps = cfg["n_embd"], cfg["n_head"], cfg["layer_norm_epsilon"]
    past_len = 0 if cache is None else cache[0][0].shape[2]
    h = W[p + "wte.weight"][ids] + W[p + "wpe.weight"][position_ids]
    new_cache = []
    for i in range(cfg["n_layer"]):
        L = f"{p}h.{i}."
        x = layer_norm(h, W[L + "ln_1.weight"], W[L + "ln_1.bias"], eps)
        qkv = conv1d(x, W[L + "attn.c_attn.weight"], W[L + "attn.c_attn.bias"])
        q, k, v = (split_heads(t, n_head) for t in qkv.split(n_embd, dim=-1))
        if cache is not None:
            k = torch.cat((cache[i][0], k), dim=2)
            v = torch.cat((cache[i][1], v), dim=2)
        new_cache.append((k, v))
        a = merge_heads(attention(q, k, v, key_mask, past_len))
        h = h + conv1d(a, W[L + "attn.c_proj.weight"], W[L + "attn.c_proj.bias"])
        x = layer_norm(h, W[L + "ln_2.weight"], W[L + "ln_2.bias"], eps)
        m = gelu_new(conv1d(x, W[L + "mlp.c_fc.weight"], W[L + "mlp.c_fc.bias"]))
        h = h + conv1d(m, W[L + "mlp.c_proj.weight"], W[L + "mlp.c_proj.bias"])
    h = layer_norm(h, W[p + "ln_f.weight"], W[p + "ln_f.bias"], eps)
    if last_only:
        h = h[:, -1:]
    return h @ W[p + "wte.weight"].T, new_cache  # lm_head is tied to wte


def llama_forward(cfg, W, ids, position_ids, key_mask, cache=None, last_only=False):
    """Llama and Qwen2 (Qwen2 = Llama with q/k/v bias always on and no o bias)."""
    n_head, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    head_dim = cfg.get("head_dim") or cfg["hidden_size"] // n_head  # qwen2 has no head_dim key
    eps = cfg["rms_norm_eps"]
    inv_freq = rope_inv_freq(cfg, head_dim)
    past_len = 0 if cache is None else cache[0][0].shape[2]
    get = W.get  # absent bias -> None
    h = W["model.embed_tokens.weight"][ids]
    new_cache = []
    for i in range(cfg["num_hidden_layers"]):
        L = f"model.layers.{i}."
        A = L + "self_attn."
        x = rms_norm(h, W[L + "input_layernorm.weight"], eps)
        q = split_heads(linear(x, W[A + "q_proj.weight"], get(A + "q_proj.bias")), n_head)
        k = split_heads(linear(x, W[A + "k_proj.weight"], get(A + "k_proj.bias")), n_kv)
        v = split_heads(linear(x, W[A + "v_proj.weight"], get(A + "v_proj.bias")), n_kv)
        # RoPE goes on before caching, so cached keys already carry their position.
        q = apply_rope(q, position_ids, inv_freq)
        k = apply_rope(k, position_ids, inv_freq)
        if cache is not None:
            k = torch.cat((cache[i][0], k), dim=2)
            v = torch.cat((cache[i][1], v), dim=2)
        new_cache.append((k, v))
        rep = n_head // n_kv
        a = merge_heads(attention(q, repeat_kv(k, rep), repeat_kv(v, rep), key_mask, past_len))
        h = h + linear(a, W[A + "o_proj.weight"], get(A + "o_proj.bias"))
        x = rms_norm(h, W[L + "post_attention_layernorm.weight"], eps)
        M = L + "mlp."
        g = silu(linear(x, W[M + "gate_proj.weight"])) * linear(x, W[M + "up_proj.weight"])
        h = h + linear(g, W[M + "down_proj.weight"])
    h = rms_norm(h, W["model.norm.weight"], eps)
    if last_only:
        h = h[:, -1:]
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return h @ head.T, new_cache


def forward(cfg, W, ids, attention_mask=None, cache=None, last_only=False):
    """Run the model on ids [B, T]; attention_mask [B, past+T] (1 = real token).

    Returns (logits [B, T, V], cache); with last_only, logits [B, 1, V] for the last
    position only (what generation needs; the benchmarks time prefill that way).
    """
    B, T = ids.shape
    past_len = 0 if cache is None else cache[0][0].shape[2]
    if attention_mask is None:
        attention_mask = torch.ones(B, past_len + T, dtype=torch.long)
    # HF generate's convention: real tokens count from 0 at the first real token; pad
    # slots get a dummy position 1 (they are never attended to).
    position_ids = attention_mask.cumsum(-1) - 1
    position_ids = position_ids.masked_fill(attention_mask == 0, 1)[:, past_len:]
    key_mask = attention_mask.bool()
    fwd = gpt2_forward if cfg["model_type"] == "gpt2" else llama_forward
    # last_only is passed only when set, so check_golden_sensitivity.py's stand-ins for
    # gpt2_forward (which don't take it) keep working.
    extra = {"last_only": True} if last_only else {}
    return fwd(cfg, W, ids, position_ids, key_mask, cache, **extra)


# ---------------------------------------------------------------------------------
# Random weights. Norm weights/biases are random too, so ignoring them (or using the
# wrong eps or layout) visibly moves the logits.
# ---------------------------------------------------------------------------------

# Matrices get std 1/sqrt(fan_in), so every attention/MLP block changes the residual
# stream by O(1) and a mistake anywhere in it shows. Embeddings stay small (std 0.02,
# like HF's init) so the first norm sees a small input and a wrong eps is visible.
# With tied embeddings that would leave logits ~0.1, so the final norm weight gets a
# gain that brings logits to the few-units range of a real model; untied heads get
# a gain for the same reason. The same scales make each typical engine mistake move
# the logits by >= 1e-3 (check_golden_sensitivity.py) while float32 rounding moves
# them by < 1e-5.
MATRIX_GAIN = 1.0
EMBED_STD = 0.02
TIED_GAIN = 16.0
HEAD_GAIN = 3.0


def randn(*shape, std):
    return torch.randn(*shape) * std


def matrix(*shape, fan_in):
    return torch.randn(*shape) * (MATRIX_GAIN / math.sqrt(fan_in))


def norm_weight(n):
    return 1.0 + 0.1 * torch.randn(n)


def gpt2_weights(cfg):
    d, L, inner = cfg["n_embd"], cfg["n_layer"], cfg["n_inner"] or 4 * cfg["n_embd"]
    W = {
        "transformer.wte.weight": randn(cfg["vocab_size"], d, std=EMBED_STD),
        "transformer.wpe.weight": randn(cfg["n_positions"], d, std=EMBED_STD),
    }
    for i in range(L):
        p = f"transformer.h.{i}."
        W[p + "ln_1.weight"] = norm_weight(d)
        W[p + "ln_1.bias"] = randn(d, std=0.05)
        W[p + "attn.c_attn.weight"] = matrix(d, 3 * d, fan_in=d)
        W[p + "attn.c_attn.bias"] = randn(3 * d, std=0.05)
        W[p + "attn.c_proj.weight"] = matrix(d, d, fan_in=d)
        W[p + "attn.c_proj.bias"] = randn(d, std=0.05)
        W[p + "ln_2.weight"] = norm_weight(d)
        W[p + "ln_2.bias"] = randn(d, std=0.05)
        W[p + "mlp.c_fc.weight"] = matrix(d, inner, fan_in=d)
        W[p + "mlp.c_fc.bias"] = randn(inner, std=0.05)
        W[p + "mlp.c_proj.weight"] = matrix(inner, d, fan_in=inner)
        W[p + "mlp.c_proj.bias"] = randn(d, std=0.05)
    W["transformer.ln_f.weight"] = norm_weight(d) * TIED_GAIN
    W["transformer.ln_f.bias"] = randn(d, std=0.05)
    return W


def llama_weights(cfg):
    d, inter = cfg["hidden_size"], cfg["intermediate_size"]
    n_head, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = d // n_head
    qkv_bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    o_bias = cfg["model_type"] == "llama" and cfg.get("attention_bias", False)
    # Created in HF's module order, which is the state-dict order save_pretrained
    # walks when it cuts shards.
    W = {"model.embed_tokens.weight": randn(cfg["vocab_size"], d, std=EMBED_STD)}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for name, out in (("q", n_head * hd), ("k", n_kv * hd), ("v", n_kv * hd)):
            W[p + f"self_attn.{name}_proj.weight"] = matrix(out, d, fan_in=d)
            if qkv_bias:
                W[p + f"self_attn.{name}_proj.bias"] = randn(out, std=0.05)
        W[p + "self_attn.o_proj.weight"] = matrix(d, n_head * hd, fan_in=n_head * hd)
        if o_bias:
            W[p + "self_attn.o_proj.bias"] = randn(d, std=0.05)
        W[p + "mlp.gate_proj.weight"] = matrix(inter, d, fan_in=d)
        W[p + "mlp.up_proj.weight"] = matrix(inter, d, fan_in=d)
        W[p + "mlp.down_proj.weight"] = matrix(d, inter, fan_in=inter)
        W[p + "input_layernorm.weight"] = norm_weight(d)
        W[p + "post_attention_layernorm.weight"] = norm_weight(d)
    if cfg["tie_word_embeddings"]:
        W["model.norm.weight"] = norm_weight(d) * TIED_GAIN
    else:
        W["model.norm.weight"] = norm_weight(d)
        W["lm_head.weight"] = matrix(cfg["vocab_size"], d, fan_in=d) * HEAD_GAIN
    return W


# ---------------------------------------------------------------------------------
# Configs, written with the keys HF's config classes save.
# ---------------------------------------------------------------------------------


def gpt2_config():
    return {
        "activation_function": "gelu_new",
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": EOT_ID,
        "embd_pdrop": 0.1,
        "eos_token_id": EOT_ID,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e-05,
        "model_type": "gpt2",
        "n_ctx": MAX_POS,
        "n_embd": 32,
        "n_head": 4,
        "n_inner": None,  # -> 4 * n_embd, as in every real GPT-2 checkpoint
        "n_layer": 2,
        "n_positions": MAX_POS,
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": False,
        "scale_attn_weights": True,
        "summary_activation": None,
        "summary_first_dropout": 0.1,
        "summary_proj_to_labels": True,
        "summary_type": "cls_index",
        "summary_use_proj": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": VOCAB_SIZE,
    }


def llama_config(**over):
    cfg = {
        "architectures": ["LlamaForCausalLM"],
        "attention_bias": False,
        "attention_dropout": 0.0,
        "bos_token_id": EOT_ID,
        "eos_token_id": EOT_ID,
        "head_dim": 16,
        "hidden_act": "silu",
        "hidden_size": 64,
        "initializer_range": 0.02,
        "intermediate_size": 32,
        "max_position_embeddings": MAX_POS,
        "mlp_bias": False,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "rope_theta": 10000.0,
        "tie_word_embeddings": False,
        "torch_dtype": "float32",
        "use_cache": True,
        "vocab_size": VOCAB_SIZE,
    }
    cfg.update(over)
    return cfg


def qwen2_config():
    # Qwen2Config has no attention_bias key: q/k/v always carry a bias, o never does.
    return {
        "architectures": ["Qwen2ForCausalLM"],
        "attention_dropout": 0.0,
        "bos_token_id": EOT_ID,
        "eos_token_id": EOT_ID,
        "hidden_act": "silu",
        "hidden_size": 64,
        "initializer_range": 0.02,
        "intermediate_size": 40,
        "max_position_embeddings": MAX_POS,
        "max_window_layers": 3,
        "model_type": "qwen2",
        "num_attention_heads": 4,
        "num_hidden_layers": 3,
        "num_key_value_heads": 1,
        "rms_norm_eps": 1e-06,
        "rope_scaling": None,
        "rope_theta": 1000000.0,
        "sliding_window": MAX_POS,
        "tie_word_embeddings": True,
        "torch_dtype": "float32",
        "use_cache": True,
        "use_sliding_window": False,
        "vocab_size": VOCAB_SIZE,
    }


# ---------------------------------------------------------------------------------
# Reference outputs.
# ---------------------------------------------------------------------------------

SEQ_LEN = 10
N_PAD = 3
GREEDY_PROMPT_LEN = 5
GREEDY_NEW = 20
# Greedy steps must win by this much (in logits) so float32 noise in the engine can
# never flip an argmax; prompts that don't manage it are skipped.
GREEDY_MIN_MARGIN = 1e-2


def fixed_inputs():
    g = torch.Generator().manual_seed(1234)
    ids = torch.randint(0, EOT_ID, (2, SEQ_LEN), generator=g)
    # Make sure the merged-token ids (past the byte range) are exercised too.
    ids[0, 2], ids[1, 5], ids[1, 8] = 256, 257, 258
    logprob_ids = torch.randint(0, EOT_ID, (12,), generator=g)
    return ids, logprob_ids


def greedy(cfg, W, prompt, n_new):
    """Greedy decode with a KV cache; returns tokens and each step's top1-top2 margin."""
    logits, cache = forward(cfg, W, prompt[None])
    tokens, margins = [], []
    for step in range(n_new):
        last = logits[0, -1]
        top2 = torch.topk(last, 2).values
        margins.append(float(top2[0] - top2[1]))
        nxt = int(last.argmax())
        tokens.append(nxt)
        if step + 1 < n_new:
            logits, cache = forward(cfg, W, torch.tensor([[nxt]]), cache=cache)
    return tokens, margins


def greedy_recompute(cfg, W, prompt, n_new):
    seq = prompt.tolist()
    for _ in range(n_new):
        logits, _ = forward(cfg, W, torch.tensor([seq]))
        seq.append(int(logits[0, -1].argmax()))
    return seq[len(prompt) :]


def pick_greedy(cfg, W):
    g = torch.Generator().manual_seed(4321)
    for _ in range(200):
        prompt = torch.randint(0, EOT_ID, (GREEDY_PROMPT_LEN,), generator=g)
        tokens, margins = greedy(cfg, W, prompt, GREEDY_NEW)
        # No EOS, so an engine that stops at EOS still yields all 20 tokens.
        if EOT_ID not in tokens and min(margins) >= GREEDY_MIN_MARGIN:
            recomputed = greedy_recompute(cfg, W, prompt, GREEDY_NEW)
            assert recomputed == tokens, (recomputed, tokens)
            return prompt.tolist(), tokens, min(margins)
    raise AssertionError("no prompt with a clear greedy continuation")


def compute_reference(cfg, W_disk):
    W = {k: v.to(REF_DTYPE) for k, v in W_disk.items()}
    ids, logprob_ids = fixed_inputs()
    logits, _ = forward(cfg, W, ids)

    # Left padding: row 0 keeps only its first 7 real tokens.
    n_real = SEQ_LEN - N_PAD
    padded_ids = ids.clone()
    padded_ids[0] = torch.cat((torch.full((N_PAD,), EOT_ID), ids[0, :n_real]))
    mask = torch.ones_like(padded_ids)
    mask[0, :N_PAD] = 0
    padded_logits, _ = forward(cfg, W, padded_ids, attention_mask=mask)
    last = padded_logits[:, -1]
    alone0, _ = forward(cfg, W, ids[:1, :n_real])
    assert torch.allclose(last[0], alone0[0, -1], atol=1e-10, rtol=0), "padding leaks"
    assert torch.allclose(last[1], logits[1, -1], atol=1e-10, rtol=0)
    position_ids = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)

    prompt, tokens, margin = pick_greedy(cfg, W)

    lp_logits, _ = forward(cfg, W, logprob_ids[None])
    logp = torch.log_softmax(lp_logits[0, :-1], dim=-1)
    token_logprobs = logp.gather(-1, logprob_ids[1:, None])[:, 0]

    return {
        "input_ids": ids.tolist(),
        "logits": logits,
        "padded": {
            "pad_token_id": EOT_ID,
            "input_ids": padded_ids.tolist(),
            "attention_mask": mask.tolist(),
            "position_ids": position_ids.tolist(),
            "last_logits": last,
        },
        "greedy": {"prompt": prompt, "tokens": tokens},
        "logprobs": {"ids": logprob_ids.tolist(), "token_logprobs": token_logprobs},
        "_greedy_margin": margin,
    }


# ---------------------------------------------------------------------------------
# Output helpers.
# ---------------------------------------------------------------------------------


def to_json_ready(x):
    if isinstance(x, torch.Tensor):
        # Round through float32 and print 9 significant digits: exact for float32.
        return to_json_ready(x.to(torch.float32).tolist())
    if isinstance(x, float):
        return float(f"{x:.9g}")
    if isinstance(x, list):
        return [to_json_ready(v) for v in x]
    if isinstance(x, dict):
        return {k: to_json_ready(v) for k, v in x.items() if not k.startswith("_")}
    return x


def dumps_compact_rows(x, indent=0):
    """JSON with one line per innermost list: diff-friendly, still small."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(x, dict):
        items = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps_compact_rows(v, indent + 1)}"
            for k, v in x.items()
        ]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(x, list) and any(isinstance(v, (list, dict)) for v in x):
        items = [inner + dumps_compact_rows(v, indent + 1) for v in x]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(x, separators=(", ", ": "), ensure_ascii=False)


def write_json(path, obj, hf_style=False):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if hf_style:  # what transformers' save_pretrained does for config files
            f.write(json.dumps(obj, indent=2, sort_keys=True) + "\n")
        else:
            f.write(dumps_compact_rows(obj) + "\n")


def strip_prefix(W, prefix):
    return {(k[len(prefix) :] if k.startswith(prefix) else k): v for k, v in W.items()}


def write_sharded(folder, W, max_shard_size=160_000):
    total = sum(t.numel() * t.element_size() for t in W.values())
    # Like save_pretrained(max_shard_size=...): walk the state dict in module order and
    # start a new shard when the next tensor would overflow the current one. 160 kB
    # cuts llama-tiny-gqa inside layer 1, so one layer straddles both files.
    shards, current, size = [], {}, 0
    for name in W:
        nbytes = W[name].numel() * W[name].element_size()
        if current and size + nbytes > max_shard_size:
            shards.append(current)
            current, size = {}, 0
        current[name] = W[name]
        size += nbytes
    shards.append(current)
    n_shards = len(shards)
    assert n_shards == 2, n_shards
    layers = [{k.split(".")[2] for k in shard if ".layers." in k} for shard in shards]
    assert layers[0] & layers[1], "want a layer split across the two shards"
    weight_map = {}
    for i, shard in enumerate(shards, start=1):
        fname = f"model-{i:05d}-of-{n_shards:05d}.safetensors"
        write_safetensors(os.path.join(folder, fname), shard)
        weight_map.update({name: fname for name in shard})
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    write_json(os.path.join(folder, "model.safetensors.index.json"), index, hf_style=True)
    return shards


def write_model(name, cfg, W_disk, reference, tok_doc, sharded=False):
    """W_disk: exactly the tensors to store (names and dtypes as they go on disk)."""
    folder = os.path.join(GOLDEN, name)
    shutil.rmtree(folder, ignore_errors=True)  # drop files from older layouts
    os.makedirs(folder)
    write_json(os.path.join(folder, "config.json"), cfg, hf_style=True)
    gen = {"bos_token_id": cfg["bos_token_id"], "eos_token_id": cfg["eos_token_id"], "max_length": 64}
    write_json(os.path.join(folder, "generation_config.json"), gen, hf_style=True)
    bytelevel_bpe.write_tokenizer_json(os.path.join(folder, "tokenizer.json"), tok_doc)
    if sharded:
        write_sharded(folder, W_disk)
        back = {}
        for f in sorted(os.listdir(folder)):
            if f.endswith(".safetensors"):
                back.update(read_safetensors(os.path.join(folder, f)))
    else:
        write_safetensors(os.path.join(folder, "model.safetensors"), W_disk)
        back = read_safetensors(os.path.join(folder, "model.safetensors"))
    assert back.keys() == W_disk.keys()
    assert all(torch.equal(back[k], W_disk[k]) for k in W_disk), "safetensors round trip"
    write_json(os.path.join(folder, "reference.json"), to_json_ready(reference))


# ---------------------------------------------------------------------------------


def main():
    torch.manual_seed(0)
    torch.set_num_threads(1)  # fixed reduction order -> byte-identical reruns
    self_test()

    vocab, merges, special = golden_tokenizer()
    tok_doc = bytelevel_bpe.tokenizer_json(vocab, merges, special)
    write_tokenizer_cases(vocab, merges, special)

    def f32_gap(cfg, W):
        # How far an exact-float32 evaluation lands from the float64 reference: a
        # lower bound for the tolerance the Java tests need.
        ref64 = compute_reference(cfg, W)
        ids, _ = fixed_inputs()
        l32, _ = forward(cfg, {k: v.float() for k, v in W.items()}, ids)
        return ref64, float((l32.double() - ref64["logits"]).abs().max())

    def report(name, ref, gap, W):
        nbytes = sum(t.numel() * t.element_size() for t in W.values())
        lg = ref["logits"]
        print(
            f"{name:24s} params={sum(t.numel() for t in W.values()):6d} data={nbytes:6d}B "
            f"|logits|max={float(lg.abs().max()):.3f} std={float(lg.std()):.3f} "
            f"f32-vs-f64={gap:.2e} greedy-margin={ref['_greedy_margin']:.2e}"
        )

    # GPT-2 (+ the same weights under pre-"transformer." names).
    cfg = gpt2_config()
    W = gpt2_weights(cfg)
    ref, gap = f32_gap(cfg, W)
    report("gpt2-tiny", ref, gap, W)
    write_model("gpt2-tiny", cfg, W, ref, tok_doc)
    write_model("gpt2-tiny-noprefix", cfg, strip_prefix(W, "transformer."), ref, tok_doc)

    # Llama with GQA, untied; also stored as F16, BF16 and in two shards.
    cfg = llama_config()
    W = llama_weights(cfg)
    ref, gap = f32_gap(cfg, W)
    report("llama-tiny-gqa", ref, gap, W)
    write_model("llama-tiny-gqa", cfg, W, ref, tok_doc)
    write_model("llama-tiny-sharded", cfg, W, ref, tok_doc, sharded=True)
    for name, dt, dt_name in (
        ("llama-tiny-f16", torch.float16, "float16"),
        ("llama-tiny-bf16", torch.bfloat16, "bfloat16"),
    ):
        W_half = {k: v.to(dt) for k, v in W.items()}
        ref_half = compute_reference(cfg, W_half)
        diff = float((ref_half["logits"] - ref["logits"]).abs().max())
        print(f"{name:24s} max |logits - F32 logits| = {diff:.3e}")
        # The test is only meaningful if loading the file as if it were F32-exact
        # (or mis-decoding it) would be caught.
        assert diff > 1e-3, f"{name}: reference too close to F32 to be meaningful"
        write_model(name, dict(cfg, torch_dtype=dt_name), W_half, ref_half, tok_doc)

    # Llama, tied, llama3 rope scaling. original_max_position_embeddings is 64 (not 32)
    # so that, with head_dim 16 and theta 5e5, frequencies fall in all three llama3
    # bands (kept / blended / divided by factor) - checked below.
    cfg = llama_config(
        num_key_value_heads=4,
        intermediate_size=48,
        rope_theta=500000.0,
        tie_word_embeddings=True,
        rope_scaling={
            "factor": 8.0,
            "high_freq_factor": 4.0,
            "low_freq_factor": 1.0,
            "original_max_position_embeddings": 64,
            "rope_type": "llama3",
        },
    )
    check_llama3_bands(cfg)
    W = llama_weights(cfg)
    ref, gap = f32_gap(cfg, W)
    report("llama-tiny-tied-rope3", ref, gap, W)
    write_model("llama-tiny-tied-rope3", cfg, W, ref, tok_doc)

    # Llama with attention_bias (q, k, v and o) and legacy linear rope scaling.
    cfg = llama_config(
        attention_bias=True,
        tie_word_embeddings=True,
        rope_scaling={"factor": 2.0, "type": "linear"},
    )
    W = llama_weights(cfg)
    ref, gap = f32_gap(cfg, W)
    report("llama-tiny-rope-linear", ref, gap, W)
    write_model("llama-tiny-rope-linear", cfg, W, ref, tok_doc)

    cfg = qwen2_config()
    W = llama_weights(cfg)
    ref, gap = f32_gap(cfg, W)
    report("qwen2-tiny", ref, gap, W)
    write_model("qwen2-tiny", cfg, W, ref, tok_doc)

    for root, _, files in sorted(os.walk(GOLDEN)):
        for f in files:
            if f.endswith(".safetensors"):
                size = os.path.getsize(os.path.join(root, f))
                assert size < 300_000, (root, f, size)
    print("done:", GOLDEN)


def check_llama3_bands(cfg):
    s = cfg["rope_scaling"]
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    inv = 1.0 / cfg["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd)
    wavelen = 2 * math.pi / inv
    lo = s["original_max_position_embeddings"] / s["low_freq_factor"]
    hi = s["original_max_position_embeddings"] / s["high_freq_factor"]
    bands = {"kept": int((wavelen < hi).sum()), "scaled": int((wavelen > lo).sum())}
    bands["blended"] = len(wavelen) - bands["kept"] - bands["scaled"]
    assert all(bands.values()), bands
    # Stay clear of the band edges, where float32 vs float64 could disagree.
    assert ((wavelen / lo - 1).abs() > 0.01).all() and ((wavelen / hi - 1).abs() > 0.01).all()


def write_tokenizer_cases(vocab, merges, special):
    """Expected ids for a few strings under the golden tokenizer (Java tokenizer tests)."""
    try:
        bpe = bytelevel_bpe.ReferenceBpe(vocab, merges, special)
    except ImportError:
        print("python3-regex not installed: tokenizer-cases.json left as it is")
        return
    texts = [
        "the",
        " the",
        "the the the",
        "hello there",
        "Hello world",
        "  two  spaces\n",
        "it's 42 degrees",
        "héllo ☃ 日本",
        "<|endoftext|>the end<|endoftext|>",
    ]
    cases = []
    for t in texts:
        ids = bpe.encode(t)
        assert bpe.decode(ids) == t
        cases.append({"text": t, "ids": ids})
    os.makedirs(GOLDEN, exist_ok=True)
    write_json(os.path.join(GOLDEN, "tokenizer-cases.json"), cases)


if __name__ == "__main__":
    main()
