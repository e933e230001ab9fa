package dev.scales.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.util.Softmax;

/**
 * Few-shot classification by label scoring: the log-probability of each label's verbalizer as
 * the continuation of the prompt. The prompt is read once into a KV cache; each verbalizer
 * continues from a copy of it. Callers that share a prefix across many prompts (the
 * demonstrations of a few-shot evaluation) read the prefix once with {@link #prefix} and
 * continue from it for each query.
 */
public final class LabelScorer {
    private final LoadedModel model;
    private final LabelSet labels;
    private final long[][] verbalizerIds;
    private final boolean perToken;

    /**
     * @param perToken  normalise each label's log-probability by its token count (so long
     *                  verbalizers are not penalised), or use the total
     */
    public LabelScorer(LoadedModel model, LabelSet labels, boolean perToken) {
        this.model = model;
        this.labels = labels;
        this.perToken = perToken;
        this.verbalizerIds = labels.labels().stream()
                .map(l -> model.tokenizer().encode(labels.verbalizers().get(l), false)).toArray(long[][]::new);
        for (int i = 0; i < verbalizerIds.length; i++) {
            if (verbalizerIds[i].length == 0) {
                throw new dev.scales.core.ScalesException("the verbalizer of label '" + labels.labels().get(i)
                        + "' has no tokens");
            }
        }
    }

    public LabelSet labels() {
        return labels;
    }

    /** A prompt prefix read into a KV cache, with the logits after its last token. Close it when done. */
    public final class Prefix implements AutoCloseable {
        final NDManager manager;
        final KvCache cache;
        final long length;
        final float[] lastLogits;

        Prefix(NDManager manager, KvCache cache, long length, float[] lastLogits) {
            this.manager = manager;
            this.cache = cache;
            this.length = length;
            this.lastLogits = lastLogits;
        }

        public long length() {
            return length;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    /** Reads {@code ids} into a fresh cache. */
    public Prefix prefix(long[] ids) {
        return extend(null, ids);
    }

    /** A new prefix: {@code base} (or nothing) followed by {@code ids}; {@code base} is left as it was. */
    public Prefix extend(Prefix base, long[] ids) {
        long past = base == null ? 0 : base.length;
        if (past + ids.length > model.contextLength()) {
            throw new dev.scales.core.ScalesException("the prompt is " + (past + ids.length) + " tokens but "
                    + model.name() + " reads at most " + model.contextLength() + " (its context window)");
        }
        GradMode.inference();
        NDManager m = model.manager().newSubManager();
        try {
            KvCache cache = base == null ? new KvCache(m, model.config().numLayers()) : base.cache.copy(m);
            if (ids.length == 0) {
                return new Prefix(m, cache, past, base == null ? null : base.lastLogits);
            }
            float[] logits;
            try (NDManager step = m.newSubManager()) {
                Inputs.Batch b = Inputs.single(step, ids, past);
                logits = model.lm().forward(b.ids(), b.positions(), b.bias(), cache, true).toFloatArray();
            }
            return new Prefix(m, cache, past + ids.length, logits);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** True when every verbalizer is one token: then a batch of queries can be scored in one pass. */
    public boolean singleTokenLabels() {
        for (long[] v : verbalizerIds) {
            if (v.length != 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Label scores for several queries continuing {@code shared}, in one forward pass: the shared
     * prefix's cache is repeated for each row, the queries left-padded after it. Only for
     * single-token verbalizers ({@link #singleTokenLabels()}).
     */
    public double[][] scoreBatch(Prefix shared, long[][] queries) {
        if (!singleTokenLabels()) {
            throw new IllegalStateException("batched scoring needs one-token verbalizers");
        }
        GradMode.inference();
        try (NDManager m = model.manager().newSubManager();
             KvCache cache = shared.cache.repeatRows(m, queries.length)) {
            Inputs.Batch b = Inputs.afterPrefix(m, queries, shared.length, 0);
            float[] logits = model.lm().forward(b.ids(), b.positions(), b.bias(), cache, true).toFloatArray(); // (B,1,V)
            int v = model.config().vocabSize();
            double[][] out = new double[queries.length][];
            for (int r = 0; r < queries.length; r++) {
                double[] lp = Softmax.logProbabilities(java.util.Arrays.copyOfRange(logits, r * v, (r + 1) * v));
                out[r] = new double[verbalizerIds.length];
                for (int k = 0; k < verbalizerIds.length; k++) {
                    out[r][k] = lp[(int) verbalizerIds[k][0]];
                }
            }
            return out;
        }
    }

    /** Each label's log-probability (natural log; per token when so configured) after {@code prompt}. */
    public double[] score(Prefix prompt) {
        double[] out = new double[verbalizerIds.length];
        double[] first = Softmax.logProbabilities(prompt.lastLogits);
        for (int i = 0; i < verbalizerIds.length; i++) {
            long[] v = verbalizerIds[i];
            double lp = first[(int) v[0]];
            if (v.length > 1) {
                lp += continuationLogProb(prompt, v);
            }
            out[i] = perToken ? lp / v.length : lp;
        }
        return out;
    }

    /** Sum of log p(v[j] | prompt, v[..j]) for j ≥ 1. */
    private double continuationLogProb(Prefix prompt, long[] v) {
        try (NDManager m = model.manager().newSubManager(); KvCache cache = prompt.cache.copy(m)) {
            long[] inputs = java.util.Arrays.copyOf(v, v.length - 1);
            Inputs.Batch b = Inputs.single(m, inputs, prompt.length);
            NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), cache, false); // (1, k-1, V)
            NDArray logp = logits.logSoftmax(2);
            long[] targets = java.util.Arrays.copyOfRange(v, 1, v.length);
            float[] picked = logp.gather(m.create(targets).reshape(1, targets.length, 1), 2).toFloatArray();
            double sum = 0;
            for (float p : picked) {
                sum += p;
            }
            return sum;
        }
    }

}
