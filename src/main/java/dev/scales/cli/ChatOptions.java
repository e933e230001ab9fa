package dev.scales.cli;

import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.model.LoadedModel;
import picocli.CommandLine.Option;

/** {@code --chat}: prompts written as a conversation by the model's own chat template. */
final class ChatOptions {
    @Option(names = "--chat", description = "Write prompts as a conversation with the model's chat template "
            + "(the instruction as the system message, each demonstration a user/assistant turn pair).")
    boolean chat;

    /** The model's template when {@code --chat} is given, else null; a model without one is refused. */
    ChatTemplate template(LoadedModel model) {
        return chat ? required(model) : null;
    }

    /** The model's chat template; a model without one is refused naming what is missing. */
    static ChatTemplate required(LoadedModel model) {
        return model.chat().orElseThrow(() -> new ScalesException("--chat: " + model.name() + " has no chat template "
                + "(its tokenizer_config.json has no \"chat_template\" and there is no chat_template.jinja); "
                + "leave out --chat to prompt it with running text"));
    }
}
