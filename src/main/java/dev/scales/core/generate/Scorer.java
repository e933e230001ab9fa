package dev.scales.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;

/**
 * Log-probabilities of text under a model: per token, of a continuation given a prompt (what
 * few-shot classification by label scoring uses), and perplexity over long text with a
 * sliding window.
 */
public final class Scorer {
    private Scorer() {}

    /** log p(ids[t] | ids[..t]) for t = 1..n-1 (natural log); ids must fit the context. */
    public static float[] tokenLogProbs(LoadedModel model, long[] ids) {
        if (ids.length < 2) {
            throw new ScalesException("scoring needs at least two tokens (the first has no prefix to predict it from)");
        }
        if (ids.length > model.contextLength()) {
            throw new ScalesException("the text is " + ids.length + " tokens but " + model.name() + " reads at most "
                    + model.contextLength() + "; use perplexity (sliding window) for long text");
        }
        GradMode.inference();
        try (NDManager m = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.single(m, ids, 0);
            NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, false); // (1, n, V)
            return nextTokenLogProbs(m, logits, ids, 0, ids.length - 1);
        }
    }

    /**
     * log-probabilities of ids[from+1 .. to] given everything before each, from logits (1, n, V)
     * of the whole sequence.
     */
    static float[] nextTokenLogProbs(NDManager m, NDArray logits, long[] ids, int from, int to) {
        int n = to - from;
        long[] targets = new long[n];
        for (int i = 0; i < n; i++) {
            targets[i] = ids[from + 1 + i];
        }
        NDArray logp = logits.get(":, " + from + ":" + to + ", :").logSoftmax(-1); // (1, n, V)
        NDArray index = m.create(targets).reshape(1, n, 1);
        return logp.gather(index, 2).toFloatArray(); // (1, n, 1)
    }

    /** Total log-probability of {@code continuation} following {@code prompt}, and its token count. */
    public record Continuation(double logProb, int tokens) {
        public double perToken() {
            return logProb / tokens;
        }
    }

    public static Continuation continuation(LoadedModel model, String prompt, String continuation) {
        long[] p = model.tokenizer().encode(prompt, true);
        long[] c = model.tokenizer().encode(continuation, false);
        if (c.length == 0) {
            throw new ScalesException("the continuation \"" + continuation + "\" has no tokens");
        }
        long[] all = new long[p.length + c.length];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(c, 0, all, p.length, c.length);
        float[] lp = tokenLogProbs(model, all);
        double sum = 0;
        for (int i = p.length - 1; i < lp.length; i++) {
            sum += lp[i];
        }
        return new Continuation(sum, c.length);
    }

    /** Perplexity of a long text and how many tokens it was measured on. */
    public record Perplexity(double perplexity, double meanNll, int tokens) {}

    /**
     * Perplexity with a sliding window (as HF's guide): windows of {@code window} tokens moved by
     * {@code stride}; each token is predicted once, with up to window - stride tokens of context.
     */
    public static Perplexity perplexity(LoadedModel model, long[] ids, int window, int stride) {
        if (window < 2 || window > model.contextLength()) {
            throw new ScalesException("the window must be between 2 and the context length ("
                    + model.contextLength() + "), got " + window);
        }
        if (stride < 1 || stride > window) {
            throw new ScalesException("the stride must be between 1 and the window (" + window + "), got " + stride);
        }
        if (ids.length < 2) {
            throw new ScalesException("perplexity needs at least two tokens");
        }
        GradMode.inference();
        double nll = 0;
        int counted = 0;
        int prevEnd = 0;
        for (int begin = 0; prevEnd < ids.length; begin += stride) {
            int end = Math.min(begin + window, ids.length);
            long[] chunk = java.util.Arrays.copyOfRange(ids, begin, end);
            // Predict only tokens not predicted by an earlier window: positions prevEnd..end-1.
            int firstTarget = Math.max(prevEnd, begin + 1) - begin;
            try (NDManager m = model.manager().newSubManager()) {
                Inputs.Batch b = Inputs.single(m, chunk, 0);
                NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, false);
                float[] lp = nextTokenLogProbs(m, logits, chunk, firstTarget - 1, chunk.length - 1);
                for (float v : lp) {
                    nll -= v;
                }
                counted += lp.length;
            }
            prevEnd = end;
        }
        double mean = nll / counted;
        return new Perplexity(Math.exp(mean), mean, counted);
    }
}
