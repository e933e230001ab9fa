package dev.scales.core.bench;

import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.LabelSet;
import dev.scales.core.prompt.PromptTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The few-shot evaluation with the shared-prefix KV cache against recomputing every prompt in
 * full, side by side in one process on the same model, prompt and test set.
 */
public final class IclBench {
    private IclBench() {}

    /** Seconds for each path, and whether every prediction agreed. */
    public record Result(int shots, int examples, int prefixTokens, double sharedSeconds, double fullSeconds,
                         boolean samePredictions) {
        public double speedup() {
            return fullSeconds / sharedSeconds;
        }
    }

    private static final String[] WORDS = {"warm", "kind", "cold", "slow", "fresh", "stale", "quiet", "noisy",
        "friendly", "rude", "bright", "dark", "clean", "dirty", "tasty", "bland"};

    public static Result run(LoadedModel model, int shots, int examples, long seed) {
        Random random = new Random(seed);
        PromptTemplate template = new PromptTemplate("Review: {input}\nSentiment: {output}\n\n");
        List<Example> demos = new ArrayList<>();
        for (int i = 0; i < shots; i++) {
            demos.add(new Example(review(random), i % 2 == 0 ? "positive" : "negative"));
        }
        FewShotPrompt prompt = new FewShotPrompt("Classify the sentiment of each review.", demos, "", template);
        List<FewShotEvaluator.TestExample> test = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            test.add(new FewShotEvaluator.TestExample(review(random), i % 2 == 0 ? "positive" : "negative"));
        }
        LabelSet labels = new LabelSet(new java.util.LinkedHashMap<>(java.util.Map.of("positive", " positive",
                "negative", " negative")));
        // Warm up both paths on a few examples.
        FewShotEvaluator.evaluate(model, prompt, labels, test.subList(0, Math.min(2, examples)),
                new FewShotEvaluator.Options(false, false, false), i -> { }, () -> false);
        long t0 = System.nanoTime();
        var shared = FewShotEvaluator.evaluate(model, prompt, labels, test, new FewShotEvaluator.Options(false, false, true),
                i -> { }, () -> false);
        long t1 = System.nanoTime();
        var full = FewShotEvaluator.evaluate(model, prompt, labels, test, new FewShotEvaluator.Options(false, false, false),
                i -> { }, () -> false);
        long t2 = System.nanoTime();
        boolean same = true;
        for (int i = 0; i < examples; i++) {
            same &= shared.predictions().get(i).predicted().equals(full.predictions().get(i).predicted());
        }
        int prefixTokens = model.tokenizer().encode(prompt.renderPrefix(), true).length;
        return new Result(shots, examples, prefixTokens, (t1 - t0) / 1e9, (t2 - t1) / 1e9, same);
    }

    private static String review(Random r) {
        return "The food was " + WORDS[r.nextInt(WORDS.length)] + " and the staff were " + WORDS[r.nextInt(WORDS.length)]
                + ".";
    }
}
