"""Reference gradients for the golden checkpoints, from the independent PyTorch implementation.

For each golden model: the mean next-token cross-entropy of two fixed 33-token rows, its
gradient with respect to every weight (as on disk, F32), and per weight the gradient's norm and
first eight values (row-major in HF's layout; GPT-2's Conv1D weights stay [in, out]). The Java
test (GradientReferenceTest) trains through DJL's autograd and compares. Writes
src/test/resources/golden/<name>/gradients.json.

Run from the repository root:  python3 src/test/python/make_grad_reference.py
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_golden as g  # noqa: E402

GOLDEN = os.path.join(HERE, "..", "resources", "golden")
MODELS = ["gpt2-tiny", "llama-tiny-gqa", "qwen2-tiny"]


def rows(vocab):
    return torch.tensor([[(i * 37 + 11) % vocab for i in range(33)],
                         [(i * i * 7 + 3) % vocab for i in range(33)]])


def main():
    for name in MODELS:
        folder = os.path.join(GOLDEN, name)
        cfg = json.load(open(os.path.join(folder, "config.json")))
        W = {k: v.float().clone().requires_grad_(True)
             for k, v in g.read_safetensors(os.path.join(folder, "model.safetensors")).items()}
        ids = rows(cfg["vocab_size"])
        logits, _ = g.forward(cfg, W, ids[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        loss.backward()
        out = {"ids": ids.tolist(), "loss": loss.item(), "gradients": {
            k: {"norm": v.grad.norm().item(), "first": v.grad.flatten()[:8].tolist()} for k, v in sorted(W.items())}}
        with open(os.path.join(folder, "gradients.json"), "w") as f:
            json.dump(out, f, indent=1)
        print(name, "loss", round(loss.item(), 6))


if __name__ == "__main__":
    main()
