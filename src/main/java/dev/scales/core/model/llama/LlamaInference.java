package dev.scales.core.model.llama;

/** The Llama family's inference forward as TorchScript, for {@link dev.scales.core.model.nn.CompiledInference}. */
final class LlamaInference {
    static final String CLASS = "LlamaInference";

    /**
     * w: embed_tokens; per layer input_layernorm, post_attention_layernorm, then q, k, v, o, gate,
     * up and down projections (5 each), then the joined q|k|v and gate|up matrices (or empty
     * tensors); then the final norm and the head (5). cos and sin are
     * the RoPE tables (positions, hd). Cache buffers (B, KV, capacity, hd).
     */
    static final String FORWARD = """
              def rms_norm(self: __torch__.%1$s, x: Tensor, w: Tensor, eps: float) -> Tensor:
                return x / torch.sqrt(torch.mean(x * x, [-1], True) + eps) * w
              def rotate(self: __torch__.%1$s, x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
                half = x.size(-1) // 2
                rotated = torch.cat([torch.neg(x[:, :, :, half:]), x[:, :, :, :half]], -1)
                return x * cos + rotated * sin
              def forward(self: __torch__.%1$s, ids: Tensor, positions: Tensor, bias: Tensor, w: List[Tensor],
                  keys: List[Tensor], values: List[Tensor], past: int, last_only: bool, cpu: bool,
                  layers: int, heads: int, kv_heads: int, hd: int, eps: float, scale: float,
                  cos_table: Tensor, sin_table: Tensor) -> Tensor:
                b = ids.size(0)
                t = ids.size(1)
                n = past + t
                x = torch.embedding(w[0], ids)
                cos = torch.embedding(cos_table, positions).unsqueeze(1)
                sin = torch.embedding(sin_table, positions).unsqueeze(1)
                for i in range(layers):
                  o = 1 + 39 * i
                  h = self.rms_norm(x, w[o], eps)
                  if w[o + 37].numel() > 0:
                    qkv = self.product(h, w[o + 37], cpu)
                    nq = heads * hd
                    nk = kv_heads * hd
                    q = self.adapt(h, qkv[:, :, :nq], w[o + 3], w[o + 4], w[o + 5], w[o + 6])
                    k = self.adapt(h, qkv[:, :, nq:nq + nk], w[o + 8], w[o + 9], w[o + 10], w[o + 11])
                    v = self.adapt(h, qkv[:, :, nq + nk:], w[o + 13], w[o + 14], w[o + 15], w[o + 16])
                  else:
                    q = self.linear(h, w[o + 2], w[o + 3], w[o + 4], w[o + 5], w[o + 6], cpu)
                    k = self.linear(h, w[o + 7], w[o + 8], w[o + 9], w[o + 10], w[o + 11], cpu)
                    v = self.linear(h, w[o + 12], w[o + 13], w[o + 14], w[o + 15], w[o + 16], cpu)
                  q = q.view([b, t, heads, hd])
                  k = k.view([b, t, kv_heads, hd])
                  v = v.view([b, t, kv_heads, hd])
                  q = self.rotate(q.transpose(1, 2), cos, sin)
                  k = self.rotate(k.transpose(1, 2), cos, sin)
                  v = v.transpose(1, 2)
                  if len(keys) > 0:
                    keys[i][:, :, past:n] = k
                    values[i][:, :, past:n] = v
                    k = keys[i][:, :, :n]
                    v = values[i][:, :, :n]
                  y = self.attend(q, k, v, bias, scale).transpose(1, 2).reshape([b, t, heads * hd])
                  x = x + self.linear(y, w[o + 17], w[o + 18], w[o + 19], w[o + 20], w[o + 21], cpu)
                  h = self.rms_norm(x, w[o + 1], eps)
                  if w[o + 38].numel() > 0:
                    gate_up = self.product(h, w[o + 38], cpu)
                    inner = gate_up.size(-1) // 2
                    gate = self.adapt(h, gate_up[:, :, :inner], w[o + 23], w[o + 24], w[o + 25], w[o + 26])
                    up = self.adapt(h, gate_up[:, :, inner:], w[o + 28], w[o + 29], w[o + 30], w[o + 31])
                  else:
                    gate = self.linear(h, w[o + 22], w[o + 23], w[o + 24], w[o + 25], w[o + 26], cpu)
                    up = self.linear(h, w[o + 27], w[o + 28], w[o + 29], w[o + 30], w[o + 31], cpu)
                  x = x + self.linear(torch.silu(gate) * up, w[o + 32], w[o + 33], w[o + 34], w[o + 35], w[o + 36], cpu)
                if last_only:
                  x = x[:, t - 1:]
                o = 1 + 39 * layers
                x = self.rms_norm(x, w[o], eps)
                return self.linear(x, w[o + 1], w[o + 2], w[o + 3], w[o + 4], w[o + 5], cpu)
            """;

    private LlamaInference() {}
}
