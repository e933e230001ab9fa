package dev.scales.core.model.gpt2;

/** GPT-2's inference forward as TorchScript, for {@link dev.scales.core.model.nn.CompiledInference}. */
final class Gpt2Inference {
    static final String CLASS = "Gpt2Inference";

    /**
     * w: wte, wpe; per layer ln_1 (weight, bias), c_attn (5), attn.c_proj (5), ln_2 (2), c_fc (5),
     * mlp.c_proj (5); then ln_f (2) and the head (5). Cache buffers (B, H, capacity, hd).
     */
    static final String FORWARD = """
              def forward(self: __torch__.%1$s, ids: Tensor, positions: Tensor, bias: Tensor, w: List[Tensor],
                  keys: List[Tensor], values: List[Tensor], past: int, last_only: bool, cpu: bool,
                  layers: int, heads: int, eps: float, scale: float, tanh_gelu: bool) -> Tensor:
                b = ids.size(0)
                t = ids.size(1)
                n = past + t
                x = torch.embedding(w[0], ids) + torch.embedding(w[1], positions)
                d = x.size(2)
                hd = d // heads
                for i in range(layers):
                  o = 2 + 24 * i
                  h = torch.layer_norm(x, [d], w[o], w[o + 1], eps)
                  qkv = self.linear(h, w[o + 2], w[o + 3], w[o + 4], w[o + 5], w[o + 6], cpu).view([b, t, 3, heads, hd])
                  q = qkv.select(2, 0).transpose(1, 2)
                  k = qkv.select(2, 1).transpose(1, 2)
                  v = qkv.select(2, 2).transpose(1, 2)
                  if len(keys) > 0:
                    keys[i][:, :, past:n] = k
                    values[i][:, :, past:n] = v
                    k = keys[i][:, :, :n]
                    v = values[i][:, :, :n]
                  y = self.attend(q, k, v, bias, scale).transpose(1, 2).reshape([b, t, d])
                  x = x + self.linear(y, w[o + 7], w[o + 8], w[o + 9], w[o + 10], w[o + 11], cpu)
                  h = torch.layer_norm(x, [d], w[o + 12], w[o + 13], eps)
                  h = self.linear(h, w[o + 14], w[o + 15], w[o + 16], w[o + 17], w[o + 18], cpu)
                  if tanh_gelu:
                    h = torch.gelu(h, approximate="tanh")
                  else:
                    h = torch.gelu(h)
                  x = x + self.linear(h, w[o + 19], w[o + 20], w[o + 21], w[o + 22], w[o + 23], cpu)
                if last_only:
                  x = x[:, t - 1:]
                o = 2 + 24 * layers
                x = torch.layer_norm(x, [d], w[o], w[o + 1], eps)
                return self.linear(x, w[o + 2], w[o + 3], w[o + 4], w[o + 5], w[o + 6], cpu)
            """;

    private Gpt2Inference() {}
}
