package dev.scales.core.eval;

import dev.scales.core.generate.LabelScorer;
import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Evaluates a few-shot prompt on a labelled test set by label scoring. The prompt is tokenized
 * in two segments — the shared prefix (instruction and demonstrations) and each query — so the
 * prefix's KV cache can be computed once and reused for every query and every label; with
 * {@code sharePrefix} off, each prompt is recomputed in full from the same tokens (the
 * reference the cache must match).
 */
public final class FewShotEvaluator {
    /** Content-free inputs whose label probabilities measure the prompt's bias (Zhao et al. 2021). */
    static final List<String> CONTENT_FREE = List.of("N/A", "", "[MASK]");

    /** Queries scored together in one forward pass after the shared prefix. */
    static final int BATCH = 8;

    private FewShotEvaluator() {}

    /** A labelled test example. */
    public record TestExample(String input, String label) {}

    /** How to evaluate. */
    public record Options(boolean calibrate, boolean perToken, boolean sharePrefix) {
        public static final Options DEFAULT = new Options(false, false, true);
    }

    /**
     * One test example's outcome.
     *
     * @param probabilities  label probabilities (calibrated when calibration is on), in label-set order
     */
    public record Prediction(int index, String input, String gold, String predicted, double[] probabilities) {
        public boolean correct() {
            return gold.equals(predicted);
        }
    }

    /** The metrics, each example's prediction, and the content-free probabilities used (or null). */
    public record Result(Metrics metrics, List<Prediction> predictions, double[] contentFree) {}

    public static Result evaluate(LoadedModel model, FewShotPrompt prompt, LabelSet labels, List<TestExample> test,
                                  Options options, IntConsumer progress, BooleanSupplier cancelled) {
        for (int i = 0; i < test.size(); i++) {
            if (labels.indexOf(test.get(i).label()) < 0) {
                throw new ScalesException("test example " + (i + 1) + " has label '" + test.get(i).label()
                        + "', which is not one of " + labels.labels());
            }
        }
        LabelSet written = asAnswers(prompt, labels);
        LabelScorer scorer = new LabelScorer(model, written, options.perToken());
        long[] prefixIds = model.tokenizer().encode(prompt.renderPrefix(), true);
        int longestVerbalizer = longest(model, written);
        if (prefixIds.length + longestVerbalizer >= model.contextLength()) {
            throw new ScalesException("the instruction and " + prompt.enabledExamples().size()
                    + " demonstrations are " + prefixIds.length + " tokens but " + model.name() + " reads at most "
                    + model.contextLength() + " in all; use fewer or shorter demonstrations");
        }
        try (LabelScorer.Prefix shared = options.sharePrefix() ? scorer.prefix(prefixIds) : null) {
            double[] contentFree = null;
            if (options.calibrate()) {
                double[][] ps = new double[CONTENT_FREE.size()][];
                for (int i = 0; i < ps.length; i++) {
                    ps[i] = Calibration.probabilities(scores(model, scorer, shared, prefixIds,
                            prompt.renderQuery(CONTENT_FREE.get(i)), longestVerbalizer, -1));
                }
                contentFree = Calibration.mean(ps);
            }
            List<Prediction> predictions = new ArrayList<>();
            List<Integer> gold = new ArrayList<>();
            List<Integer> predicted = new ArrayList<>();
            // With one-token labels and a shared prefix, queries go through in batches: one pass
            // reads the weights once for the whole batch.
            int batch = shared != null && scorer.singleTokenLabels() ? BATCH : 1;
            for (int first = 0; first < test.size(); first += batch) {
                if (cancelled.getAsBoolean()) {
                    throw new java.util.concurrent.CancellationException("evaluation cancelled after " + first
                            + " examples");
                }
                int end = Math.min(test.size(), first + batch);
                double[][] scores = new double[end - first][];
                if (batch > 1) {
                    long[][] queries = new long[end - first][];
                    for (int i = first; i < end; i++) {
                        queries[i - first] = queryIds(model, prefixIds, prompt.renderQuery(test.get(i).input()),
                                longestVerbalizer, i);
                    }
                    scores = scorer.scoreBatch(shared, queries);
                } else {
                    scores[0] = scores(model, scorer, shared, prefixIds,
                            prompt.renderQuery(test.get(first).input()), longestVerbalizer, first);
                }
                for (int i = first; i < end; i++) {
                    TestExample ex = test.get(i);
                    double[] p = Calibration.probabilities(scores[i - first]);
                    if (contentFree != null) {
                        p = Calibration.calibrate(p, contentFree);
                    }
                    int best = Calibration.argmax(p);
                    predictions.add(new Prediction(i, ex.input(), ex.label(), labels.labels().get(best), p));
                    gold.add(labels.indexOf(ex.label()));
                    predicted.add(best);
                    progress.accept(i + 1);
                }
            }
            return new Result(Metrics.of(gold, predicted, labels.size()), predictions, contentFree);
        }
    }

    /**
     * Whether every query of {@code test} fits the model's context after {@code prompt}'s instruction
     * and demonstrations, with room for the longest answer: the checks {@link #evaluate} makes, the
     * prefix and each query tokenized apart as it tokenizes them, without evaluating.
     */
    public static boolean fits(LoadedModel model, FewShotPrompt prompt, LabelSet labels, List<TestExample> test) {
        int prefix = model.tokenizer().encode(prompt.renderPrefix(), true).length;
        int answer = longest(model, asAnswers(prompt, labels));
        if (prefix + answer >= model.contextLength()) {
            return false;
        }
        for (TestExample t : test) {
            if (prefix + model.tokenizer().encode(prompt.renderQuery(t.input()), false).length + answer
                    > model.contextLength()) {
                return false;
            }
        }
        return true;
    }

    /** The query's tokens, after checking that prefix, query and the longest label fit the context. */
    private static long[] queryIds(LoadedModel model, long[] prefixIds, String query, int longestVerbalizer, int index) {
        long[] queryIds = model.tokenizer().encode(query, false);
        int total = prefixIds.length + queryIds.length + longestVerbalizer;
        if (total > model.contextLength()) {
            throw new ScalesException((index < 0 ? "the calibration input" : "test example " + (index + 1))
                    + " makes the prompt " + total + " tokens but " + model.name() + " reads at most "
                    + model.contextLength() + "; use fewer or shorter demonstrations");
        }
        return queryIds;
    }

    /** One query's label probabilities, as the model gives them and after contextual calibration. */
    public record LabelProbabilities(List<String> labels, double[] raw, double[] calibrated) {}

    /** The label probabilities for {@code prompt}'s own query (its demonstrations, its template). */
    public static LabelProbabilities labelProbabilities(LoadedModel model, FewShotPrompt prompt, LabelSet labels) {
        String query = prompt.query();
        LabelSet written = asAnswers(prompt, labels);
        LabelScorer scorer = new LabelScorer(model, written, false);
        long[] prefixIds = model.tokenizer().encode(prompt.renderPrefix(), true);
        int longest = longest(model, written);
        try (LabelScorer.Prefix shared = scorer.prefix(prefixIds)) {
            double[] raw = Calibration.probabilities(scores(model, scorer, shared, prefixIds,
                    prompt.renderQuery(query), longest, 0));
            double[][] cf = new double[CONTENT_FREE.size()][];
            for (int i = 0; i < cf.length; i++) {
                cf[i] = Calibration.probabilities(scores(model, scorer, shared, prefixIds,
                        prompt.renderQuery(CONTENT_FREE.get(i)), longest, -1));
            }
            return new LabelProbabilities(labels.labels(), raw, Calibration.calibrate(raw, Calibration.mean(cf)));
        }
    }

    /** Labels scored as the template writes answers: "Sentiment: {output}" → " positive". */
    private static LabelSet asAnswers(FewShotPrompt prompt, LabelSet labels) {
        java.util.Map<String, String> written = new java.util.LinkedHashMap<>();
        labels.verbalizers().forEach((name, text) -> written.put(name, prompt.answer(text)));
        return new LabelSet(written);
    }

    private static int longest(LoadedModel model, LabelSet labels) {
        return labels.verbalizers().values().stream().mapToInt(v -> model.tokenizer().encode(v, false).length).max()
                .orElse(1);
    }

    private static double[] scores(LoadedModel model, LabelScorer scorer, LabelScorer.Prefix shared, long[] prefixIds,
                                   String query, int longestVerbalizer, int index) {
        long[] queryIds = queryIds(model, prefixIds, query, longestVerbalizer, index);
        if (shared != null) {
            try (LabelScorer.Prefix full = scorer.extend(shared, queryIds)) {
                return scorer.score(full);
            }
        }
        long[] all = new long[prefixIds.length + queryIds.length];
        System.arraycopy(prefixIds, 0, all, 0, prefixIds.length);
        System.arraycopy(queryIds, 0, all, prefixIds.length, queryIds.length);
        try (LabelScorer.Prefix full = scorer.prefix(all)) {
            return scorer.score(full);
        }
    }
}
