package dev.scales.core.generate;

import dev.scales.core.ScalesException;
import java.util.List;

/**
 * How to generate: validated when built.
 *
 * @param maxNewTokens       at most this many tokens are generated
 * @param temperature        0 for greedy decoding; otherwise logits are divided by it before sampling
 * @param topK               sample among the k most likely tokens; 0 for all
 * @param topP               sample among the smallest set whose probability reaches p; 1 for all
 * @param repetitionPenalty  divides (or multiplies, when negative) the logits of tokens already seen; 1 for none
 * @param seed               the sampler's seed: same seed, same text
 * @param stopSequences      generation stops when the text contains one (it is cut before it)
 * @param stopAtEos          whether an end-of-sequence token ends generation
 */
public record GenerationSettings(int maxNewTokens, double temperature, int topK, double topP,
                                 double repetitionPenalty, long seed, List<String> stopSequences, boolean stopAtEos) {
    public GenerationSettings {
        require(maxNewTokens >= 1 && maxNewTokens <= 100_000, "--max-tokens must be between 1 and 100000, got "
                + maxNewTokens);
        require(temperature >= 0 && temperature <= 100 && !Double.isNaN(temperature),
                "--temperature must be within [0, 100], got " + temperature);
        require(topK >= 0, "--top-k must be 0 (off) or positive, got " + topK);
        require(topP > 0 && topP <= 1, "--top-p must be within (0, 1], got " + topP);
        require(repetitionPenalty > 0 && repetitionPenalty <= 10, "--repetition-penalty must be within (0, 10], got "
                + repetitionPenalty);
        stopSequences = List.copyOf(stopSequences.stream().filter(s -> !s.isEmpty()).toList());
    }

    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, 0, 1, 1, 0, List.of(), true);
    }

    /**
     * The settings a model ships in {@code generation_config.json}, as transformers reads them:
     * sampling only when {@code do_sample} is true (with its temperature, top-k, top-p), else
     * greedy; its repetition penalty either way. Absent values are Scales' own defaults.
     */
    public static GenerationSettings of(dev.scales.core.model.GenerationDefaults d, int maxNewTokens) {
        boolean sample = Boolean.TRUE.equals(d.doSample());
        return new GenerationSettings(maxNewTokens,
                sample ? java.util.Objects.requireNonNullElse(d.temperature(), 1.0) : 0,
                sample ? java.util.Objects.requireNonNullElse(d.topK(), 0) : 0,
                sample ? java.util.Objects.requireNonNullElse(d.topP(), 1.0) : 1,
                java.util.Objects.requireNonNullElse(d.repetitionPenalty(), 1.0), 0, List.of(), true);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public GenerationSettings withStopSequences(List<String> stops) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stops, stopAtEos);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ScalesException(message);
        }
    }
}
