package dev.scales.core.model.llama;

/** The Llama family's inference forward as TorchScript, for {@link dev.scales.core.model.nn.CompiledInference}. */
final class LlamaInference {
    static final String CLASS = "LlamaInference";

    /**
     * w: embed_tokens; per layer input_layernorm, post_attention_layernorm, q|k|v as one weight and
     * bias then the three parts' adapters (3 each), o_proj (5), gate|up as one weight and bias then
     * their adapters (3 each), down_proj (5); then the final norm and the head (5). cos and sin
     * are the RoPE tables (positions, hd). Cache buffers (B, KV, capacity, hd).
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
                nq = heads * hd
                nk = kv_heads * hd
                x = torch.embedding(w[0], ids)
                cos = torch.embedding(cos_table, positions).unsqueeze(1)
                sin = torch.embedding(sin_table, positions).unsqueeze(1)
                for i in range(layers):
                  o = 1 + 31 * i
                  h = self.rms_norm(x, w[o], eps)
                  qkv = self.product(h, w[o + 2], w[o + 3], cpu)
                  q = self.adapt(qkv[:, :, :nq], h, w[o + 4], w[o + 5], w[o + 6]).reshape([b, t, heads, hd])
                  k = self.adapt(qkv[:, :, nq:nq + nk], h, w[o + 7], w[o + 8], w[o + 9]).reshape([b, t, kv_heads, hd])
                  v = self.adapt(qkv[:, :, nq + nk:], h, w[o + 10], w[o + 11], w[o + 12]).reshape([b, t, kv_heads, hd])
                  q = self.rotate(q.transpose(1, 2), cos, sin)
                  k = self.rotate(k.transpose(1, 2), cos, sin)
                  v = v.transpose(1, 2)
                  if len(keys) > 0:
                    keys[i][:, :, past:n] = k
                    values[i][:, :, past:n] = v
                    k = keys[i][:, :, :n]
                    v = values[i][:, :, :n]
                  y = self.attend(q, k, v, bias, scale).transpose(1, 2).reshape([b, t, nq])
                  x = x + self.linear(y, w[o + 13], w[o + 14], w[o + 15], w[o + 16], w[o + 17], cpu)
                  h = self.rms_norm(x, w[o + 1], eps)
                  gu = self.product(h, w[o + 18], w[o + 19], cpu)
                  inter = gu.size(-1) // 2
                  gate = self.adapt(gu[:, :, :inter], h, w[o + 20], w[o + 21], w[o + 22])
                  up = self.adapt(gu[:, :, inter:], h, w[o + 23], w[o + 24], w[o + 25])
                  x = x + self.linear(torch.silu(gate) * up, w[o + 26], w[o + 27], w[o + 28], w[o + 29], w[o + 30], cpu)
                if last_only:
                  x = x[:, t - 1:]
                o = 1 + 31 * layers
                x = self.rms_norm(x, w[o], eps)
                return self.linear(x, w[o + 1], w[o + 2], w[o + 3], w[o + 4], w[o + 5], cpu)
            """;

    private LlamaInference() {}
}
