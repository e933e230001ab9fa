package dev.scales.core.chat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.scales.core.ScalesException;
import dev.scales.core.util.JsonFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template: the Jinja program in {@code tokenizer_config.json} (or
 * {@code chat_template.jinja}) that writes a conversation the way the model was tuned to read it.
 * Rendered by Jinjava set up as transformers' {@code apply_chat_template} sets up Jinja:
 * {@code trim_blocks}, {@code lstrip_blocks}, whitespace control on every tag, Jinja's operator
 * precedence, {@code raise_exception}, {@code strftime_now}, Python's {@code tojson}; the template
 * gets {@code messages}, {@code add_generation_prompt} and the special tokens.
 */
public final class ChatTemplate {
    private static final String CONFIG = "tokenizer_config.json";
    private static final String JINJA_FILE = "chat_template.jinja";
    private static final String MARK = "\u2063SCALES-MARK\u2063";
    private static final Jinjava JINJA = jinja();
    private static final ThreadLocal<String> REFUSAL = new ThreadLocal<>();
    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();

    private final String source;
    private final String origin;
    private final Map<String, String> specialTokens;
    private final Clock clock;
    private volatile String assistantEnd;

    /**
     * @param source        the Jinja text
     * @param origin        where it came from, for messages (a file)
     * @param specialTokens e.g. {@code bos_token → "<s>"}; absent tokens are left undefined, as in transformers
     */
    public ChatTemplate(String source, String origin, Map<String, String> specialTokens) {
        this(source, origin, specialTokens, Clock.systemDefaultZone());
    }

    private ChatTemplate(String source, String origin, Map<String, String> specialTokens, Clock clock) {
        if (source == null || source.isBlank()) {
            throw new ScalesException(origin + ": the chat template is empty");
        }
        this.source = source;
        this.origin = origin;
        this.specialTokens = Map.copyOf(specialTokens);
        this.clock = clock;
    }

    /** The same template reading the date (for {@code strftime_now}) from {@code clock}. */
    public ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(source, origin, specialTokens, clock);
    }

    /**
     * The template a model folder ships, if any: {@code chat_template.jinja}, else the
     * {@code chat_template} of {@code tokenizer_config.json} (a string, or a list of named
     * templates of which "default" is taken). A file that is present but malformed is an error
     * naming it and the key.
     */
    public static Optional<ChatTemplate> read(Path folder) {
        Path configFile = folder.resolve(CONFIG);
        JsonObject config = Files.isRegularFile(configFile) ? JsonFiles.readObject(configFile) : new JsonObject();
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token", "unk_token", "pad_token")) {
            String token = tokenText(config, key, configFile);
            if (token != null) {
                tokens.put(key, token);
            }
        }
        Path jinjaFile = folder.resolve(JINJA_FILE);
        try {
            if (Files.isRegularFile(jinjaFile)) {
                return Optional.of(new ChatTemplate(Files.readString(jinjaFile), jinjaFile.toString(), tokens));
            }
        } catch (IOException e) {
            throw new ScalesException(jinjaFile + ": not readable (" + e.getMessage() + ")", e);
        }
        String origin = configFile + " \"chat_template\"";
        JsonElement t = config.get("chat_template");
        if (t == null || t.isJsonNull()) {
            return Optional.empty();
        }
        if (t.isJsonPrimitive() && t.getAsJsonPrimitive().isString()) {
            return Optional.of(new ChatTemplate(t.getAsString(), origin, tokens));
        }
        if (t.isJsonArray()) {
            for (JsonElement e : t.getAsJsonArray()) {
                if (e.isJsonObject() && e.getAsJsonObject().has("name") && e.getAsJsonObject().has("template")
                        && "default".equals(e.getAsJsonObject().get("name").getAsString())) {
                    return Optional.of(new ChatTemplate(e.getAsJsonObject().get("template").getAsString(),
                            origin + " (\"default\")", tokens));
                }
            }
            throw new ScalesException(origin + ": a list of templates without one named \"default\"");
        }
        throw new ScalesException(origin + ": expected a string or a list of {\"name\", \"template\"}, found " + t);
    }

    /** A special token as tokenizer_config.json writes it: a string, an AddedToken object, or null. */
    private static String tokenText(JsonObject config, String key, Path file) {
        JsonElement e = config.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        if (e.isJsonObject() && e.getAsJsonObject().has("content")
                && e.getAsJsonObject().get("content").isJsonPrimitive()) {
            return e.getAsJsonObject().get("content").getAsString();
        }
        throw new ScalesException(file + ": \"" + key + "\" must be a string or an object with \"content\", found " + e);
    }

    public String source() {
        return source;
    }

    /** Where the template came from, for messages. */
    public String origin() {
        return origin;
    }

    /** The special token the template is given as {@code name} (e.g. "bos_token"), if the model has one. */
    public Optional<String> specialToken(String name) {
        return Optional.ofNullable(specialTokens.get(name));
    }

    /**
     * The exact text of {@code messages}, ending with the assistant's header when
     * {@code addGenerationPrompt}. A template that refuses the conversation (its
     * {@code raise_exception}) throws {@link Refusal} with the template's reason.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        Map<String, Object> bindings = new LinkedHashMap<>(specialTokens);
        List<Map<String, Object>> list = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("role", m.role());
            map.put("content", m.content());
            list.add(map);
        }
        bindings.put("messages", list);
        bindings.put("add_generation_prompt", addGenerationPrompt);
        // Jinja's globals are variables as well as functions: templates test "strftime_now is defined".
        bindings.put("strftime_now", "strftime_now");
        bindings.put("raise_exception", "raise_exception");
        REFUSAL.remove();
        CLOCK.set(clock);
        RenderResult result;
        try {
            result = JINJA.renderForResult(source, bindings);
        } finally {
            CLOCK.remove();
        }
        String refusal = REFUSAL.get();
        REFUSAL.remove();
        if (refusal != null) {
            throw new Refusal(refusal);
        }
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new ScalesException(origin + ": the chat template fails at line " + e.getLineno() + ": "
                        + e.getMessage());
            }
        }
        return result.getOutput();
    }

    /**
     * What the template writes after an assistant turn's text, e.g. {@code "<|im_end|>\n"}: where a
     * model's answer ends. Empty if the template writes nothing there or cannot write a
     * user–assistant exchange.
     */
    public String assistantEnd() {
        String end = assistantEnd;
        if (end == null) {
            try {
                String text = render(List.of(ChatMessage.user("Hi"), ChatMessage.assistant(MARK)), false);
                int at = text.lastIndexOf(MARK);
                end = at < 0 ? "" : text.substring(at + MARK.length());
            } catch (ScalesException e) {
                end = "";
            }
            assistantEnd = end;
        }
        return end;
    }

    /** A template's own refusal of a conversation, e.g. "System role not supported". */
    public static final class Refusal extends ScalesException {
        Refusal(String reason) {
            super("the model's chat template refuses this conversation: " + reason);
        }
    }

    private static Jinjava jinja() {
        LegacyOverrides jinja2 = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true)
                .withUseNaturalOperatorPrecedence(true)
                .withParseWhitespaceControlStrictly(true)
                .withIterateOverMapKeys(true)
                .withEvaluateMapKeys(true)
                .withUsePyishObjectMapper(true)
                .withKeepNullableLoopValues(true)
                .build();
        Jinjava j = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(jinja2)
                .withMaxOutputSize(64L << 20)
                .withEnableRecursiveMacroCalls(false)
                .withNestedInterpretationEnabled(false)
                .build());
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class,
                "raiseException", Object.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class,
                "strftimeNow", String.class));
        j.getGlobalContext().registerFilter(new PythonJson());
        return j;
    }

    /** The template's {@code raise_exception(message)}: remembered, then rendering is stopped. */
    public static Object raiseException(Object message) {
        if (REFUSAL.get() == null) {
            REFUSAL.set(String.valueOf(message));
        }
        throw new IllegalStateException(String.valueOf(message));
    }

    /** transformers' {@code strftime_now(format)}: the current date and time in Python's strftime format. */
    public static String strftimeNow(String format) {
        Clock clock = CLOCK.get() == null ? Clock.systemDefaultZone() : CLOCK.get();
        return Strftime.format(format, ZonedDateTime.now(clock));
    }
}
