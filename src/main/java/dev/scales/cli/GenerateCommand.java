package dev.scales.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.GenerationResult;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scales generate}: continue a prompt, streaming tokens as they come. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a model.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt", required = true, description = "The text to continue.")
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "64", description = "At most this many new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--greedy", description = "Always take the most likely token (the default unless --temperature is given).")
    boolean greedy;

    @Option(names = "--temperature", defaultValue = "0", description = "Sample with this temperature; 0 is greedy.")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k most likely tokens (0: all).")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "Sample within this probability mass (1: all).")
    double topP;

    @Option(names = "--repetition-penalty", defaultValue = "1", description = "Penalise tokens already seen (1: none).")
    double repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampler seed: the same seed gives the same text.")
    long seed;

    @Option(names = "--stop", description = "Stop when the text contains this (repeatable).")
    List<String> stops = List.of();

    @Option(names = "--json", description = "Print one JSON object instead of streaming text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        GenerationSettings settings = new GenerationSettings(maxTokens, greedy ? 0 : temperature, topK, topP,
                repetitionPenalty, seed, stops, true);
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel model = modelOptions.load()) {
            GenerationResult r = Generator.generate(model, prompt, settings, t -> {
                if (!json) {
                    out.print(t.text());
                    out.flush();
                }
            }, () -> Thread.currentThread().isInterrupted());
            if (json) {
                out.println(Json.GSON.toJson(toJson(model, r)));
            } else {
                out.println();
                spec.commandLine().getErr().printf(Locale.ROOT, "[%d prompt tokens, %d generated, stop: %s, "
                        + "prefill %.0f ms, %.1f tokens/s]%n", r.promptIds().length, r.tokens().size(),
                        r.stop().name().toLowerCase(Locale.ROOT), r.prefillNanos() / 1e6, r.decodeTokensPerSecond());
            }
        }
        out.flush();
        return 0;
    }

    private JsonObject toJson(LoadedModel model, GenerationResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.folder().toString());
        o.addProperty("prompt", prompt);
        o.addProperty("promptTokens", r.promptIds().length);
        o.addProperty("text", r.text());
        JsonArray tokens = new JsonArray();
        for (GeneratedToken t : r.tokens()) {
            JsonObject tj = new JsonObject();
            tj.addProperty("id", t.id());
            tj.addProperty("text", model.tokenizer().tokenText(t.id()));
            tj.addProperty("probability", t.probability());
            tokens.add(tj);
        }
        o.add("tokens", tokens);
        o.addProperty("stop", r.stop().name().toLowerCase(Locale.ROOT));
        o.addProperty("prefillMs", r.prefillNanos() / 1e6);
        o.addProperty("decodeTokensPerSecond", r.decodeTokensPerSecond());
        return o;
    }
}
