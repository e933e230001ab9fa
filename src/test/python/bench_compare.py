#!/usr/bin/env python3
"""Scales' engine against tuned plain PyTorch on the same weights, side by side, as ratios.

Each round runs, one after the other on the same machine state:
  java -jar target/scales.jar bench --json        (prefill, KV-cache decode, LoRA and full training)
  perf_ref.py decode / lora / train                (tuned plain PyTorch: the reference)
  Jlama 0.8.4 decode (optional, --jlama DIR: a folder with run.sh, built from Maven Central)
and the table reports the median of each figure over the rounds.

Usage (after `./mvnw package`, with Debian's python3-torch and libopenblas0-pthread):
    /usr/bin/python3 src/test/python/make_bench_model.py --arch gpt2 --out /tmp/bench-gpt2
    /usr/bin/python3 src/test/python/bench_compare.py --model /tmp/bench-gpt2 [--rounds 3]

Same protocol on both sides (perf_ref.py's): prompt of 128 ids (perf_ref's LCG, seed 1234),
64 new tokens greedy, the first from the prefill, so decode tok/s = 63 / decode time; training
batch 4 x 128, AdamW lr 1e-4, weight decay 0.01, the median step time after two warm-up steps.
Peak RSS is each process's own peak: Scales runs everything in one process (load, prefill,
decode, LoRA, full training), so it is compared with the reference's full-training process,
the largest of its three.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
FIGURES = [("prefill_tok_s", "prefill tokens/s (batch 1, 128 tokens)", "decode", "prefill_tok_s"),
           ("decode_tok_s", "decode tokens/s with KV cache (batch 1)", "decode", "decode_tok_s"),
           ("lora_train_tok_s", "LoRA fine-tuning tokens/s (r 8, AdamW)", "lora", "tok_s"),
           ("train_tok_s", "full fine-tuning tokens/s (AdamW)", "train", "tok_s")]


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "scales.jar"))
    ap.add_argument("--steps", type=int, default=6, help="training steps, two of them warm-up")
    ap.add_argument("--jlama", default="", help="folder of the Jlama harness (run.sh), to add its decode")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    scales_cmd = ["java", "-jar", args.jar, "bench", "--model", args.model, "--json", "--device", args.device,
                  "--train-steps", str(args.steps - 2), "--warmup", "2"]
    ref = [sys.executable, os.path.join(HERE, "perf_ref.py")]
    # perf_ref.py drops OPENBLAS_CORETYPE (some machines export an older core type for safety) so
    # OpenBLAS picks the CPU's own kernels; Scales' OpenBLAS (decoding) gets the same environment.
    scales_env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    rows = {"scales": [], "decode": [], "lora": [], "train": [], "jlama": []}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
        rows["scales"].append(run(scales_cmd, scales_env))
        rows["decode"].append(run(ref + ["decode", args.model, "--repeat", "3"]))
        rows["lora"].append(run(ref + ["lora", args.model, "--steps", str(args.steps)]))
        rows["train"].append(run(ref + ["train", args.model, "--steps", str(args.steps)]))
        if args.jlama:
            rows["jlama"].append(run([os.path.join(args.jlama, "run.sh"), args.model, "--repeat", "3"]))

    def med(kind, key):
        return statistics.median(float(x[key]) for x in rows[kind])

    s0 = rows["scales"][0]
    print(f"model: `{args.model}` · {s0['params']:,} parameters · {args.rounds} rounds, medians · "
          f"Scales on libtorch {s0['torch']}, reference on torch 1.13 ({rows['decode'][0]['blas_core']} "
          f"OpenBLAS), Scales decoding with {s0.get('decode_kernel', 'libtorch')}\n")
    print("| figure | Scales | reference (perf_ref.py) | ratio |")
    print("|---|---|---|---|")
    for key, label, kind, ref_key in FIGURES:
        s, t = med("scales", key), med(kind, ref_key)
        print(f"| {label} | {s:,.1f} | {t:,.1f} | **{s / t:.2f}×** |")
    s, t = med("scales", "peak_rss_mb"), med("train", "peak_rss_mb")
    print(f"| peak RSS, MB (lower is better) | {s:,.0f} | {t:,.0f} | {s / t:.2f}× of the reference |")
    if args.jlama:
        s, j = med("scales", "decode_tok_s"), med("jlama", "decode_tok_s")
        print(f"| decode tokens/s against Jlama 0.8.4 | {s:,.1f} | {j:,.1f} (Jlama) | **{s / j:.2f}×** |")
    print(f"\nScales load {med('scales', 'load_s'):.2f} s. Ratio: Scales ÷ reference (above 1 = Scales faster).")


if __name__ == "__main__":
    main()
