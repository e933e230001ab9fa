package dev.scales.core.prompt;

import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatMessage;
import dev.scales.core.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A few-shot prompt as data: an instruction, demonstrations, the query and the template that
 * writes them. {@link #render()} gives the exact text the model sees.
 *
 * <p>In chat format ({@code chat} not null) the same parts become a conversation written by the
 * model's chat template: the instruction is the system message, each demonstration a user turn
 * (the template's query, e.g. "Review: …\nSentiment:") answered by an assistant turn (its output),
 * and the query the last user turn followed by the assistant's header, where the answer begins.
 *
 * @param chat the model's chat template in chat format; null for running text
 */
public record FewShotPrompt(String instruction, List<Example> examples, String query, PromptTemplate template,
                            ChatTemplate chat) {
    private static final String MARK = "\u2063QUERY\u2063";

    public FewShotPrompt {
        instruction = instruction == null ? "" : instruction;
        examples = List.copyOf(examples);
        query = Objects.requireNonNullElse(query, "");
        Objects.requireNonNull(template, "template");
    }

    /** A prompt written as running text. */
    public FewShotPrompt(String instruction, List<Example> examples, String query, PromptTemplate template) {
        this(instruction, examples, query, template, null);
    }

    /** This prompt written by {@code chat} (null: as running text). */
    public FewShotPrompt withChat(ChatTemplate chat) {
        return new FewShotPrompt(instruction, examples, query, template, chat);
    }

    public boolean isChat() {
        return chat != null;
    }

    /** The demonstrations that are switched on, in order. */
    public List<Example> enabledExamples() {
        return examples.stream().filter(Example::enabled).toList();
    }

    /** The conversation asking {@code input}: system, then a user/assistant pair per demonstration, then the user's query. */
    public List<ChatMessage> messages(String input) {
        List<ChatMessage> messages = new ArrayList<>();
        if (!instruction.isBlank()) {
            messages.add(ChatMessage.system(instruction.strip()));
        }
        for (Example e : enabledExamples()) {
            messages.add(ChatMessage.user(template.renderQuery(e.input())));
            messages.add(ChatMessage.assistant(answer(e.output())));
        }
        messages.add(ChatMessage.user(template.renderQuery(input)));
        return messages;
    }

    /**
     * Everything before the query, the same for every query: instruction (followed by a blank line)
     * and demonstrations; in chat format the conversation up to where the last user turn's text begins.
     */
    public String renderPrefix() {
        if (chat != null) {
            String mark = template.inputOf(MARK);
            String userTurn = template.renderQuery(mark);
            String text = chat.render(messages(mark), true);
            int at = text.lastIndexOf(userTurn);
            return at >= 0 ? text.substring(0, at) : "";
        }
        StringBuilder sb = new StringBuilder();
        if (!instruction.isBlank()) {
            sb.append(instruction.strip()).append("\n\n");
        }
        for (Example e : enabledExamples()) {
            sb.append(template.renderExample(e.input(), e.output()));
        }
        return sb.toString();
    }

    /** The text after {@link #renderPrefix()} that asks {@code input}, ending where the answer begins. */
    public String renderQuery(String input) {
        if (chat == null) {
            return template.renderQuery(input);
        }
        String prefix = renderPrefix();
        String text = chat.render(messages(input), true);
        if (!text.startsWith(prefix)) {
            throw new ScalesException(chat.origin() + ": the chat template writes the conversation before the "
                    + "query differently for the query \"" + PromptTemplate.escape(input) + "\"");
        }
        return text.substring(prefix.length());
    }

    /** The exact text the model sees: prefix then the query, ending where the answer begins. */
    public String render() {
        return chat != null ? chat.render(messages(query), true) : renderPrefix() + template.renderQuery(query);
    }

    /**
     * How an answer is written after the query: e.g. " positive" after "Sentiment:" in running text;
     * in chat format the assistant's text as it is, without leading spaces.
     */
    public String answer(String output) {
        return chat != null ? output.stripLeading() : template.answer(output);
    }

    /** What ends an answer: the template's text after {@code {output}}, or the end of an assistant turn in chat format. */
    public String answerTerminator() {
        return chat != null ? chat.assistantEnd() : template.answerTerminator();
    }
}
