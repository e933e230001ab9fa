package dev.scales.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import dev.scales.core.ScalesException;
import dev.scales.core.model.nn.TorchScript;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * libtorch's fused AdamW ({@code torch._fused_adamw_}, one vectorised pass over each parameter,
 * no temporaries) with global-norm clipping and the non-finite guard, reached through a small
 * {@link TorchScript} module compiled from the source below (decision 0012).
 */
final class AdamWKernel {
    /**
     * TorchScript, in the dialect libtorch serialises modules in (types spelled out). The first five
     * lists are the parameters with weight decay and their state, the {@code plain_} ones those
     * without: passed in as separate lists, because {@code _foreach_*_} on a list built inside the
     * script did not reach the callers' tensors (decision 0012).
     * {@code _fused_adamw_} writes the parameters without counting the write in libtorch's
     * version counter (which every other in-place operation moves); an in-place add on an empty
     * view of each parameter counts it, for what follows the weights by that count
     * ({@code TransposedCopies}).
     */
    static final String SOURCE = """
            class AdamWStep(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def forward(self: __torch__.AdamWStep,
                  params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor],
                  exp_avg_sqs: List[Tensor], steps: List[Tensor],
                  plain_params: List[Tensor], plain_grads: List[Tensor], plain_exp_avgs: List[Tensor],
                  plain_exp_avg_sqs: List[Tensor], plain_steps: List[Tensor],
                  lr: float, beta1: float, beta2: float, weight_decay: float, eps: float,
                  max_norm: float, measure: bool) -> Tensor:
                norm = torch.full(annotate(List[int], []), -1.)
                grad_scale : Optional[Tensor] = None
                found_inf : Optional[Tensor] = None
                if measure or max_norm > 0.:
                  norms = annotate(List[Tensor], [])
                  if len(grads) > 0:
                    norms = torch._foreach_norm(grads)
                  if len(plain_grads) > 0:
                    norms = norms + torch._foreach_norm(plain_grads)
                  norm = torch.linalg_vector_norm(torch.stack(norms))
                  inf = torch.logical_not(torch.isfinite(norm)).float()
                  found_inf = inf
                  if max_norm > 0.:
                    grad_scale = torch.where(torch.gt(norm, max_norm), (norm + 1.0e-6) / max_norm, torch.ones_like(norm))
                  for s in steps:
                    s.sub_(inf)
                  for s in plain_steps:
                    s.sub_(inf)
                if len(params) > 0:
                  torch._foreach_add_(steps, 1.)
                  torch._fused_adamw_(params, grads, exp_avgs, exp_avg_sqs, annotate(List[Tensor], []), steps,
                      lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay, eps=eps, amsgrad=False,
                      maximize=False, grad_scale=grad_scale, found_inf=found_inf)
                  torch._foreach_zero_(grads)
                if len(plain_params) > 0:
                  torch._foreach_add_(plain_steps, 1.)
                  torch._fused_adamw_(plain_params, plain_grads, plain_exp_avgs, plain_exp_avg_sqs,
                      annotate(List[Tensor], []), plain_steps, lr=lr, beta1=beta1, beta2=beta2, weight_decay=0.,
                      eps=eps, amsgrad=False, maximize=False, grad_scale=grad_scale, found_inf=found_inf)
                  torch._foreach_zero_(plain_grads)
                for p in params + plain_params:
                  p[:0].add_(0.)
                return norm
            """;

    private static final String NAME = "AdamWStep";

    private final PtSymbolBlock module;
    /** Parameter indices with weight decay, then those without (the script's two groups). */
    private final int[][] groups;
    private final PtNDArray[][] fixed; // per group: params, exp_avgs, exp_avg_sqs, steps

    /**
     * Compiles the step for these parameters and their state (moments and float step counts, one
     * each per parameter); the module belongs to {@code manager} and is freed with it.
     */
    AdamWKernel(NDManager manager, List<NDArray> params, List<NDArray> expAvgs, List<NDArray> expAvgSqs,
                List<NDArray> steps, boolean[] decayed) {
        if (params.isEmpty()) {
            throw new ScalesException("AdamW needs at least one parameter to train");
        }
        groups = new int[][] {
                IntStream.range(0, params.size()).filter(i -> decayed[i]).toArray(),
                IntStream.range(0, params.size()).filter(i -> !decayed[i]).toArray()};
        fixed = new PtNDArray[8][];
        for (int g = 0; g < 2; g++) {
            List<List<NDArray>> lists = List.of(params, expAvgs, expAvgSqs, steps);
            for (int k = 0; k < 4; k++) {
                fixed[g * 4 + k] = pick(lists.get(k), groups[g]);
            }
        }
        module = TorchScript.load(manager, NAME, SOURCE);
    }

    /**
     * One AdamW step over every parameter: p ← p·(1 − lr·wd); m ← β1·m + (1−β1)·g;
     * v ← β2·v + (1−β2)·g²; p ← p − lr/(1−β1ᵗ) · m / (√v/√(1−β2ᵗ) + ε), with g divided by
     * (norm + 1e-6)/maxNorm first when the global norm exceeds maxNorm (0: no clipping). When the
     * norm is measured (asked for, or needed to clip) and is not finite, nothing is updated and the
     * step counts do not advance. Every gradient is zeroed afterwards.
     *
     * @param grads each parameter's gradient, in the constructor's order
     * @param scope the manager the returned norm is attached to
     * @return the global gradient norm before clipping, a scalar on the device (−1 when not measured)
     */
    NDArray step(List<NDArray> grads, float lr, float beta1, float beta2, float weightDecay, float eps,
                 float maxNorm, boolean measure, NDManager scope) {
        List<IValue> inputs = new ArrayList<>();
        try {
            for (int g = 0; g < 2; g++) {
                inputs.add(IValue.listFrom(fixed[g * 4]));
                inputs.add(IValue.listFrom(pick(grads, groups[g])));
                for (int k = 1; k < 4; k++) {
                    inputs.add(IValue.listFrom(fixed[g * 4 + k]));
                }
            }
            for (float f : new float[] {lr, beta1, beta2, weightDecay, eps, maxNorm}) {
                inputs.add(IValue.from((double) f));
            }
            inputs.add(IValue.from(measure));
            try (IValue out = module.forward(inputs.toArray(IValue[]::new))) {
                return out.toTensor((PtNDManager) scope);
            }
        } finally {
            inputs.forEach(IValue::close);
        }
    }

    private static PtNDArray[] pick(List<NDArray> arrays, int[] indices) {
        return IntStream.of(indices).mapToObj(i -> (PtNDArray) arrays.get(i)).toArray(PtNDArray[]::new);
    }
}
