"""PEFT LoRA adapters for two golden models, and the models with those adapters merged.

What this writes (under src/test/resources/peft/):
  gpt2-tiny-adapter/      adapter_config.json + adapter_model.safetensors, exactly as HF PEFT
                          saves a LoRA on GPT2LMHeadModel: target_modules ["c_attn", "c_proj"]
                          (c_proj matches attn.c_proj and mlp.c_proj), r 4, lora_alpha 8,
                          fan_in_fan_out true (GPT-2's Conv1D stores W as [in, out]), F32,
                          names base_model.model.transformer.h.<i>.attn.c_attn.lora_A.weight
  gpt2-tiny-merged/       model.safetensors: the golden weights with W += (B A)^T * alpha / r
                          on every Conv1D the adapter targets (PEFT's merge with fan_in_fan_out)
  llama-tiny-gqa-adapter/ target_modules as a regex string ".*\\.(q_proj|v_proj|down_proj)",
                          use_rslora (scale alpha / sqrt(r)), r 8, lora_alpha 4, BF16 tensors,
                          base_model_name_or_path "someone/llama-tiny-gqa"
  llama-tiny-gqa-merged/  model.safetensors: W += B A * alpha / sqrt(r) on those modules

A and B are seeded random (B is not zero, so the adapter changes the logits). The merge is done
in float64 from the values as stored (BF16 rounded for the llama adapter) and written as F32.
Needs only numpy. Rerun from the repository root:
  python3 src/test/python/make_peft_fixtures.py
Output is deterministic.
"""
import json
import os
import struct

import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "resources")
GOLDEN = os.path.join(ROOT, "golden")
OUT = os.path.join(ROOT, "peft")


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        a, b = e["data_offsets"]
        assert e["dtype"] == "F32", (path, name, e["dtype"])
        out[name] = np.frombuffer(data[a:b], dtype="<f4").reshape(e["shape"]).astype(np.float64)
    return out


def bf16_bits(x):
    """float64 -> BF16 bit patterns (uint16), round to nearest even, as torch does."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def bf16_values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


def write_safetensors(path, tensors):
    """tensors: name -> (dtype, ndarray of the stored element type)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        dtype, arr = tensors[name]
        raw = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, sort_keys=True)
        f.write("\n")


def adapter_config(r, alpha, targets, fan_in_fan_out, base, rslora=False):
    return {"alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": base, "bias": "none",
            "fan_in_fan_out": fan_in_fan_out, "inference_mode": True, "init_lora_weights": True,
            "layers_pattern": None, "layers_to_transform": None, "lora_alpha": alpha, "lora_dropout": 0.05,
            "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None,
            "peft_type": "LORA", "r": r, "rank_pattern": {}, "revision": None, "target_modules": targets,
            "task_type": "CAUSAL_LM", "use_dora": False, "use_rslora": rslora}


def gpt2(rng):
    w = read_safetensors(os.path.join(GOLDEN, "gpt2-tiny", "model.safetensors"))
    r, alpha = 4, 8
    tensors = {}
    for name in sorted(w):
        if not name.endswith(".weight") or not any(name.endswith(m + ".weight") for m in ("attn.c_attn", "attn.c_proj", "mlp.c_proj")):
            continue
        module = name[: -len(".weight")]
        fan_in, fan_out = w[name].shape  # Conv1D: [in, out]
        a = rng.normal(0, 0.3, (r, fan_in)).astype(np.float32)
        b = rng.normal(0, 0.3, (fan_out, r)).astype(np.float32)
        tensors["base_model.model." + module + ".lora_A.weight"] = ("F32", a)
        tensors["base_model.model." + module + ".lora_B.weight"] = ("F32", b)
        w[name] = w[name] + (b.astype(np.float64) @ a.astype(np.float64)).T * (alpha / r)
    save("gpt2-tiny", adapter_config(r, alpha, ["c_attn", "c_proj"], True, "openai-community/gpt2-tiny"),
         tensors, w)


def llama(rng):
    w = read_safetensors(os.path.join(GOLDEN, "llama-tiny-gqa", "model.safetensors"))
    r, alpha = 8, 4
    tensors = {}
    for name in sorted(w):
        module = name[: -len(".weight")]
        if not any(module.endswith("." + m) for m in ("q_proj", "v_proj", "down_proj")):
            continue
        fan_out, fan_in = w[name].shape  # Linear: [out, in]
        a = bf16_bits(rng.normal(0, 0.3, (r, fan_in)))
        b = bf16_bits(rng.normal(0, 0.3, (fan_out, r)))
        tensors["base_model.model." + module + ".lora_A.weight"] = ("BF16", a)
        tensors["base_model.model." + module + ".lora_B.weight"] = ("BF16", b)
        w[name] = w[name] + bf16_values(b) @ bf16_values(a) * (alpha / np.sqrt(r))
    save("llama-tiny-gqa", adapter_config(r, alpha, ".*\\.(q_proj|v_proj|down_proj)", False,
                                          "someone/llama-tiny-gqa", rslora=True), tensors, w)


def save(name, config, tensors, merged):
    adapter = os.path.join(OUT, name + "-adapter")
    os.makedirs(adapter, exist_ok=True)
    write_json(os.path.join(adapter, "adapter_config.json"), config)
    write_safetensors(os.path.join(adapter, "adapter_model.safetensors"), tensors)
    folder = os.path.join(OUT, name + "-merged")
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "model.safetensors"),
                      {k: ("F32", v.astype(np.float32)) for k, v in merged.items()})
    print(name, len(tensors), "adapter tensors")


if __name__ == "__main__":
    gpt2(np.random.default_rng(7))
    llama(np.random.default_rng(8))
