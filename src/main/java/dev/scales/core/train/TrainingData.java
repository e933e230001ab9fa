package dev.scales.core.train;

import dev.scales.core.ScalesException;
import dev.scales.core.chat.ChatTemplate;
import dev.scales.core.data.Jsonl;
import dev.scales.core.data.LabelledData;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a fine-tuning dataset from JSON Lines or CSV (a header naming the fields). Each row is one of
 * <ul>
 *   <li>{@code {"text": …}} — plain text, every token trained;</li>
 *   <li>{@code {"prompt": …, "completion": …}} — the loss counts on the completion only;</li>
 *   <li>{@code {"input": …, "label": …}} — the labelled format the prompt pane evaluates, written
 *       as its zero-shot prompt is (the instruction, then the template's query; the label plus the
 *       template's terminator as the completion), so fine-tuning and prompting see the same task;</li>
 *   <li>{@code {"messages": [{"role": …, "content": …}, …]}} — a conversation (OpenAI, TRL and
 *       Axolotl's format) written by the model's chat template; the loss counts on the assistant
 *       turns only, each with the template's end of turn.</li>
 * </ul>
 * A row matching none of them is reported with its line, never dropped silently.
 */
public final class TrainingData {
    private TrainingData() {}

    /** The examples read and the rows that could not be used. */
    public record Result(List<TrainingExample> examples, List<Jsonl.Problem> problems) {
        public Result {
            examples = List.copyOf(examples);
            problems = List.copyOf(problems);
        }
    }

    /**
     * How rows are written: the prompt's instruction ("" for none) and its template for labelled
     * rows; the model's chat template (null where it has none) for conversations, and for labelled
     * rows too when {@code labelledAsChat}. On a small model the instruction matters beyond its
     * words: the bundled model fine-tuned on the sentiment task without it stayed at chance for 150
     * steps, and with it reached 1.00 in 50 (docs/decisions/0009).
     */
    public record Format(String instruction, PromptTemplate template, ChatTemplate chat, boolean labelledAsChat,
                         LabelledData.Fields fields) {
        public Format {
            instruction = instruction == null ? "" : instruction;
            if (labelledAsChat && chat == null) {
                throw new ScalesException("chat format needs the model's chat template, and this model has none");
            }
            fields = fields == null ? LabelledData.Fields.DEFAULT : fields;
        }

        /** Labelled rows as running text; no conversations. */
        public Format(String instruction, PromptTemplate template) {
            this(instruction, template, null, false, null);
        }

        public Format(String instruction, PromptTemplate template, ChatTemplate chat, boolean labelledAsChat) {
            this(instruction, template, chat, labelledAsChat, null);
        }

        /** Labelled rows read from these fields (and label map). */
        public Format withFields(LabelledData.Fields f) {
            return new Format(instruction, template, chat, labelledAsChat, f);
        }

        /** The zero-shot prompt asking {@code input}, as the prompt pane writes it. */
        FewShotPrompt prompt(String input) {
            return new FewShotPrompt(instruction, List.of(), input, template, labelledAsChat ? chat : null);
        }
    }

    /** Reads JSONL, or CSV (a {@code .csv} file) whose header names the same fields; no instruction. */
    public static Result read(Path file, PromptTemplate template) {
        return read(file, new Format("", template));
    }

    public static Result read(Path file, Format format) {
        dev.scales.core.data.Records.Table t = dev.scales.core.data.Records.read(file);
        return of(file, new Jsonl.Result(t.rows(), t.problems()), format);
    }

    /** The examples of rows already read from {@code file} (e.g. for a preview as well). */
    public static Result of(Path file, Jsonl.Result rows, Format format) {
        List<TrainingExample> examples = new ArrayList<>();
        List<Jsonl.Problem> problems = new ArrayList<>(rows.problems());
        for (Jsonl.Row row : rows.rows()) {
            Map<String, String> f = row.fields();
            String completion;
            String prompt;
            TrainingExample.Label label = null;
            String input = format.fields().inputOf(f);
            if (input != null && !input.isEmpty() && has(f, format.fields().label())) {
                String name = format.fields().labelOf(f.get(format.fields().label()));
                if (name == null) {
                    problems.add(new Jsonl.Problem(file, row.line(), "label \"" + f.get(format.fields().label())
                            + "\" is not one of the label names given (" + format.fields().labelNamesText() + ")"));
                    continue;
                }
                FewShotPrompt query = format.prompt(input);
                try {
                    prompt = query.render();
                } catch (ScalesException e) {
                    problems.add(new Jsonl.Problem(file, row.line(), e.getMessage()));
                    continue;
                }
                label = new TrainingExample.Label(name, query.answer(name));
                completion = label.written() + query.answerTerminator();
            } else if (has(f, "text")) {
                prompt = "";
                completion = f.get("text");
            } else if (has(f, "prompt") && has(f, "completion")) {
                prompt = f.get("prompt");
                completion = f.get("completion");
            } else if (has(f, "messages")) {
                try {
                    examples.add(Conversations.example(row.line(), Conversations.parse(f.get("messages")),
                            format.chat()));
                } catch (ScalesException e) {
                    problems.add(new Jsonl.Problem(file, row.line(), e.getMessage()));
                }
                continue;
            } else {
                problems.add(new Jsonl.Problem(file, row.line(), "expected \"text\", \"prompt\"+\"completion\", "
                        + "\"" + String.join("\"+\"", format.fields().inputs()) + "\"+\"" + format.fields().label()
                        + "\" or \"messages\", found "
                        + f.keySet()));
                continue;
            }
            examples.add(new TrainingExample(row.line(), prompt, completion, label));
        }
        problems.sort(java.util.Comparator.comparingInt(Jsonl.Problem::line));
        return new Result(examples, problems);
    }

    private static boolean has(Map<String, String> f, String key) {
        return f.get(key) != null && !f.get(key).isEmpty();
    }
}
