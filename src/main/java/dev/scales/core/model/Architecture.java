package dev.scales.core.model;

/** The decoder families the engine implements. */
public enum Architecture {
    /** GPT-2: learned positions, LayerNorm, fused c_attn, Conv1D layout, gelu_new, tied head. */
    GPT2,
    /** Llama, Qwen2 (also SmolLM2, TinyLlama): RMSNorm, RoPE, SwiGLU, grouped-query attention. */
    LLAMA
}
