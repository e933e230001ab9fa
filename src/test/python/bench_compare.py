#!/usr/bin/env python3
"""Scales' engine against plain PyTorch on the same weights, side by side, as ratios.

Runs `java -jar target/scales.jar bench --json` and `bench_reference.py` alternately for
--rounds rounds on one model folder (so both see the same machine state), takes the median
of each figure, and prints a Markdown table for docs/BENCHMARKS.md.

Usage (after `./mvnw package`, with Debian's python3-torch):
    /usr/bin/python3 src/test/python/make_bench_model.py --arch gpt2 --out /tmp/bench-gpt2
    /usr/bin/python3 src/test/python/bench_compare.py --model /tmp/bench-gpt2 [--rounds 3]

The reference runs as FINDINGS.md found fairest on these 2-core machines: 1 torch intra-op
thread, OpenBLAS with 2 threads. Scales runs with DJL's defaults (2 intra-op threads).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
RATES = [("prefill_tok_s", "prefill tokens/s (batch 1)"),
         ("decode_tok_s", "decode tokens/s with KV cache (batch 1)"),
         ("lora_train_tok_s", "LoRA fine-tuning tokens/s (r 8, AdamW)"),
         ("train_tok_s", "full fine-tuning tokens/s (AdamW)")]


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jar", default=os.path.join(ROOT, "target", "scales.jar"))
    ap.add_argument("--sizes", default="", help="extra flags passed to both, e.g. '--new-tokens 32'")
    args = ap.parse_args()
    extra = args.sizes.split()
    java = ["java", "-jar", args.jar, "bench", "--model", args.model, "--json", "--device", "cpu"] + extra
    ref_env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="1")
    ref = [sys.executable, os.path.join(HERE, "bench_reference.py"), "--model", args.model, "--threads", "1"] + extra
    scales, torch = [], []
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr)
        scales.append(run(java))
        torch.append(run(ref, ref_env))

    def med(rows, key):
        return statistics.median(float(x[key]) for x in rows)

    print(f"model: `{args.model}` · {scales[0]['params']:,} parameters · {args.rounds} rounds, medians\n")
    print("| figure | Scales (DJL, PyTorch " + scales[0]["torch"] + ") | reference (PyTorch "
          + torch[0]["torch"] + ") | ratio |")
    print("|---|---|---|---|")
    for key, label in RATES:
        s, t = med(scales, key), med(torch, key)
        print(f"| {label} | {s:,.1f} | {t:,.1f} | **{s / t:.2f}×** |")
    s, t = med(scales, "load_s"), med(torch, "load_s")
    print(f"| load time (s, lower is better) | {s:.2f} | {t:.2f} | {t / s:.2f}× |")
    s, t = med(scales, "peak_rss_mb"), med(torch, "peak_rss_mb")
    print(f"| peak RSS (MB, lower is better) | {s:,.0f} | {t:,.0f} | {t / s:.2f}× |")
    print("\nratio: Scales ÷ reference for speeds, reference ÷ Scales for time and memory (above 1 = Scales better).")


if __name__ == "__main__":
    main()
