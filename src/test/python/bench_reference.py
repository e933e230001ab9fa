"""Plain-PyTorch speed reference for Scales' benchmarks (F32, CPU).

Usage (from the repository root, Debian's python3-torch; folders from make_bench_model.py):
  export OPENBLAS_NUM_THREADS=2
  /usr/bin/python3 src/test/python/bench_reference.py --model /tmp/bench-gpt2
  /usr/bin/python3 src/test/python/bench_reference.py --model /tmp/bench-llama \
      [--prompt-tokens 128] [--new-tokens 64] [--train-batch 4] [--train-seq 128] \
      [--train-steps 10] [--warmup 2] [--threads 1]

Prints ONE JSON object on stdout (progress and diagnostics go to stderr):
  {"impl": "pytorch", "torch": VERSION, "threads": N, "load_s": .., "prefill_tok_s": ..,
   "decode_tok_s": .., "lora_train_tok_s": .., "train_tok_s": .., "peak_rss_mb": .., "params": ..}

  load_s         wall time to read config.json + model.safetensors into F32 tensors
                 (from the page cache when the folder was just written or read)
  prefill_tok_s  prompt-tokens / median time of 5 batch-1 forwards over random ids,
                 after `warmup` untimed ones. Like generation (HF generate, Scales'
                 Generator) the forward projects only the LAST position onto the
                 vocabulary; all-position logits would add a [T, d] x [d, V] product
                 (~1/3 of gpt2's and ~1/2 of this llama's prefill FLOPs). That variant's
                 median of 3 is printed to stderr for reference.
  decode_tok_s   greedy, batch 1, KV cache, new-tokens tokens in all: the first comes
                 from the (untimed) prefill, each later one from a single-token forward;
                 (new-tokens - 1) / the time of those forwards, median of 3 runs after
                 `warmup` untimed runs (Scales' GenerationResult counts the same way)
  lora_train_tok_s  as train_tok_s, with the base frozen and LoRA adapters (r 8, alpha 16,
                 dropout 0.05 on the adapter's input) on every linear layer of a block
                 (GPT-2: c_attn, c_proj, c_fc; Llama: q/k/v/o and gate/up/down, as Scales'
                 defaults), AdamW on the adapters only; measured before full training
  train_tok_s    full fine-tuning on random ids: each row has train-seq + 1 ids, the
                 model reads the first train-seq and predicts the next (cross-entropy),
                 so a step trains batch * seq positions (as Scales' TrainStep); then
                 backward and AdamW(lr 1e-4, weight_decay 0.01 on every tensor, torch
                 defaults otherwise). `warmup` untimed steps, then
                 batch * seq * train-steps / time of train-steps steps
  peak_rss_mb    ru_maxrss of this process (MiB): the high-water mark of the whole run,
                 which is training (weights + grads + 2 AdamW moments + activations)

The model is make_golden.py's independent reference implementation (the one the golden
files come from), run in float32: plain tensor ops, no dropout, no fused kernels.

The fair setting on the team's 2-core machines (shared/FINDINGS.md) is 1 torch
intra-op thread (--threads 1, the default) with OpenBLAS at 2 threads; 2 + 2 threads
spin against each other. That assumes torch's libblas.so.3 IS OpenBLAS: Debian's
python3-torch links the generic libblas.so.3, which is the netlib reference BLAS
(~2.6 GFLOP/s here, ~50x slower) unless libopenblas0-pthread is installed. The
script prints which BLAS it got to stderr and warns if it is not OpenBLAS. To use
OpenBLAS without installing it system-wide:
  apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread_*.deb /tmp/openblas
  export LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread
Leave OPENBLAS_CORETYPE as the machine exports it. (Installing libopenblas0-pthread
instead switches the system's libblas.so.3; make_golden.py's files came out
byte-identical under both BLAS libraries when checked.)

The numbers belong to one machine: the 2-core VMs differ in processor and memory
bandwidth, and the same one varied up to ~2x between back-to-back runs when this was
written. Compare engines by runs interleaved on the same machine, and repeat them.
"""

import argparse
import json
import os
import resource
import statistics
import struct
import sys
import time

import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import make_golden as ref  # noqa: E402  (forward(), the reference model)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def loaded_blas():
    """Path of the BLAS library mapped into this process (torch is already imported)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    return sorted(libs)


def read_f32_safetensors(path):
    """Read every tensor of a single F32 safetensors file into its own torch tensor.

    Not make_golden.read_safetensors: that one is a format checker that holds the
    whole file and copies each tensor twice more; here each tensor is read once,
    straight into its final storage, like safetensors.torch.load_file does.
    """
    W = {}
    with open(path, "rb", buffering=0) as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        header.pop("__metadata__", None)
        base = 8 + n
        for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
            if info["dtype"] != "F32":
                sys.exit(f"{name}: {info['dtype']}; this benchmark expects an F32 file")
            begin, end = info["data_offsets"]
            t = torch.empty(info["shape"], dtype=torch.float32)
            assert t.numel() * 4 == end - begin, name
            buf = memoryview(t.numpy()).cast("B")  # shares t's memory
            f.seek(base + begin)
            done = 0
            while done < len(buf):  # readinto may return short counts
                got = f.readinto(buf[done:])
                if not got:
                    sys.exit(f"{path}: truncated at {name}")
                done += got
            W[name] = t
    return W


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    files = [f for f in os.listdir(folder) if f.endswith(".safetensors")]
    if files != ["model.safetensors"]:
        sys.exit(f"{folder}: expected exactly one model.safetensors, found {files}")
    W = read_f32_safetensors(os.path.join(folder, "model.safetensors"))
    # The reference model is (cfg, W): forward() reads W by HF tensor name, and a tied
    # lm_head simply reuses the embedding, so there is nothing more to build.
    return cfg, W


def vocab_and_positions(cfg):
    if cfg["model_type"] == "gpt2":
        return cfg["vocab_size"], cfg["n_positions"]
    return cfg["vocab_size"], cfg["max_position_embeddings"]


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def bench_prefill(cfg, W, prompt, warmup, runs=5):
    with torch.inference_mode():
        full, _ = ref.forward(cfg, W, prompt)
        last, _ = ref.forward(cfg, W, prompt, last_only=True)
        # Same numbers either way (up to BLAS blocking), or last_only is broken.
        assert torch.allclose(full[:, -1:], last, rtol=1e-4, atol=1e-5)
        for _ in range(warmup):
            ref.forward(cfg, W, prompt, last_only=True)
        times = timed(lambda: ref.forward(cfg, W, prompt, last_only=True), runs)
        full_times = timed(lambda: ref.forward(cfg, W, prompt), 3)
    n = prompt.shape[1]
    log(f"prefill (last-position logits): {', '.join(f'{t * 1e3:.1f}' for t in times)} ms")
    log(f"prefill (all-position logits, not in the JSON): "
        f"{n / statistics.median(full_times):.1f} tok/s")
    return n / statistics.median(times)


def greedy_decode(cfg, W, prompt, n_new):
    """Greedy decode of n_new tokens with the KV cache.

    Returns (tokens, seconds for tokens 2..n_new): token 1 comes from the prefill,
    which is not timed.
    """
    with torch.inference_mode():
        logits, cache = ref.forward(cfg, W, prompt, last_only=True)
        tokens = [int(logits[0, -1].argmax())]
        t0 = time.perf_counter()
        while len(tokens) < n_new:
            # One token in, one new token out; the cache grows by one position.
            logits, cache = ref.forward(cfg, W, torch.tensor([[tokens[-1]]]), cache=cache)
            tokens.append(int(logits[0, -1].argmax()))
        return tokens, time.perf_counter() - t0


def bench_decode(cfg, W, prompt, n_new, warmup, runs=3):
    for _ in range(warmup):
        greedy_decode(cfg, W, prompt, n_new)
    results = [greedy_decode(cfg, W, prompt, n_new) for _ in range(runs)]
    assert all(r[0] == results[0][0] for r in results), "greedy decode is not deterministic"
    times = [r[1] for r in results]
    log(f"decode: {', '.join(f'{t:.3f}' for t in times)} s for {n_new - 1} tokens after the first")
    return (n_new - 1) / statistics.median(times)


LORA_TARGETS = {"c_attn", "c_proj", "c_fc", "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                "down_proj"}


class Lora:
    """LoRA (Hu et al. 2021) patched into the reference model's projections for a `with` block.

    make_golden's forward computes every projection through its module-level conv1d()/linear();
    inside the block those add (dropout(x) A^T) B^T * alpha/r for the weights that have an
    adapter (found by identity), so the base math is the reference's own. A [r, in] uniform in
    +-1/sqrt(in), B [out, r] zero, as PEFT and Scales initialise them.
    """

    def __init__(self, cfg, W, rank=8, alpha=16, dropout=0.05):
        self.scale, self.dropout = alpha / rank, dropout
        conv = cfg["model_type"] == "gpt2"  # Conv1D weights are stored [in, out]
        self.adapters = {}
        for name, w in W.items():
            if name.endswith(".weight") and name.split(".")[-2] in LORA_TARGETS:
                n_in, n_out = w.shape if conv else (w.shape[1], w.shape[0])
                a = (torch.rand(rank, n_in) * 2 - 1) / n_in ** 0.5
                self.adapters[id(w)] = (a.requires_grad_(True), torch.zeros(n_out, rank, requires_grad=True))

    def params(self):
        return [t for ab in self.adapters.values() for t in ab]

    def _delta(self, x, weight):
        ab = self.adapters.get(id(weight))
        if ab is None:
            return None
        h = F.dropout(x, self.dropout, training=True)
        return (h @ ab[0].T) @ ab[1].T * self.scale

    def __enter__(self):
        self.saved = ref.conv1d, ref.linear
        conv1d, linear = self.saved

        def lora_conv1d(x, weight, bias):
            d = self._delta(x, weight)
            y = conv1d(x, weight, bias)
            return y if d is None else y + d

        def lora_linear(x, weight, bias=None):
            d = self._delta(x, weight)
            y = linear(x, weight, bias)
            return y if d is None else y + d

        ref.conv1d, ref.linear = lora_conv1d, lora_linear
        return self

    def __exit__(self, *exc):
        ref.conv1d, ref.linear = self.saved


def bench_lora_train(cfg, W, batch, seq, steps, warmup, vocab):
    for p in W.values():
        p.requires_grad_(False)
    with Lora(cfg, W) as lora:
        return bench_train(cfg, W, batch, seq, steps, warmup, vocab, lora.params(), "LoRA train")


def bench_train(cfg, W, batch, seq, steps, warmup, vocab, params=None, what="train"):
    if params is None:
        params = list(W.values())
        for p in params:
            p.requires_grad_(True)
    opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
    g = torch.Generator().manual_seed(2)
    # Drawn up front so the timed loop is model work only.
    batches = [torch.randint(0, vocab, (batch, seq + 1), generator=g)
               for _ in range(warmup + steps)]

    def step(ids):
        logits, _ = ref.forward(cfg, W, ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, vocab), ids[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    losses = [step(ids) for ids in batches[:warmup]]
    t0 = time.perf_counter()
    losses += [step(ids) for ids in batches[warmup:]]
    elapsed = time.perf_counter() - t0
    log(f"{what}: {elapsed:.2f} s for {steps} steps; loss {' '.join(f'{x:.4f}' for x in losses)}")
    return batch * seq * steps / elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="folder written by make_bench_model.py")
    ap.add_argument("--prompt-tokens", type=int, default=128)
    ap.add_argument("--new-tokens", type=int, default=64)
    ap.add_argument("--train-batch", type=int, default=4)
    ap.add_argument("--train-seq", type=int, default=128)
    ap.add_argument("--train-steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    blas = loaded_blas()
    log(f"torch {torch.__version__}, intra-op threads {torch.get_num_threads()}, BLAS {blas}, "
        f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}")
    if not any("openblas" in lib for lib in blas):
        log("WARNING: torch is not using OpenBLAS; these numbers are not a fair reference "
            "(see this script's docstring)")

    if args.new_tokens < 2 or args.prompt_tokens < 1 or args.train_steps < 1 or args.warmup < 0:
        sys.exit("need --new-tokens >= 2, --prompt-tokens >= 1, --train-steps >= 1, --warmup >= 0")

    t0 = time.perf_counter()
    cfg, W = load(args.model)
    load_s = time.perf_counter() - t0
    vocab, max_pos = vocab_and_positions(cfg)
    n_params = sum(t.numel() for t in W.values())
    log(f"{cfg['model_type']}: {n_params:,} params loaded in {load_s:.3f} s")
    if args.prompt_tokens + args.new_tokens > max_pos or args.train_seq > max_pos:
        sys.exit(f"sequence longer than the model's {max_pos} positions")

    g = torch.Generator().manual_seed(1)
    prompt = torch.randint(0, vocab, (1, args.prompt_tokens), generator=g)
    prefill = bench_prefill(cfg, W, prompt, args.warmup)
    decode = bench_decode(cfg, W, prompt, args.new_tokens, args.warmup)
    lora = bench_lora_train(cfg, W, args.train_batch, args.train_seq, args.train_steps, args.warmup,
                            vocab)
    train = bench_train(cfg, W, args.train_batch, args.train_seq, args.train_steps, args.warmup,
                        vocab)

    result = {
        "impl": "pytorch",
        "torch": torch.__version__,
        "threads": args.threads,
        "load_s": round(load_s, 3),
        "prefill_tok_s": round(prefill, 1),
        "decode_tok_s": round(decode, 1),
        "lora_train_tok_s": round(lora, 1),
        "train_tok_s": round(train, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "params": n_params,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
