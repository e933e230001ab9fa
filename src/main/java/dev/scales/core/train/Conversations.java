package dev.scales.core.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatMessage;
import dev.scales.core.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;

/** Conversations as training data: read from a {@code "messages"} field, written by the model's chat template. */
final class Conversations {
    private Conversations() {}

    /** The messages of a {@code "messages"} field: a JSON list of {@code {"role", "content"}} objects. */
    static List<ChatMessage> parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (RuntimeException e) {
            throw new ScalesException("\"messages\" is not a JSON list (" + e.getMessage() + ")");
        }
        if (!root.isJsonArray() || root.getAsJsonArray().isEmpty()) {
            throw new ScalesException("\"messages\" must be a non-empty list of {\"role\", \"content\"}");
        }
        List<ChatMessage> messages = new ArrayList<>();
        int i = 0;
        for (JsonElement e : root.getAsJsonArray()) {
            i++;
            if (!e.isJsonObject() || !isString(e.getAsJsonObject().get("role"))
                    || !isString(e.getAsJsonObject().get("content"))) {
                throw new ScalesException("\"messages\" item " + i + " needs a text \"role\" and \"content\", found " + e);
            }
            messages.add(new ChatMessage(e.getAsJsonObject().get("role").getAsString(),
                    e.getAsJsonObject().get("content").getAsString()));
        }
        return messages;
    }

    private static boolean isString(JsonElement e) {
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString();
    }

    /**
     * The conversation as {@code chat} writes it, in segments: each assistant turn (its text and the
     * template's end of turn) trained, everything between context. Found by rendering turn by turn:
     * the text up to an assistant turn is the conversation before it with the generation prompt, and
     * the text through it is the conversation up to it; both must begin the whole rendering.
     */
    static TrainingExample example(int line, List<ChatMessage> messages, ChatTemplate chat) {
        if (chat == null) {
            throw new ScalesException("a \"messages\" row needs the model's chat template, and this model has none");
        }
        if (messages.stream().noneMatch(m -> m.role().equals("assistant"))) {
            throw new ScalesException("no assistant turn to train on");
        }
        String full = chat.render(messages, false);
        List<TrainingExample.Segment> segments = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < messages.size(); i++) {
            if (!messages.get(i).role().equals("assistant")) {
                continue;
            }
            String before = chat.render(messages.subList(0, i), true);
            String through = chat.render(messages.subList(0, i + 1), false);
            if (before.length() < at || !through.startsWith(before) || !full.startsWith(through)) {
                throw new ScalesException(chat.origin() + " does not write this conversation turn by turn "
                        + "(the text before assistant turn " + (i + 1) + " changes with what follows)");
            }
            segments.add(new TrainingExample.Segment(full.substring(at, before.length()), false));
            segments.add(new TrainingExample.Segment(full.substring(before.length(), through.length()), true));
            at = through.length();
        }
        return TrainingExample.conversation(line, segments);
    }
}
