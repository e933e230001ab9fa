package dev.scales.core.eval;

import dev.scales.core.ScalesException;
import dev.scales.core.generate.GenerationResult;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.FewShotPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Evaluation of a free-text task (the answer is any text, not one of a label set): for each test
 * example the model continues the prompt greedily until the template's answer terminator (e.g.
 * "\n"), and the answer is compared with the expected text — exact match and contains-match, both
 * after normalising (case, surrounding spaces and punctuation, runs of whitespace).
 */
public final class FreeTextEvaluator {
    private FreeTextEvaluator() {}

    /** One example: what the model wrote, and whether it matches. */
    public record Prediction(int index, String input, String expected, String answer, boolean exact,
                             boolean contains) {}

    /** Exact-match and contains-match rates over the test set, and every prediction. */
    public record Result(double exactMatch, double containsMatch, List<Prediction> predictions) {
        public Result {
            predictions = List.copyOf(predictions);
        }

        public int count() {
            return predictions.size();
        }
    }

    /**
     * @param maxNewTokens the longest answer generated (the terminator usually ends it sooner)
     * @param progress     receives the number of examples done
     */
    public static Result evaluate(LoadedModel model, FewShotPrompt prompt, List<FewShotEvaluator.TestExample> test,
                                  int maxNewTokens, IntConsumer progress, BooleanSupplier cancelled) {
        if (test.isEmpty()) {
            throw new ScalesException("the test set is empty");
        }
        String terminator = prompt.answerTerminator();
        String stop = terminator.isBlank() ? "\n" : terminator; // blank: the answer is one line
        GenerationSettings settings = GenerationSettings.greedy(maxNewTokens).withStopSequences(List.of(stop));
        String prefix = prompt.renderPrefix();
        List<Prediction> predictions = new ArrayList<>();
        int exact = 0;
        int contains = 0;
        for (int i = 0; i < test.size(); i++) {
            if (cancelled.getAsBoolean()) {
                throw new java.util.concurrent.CancellationException("evaluation cancelled after " + i + " examples");
            }
            FewShotEvaluator.TestExample ex = test.get(i);
            String text = prefix + prompt.renderQuery(ex.input());
            GenerationResult r;
            try {
                r = Generator.generate(model, text, settings, t -> { }, cancelled);
            } catch (ScalesException e) {
                throw new ScalesException("test example " + (i + 1) + ": " + e.getMessage(), e);
            }
            String answer = r.text();
            int cut = answer.indexOf(stop);
            if (cut >= 0) {
                answer = answer.substring(0, cut);
            }
            answer = answer.strip();
            String a = normalise(answer);
            String e = normalise(ex.label());
            boolean isExact = a.equals(e);
            boolean isContained = !e.isEmpty() && a.contains(e);
            exact += isExact ? 1 : 0;
            contains += isContained ? 1 : 0;
            predictions.add(new Prediction(i, ex.input(), ex.label(), answer, isExact, isContained));
            progress.accept(i + 1);
        }
        return new Result(exact / (double) test.size(), contains / (double) test.size(), predictions);
    }

    /** Lower case, whitespace runs as one space, no surrounding spaces or punctuation. */
    static String normalise(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").strip();
        return t.replaceAll("^[\\p{Punct}\\s]+|[\\p{Punct}\\s]+$", "");
    }
}
