package dev.scales.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.model.KvCache;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Autoregressive generation with a KV cache: the prompt is read once (prefill), then each new
 * token costs one single-position forward pass. Tokens stream to a listener as they come;
 * cancellation is checked between tokens. Every tensor lives in a manager scoped to this call.
 */
public final class Generator {
    static final int ALTERNATIVES = 5;

    private Generator() {}

    public static GenerationResult generate(LoadedModel model, String prompt, GenerationSettings settings,
                                            Consumer<GeneratedToken> listener, BooleanSupplier cancelled) {
        return generate(model, model.tokenizer().encode(prompt, true), settings, listener, cancelled);
    }

    public static GenerationResult generate(LoadedModel model, long[] promptIds, GenerationSettings settings,
                                            Consumer<GeneratedToken> listener, BooleanSupplier cancelled) {
        int context = model.contextLength();
        if (promptIds.length == 0) {
            throw new ScalesException("the prompt is empty: there is nothing to continue");
        }
        if (promptIds.length >= context) {
            throw new ScalesException("the prompt is " + promptIds.length + " tokens but " + model.name()
                    + " reads at most " + context + " (its context window), leaving no room to generate; "
                    + "shorten the prompt or use fewer examples");
        }
        GradMode.inference();
        Set<Integer> eos = new LinkedHashSet<>(model.config().eosTokenIds());
        eos.addAll(model.generationDefaults().eosTokenIds());
        Sampler sampler = new Sampler(settings);
        long[] seen = new long[promptIds.length + settings.maxNewTokens()];
        System.arraycopy(promptIds, 0, seen, 0, promptIds.length);
        int seenCount = promptIds.length;
        List<GeneratedToken> tokens = new ArrayList<>();
        long[] generated = new long[settings.maxNewTokens()];
        String text = "";
        int emitted = 0;
        GenerationResult.StopReason stop = GenerationResult.StopReason.MAX_TOKENS;

        try (NDManager session = model.manager().newSubManager();
             KvCache cache = new KvCache(session, model.config().numLayers())) {
            long start = System.nanoTime();
            float[] logits = lastLogits(model, session, promptIds, cache);
            long prefill = System.nanoTime() - start;
            long decodeStart = System.nanoTime();
            for (int i = 0; i < settings.maxNewTokens(); i++) {
                if (cancelled.getAsBoolean()) {
                    stop = GenerationResult.StopReason.CANCELLED;
                    break;
                }
                int id = sampler.next(logits, seen, seenCount);
                seen[seenCount++] = id;
                generated[i] = id;
                if (settings.stopAtEos() && eos.contains(id)) {
                    stop = GenerationResult.StopReason.EOS;
                    break;
                }
                String decoded = model.tokenizer().decode(java.util.Arrays.copyOf(generated, i + 1));
                String piece = "";
                if (!decoded.endsWith("\uFFFD") && decoded.length() >= emitted) {
                    piece = decoded.substring(emitted);
                    emitted = decoded.length();
                }
                text = decoded;
                GeneratedToken token = describe(model, i, id, logits, piece);
                tokens.add(token);
                int cut = firstStop(text, settings.stopSequences());
                if (cut >= 0) {
                    text = text.substring(0, cut);
                    listener.accept(token);
                    stop = GenerationResult.StopReason.STOP_SEQUENCE;
                    break;
                }
                listener.accept(token);
                if (i + 1 == settings.maxNewTokens()) {
                    break;
                }
                if (seenCount >= context) {
                    stop = GenerationResult.StopReason.CONTEXT_FULL;
                    break;
                }
                logits = lastLogits(model, session, new long[] {id}, cache);
            }
            long decode = tokens.size() > 1 ? System.nanoTime() - decodeStart : 0;
            return new GenerationResult(promptIds, tokens, text, stop, prefill, decode);
        }
    }

    /** One forward pass of {@code ids} after the cached positions; the last position's logits. */
    static float[] lastLogits(LoadedModel model, NDManager session, long[] ids, KvCache cache) {
        try (NDManager step = session.newSubManager()) {
            Inputs.Batch b = Inputs.single(step, ids, cache.length());
            NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), cache, true); // (1, 1, V)
            return logits.toFloatArray();
        }
    }

    /** The chosen token and the most likely ones, with their probabilities (one pass over the vocabulary). */
    private static GeneratedToken describe(LoadedModel model, int index, int id, float[] logits, String piece) {
        double log = dev.scales.core.util.Softmax.logNormalizer(logits);
        int k = Math.min(ALTERNATIVES, logits.length);
        int[] top = new int[k];
        int filled = 0;
        for (int j = 0; j < logits.length; j++) {
            // a later id enters only if strictly more likely: ties keep the lower id first
            if (filled < k || logits[j] > logits[top[filled - 1]]) {
                int at = filled < k ? filled++ : k - 1;
                while (at > 0 && logits[j] > logits[top[at - 1]]) {
                    top[at] = top[at - 1];
                    at--;
                }
                top[at] = j;
            }
        }
        List<GeneratedToken.Alternative> alternatives = new ArrayList<>();
        for (int best : top) {
            alternatives.add(new GeneratedToken.Alternative(best, model.tokenizer().tokenText(best),
                    Math.exp(logits[best] - log)));
        }
        return new GeneratedToken(index, id, piece, Math.exp(logits[id] - log), alternatives);
    }

    private static int firstStop(String text, List<String> stops) {
        int cut = -1;
        for (String s : stops) {
            int at = text.indexOf(s);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        return cut;
    }
}
