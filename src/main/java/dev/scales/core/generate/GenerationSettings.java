package dev.scales.core.generate;

import dev.scales.core.InvalidSetting;
import java.util.List;
import java.util.Objects;

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
    /**
     * Scales' own defaults, for the prompt pane and the command line alike: greedy decoding of up
     * to 48 new tokens, no top-k or top-p cut, no repetition penalty, seed 0. A model's
     * {@code generation_config.json} overrides them (see {@link #of}).
     */
    public static final GenerationSettings DEFAULT = new GenerationSettings(48, 0, 0, 1, 1, 0, List.of(), true);

    /** The temperature transformers samples with when a model asks to sample but names none. */
    private static final double SAMPLING_TEMPERATURE = 1.0;

    /** A setting, as a validation error names it. */
    public enum Setting {
        MAX_NEW_TOKENS("the answer length in tokens"), TEMPERATURE("temperature"), TOP_K("top-k"), TOP_P("top-p"),
        REPETITION_PENALTY("repetition penalty");

        private final String words;

        Setting(String words) {
            this.words = words;
        }

        @Override
        public String toString() {
            return words;
        }
    }

    public GenerationSettings {
        require(maxNewTokens >= 1 && maxNewTokens <= 100_000, Setting.MAX_NEW_TOKENS,
                "must be between 1 and 100000, got " + maxNewTokens);
        require(temperature >= 0 && temperature <= 100 && !Double.isNaN(temperature), Setting.TEMPERATURE,
                "must be within [0, 100], got " + temperature);
        require(topK >= 0, Setting.TOP_K, "must be 0 (off) or positive, got " + topK);
        require(topP > 0 && topP <= 1, Setting.TOP_P, "must be within (0, 1], got " + topP);
        require(repetitionPenalty > 0 && repetitionPenalty <= 10, Setting.REPETITION_PENALTY,
                "must be within (0, 10], got " + repetitionPenalty);
        stopSequences = List.copyOf(stopSequences.stream().filter(s -> !s.isEmpty()).toList());
    }

    /** The defaults' greedy decoding, for at most {@code maxNewTokens} tokens. */
    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, DEFAULT.topK, DEFAULT.topP, DEFAULT.repetitionPenalty,
                DEFAULT.seed, List.of(), true);
    }

    /**
     * The settings a model ships in {@code generation_config.json}, as transformers reads them:
     * sampling only when {@code do_sample} is true (with its temperature, top-k, top-p), else
     * greedy; its repetition penalty either way. Absent values are {@link #DEFAULT}'s (a sampling
     * model that names no temperature samples at 1, as in transformers).
     */
    public static GenerationSettings of(dev.scales.core.model.GenerationDefaults d, int maxNewTokens) {
        boolean sample = Boolean.TRUE.equals(d.doSample());
        return new GenerationSettings(maxNewTokens,
                sample ? Objects.requireNonNullElse(d.temperature(), SAMPLING_TEMPERATURE) : 0,
                sample ? Objects.requireNonNullElse(d.topK(), DEFAULT.topK) : DEFAULT.topK,
                sample ? Objects.requireNonNullElse(d.topP(), DEFAULT.topP) : DEFAULT.topP,
                Objects.requireNonNullElse(d.repetitionPenalty(), DEFAULT.repetitionPenalty), DEFAULT.seed, List.of(),
                true);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    public GenerationSettings withStopSequences(List<String> stops) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stops, stopAtEos);
    }

    private static void require(boolean ok, Setting setting, String problem) {
        if (!ok) {
            throw new InvalidSetting(setting, setting + " " + problem);
        }
    }
}
