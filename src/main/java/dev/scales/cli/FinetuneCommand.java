package dev.scales.cli;

import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.model.ModelSaver;
import dev.scales.core.prompt.PromptTemplate;
import dev.scales.core.train.FineTuneRun;
import dev.scales.core.train.FineTuneSettings;
import dev.scales.core.train.FineTuneSettings.Setting;
import dev.scales.core.train.TrainingData;
import dev.scales.core.train.TrainingEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scales finetune}: the fine-tuning pane's training, headless. */
@Command(name = "finetune", mixinStandardHelpOptions = true, defaultValueProvider = FinetuneCommand.Defaults.class,
        description = "Fine-tune a model (LoRA or full) on a JSONL dataset and save the result.")
final class FinetuneCommand implements Callable<Integer> {
    enum Method { LORA, FULL }

    private static final FineTuneSettings DEFAULT = FineTuneSettings.DEFAULT;

    /** An option that sets a fine-tuning setting: its flag, the setting its errors name, its default (null: none). */
    private record Flag(String name, Setting setting, Object defaultValue) {}

    private static final List<Flag> FLAGS = List.of(
            new Flag("--method", null, DEFAULT.isLora() ? "lora" : "full"),
            new Flag("--rank", Setting.LORA_RANK, DEFAULT.lora().rank()),
            new Flag("--alpha", Setting.LORA_ALPHA, null),
            new Flag("--targets", Setting.LORA_TARGETS, null),
            new Flag("--lr", Setting.LEARNING_RATE, DEFAULT.learningRate()),
            new Flag("--epochs", Setting.EPOCHS, DEFAULT.epochs()),
            new Flag("--max-steps", Setting.MAX_STEPS, DEFAULT.maxSteps()),
            new Flag("--batch", Setting.BATCH_SIZE, DEFAULT.batchSize()),
            new Flag("--accumulate", Setting.ACCUMULATION, DEFAULT.accumulation()),
            new Flag("--log-every", Setting.LOG_EVERY, DEFAULT.logEvery()),
            new Flag("--seed", Setting.SEED, DEFAULT.seed()),
            new Flag("--eval-every", Setting.EVAL_EVERY, DEFAULT.evalEvery()),
            new Flag("--patience", Setting.PATIENCE, DEFAULT.patience()));

    /** The options' defaults are {@link FineTuneSettings#DEFAULT}'s, the app's (and --help shows them). */
    static final class Defaults implements CommandLine.IDefaultValueProvider {
        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            return arg instanceof CommandLine.Model.OptionSpec o ? FLAGS.stream()
                    .filter(f -> f.name().equals(o.longestName()) && f.defaultValue() != null)
                    .map(f -> String.valueOf(f.defaultValue())).findFirst().orElse(null) : null;
        }
    }

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, description = "JSONL rows: {\"text\"}, {\"prompt\",\"completion\"}, "
            + "{\"messages\": [{\"role\",\"content\"}…]} (written by the model's chat template, loss on assistant turns) "
            + "or {\"input\",\"label\"}.")
    Path data;

    @Option(names = "--template", defaultValue = "Input: {input}\nOutput: {output}\n\n",
            description = "How {input,label} rows are written (default: ${DEFAULT-VALUE}).")
    String template;

    @Option(names = "--instruction", defaultValue = "",
            description = "A line written before each {input,label} row's query, as a zero-shot prompt writes it.")
    String instruction;

    @Option(names = "--prompt-set", paramLabel = "FILE", description = "Write {input,label} rows as this prompt set's "
            + "zero-shot prompt does (its instruction and template; overrides --template and --instruction).")
    Path promptSet;

    @Mixin
    FieldOptions fieldOptions;

    @Option(names = "--method", description = "lora or full (default: ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--rank", description = "LoRA rank (default: ${DEFAULT-VALUE}; alpha = rank, PEFT's default, "
            + "unless --alpha).")
    int rank;

    @Option(names = "--alpha", description = "LoRA alpha.")
    Float alpha;

    @Option(names = "--targets", split = ",", description = "LoRA target modules (default: every linear layer: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj; GPT-2: c_attn,c_proj,c_fc).")
    List<String> targets;

    @Option(names = "--lr", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--epochs", description = "Epochs to run, given instead of --max-steps (default: "
            + "${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--max-steps", description = "Stop after this many steps (default: ${DEFAULT-VALUE}, unless "
            + "--epochs is given; 0: run the epochs).")
    int maxSteps;
    @Option(names = "--batch", description = "Examples per micro-batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--accumulate", description = "Micro-batches per optimizer step (gradient accumulation: an "
            + "effective batch of --batch × this; default: ${DEFAULT-VALUE}).") int accumulate;
    @Option(names = "--log-every", description = "Report the mean training loss every this many steps; in between "
            + "it stays on the device (a GPU is synchronised only then; default: ${DEFAULT-VALUE}).") int logEvery;
    @Option(names = "--seed", description = "Seed of the split, the order and the adapters' initial weights "
            + "(default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--eval-every", description = "Steps between evaluations on the validation share (default: "
            + "${DEFAULT-VALUE}).") int evalEvery;
    @Option(names = "--patience", description = "Stop after this many evaluations without a better validation loss "
            + "(default: ${DEFAULT-VALUE}; 0: never).")
    int patience;

    @Option(names = "--out", required = true, description = "Where to write the model (full) or the PEFT adapter (LoRA).")
    Path out;

    @Option(names = "--checkpoints", description = "Also keep the best (by validation loss) and the last checkpoint here.")
    Path checkpoints;

    @Option(names = "--resume", description = "Continue from a 'last' checkpoint of the same run (same data and settings).")
    Path resume;

    @Option(names = "--json", description = "One JSON object per line for each step and evaluation, then a final one.")
    boolean json;

    @Mixin
    ChatOptions chatOptions;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        var set = promptSet == null ? null : dev.scales.core.prompt.PromptSet.read(promptSet);
        PromptTemplate rows = set != null ? set.template() : new PromptTemplate(template);
        // Full fine-tuning resumes from the checkpoint's weights; LoRA loads its adapter onto the base model.
        if (resume != null && method == Method.FULL) {
            modelOptions.model = resume;
        }
        try (LoadedModel model = modelOptions.load()) {
            TrainingData.Result dataset = TrainingData.read(data, new TrainingData.Format(
                    set != null ? set.instruction() : instruction, rows, model.chat().orElse(null),
                    chatOptions.template(model) != null).withFields(fieldOptions.fields()));
            dataset.problems().forEach(p -> err.println("skipped " + p));
            FineTuneSettings settings = settings(model);
            LoraConfig lora = settings.lora();
            FineTuneRun.Outcome outcome = FineTuneRun.run(model, dataset.examples(), settings,
                    e -> report(e, stdout, err), FineTuneRun.Control.stopWhen(() -> Thread.currentThread().isInterrupted())
                            .checkpoints(checkpoints == null ? null : new dev.scales.core.train.Checkpoints(checkpoints))
                            .resumeFrom(resume));
            outcome.skipped().forEach(p -> err.println("skipped " + p));
            if (outcome.finished().outcome() == TrainingEvent.Outcome.FAILED) {
                throw new ScalesException(outcome.finished().message());
            }
            if (outcome.adapters() != null) {
                try (var adapters = outcome.adapters()) {
                    adapters.save(out, model);
                }
            } else {
                ModelSaver.save(model, out);
            }
            JsonObject done = new JsonObject();
            done.addProperty("event", "saved");
            done.addProperty("output", out.toAbsolutePath().toString());
            done.addProperty("format", lora != null ? "peft-lora" : "hf");
            done.addProperty("steps", outcome.finished().steps());
            double best = outcome.finished().bestValidationLoss();
            done.add("bestValidationLoss", Double.isNaN(best) ? com.google.gson.JsonNull.INSTANCE
                    : new com.google.gson.JsonPrimitive(best));
            if (json) {
                stdout.println(Json.toJson(done));
            } else {
                stdout.printf("saved %s (%s) after %d steps%n", out, lora != null ? "LoRA adapter, PEFT layout"
                        : "full model, HF layout", outcome.finished().steps());
            }
        }
        stdout.flush();
        return 0;
    }

    /**
     * The options as settings, the ones without an option as {@link FineTuneSettings#DEFAULT}'s; a bad
     * value is named by its option.
     */
    private FineTuneSettings settings(LoadedModel model) {
        try {
            LoraConfig lora = method == Method.LORA ? FineTuneSettings.lora(rank, alpha == null ? rank : alpha,
                    DEFAULT.lora().dropout(), targets == null ? LoraConfig.defaultTargets(model.config().architecture())
                            : targets) : null;
            // --epochs alone runs its epochs, not the default number of steps
            var given = spec.commandLine().getParseResult();
            int steps = given.hasMatchedOption("--epochs") && !given.hasMatchedOption("--max-steps") ? 0 : maxSteps;
            return new FineTuneSettings(lora, lr, epochs, steps, batch, DEFAULT.warmupFraction(), DEFAULT.cosine(),
                    DEFAULT.weightDecay(), DEFAULT.maxGradNorm(), seed, evalEvery, DEFAULT.validationFraction(), patience,
                    accumulate, logEvery);
        } catch (FineTuneSettings.Invalid e) {
            String flag = FLAGS.stream().filter(f -> f.setting() == e.setting()).map(f -> f.name() + ": ").findFirst()
                    .orElse("");
            throw new ScalesException(flag + e.getMessage());
        }
    }

    private void report(TrainingEvent e, PrintWriter stdout, PrintWriter err) {
        if (json) {
            JsonObject o = Json.GSON.toJsonTree(e).getAsJsonObject();
            o.addProperty("event", e.getClass().getSimpleName().toLowerCase(Locale.ROOT));
            // Nothing measured (no accuracy on unlabelled data, no norm) is left out: NaN is not JSON.
            o.entrySet().removeIf(f -> f.getValue().isJsonPrimitive() && f.getValue().getAsJsonPrimitive().isNumber()
                    && Double.isNaN(f.getValue().getAsDouble()));
            stdout.println(Json.toJson(o));
            stdout.flush();
        } else if (e instanceof TrainingEvent.Step s && (s.step() % 10 == 0 || s.step() == s.totalSteps())) {
            err.printf(Locale.ROOT, "step %d/%d  loss %.4f  lr %.2e  %.0f tok/s%n", s.step(), s.totalSteps(),
                    s.trainLoss(), s.learningRate(), s.tokensPerSecond());
        } else if (e instanceof TrainingEvent.Evaluation v) {
            err.printf(Locale.ROOT, "step %d  validation loss %.4f%s%n", v.step(), v.validationLoss(),
                    Double.isNaN(v.validationAccuracy()) ? ""
                            : String.format(Locale.ROOT, "  accuracy %.3f", v.validationAccuracy()));
        }
    }
}
