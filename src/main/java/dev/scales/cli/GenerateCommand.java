package dev.scales.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.scales.core.InvalidSetting;
import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatMessage;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.generate.GeneratedToken;
import dev.scales.core.generate.GenerationResult;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.LoadedModel;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scales generate}: continue a prompt, streaming tokens as they come. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Continue a prompt with a model.")
final class GenerateCommand implements Callable<Integer> {
    private static final GenerationSettings D = GenerationSettings.DEFAULT;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--prompt", required = true, description = "The text to continue (with --chat: the user's message).")
    String prompt;

    @Option(names = "--chat", description = "Write the prompt as a conversation with the model's chat template, "
            + "ending with the assistant's turn.")
    boolean chat;

    @Option(names = "--system", description = "With --chat: the system message.")
    String system;

    @Option(names = "--max-tokens", description = "At most this many new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens = D.maxNewTokens();

    @Option(names = "--greedy", description = "Always take the most likely token.")
    boolean greedy;

    @Option(names = "--temperature", description = "Sample with this temperature; 0 is greedy (default: the model's "
            + "generation_config.json when it samples, else greedy).")
    Double temperature;

    @Option(names = "--top-k", description = "Sample among the k most likely tokens (0: all; default: the model's).")
    Integer topK;

    @Option(names = "--top-p", description = "Sample within this probability mass (1: all; default: the model's).")
    Double topP;

    @Option(names = "--repetition-penalty", description = "Penalise tokens already seen (1: none; default: the model's).")
    Double repetitionPenalty;

    @Option(names = "--seed", description = "Sampler seed: the same seed gives the same text (default: ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = "--stop", description = "Stop when the text contains this (repeatable).")
    List<String> stops = List.of();

    @Option(names = "--json", description = "Print one JSON object instead of streaming text.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (system != null && !chat) {
            throw new ScalesException("--system needs --chat");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel model = adapterOptions.apply(modelOptions.load())) {
            List<String> stop = new ArrayList<>(stops);
            String text = chat ? conversation(model, stop) : prompt;
            GenerationSettings settings = settings(model, stop);
            GenerationResult r = Generator.generate(model, text, settings, t -> {
                if (!json) {
                    out.print(t.text());
                    out.flush();
                }
            }, () -> Thread.currentThread().isInterrupted());
            if (json) {
                out.println(Json.toJson(toJson(model, r, settings, text)));
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

    /**
     * The prompt as a conversation in the model's chat template, ending with the assistant's turn;
     * the end of that turn joins {@code stop}.
     */
    private String conversation(LoadedModel model, List<String> stop) {
        ChatTemplate template = ChatOptions.required(model);
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(ChatMessage.system(system));
        }
        messages.add(ChatMessage.user(prompt));
        if (!template.assistantEnd().isBlank()) {
            stop.add(template.assistantEnd().strip());
        }
        return template.render(messages, true);
    }

    /** The options given, else the model's generation_config.json, else Scales' defaults. */
    private GenerationSettings settings(LoadedModel model, List<String> stop) {
        GenerationSettings d = GenerationSettings.of(model.generationDefaults(), maxTokens);
        try {
            return new GenerationSettings(maxTokens,
                    greedy ? 0 : temperature != null ? temperature : d.temperature(), topK != null ? topK : d.topK(),
                    topP != null ? topP : d.topP(), repetitionPenalty != null ? repetitionPenalty
                    : d.repetitionPenalty(), seed, stop, true);
        } catch (InvalidSetting e) {
            throw new ScalesException(FLAGS.get(e.setting()) + ": " + e.getMessage());
        }
    }

    /** The option that sets each of the settings. */
    private static final Map<GenerationSettings.Setting, String> FLAGS = Map.of(
            GenerationSettings.Setting.MAX_NEW_TOKENS, "--max-tokens", GenerationSettings.Setting.TEMPERATURE,
            "--temperature", GenerationSettings.Setting.TOP_K, "--top-k", GenerationSettings.Setting.TOP_P, "--top-p",
            GenerationSettings.Setting.REPETITION_PENALTY, "--repetition-penalty");

    /** @param renderedPrompt the exact text given to the tokenizer: the prompt, or the conversation the template wrote */
    private JsonObject toJson(LoadedModel model, GenerationResult r, GenerationSettings settings, String renderedPrompt) {
        JsonObject o = new JsonObject();
        o.addProperty("model", model.folder().toString());
        o.addProperty("prompt", prompt);
        o.addProperty("renderedPrompt", renderedPrompt);
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
        JsonObject sampling = new JsonObject();
        sampling.addProperty("temperature", settings.temperature());
        sampling.addProperty("topK", settings.topK());
        sampling.addProperty("topP", settings.topP());
        sampling.addProperty("repetitionPenalty", settings.repetitionPenalty());
        o.add("settings", sampling);
        o.addProperty("prefillMs", r.prefillNanos() / 1e6);
        o.addProperty("decodeTokensPerSecond", r.decodeTokensPerSecond());
        return o;
    }
}
