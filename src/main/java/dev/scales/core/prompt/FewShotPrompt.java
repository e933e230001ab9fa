package dev.scales.core.prompt;

import java.util.List;
import java.util.Objects;

/**
 * A few-shot prompt as data: an instruction, demonstrations, the query and the template that
 * writes them. {@link #render()} gives the exact text the model sees.
 */
public record FewShotPrompt(String instruction, List<Example> examples, String query, PromptTemplate template) {
    public FewShotPrompt {
        instruction = instruction == null ? "" : instruction;
        examples = List.copyOf(examples);
        query = Objects.requireNonNullElse(query, "");
        Objects.requireNonNull(template, "template");
    }

    /** The demonstrations that are switched on, in order. */
    public List<Example> enabledExamples() {
        return examples.stream().filter(Example::enabled).toList();
    }

    /** Everything before the query: instruction (followed by a blank line) and demonstrations. */
    public String renderPrefix() {
        StringBuilder sb = new StringBuilder();
        if (!instruction.isBlank()) {
            sb.append(instruction.strip()).append("\n\n");
        }
        for (Example e : enabledExamples()) {
            sb.append(template.renderExample(e.input(), e.output()));
        }
        return sb.toString();
    }

    /** The exact text the model sees: prefix then the query, ending where the answer begins. */
    public String render() {
        return renderPrefix() + template.renderQuery(query);
    }
}
