package dev.scales.core.pretrain;

import ai.djl.Device;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.scales.core.ScalesException;
import dev.scales.core.bpe.BpeTrainer;
import dev.scales.core.bpe.BpeVocabulary;
import dev.scales.core.corpus.Corpus;
import dev.scales.core.corpus.SampleTasks;
import dev.scales.core.corpus.World;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.ModelSaver;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.PromptSet;
import dev.scales.core.train.AdamW;
import dev.scales.core.train.TrainStep;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Trains the bundled model from scratch: generates the corpus ({@link Corpus}), trains its
 * byte-level BPE tokenizer, builds a GPT-2-shaped model with fresh weights and trains it with the
 * same engine and optimizer step the fine-tuning pane uses. Every few hundred steps it probes
 * in-context learning on the sentiment task's validation split (0 shots, 8 shots, 8 shots with the
 * labels flipped), so the log shows when reading labels from the context forms. The same settings
 * and seed give the same model.
 */
public final class Pretrain {
    private Pretrain() {}

    /** How to pretrain; the defaults build the bundled model. */
    public record Settings(String architecture, long seed, int steps, int batch, int context, float learningRate,
                           int warmupSteps, int vocabSize, int hidden, int layers, int heads, float labelWeight,
                           int probeEvery, double maxMinutes, int copySteps, int polaritySteps, int reviewSteps,
                           int previousTokenHeads, int previousTokenLayers) {
        public static final Settings DEFAULT = new Settings("qwen2", 1, 7000, 8, 256, 2e-3f, 200, 1536, 128, 4, 4, 4f,
                500, 0, 400, 3000, 4500, 1, 2);

        public Settings {
            require(architecture.equals("gpt2") || architecture.equals("llama") || architecture.equals("qwen2"),
                    "the architecture must be gpt2, llama or qwen2, got " + architecture);
            require(steps >= 1, "the number of steps must be positive, got " + steps);
            require(batch >= 1 && batch <= 256, "the batch size must be between 1 and 256, got " + batch);
            require(context >= 32 && context <= 2048, "the context length must be between 32 and 2048, got " + context);
            require(learningRate > 0 && learningRate < 1, "the learning rate must be within (0, 1), got " + learningRate);
            require(vocabSize >= 300 && vocabSize <= 65536, "the vocabulary size must be between 300 and 65536, got " + vocabSize);
            require(hidden % heads == 0, "the hidden size (" + hidden + ") must be divisible by the number of heads (" + heads + ")");
            require(layers >= 1 && layers <= 48, "the number of layers must be between 1 and 48, got " + layers);
            require(labelWeight > 0 && labelWeight <= 100, "the label weight must be within (0, 100], got "
                    + labelWeight);
            require(probeEvery >= 1, "the probe interval must be positive, got " + probeEvery);
            require(maxMinutes >= 0, "the time limit in minutes must be 0 (no limit) or positive, got " + maxMinutes);
            require(copySteps >= 0 && copySteps <= steps, "the copy steps must be between 0 and the steps (" + steps
                    + "), got " + copySteps);
            require(polaritySteps >= 0 && polaritySteps <= steps, "the polarity steps must be between 0 and the steps ("
                    + steps + "), got " + polaritySteps);
            require(reviewSteps >= polaritySteps && reviewSteps <= steps, "the review steps must be between "
                    + "the polarity steps (" + polaritySteps + ") and the steps (" + steps + "), got " + reviewSteps);
            require(previousTokenHeads >= 0 && previousTokenHeads <= heads, "the previous-token heads must be between 0 "
                    + "and the heads (" + heads + "), got " + previousTokenHeads);
            require(previousTokenHeads == 0 || architecture.equals("qwen2"), "the previous-token heads need the qwen2 "
                    + "architecture: the prior lives in the attention biases");
            require(previousTokenLayers >= 1 && previousTokenLayers <= layers, "the previous-token layers must be "
                    + "between 1 and the number of layers (" + layers + "), got " + previousTokenLayers);
        }

        /** Linear warm-up, then a cosine down to a tenth of the peak. */
        public float learningRateAt(int step) {
            if (step < warmupSteps) {
                return learningRate * (step + 1) / warmupSteps;
            }
            double progress = Math.min(1.0, (double) (step - warmupSteps) / Math.max(1, steps - warmupSteps));
            return (float) (learningRate * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress))));
        }
    }

    /** One logged step. */
    public record Step(int step, int total, float loss, float learningRate, long tokens, double tokensPerSecond,
                       long elapsedMillis) {}

    /**
     * In-context accuracy at one step: on the sentiment validation split at 0 shots, 8 shots and 8
     * shots with flipped labels, and the in-context score on fresh pretraining-style documents.
     */
    public record Probe(int step, double zeroShot, double eightShot, double eightShotFlipped,
                        Map<Corpus.Kind, ContextProbe.Score> context, double copy) {}

    /** What a run produced. */
    public record Result(Path folder, int steps, long tokens, long elapsedMillis, long parameters, List<Step> log,
                         List<Probe> probes, boolean stoppedEarly) {}

    /** Progress as it happens. */
    public interface Listener {
        void onStep(Step step);

        void onProbe(Probe probe);

        default void onMessage(String message) {}
    }

    public static Result run(Path out, Settings s, Listener listener, BooleanSupplier stop) {
        try {
            Files.createDirectories(out);
            World world = new World(s.seed());
            Corpus corpus = new Corpus(world);
            listener.onMessage("training the tokenizer (" + s.vocabSize() + " tokens)");
            BpeVocabulary vocab = BpeTrainer.train(tokenizerCorpus(corpus, s.seed(), s.vocabSize()), s.vocabSize(),
                    List.of(END_OF_TEXT));
            vocab.write(out.resolve("tokenizer.json"));
            writeConfig(out, s);
            try (LoadedModel model = ModelLoader.initialize(out, Device.cpu(), s.seed())) {
                PreviousTokenPrior.apply(model, s.previousTokenHeads(), s.previousTokenLayers());
                Result r = train(model, corpus, s, listener, stop);
                ModelSaver.save(model, out);
                return r;
            }
        } catch (IOException e) {
            throw new ScalesException(out + ": cannot write the model: " + e.getMessage(), e);
        }
    }

    static final String END_OF_TEXT = "<|endoftext|>";

    /**
     * The texts the tokenizer learns from: a sample of the corpus (2,000 documents, about 2.4 MB;
     * fewer for a small vocabulary), from a seed of its own.
     */
    static List<String> tokenizerCorpus(Corpus corpus, long seed, int vocabSize) {
        Random r = new Random(seed * 7919 + 1);
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < Math.min(2000, 2 * vocabSize); i++) {
            docs.add(corpus.document(r, 1200));
        }
        return docs;
    }

    private static void writeConfig(Path out, Settings s) throws IOException {
        JsonObject c = new JsonObject();
        var arch = new com.google.gson.JsonArray();
        if (s.architecture().equals("gpt2")) {
            c.addProperty("model_type", "gpt2");
            arch.add("GPT2LMHeadModel");
            c.addProperty("n_positions", s.context());
            c.addProperty("n_embd", s.hidden());
            c.addProperty("n_layer", s.layers());
            c.addProperty("n_head", s.heads());
            c.addProperty("activation_function", "gelu_new");
            c.addProperty("layer_norm_epsilon", 1e-5);
            c.addProperty("resid_pdrop", 0.0);
            c.addProperty("embd_pdrop", 0.0);
            c.addProperty("attn_pdrop", 0.0);
        } else {
            // RoPE: attention by relative position, which lets the copying (induction) heads form early.
            // Qwen2 is Llama with q/k/v biases, where the previous-token prior lives.
            boolean qwen = s.architecture().equals("qwen2");
            c.addProperty("model_type", qwen ? "qwen2" : "llama");
            arch.add(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
            if (qwen) {
                c.addProperty("use_sliding_window", false);
            }
            c.addProperty("max_position_embeddings", s.context());
            c.addProperty("hidden_size", s.hidden());
            c.addProperty("intermediate_size", s.hidden() * 8 / 3 / 32 * 32 + 32);
            c.addProperty("num_hidden_layers", s.layers());
            c.addProperty("num_attention_heads", s.heads());
            c.addProperty("num_key_value_heads", s.heads());
            c.addProperty("hidden_act", "silu");
            c.addProperty("rms_norm_eps", 1e-5);
            c.addProperty("rope_theta", 10000.0);
        }
        c.add("architectures", arch);
        c.addProperty("vocab_size", s.vocabSize());
        c.addProperty("initializer_range", 0.02);
        c.addProperty("bos_token_id", 0);
        c.addProperty("eos_token_id", 0);
        c.addProperty("tie_word_embeddings", true);
        c.addProperty("torch_dtype", "float32");
        var gson = new GsonBuilder().setPrettyPrinting().create();
        AtomicFiles.writeString(out.resolve("config.json"), gson.toJson(c));
        JsonObject g = new JsonObject();
        g.addProperty("bos_token_id", 0);
        g.addProperty("eos_token_id", 0);
        g.addProperty("max_new_tokens", 40);
        AtomicFiles.writeString(out.resolve("generation_config.json"), gson.toJson(g));
    }

    private static Result train(LoadedModel model, Corpus corpus, Settings s, Listener listener, BooleanSupplier stop) {
        List<HfBlock.Weight> weights = List.copyOf(model.lm().namedParameters().values());
        weights.forEach(w -> w.parameter().getArray().setRequiresGradient(true));
        long parameters = weights.stream().mapToLong(w -> w.shape().size()).sum();
        listener.onMessage(String.format("model: %s, %d layers, hidden %d, %d heads, context %d, %,d parameters",
                switch (s.architecture()) {
                    case "gpt2" -> "GPT-2";
                    case "qwen2" -> "Qwen2";
                    default -> "Llama";
                }, s.layers(), s.hidden(), s.heads(), s.context(), parameters));
        Probing probing = new Probing(model, new SampleTasks(corpus.world()).sentiment(),
                new ContextProbe(model, corpus.plain(), s.seed(), 16, s.context(), s.vocabSize()));
        List<Step> log = new ArrayList<>();
        List<Probe> probes = new ArrayList<>();
        probes.add(probing.probe(0));
        listener.onProbe(probes.get(0));
        long start = System.nanoTime();
        long tokens = 0;
        int step = 0;
        boolean early = false;
        try (AdamW opt = new AdamW(model.manager(), weights.stream().map(HfBlock.Weight::array).toList(),
                i -> weights.get(i).shape().dimension() == 2, 0.9f, 0.99f, 1e-8f, 0.1f)) {
            while (step < s.steps()) {
                double minutes = (System.nanoTime() - start) / 6e10;
                if (stop.getAsBoolean() || (s.maxMinutes() > 0 && minutes >= s.maxMinutes())) {
                    early = true;
                    break;
                }
                Batch batch = batch(model, corpus, s, step);
                float lr = s.learningRateAt(step);
                TrainStep.Result r = TrainStep.run(model, batch.ids(), batch.weights(), opt, lr, 1.0f, false);
                if (!Float.isFinite(r.loss())) {
                    throw new ScalesException("the loss became " + r.loss() + " at step " + (step + 1)
                            + "; try a lower --lr");
                }
                step++;
                tokens += (long) s.batch() * s.context();
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                Step logged = new Step(step, s.steps(), r.loss(), lr, tokens, tokens / Math.max(1e-9, elapsed / 1e3),
                        elapsed);
                log.add(logged);
                listener.onStep(logged);
                if (step % s.probeEvery() == 0 || step == s.steps()) {
                    Probe p = probing.probe(step);
                    probes.add(p);
                    listener.onProbe(p);
                }
            }
        } finally {
            weights.forEach(w -> w.parameter().getArray().setRequiresGradient(false));
            dev.scales.core.model.GradMode.inference();
        }
        if (early && probes.get(probes.size() - 1).step() != step) {
            Probe p = probing.probe(step);
            probes.add(p);
            listener.onProbe(p);
        }
        return new Result(model.folder(), step, tokens, (System.nanoTime() - start) / 1_000_000, parameters,
                List.copyOf(log), List.copyOf(probes), early);
    }

    /** A batch: token ids per row, and per row the weight of each next-token prediction. */
    record Batch(long[][] ids, float[][] weights) {}

    /**
     * Step {@code step}'s rows: documents from a generator seeded by the run's seed and the step, so
     * the data never depends on what ran before (a resumed or repeated run sees the same batches).
     * Each document ends with the end-of-text token. Predictions of label words weigh
     * {@code labelWeight}, every other token 1. Pieces are tokenized apart at label boundaries, which
     * are pre-token boundaries: the ids are those of the whole text.
     */
    static Batch batch(LoadedModel model, Corpus corpus, Settings s, int step) {
        Random r = new Random(s.seed() * 1_000_003L + step);
        long[][] rows = new long[s.batch()][];
        float[][] weights = new float[s.batch()][];
        for (int i = 0; i < rows.length; i++) {
            // copying alone first; afterwards one row in eight, so the induction head it formed is kept
            if (step < s.copySteps() || (s.copySteps() > 0 && r.nextInt(8) == 0)) {
                rows[i] = copyRow(r, s.context() + 1, s.vocabSize());
                weights[i] = new float[s.context()];
                Arrays.fill(weights[i], 1f);
                continue;
            }
            long[] ids = new long[s.context() + 1];
            float[] w = new float[s.context()];
            int n = 0;
            while (n < ids.length) {
                // From one to about five contexts of characters: many rows hold the end of one document and the start of the next.
                Corpus.Document doc = corpus.labelled(r, kind(r, s, step), s.context() * (1 + r.nextInt(5)));
                int at = 0;
                for (int[] span : doc.labels()) {
                    n = put(model, doc.text().substring(at, span[0]), 1f, ids, w, n);
                    n = put(model, doc.text().substring(span[0], span[1]), s.labelWeight(), ids, w, n);
                    at = span[1];
                }
                n = put(model, doc.text().substring(at), 1f, ids, w, n);
                n = put(model, END_OF_TEXT, 1f, ids, w, n);
            }
            rows[i] = ids;
            weights[i] = w;
        }
        return new Batch(rows, weights);
    }

    /**
     * A row of random-token copying: a segment of 10 to 30 token ids drawn uniformly from the whole
     * vocabulary (the end-of-text id 0 aside), repeated to the end of the row. Only copying from the
     * context predicts the repeats, and with this many distinct tokens nothing else does: the data on
     * which an induction head forms fastest (Olsson et al. 2022; decision 0008).
     */
    static long[] copyRow(Random r, int length, int vocabulary) {
        int n = 10 + r.nextInt(21);
        long[] segment = new long[n];
        for (int i = 0; i < n; i++) {
            segment[i] = 1 + r.nextInt(vocabulary - 1);
        }
        long[] row = new long[length];
        for (int i = 0; i < length; i++) {
            row[i] = segment[i % n];
        }
        return row;
    }

    /**
     * The kind of the next document, by the curriculum: until {@code polaritySteps} only one-word
     * polarity maps (where reading a label from the demonstrations forms first), then until
     * {@code reviewSteps} reviews (70%) and polarity maps, then the whole mix by share.
     */
    static Corpus.Kind kind(Random r, Settings s, int step) {
        if (step < s.polaritySteps()) {
            return Corpus.Kind.POLARITY;
        }
        if (step < s.reviewSteps()) {
            return r.nextDouble() < 0.7 ? Corpus.Kind.SENTIMENT : Corpus.Kind.POLARITY;
        }
        return Corpus.kind(r);
    }

    /** Appends the tokens of {@code text} from position {@code n}, as far as the row goes; each weighs {@code weight}. */
    private static int put(LoadedModel model, String text, float weight, long[] ids, float[] w, int n) {
        if (text.isEmpty()) {
            return n;
        }
        for (long id : model.tokenizer().encode(text, false)) {
            if (n == ids.length) {
                break;
            }
            ids[n] = id;
            if (n > 0) {
                w[n - 1] = weight; // prediction n - 1 predicts token n
            }
            n++;
        }
        return n;
    }

    /** The in-context probe: the sentiment validation split, demonstrations from its training split. */
    private static final class Probing {
        private final LoadedModel model;
        private final SampleTasks.Task task;
        private final ContextProbe context;

        Probing(LoadedModel model, SampleTasks.Task task, ContextProbe context) {
            this.model = model;
            this.task = task;
            this.context = context;
        }

        Probe probe(int step) {
            List<Example> demos = task.train().subList(16, 24).stream()
                    .map(i -> new Example(i.input(), i.label())).toList();
            List<Example> flipped = demos.stream()
                    .map(e -> new Example(e.input(), e.output().equals("positive") ? "negative" : "positive")).toList();
            List<FewShotEvaluator.TestExample> test = task.validation().stream()
                    .map(i -> new FewShotEvaluator.TestExample(i.input(), i.label())).toList();
            List<FewShotEvaluator.TestExample> flippedTest = test.stream().map(t -> new FewShotEvaluator.TestExample(
                    t.input(), t.label().equals("positive") ? "negative" : "positive")).toList();
            PromptSet set = task.prompts();
            return new Probe(step, accuracy(set, List.of(), test), accuracy(set, demos, test),
                    accuracy(set, flipped, flippedTest), context.score(), context.copyScore());
        }

        /** The accuracy, or NaN where the prompt does not fit the context (a small test model). */
        private double accuracy(PromptSet set, List<Example> demos, List<FewShotEvaluator.TestExample> test) {
            if (!dev.scales.core.experiment.Lab.fits(model, set, demos, test)) {
                return Double.NaN;
            }
            return FewShotEvaluator.evaluate(model, set.prompt(demos, ""), set.labels(), test,
                    FewShotEvaluator.Options.DEFAULT, i -> { }, () -> false).metrics().accuracy();
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ScalesException(message);
        }
    }
}
