package dev.scales.core.chat;

import dev.scales.core.ScalesException;
import java.util.Objects;

/** One turn of a conversation as chat templates read it: a role ("system", "user", "assistant", …) and its text. */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        if (role == null || role.isBlank()) {
            throw new ScalesException("a chat message needs a role");
        }
        content = Objects.requireNonNullElse(content, "");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }
}
