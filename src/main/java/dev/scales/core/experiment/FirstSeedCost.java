package dev.scales.core.experiment;

import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.experiment.ExperimentRun.Cost;
import dev.scales.core.experiment.ExperimentRun.Output;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import java.util.ArrayList;
import java.util.List;

/**
 * What an experiment's first seed measures besides accuracy: the cost of each method in tokens
 * and seconds, and each test example's outputs side by side.
 */
final class FirstSeedCost {
    private FirstSeedCost() {}

    static Cost cost(LoadedModel base, PromptSet set, List<SampleTasks.Item> pool, Experiment e,
                     double trainSeconds, double[] promptTokens, double[] seconds, int testSize) {
        // Tokens a training step reads: batch × the mean length of a training example (prompt and answer).
        double perExample = pool.stream().limit(64).mapToInt(i -> base.tokenizer().encode(
                set.prompt(List.of(), i.input()).render() + set.prompt(List.of(), i.input()).answer(i.label()), true)
                .length)
                .average().orElse(0);
        long trainingTokens = Math.round(perExample * e.fineTune().batch() * e.fineTune().steps());
        double extraTokens = promptTokens[1] - promptTokens[0];
        double extraSeconds = (seconds[1] - seconds[0]) / testSize; // the first seed's, run alone
        return new Cost(trainingTokens, trainSeconds, promptTokens[1], promptTokens[0],
                extraTokens > 0 ? 3.0 * trainingTokens / extraTokens : Double.POSITIVE_INFINITY,
                extraSeconds > 0 ? trainSeconds / extraSeconds : Double.POSITIVE_INFINITY);
    }

    /** Mean prompt length in tokens (demonstrations and query) of a prediction. */
    static double promptTokens(LoadedModel m, PromptSet set, List<Example> demos,
                               List<FewShotEvaluator.TestExample> test) {
        return test.stream().mapToInt(t -> m.tokenizer().encode(set.prompt(demos, t.input()).render(), true).length)
                .average().orElse(0);
    }

    static List<Output> outputs(List<FewShotEvaluator.TestExample> test, FewShotEvaluator.Result[] r) {
        List<Output> out = new ArrayList<>();
        for (int i = 0; i < test.size(); i++) {
            List<String> predicted = new ArrayList<>();
            List<Double> confidence = new ArrayList<>();
            for (FewShotEvaluator.Result result : r) {
                FewShotEvaluator.Prediction p = result.predictions().get(i);
                predicted.add(p.predicted());
                confidence.add(java.util.Arrays.stream(p.probabilities()).max().orElse(Double.NaN));
            }
            out.add(new Output(i, test.get(i).input(), test.get(i).label(), predicted, confidence));
        }
        return out;
    }
}
