#!/usr/bin/python3
"""Fast, fair plain-PyTorch reference for HF decoder folders (gpt2, llama, qwen2): what a user
would run instead. Loading reuses ref_lm.py beside it (load_dir); the modules here are lean: weights
pre-transposed to (out,in) contiguous, q|k|v and gate|up fused into one matrix each, bias and
residual fused into BLAS calls (addmm/addmv/addmv_), scale+mask fused (baddbmm), GQA by grouping
q heads (no K/V repeat), a preallocated KV cache, fp32 throughout. Uses Debian's torch 1.13
(/usr/bin/python3): no F.scaled_dot_product_attention, so attention is matmul+softmax.

  perf_ref.py decode DIR [--prompt-len P] [--new N] [--prompt-ids a,b,..] [--seed S]
                         [--repeat R] [--check-ref K]
      greedy, batch 1, KV cache. new token 1 comes from the prefill logits; tokens 2..N from
      N-1 single-token decode steps. prefill_tok_s = P/prefill_s, decode_tok_s = (N-1)/decode_s.
      One untimed warm-up (prefill + 8 steps) first; R timed repeats, medians reported.
      --check-ref K: also run ref_lm's no-cache greedy for K tokens and report ref_match.
  perf_ref.py train DIR [--batch B] [--seq T] [--steps S] [--seed S] [--check-ref]
      full fine-tuning, AdamW(lr 1e-4, torch defaults otherwise: betas .9/.999, eps 1e-8,
      weight_decay 0.01, foreach=True), next-token cross-entropy on random tokens:
      per step idx = torch.randint(0, vocab, (B, T+1), generator=torch.Generator().manual_seed(S))
      (one generator for the whole run), inputs idx[:, :-1], targets idx[:, 1:].
      Median step time over steps 3..S (2 warm-up steps); tok_s = B*T / median.
      --check-ref: step-1 loss recomputed with ref_lm.logits (no grad) -> loss0_ref.
  perf_ref.py lora DIR [same options as train]
      LoRA fine-tuning: the base frozen, adapters r 8, alpha 16, dropout 0.05 on every projection
      of a block (GPT-2: c_attn, attn.c_proj, c_fc, mlp.c_proj; Llama: q, k, v, o, gate, up,
      down), A (r, in) uniform in +-1/sqrt(in), B (out, r) zero, alpha/r applied to the rank-wide
      activation: Scales' defaults. A fused q|k|v or gate|up matrix gets one adapter per part,
      their outputs concatenated. AdamW over the adapters, same steps and timing as train.
  All print one JSON line, with peak_rss_mb (the process's peak resident memory).

Threads (common options, default = fastest measured on the 2-core box, see README.md):
  --torch-threads 1   torch intra-op threads (torch's own default here is also 1)
  --blas-threads 2    OPENBLAS_NUM_THREADS (OpenBLAS pthread pool does the GEMM/GEMV work)
  --blas-core auto    OPENBLAS_CORETYPE: 'auto' unsets it so OpenBLAS picks the CPU's own
                      kernels (Cooperlake/AVX-512 here); 'env' keeps the inherited value
                      (this box exports Haswell = AVX2 kernels); any other value is passed on.
  --malloc tuned      re-exec once with GLIBC_TUNABLES mmap_threshold=32MiB, trim_threshold=4GiB
                      ('default' = plain glibc malloc).
  Env must be set before torch loads, so these are applied before any torch import.
"""
import os
import sys


def _opt(argv, name, default):
    if name in argv:
        return argv[argv.index(name) + 1]
    return default


# glibc malloc: keep big freed blocks instead of munmap/mmap + page-faulting them every step
# (training step ~1.5x faster here). Tunables are read at process start, so re-exec once.
_MALLOC = _opt(sys.argv, "--malloc", "tuned")
_TUNABLES = "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296"
if _MALLOC == "tuned" and "glibc.malloc.mmap_threshold" not in os.environ.get("GLIBC_TUNABLES", ""):
    os.environ["GLIBC_TUNABLES"] = ":".join(t for t in (os.environ.get("GLIBC_TUNABLES"), _TUNABLES) if t)
    os.execv(sys.executable, [sys.executable] + sys.argv)

_TORCH_THREADS = int(_opt(sys.argv, "--torch-threads", "1"))
_BLAS_THREADS = _opt(sys.argv, "--blas-threads", "2")
_BLAS_CORE = _opt(sys.argv, "--blas-core", "auto")
os.environ["OPENBLAS_NUM_THREADS"] = str(_BLAS_THREADS)
if _BLAS_CORE == "auto":
    os.environ.pop("OPENBLAS_CORETYPE", None)
elif _BLAS_CORE != "env":
    os.environ["OPENBLAS_CORETYPE"] = _BLAS_CORE

import argparse  # noqa: E402
import ctypes  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref_lm  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(_TORCH_THREADS)


def blas_info():
    env = {"glibc_tunables": os.environ.get("GLIBC_TUNABLES"),
           "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return {"blas_core": lib.openblas_get_corename().decode(),
                "blas_threads": lib.openblas_get_num_threads(), **env}
    except OSError:
        return {"blas_core": None, "blas_threads": None, **env}


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def lcg_ids(n, vocab, seed):
    """Deterministic prompt ids, same formula in the Jlama harness."""
    x, out = seed & 0x7FFFFFFF, []
    for _ in range(n):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
        out.append((x >> 8) % vocab)
    return out


# ============================================================== inference (KV cache)
class Infer:
    def __init__(self, cfg, W, max_len):
        self.cfg, self.mt = cfg, cfg["model_type"]
        c = lambda t: t.contiguous()
        L = []
        self.read_numel = 0  # weight elements streamed per decoded token
        if self.mt == "gpt2":
            pre = "transformer." if "transformer.wte.weight" in W else ""
            g = lambda n: W[pre + n]
            d, nh = cfg["n_embd"], cfg["n_head"]
            self.d, self.nh, self.nkv, self.hs = d, nh, nh, d // nh
            self.eps = cfg.get("layer_norm_epsilon", 1e-5)
            self.wte, self.wpe = c(g("wte.weight")), c(g("wpe.weight"))
            for i in range(cfg["n_layer"]):
                p = f"h.{i}."
                L.append(dict(
                    n1w=g(p + "ln_1.weight"), n1b=g(p + "ln_1.bias"),
                    n2w=g(p + "ln_2.weight"), n2b=g(p + "ln_2.bias"),
                    wqkv=c(g(p + "attn.c_attn.weight").T), bqkv=g(p + "attn.c_attn.bias"),
                    wo=c(g(p + "attn.c_proj.weight").T), bo=g(p + "attn.c_proj.bias"),
                    wfc=c(g(p + "mlp.c_fc.weight").T), bfc=g(p + "mlp.c_fc.bias"),
                    wpr=c(g(p + "mlp.c_proj.weight").T), bpr=g(p + "mlp.c_proj.bias")))
            self.nfw, self.nfb = g("ln_f.weight"), g("ln_f.bias")
            self.head = c(W.get("lm_head.weight", self.wte))
        else:
            d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
            nkv = cfg.get("num_key_value_heads", nh)
            hs = cfg.get("head_dim", d // nh)
            self.d, self.nh, self.nkv, self.hs = d, nh, nkv, hs
            self.eps = cfg.get("rms_norm_eps", 1e-6)
            self.inter = cfg["intermediate_size"]
            self.wte = c(W["model.embed_tokens.weight"])
            for i in range(cfg["num_hidden_layers"]):
                p = f"model.layers.{i}."
                a = p + "self_attn."
                wqkv = torch.cat([W[a + "q_proj.weight"], W[a + "k_proj.weight"],
                                  W[a + "v_proj.weight"]], 0).contiguous()
                bqkv = (torch.cat([W[a + "q_proj.bias"], W[a + "k_proj.bias"], W[a + "v_proj.bias"]])
                        if a + "q_proj.bias" in W else None)
                L.append(dict(
                    n1w=W[p + "input_layernorm.weight"], n2w=W[p + "post_attention_layernorm.weight"],
                    wqkv=wqkv, bqkv=bqkv, wo=c(W[a + "o_proj.weight"]),
                    bo=W.get(a + "o_proj.bias"),
                    wgu=torch.cat([W[p + "mlp.gate_proj.weight"], W[p + "mlp.up_proj.weight"]], 0).contiguous(),
                    wdn=c(W[p + "mlp.down_proj.weight"])))
            self.nfw = W["model.norm.weight"]
            self.head = c(W.get("lm_head.weight", self.wte))
            theta = cfg.get("rope_theta", 10000.0)
            inv = 1.0 / (theta ** (torch.arange(0, hs, 2, dtype=torch.float64) / hs))
            ang = torch.outer(torch.arange(max_len, dtype=torch.float64), inv)
            self.cos = torch.cat([ang, ang], -1).cos().float()
            # rotate_half(x)*sin == swap_halves(x) * [-sin, sin]
            self.sin_s = torch.cat([-ang, ang], -1).sin().float()
        self.L = L
        for lay in L:
            self.read_numel += sum(t.numel() for t in lay.values() if t is not None)
        self.read_numel += self.head.numel() + self.nfw.numel() + self.d
        self.n_params = sum(t.numel() for t in W.values())
        self.max_len = max_len
        self.scale = 1.0 / math.sqrt(self.hs)
        self.K = torch.zeros(len(L), self.nkv, max_len, self.hs)
        self.V = torch.zeros(len(L), self.nkv, max_len, self.hs)

    # -- helpers
    def _rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def _rope(self, x, pos0, T):  # x (..., T, H, hs) rotated at positions pos0..pos0+T-1
        hs2 = self.hs // 2
        cos = self.cos[pos0:pos0 + T].unsqueeze(-2)
        sin = self.sin_s[pos0:pos0 + T].unsqueeze(-2)
        sw = torch.cat([x[..., hs2:], x[..., :hs2]], -1)
        return torch.addcmul(x * cos, sw, sin)

    # -- prefill: T tokens at positions 0..T-1, returns last-position logits
    def prefill(self, ids):
        T, d, nh, nkv, hs = len(ids), self.d, self.nh, self.nkv, self.hs
        grp = nh // nkv
        idx = torch.tensor(ids)
        mask = torch.full((T, T), float("-inf")).triu_(1)
        if grp > 1:
            mask = mask.repeat(grp, 1)
        if self.mt == "gpt2":
            x = self.wte[idx] + self.wpe[:T]
            for li, l in enumerate(self.L):
                h = F.layer_norm(x, (d,), l["n1w"], l["n1b"], self.eps)
                qkv = torch.addmm(l["bqkv"], h, l["wqkv"].t()).view(T, 3, nh, hs)
                q = qkv[:, 0].transpose(0, 1)
                self.K[li, :, :T] = qkv[:, 1].transpose(0, 1)
                self.V[li, :, :T] = qkv[:, 2].transpose(0, 1)
                att = torch.baddbmm(mask, q, self.K[li, :, :T].transpose(1, 2), alpha=self.scale).softmax(-1)
                y = torch.bmm(att, self.V[li, :, :T]).transpose(0, 1).reshape(T, d)
                x = torch.addmm(x, y, l["wo"].t()).add_(l["bo"])
                h = F.layer_norm(x, (d,), l["n2w"], l["n2b"], self.eps)
                h = F.gelu(torch.addmm(l["bfc"], h, l["wfc"].t()), approximate="tanh")
                x = torch.addmm(x, h, l["wpr"].t()).add_(l["bpr"])
            h = F.layer_norm(x[-1], (d,), self.nfw, self.nfb, self.eps)
        else:
            x = self.wte[idx]
            nq, nk = nh * hs, nkv * hs
            for li, l in enumerate(self.L):
                h = self._rms(x, l["n1w"])
                qkv = h @ l["wqkv"].t() if l["bqkv"] is None else torch.addmm(l["bqkv"], h, l["wqkv"].t())
                qk = self._rope(qkv[:, :nq + nk].view(T, nh + nkv, hs), 0, T)
                # q heads grouped by their kv head: (nkv, grp*T, hs)
                q = qk[:, :nh].view(T, nkv, grp, hs).permute(1, 2, 0, 3).reshape(nkv, grp * T, hs)
                self.K[li, :, :T] = qk[:, nh:].transpose(0, 1)
                self.V[li, :, :T] = qkv[:, nq + nk:].view(T, nkv, hs).transpose(0, 1)
                att = torch.baddbmm(mask, q, self.K[li, :, :T].transpose(1, 2), alpha=self.scale).softmax(-1)
                y = torch.bmm(att, self.V[li, :, :T]).view(nkv, grp, T, hs).permute(2, 0, 1, 3).reshape(T, nq)
                x = torch.addmm(x, y, l["wo"].t())
                if l["bo"] is not None:
                    x.add_(l["bo"])
                h = self._rms(x, l["n2w"])
                gu = h @ l["wgu"].t()
                x = torch.addmm(x, F.silu(gu[:, :self.inter]) * gu[:, self.inter:], l["wdn"].t())
            h = self._rms(x[-1], self.nfw)
        return torch.mv(self.head, h)

    # -- one decode step: token at position pos (cache holds 0..pos-1), returns logits
    def step(self, tok, pos):
        d, nh, nkv, hs = self.d, self.nh, self.nkv, self.hs
        grp, n = nh // nkv, pos + 1
        if self.mt == "gpt2":
            x = self.wte[tok] + self.wpe[pos]
            for li, l in enumerate(self.L):
                h = F.layer_norm(x, (d,), l["n1w"], l["n1b"], self.eps)
                qkv = torch.addmv(l["bqkv"], l["wqkv"], h).view(3, nh, hs)
                self.K[li, :, pos] = qkv[1]
                self.V[li, :, pos] = qkv[2]
                att = torch.bmm(qkv[0].unsqueeze(1), self.K[li, :, :n].transpose(1, 2))
                att = (att * self.scale).softmax(-1)
                y = torch.bmm(att, self.V[li, :, :n]).view(d)
                x.addmv_(l["wo"], y).add_(l["bo"])
                h = F.layer_norm(x, (d,), l["n2w"], l["n2b"], self.eps)
                h = F.gelu(torch.addmv(l["bfc"], l["wfc"], h), approximate="tanh")
                x.addmv_(l["wpr"], h).add_(l["bpr"])
            h = F.layer_norm(x, (d,), self.nfw, self.nfb, self.eps)
        else:
            x = self.wte[tok].clone()
            nq, nk = nh * hs, nkv * hs
            for li, l in enumerate(self.L):
                h = self._rms(x, l["n1w"])
                qkv = torch.mv(l["wqkv"], h) if l["bqkv"] is None else torch.addmv(l["bqkv"], l["wqkv"], h)
                qk = self._rope(qkv[:nq + nk].view(1, nh + nkv, hs), pos, 1)[0]
                self.K[li, :, pos] = qk[nh:]
                self.V[li, :, pos] = qkv[nq + nk:].view(nkv, hs)
                att = torch.bmm(qk[:nh].view(nkv, grp, hs), self.K[li, :, :n].transpose(1, 2))
                att = (att * self.scale).softmax(-1)
                y = torch.bmm(att, self.V[li, :, :n]).view(nq)
                x.addmv_(l["wo"], y)
                if l["bo"] is not None:
                    x.add_(l["bo"])
                h = self._rms(x, l["n2w"])
                gu = torch.mv(l["wgu"], h)
                x.addmv_(l["wdn"], F.silu(gu[:self.inter]) * gu[self.inter:])
            h = self._rms(x, self.nfw)
        return torch.mv(self.head, h)

    def generate(self, prompt, new):
        t0 = time.perf_counter()
        nxt = int(self.prefill(prompt).argmax())
        t1 = time.perf_counter()
        out, pos = [nxt], len(prompt)
        for _ in range(new - 1):
            nxt = int(self.step(nxt, pos).argmax())
            out.append(nxt)
            pos += 1
        t2 = time.perf_counter()
        return out, t1 - t0, t2 - t1


def cmd_decode(a):
    cfg, W = ref_lm.load_dir(a.dir)
    vocab = cfg["vocab_size"]
    prompt = ([int(t) for t in a.prompt_ids.split(",")] if a.prompt_ids
              else lcg_ids(a.prompt_len, vocab, a.seed))
    P, N = len(prompt), a.new
    m = Infer(cfg, W, P + N)
    with torch.inference_mode():
        m.generate(prompt, min(N, 9))  # warm-up
        runs = [m.generate(prompt, N) for _ in range(a.repeat)]
    ids = runs[0][0]
    pre_s = statistics.median(r[1] for r in runs)
    dec_s = statistics.median(r[2] for r in runs)
    res = {"tool": "perf_ref", "cmd": "decode", "dir": os.path.abspath(a.dir),
           "model_type": cfg["model_type"], "params": m.n_params, "dtype": "fp32",
           "weight_bytes_per_token": 4 * m.read_numel,
           "prompt_len": P, "new": N, "decode_steps": N - 1, "repeat": a.repeat,
           "prefill_s": round(pre_s, 5), "prefill_tok_s": round(P / pre_s, 2),
           "decode_s": round(dec_s, 5), "decode_tok_s": round((N - 1) / dec_s, 2) if N > 1 else None,
           "prefill_tok_s_runs": [round(P / r[1], 2) for r in runs],
           "decode_tok_s_runs": [round((N - 1) / r[2], 2) for r in runs] if N > 1 else [],
           "same_ids_all_runs": all(r[0] == ids for r in runs),
           "torch_threads": torch.get_num_threads(), **blas_info(),
           "prompt_ids": prompt, "ids": ids, "peak_rss_mb": round(peak_rss_mb(), 1)}
    if a.check_ref:
        K = min(a.check_ref, N)
        seq = list(prompt)
        for _ in range(K):
            seq.append(int(ref_lm.logits(cfg, W, seq)[-1].argmax()))
        res["ref_ids"] = seq[P:]
        res["ref_match"] = seq[P:] == ids[:K]
    print(json.dumps(res))


# ============================================================== training
class Lora(torch.nn.Module):
    """LoRA on one (possibly fused) projection: one adapter per part, outputs concatenated."""

    def __init__(self, n_in, parts_out, rank=8, alpha=16, dropout=0.05):
        super().__init__()
        self.scale, self.dropout = alpha / rank, dropout
        bound = 1 / math.sqrt(n_in)
        self.A = torch.nn.ParameterList([torch.nn.Parameter((torch.rand(rank, n_in) * 2 - 1) * bound)
                                         for _ in parts_out])
        self.B = torch.nn.ParameterList([torch.nn.Parameter(torch.zeros(o, rank)) for o in parts_out])

    def forward(self, x):
        out = [F.dropout(x, self.dropout, True) @ a.t() * self.scale @ b.t() for a, b in zip(self.A, self.B)]
        return out[0] if len(out) == 1 else torch.cat(out, -1)


class TrainLM(torch.nn.Module):
    def __init__(self, cfg, W, lora=False):
        super().__init__()
        self.cfg, self.mt, self.lora = cfg, cfg["model_type"], lora
        P = lambda t: torch.nn.Parameter(t.clone().contiguous(), requires_grad=not lora)
        self.layers = torch.nn.ModuleList()
        if self.mt == "gpt2":
            pre = "transformer." if "transformer.wte.weight" in W else ""
            g = lambda n: W[pre + n]
            d, nh = cfg["n_embd"], cfg["n_head"]
            self.d, self.nh, self.nkv, self.hs = d, nh, nh, d // nh
            self.eps = cfg.get("layer_norm_epsilon", 1e-5)
            self.wte, self.wpe = P(g("wte.weight")), P(g("wpe.weight"))
            for i in range(cfg["n_layer"]):
                p, m = f"h.{i}.", torch.nn.Module()
                m.n1w, m.n1b = P(g(p + "ln_1.weight")), P(g(p + "ln_1.bias"))
                m.n2w, m.n2b = P(g(p + "ln_2.weight")), P(g(p + "ln_2.bias"))
                m.wqkv, m.bqkv = P(g(p + "attn.c_attn.weight").T), P(g(p + "attn.c_attn.bias"))
                m.wo, m.bo = P(g(p + "attn.c_proj.weight").T), P(g(p + "attn.c_proj.bias"))
                m.wfc, m.bfc = P(g(p + "mlp.c_fc.weight").T), P(g(p + "mlp.c_fc.bias"))
                m.wpr, m.bpr = P(g(p + "mlp.c_proj.weight").T), P(g(p + "mlp.c_proj.bias"))
                if lora:
                    m.l_qkv, m.l_o = Lora(d, [3 * d]), Lora(d, [d])
                    m.l_up, m.l_dn = Lora(d, [4 * d]), Lora(4 * d, [d])
                self.layers.append(m)
            self.nfw, self.nfb = P(g("ln_f.weight")), P(g("ln_f.bias"))
            self.lm_head = P(W["lm_head.weight"]) if "lm_head.weight" in W else None
        else:
            d, nh = cfg["hidden_size"], cfg["num_attention_heads"]
            nkv = cfg.get("num_key_value_heads", nh)
            self.d, self.nh, self.nkv = d, nh, nkv
            self.hs = cfg.get("head_dim", d // nh)
            self.eps = cfg.get("rms_norm_eps", 1e-6)
            self.inter = cfg["intermediate_size"]
            self.theta = cfg.get("rope_theta", 10000.0)
            self.wte = P(W["model.embed_tokens.weight"])
            for i in range(cfg["num_hidden_layers"]):
                p, m = f"model.layers.{i}.", torch.nn.Module()
                a = p + "self_attn."
                m.n1w, m.n2w = P(W[p + "input_layernorm.weight"]), P(W[p + "post_attention_layernorm.weight"])
                m.wqkv = P(torch.cat([W[a + "q_proj.weight"], W[a + "k_proj.weight"], W[a + "v_proj.weight"]]))
                m.bqkv = (P(torch.cat([W[a + "q_proj.bias"], W[a + "k_proj.bias"], W[a + "v_proj.bias"]]))
                          if a + "q_proj.bias" in W else None)
                m.wo = P(W[a + "o_proj.weight"])
                m.wgu = P(torch.cat([W[p + "mlp.gate_proj.weight"], W[p + "mlp.up_proj.weight"]]))
                m.wdn = P(W[p + "mlp.down_proj.weight"])
                if lora:
                    hs, inter = self.hs, self.inter
                    m.l_qkv, m.l_o = Lora(d, [nh * hs, nkv * hs, nkv * hs]), Lora(nh * hs, [d])
                    m.l_up, m.l_dn = Lora(d, [inter, inter]), Lora(inter, [d])
                self.layers.append(m)
            self.nfw = P(W["model.norm.weight"])
            self.lm_head = P(W["lm_head.weight"]) if "lm_head.weight" in W else None
        self._cache = {}

    def _consts(self, T):
        if T not in self._cache:
            grp = self.nh // self.nkv
            mask = torch.full((T, T), float("-inf")).triu_(1)
            if grp > 1:
                mask = mask.repeat(grp, 1)
            c = {"mask": mask}
            if self.mt != "gpt2":
                hs = self.hs
                inv = 1.0 / (self.theta ** (torch.arange(0, hs, 2, dtype=torch.float64) / hs))
                ang = torch.outer(torch.arange(T, dtype=torch.float64), inv)
                c["cos"] = torch.cat([ang, ang], -1).cos().float().unsqueeze(-2)
                c["sin"] = torch.cat([-ang, ang], -1).sin().float().unsqueeze(-2)
            self._cache[T] = c
        return self._cache[T]

    def _rms(self, x, w):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * w

    def forward(self, idx, targets):  # idx, targets (B, T)
        B, T = idx.shape
        d, nh, nkv, hs = self.d, self.nh, self.nkv, self.hs
        grp, BT = nh // nkv, B * T
        c = self._consts(T)
        scale = 1.0 / math.sqrt(hs)
        if self.mt == "gpt2":
            x = (F.embedding(idx, self.wte) + self.wpe[:T]).view(BT, d)
            for l in self.layers:
                h = F.layer_norm(x, (d,), l.n1w, l.n1b, self.eps)
                qkv = torch.addmm(l.bqkv, h, l.wqkv.t())
                if self.lora:
                    qkv = qkv + l.l_qkv(h)
                qkv = qkv.view(B, T, 3, nh, hs).permute(2, 0, 3, 1, 4)
                q, k, v = (t.reshape(B * nh, T, hs) for t in qkv)
                att = torch.baddbmm(c["mask"], q, k.transpose(1, 2), alpha=scale).softmax(-1)
                y = torch.bmm(att, v).view(B, nh, T, hs).transpose(1, 2).reshape(BT, d)
                x = torch.addmm(l.bo, y, l.wo.t()) + x + (l.l_o(y) if self.lora else 0)
                h = F.layer_norm(x, (d,), l.n2w, l.n2b, self.eps)
                u = torch.addmm(l.bfc, h, l.wfc.t())
                h = F.gelu(u + l.l_up(h) if self.lora else u, approximate="tanh")
                x = torch.addmm(l.bpr, h, l.wpr.t()) + x + (l.l_dn(h) if self.lora else 0)
            x = F.layer_norm(x, (d,), self.nfw, self.nfb, self.eps)
        else:
            nq, nk = nh * hs, nkv * hs
            x = F.embedding(idx, self.wte).view(BT, d)
            for l in self.layers:
                h = self._rms(x, l.n1w)
                qkv = h @ l.wqkv.t() if l.bqkv is None else torch.addmm(l.bqkv, h, l.wqkv.t())
                if self.lora:
                    qkv = qkv + l.l_qkv(h)
                qkv = qkv.view(B, T, nh + 2 * nkv, hs)
                qk = torch.addcmul(qkv[:, :, :nh + nkv] * c["cos"],
                                   torch.cat([qkv[:, :, :nh + nkv, hs // 2:], qkv[:, :, :nh + nkv, :hs // 2]], -1),
                                   c["sin"])
                q = qk[:, :, :nh].view(B, T, nkv, grp, hs).permute(0, 2, 3, 1, 4).reshape(B * nkv, grp * T, hs)
                k = qk[:, :, nh:].transpose(1, 2).reshape(B * nkv, T, hs)
                v = qkv[:, :, nh + nkv:].transpose(1, 2).reshape(B * nkv, T, hs)
                att = torch.baddbmm(c["mask"], q, k.transpose(1, 2), alpha=scale).softmax(-1)
                y = torch.bmm(att, v).view(B, nkv, grp, T, hs).permute(0, 3, 1, 2, 4).reshape(BT, nq)
                x = torch.addmm(x, y, l.wo.t())
                if self.lora:
                    x = x + l.l_o(y)
                h = self._rms(x, l.n2w)
                gu = h @ l.wgu.t()
                if self.lora:
                    gu = gu + l.l_up(h)
                a = F.silu(gu[:, :self.inter]) * gu[:, self.inter:]
                x = torch.addmm(x, a, l.wdn.t())
                if self.lora:
                    x = x + l.l_dn(a)
            x = self._rms(x, self.nfw)
        head = self.lm_head if self.lm_head is not None else self.wte
        return F.cross_entropy(x @ head.t(), targets.reshape(BT))


def cmd_train(a):
    torch.set_grad_enabled(True)
    cfg, W = ref_lm.load_dir(a.dir)
    vocab = cfg["vocab_size"]
    model = TrainLM(cfg, W, lora=a.cmd == "lora")
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4, foreach=a.foreach)
    g = torch.Generator().manual_seed(a.seed)
    B, T = a.batch, a.seq
    losses, times, loss0_ref = [], [], None
    for s in range(a.steps):
        idx = torch.randint(0, vocab, (B, T + 1), generator=g)
        t0 = time.perf_counter()
        loss = model(idx[:, :-1], idx[:, 1:])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        losses.append(float(loss))
        if s == 0 and a.check_ref:
            with torch.no_grad():
                lp = [F.cross_entropy(ref_lm.logits(cfg, W, idx[b, :-1].tolist()), idx[b, 1:])
                      for b in range(B)]
            loss0_ref = float(sum(lp) / B)
    meas = times[2:] if len(times) > 2 else times
    med = statistics.median(meas)
    res = {"tool": "perf_ref", "cmd": a.cmd, "dir": os.path.abspath(a.dir),
           "model_type": cfg["model_type"], "params": sum(p.numel() for p in model.parameters()),
           "trained_params": sum(p.numel() for p in model.parameters() if p.requires_grad),
           "dtype": "fp32", "batch": B, "seq": T, "steps": a.steps, "seed": a.seed,
           "optimizer": {"name": "AdamW", "lr": 1e-4, "betas": [0.9, 0.999], "eps": 1e-8,
                         "weight_decay": 0.01, "foreach": a.foreach},
           "median_step_s": round(med, 4), "tok_s": round(B * T / med, 2),
           "step_s": [round(t, 4) for t in times], "losses": [round(v, 6) for v in losses],
           "torch_threads": torch.get_num_threads(), **blas_info(), "peak_rss_mb": round(peak_rss_mb(), 1)}
    if loss0_ref is not None:
        res["loss0_ref"] = round(loss0_ref, 6)
        res["loss0_abs_diff"] = abs(loss0_ref - losses[0])
    print(json.dumps(res))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("decode", "train", "lora"):
        s = sub.add_parser(name)
        s.add_argument("dir")
        s.add_argument("--seed", type=int, default=1234)
        s.add_argument("--torch-threads", default="1")
        s.add_argument("--blas-threads", default="2")
        s.add_argument("--blas-core", default="auto")
        s.add_argument("--malloc", default="tuned", choices=["tuned", "default"])
        if name == "decode":
            s.add_argument("--prompt-len", type=int, default=128)
            s.add_argument("--new", type=int, default=64)
            s.add_argument("--prompt-ids", default="")
            s.add_argument("--repeat", type=int, default=3)
            s.add_argument("--check-ref", type=int, default=0)
        else:
            s.add_argument("--batch", type=int, default=4)
            s.add_argument("--seq", type=int, default=128)
            s.add_argument("--steps", type=int, default=6)
            s.add_argument("--check-ref", action="store_true")
            s.add_argument("--no-foreach", dest="foreach", action="store_false")
    a = ap.parse_args()
    (cmd_decode if a.cmd == "decode" else cmd_train)(a)


if __name__ == "__main__":
    main()
