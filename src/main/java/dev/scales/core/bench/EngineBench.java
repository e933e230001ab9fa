package dev.scales.core.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.ScalesException;
import dev.scales.core.device.ProcessMemory;
import dev.scales.core.generate.GenerationSettings;
import dev.scales.core.generate.Generator;
import dev.scales.core.model.nn.BlasDecode;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.Architecture;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.LoraConfig;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.Trainables;
import dev.scales.core.model.nn.HfBlock;
import dev.scales.core.train.AdamW;
import dev.scales.core.train.TrainStep;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The engine's speed on one model, measured with the protocol of {@code src/test/python/perf_ref.py}
 * (tuned plain PyTorch), so the two can be compared as ratios: load time, prefill and KV-cache
 * decode tokens/s (batch 1, the same prompt ids), LoRA and full fine-tuning tokens/s (AdamW, the
 * median step), peak resident memory.
 */
public final class EngineBench {
    private EngineBench() {}

    /** What to measure. */
    public record Settings(int promptTokens, int newTokens, int trainBatch, int trainSeq, int trainSteps, int warmup,
                           long seed, boolean fullTraining) {
        public Settings {
            if (promptTokens < 1 || newTokens < 2 || trainBatch < 1 || trainSeq < 2 || trainSteps < 1 || warmup < 0) {
                throw new ScalesException("benchmark sizes must be positive (new tokens at least 2, sequence at least 2)");
            }
        }
    }

    /** The figures, with the same names as the Python reference's JSON. */
    public record Result(double loadSeconds, double loadedRssMb, double prefillTokensPerSecond,
                         double decodeTokensPerSecond, double loraTrainTokensPerSecond, double trainTokensPerSecond,
                         double peakRssMb, long params, String decodeKernel) {}

    /** The LoRA the benchmark trains, as {@code perf_ref.py lora} does: the default targets, r 8, α 16. */
    public static LoraConfig lora(Architecture architecture) {
        return new LoraConfig(8, 16, 0.05f, LoraConfig.defaultTargets(architecture));
    }

    public static Result run(Path folder, Device device, Settings s) {
        long t0 = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(folder, device)) {
            double load = (System.nanoTime() - t0) / 1e9;
            double loadedRss = ProcessMemory.peakResidentBytes() / 1048576.0;
            int context = model.contextLength();
            if (s.promptTokens() + s.newTokens() > context || s.trainSeq() > context) {
                throw new ScalesException("benchmark sequences exceed the model's context of " + context + " tokens");
            }
            Random random = new Random(s.seed());
            long[] prompt = referencePrompt(s.promptTokens(), model.config().vocabSize());
            double prefill = prefillTokensPerSecond(model, prompt, s.warmup());
            long blasSteps = BlasDecode.steps();
            double decode = decodeTokensPerSecond(model, prompt, s.newTokens(), s.warmup());
            String kernel = BlasDecode.steps() > blasSteps ? "openblas" : "libtorch";
            double lora = loraTrainTokensPerSecond(model, random, s);
            double train = s.fullTraining() ? trainTokensPerSecond(model, random, s) : Double.NaN;
            return new Result(load, loadedRss, prefill, decode, lora, train,
                    ProcessMemory.peakResidentBytes() / 1048576.0, model.config().parameterCount(), kernel);
        }
    }

    private static long[] randomIds(Random random, int n, int vocab) {
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = random.nextInt(vocab);
        }
        return ids;
    }

    /** perf_ref.py's prompt: ids from a linear congruential generator seeded with 1234. */
    static long[] referencePrompt(int n, int vocab) {
        long x = 1234;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            x = (1103515245L * x + 12345L) & 0x7FFFFFFFL;
            ids[i] = (x >> 8) % vocab;
        }
        return ids;
    }

    /** Median of 5 timed batch-1 forward passes over the prompt. */
    static double prefillTokensPerSecond(LoadedModel model, long[] prompt, int warmup) {
        GradMode.inference();
        double[] rates = new double[5];
        for (int i = -Math.max(1, warmup); i < rates.length; i++) {
            long start = System.nanoTime();
            try (NDManager m = model.manager().newSubManager()) {
                Inputs.Batch b = Inputs.single(m, prompt, 0);
                NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, true);
                logits.toFloatArray(); // wait for the result
            }
            if (i >= 0) {
                rates[i] = prompt.length / ((System.nanoTime() - start) / 1e9);
            }
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }

    /**
     * Greedy decode with the KV cache: new tokens per second after the prompt (prefill excluded),
     * the median of three timed generations after the warm-up ones (perf_ref.py's {@code --repeat 3}).
     */
    static double decodeTokensPerSecond(LoadedModel model, long[] prompt, int newTokens, int warmup) {
        GenerationSettings greedy = new GenerationSettings(newTokens, 0, 0, 1, 1, 0, List.of(), false);
        for (int i = 0; i < Math.max(1, warmup); i++) {
            Generator.generate(model, prompt, greedy, t -> { }, () -> false);
        }
        double[] rates = new double[3];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = Generator.generate(model, prompt, greedy, t -> { }, () -> false).decodeTokensPerSecond();
        }
        Arrays.sort(rates);
        return rates[1];
    }

    /** LoRA fine-tuning steps on random tokens: the base frozen, AdamW on the adapters (lr 1e-4, weight decay 0.01). */
    static double loraTrainTokensPerSecond(LoadedModel model, Random random, Settings s) {
        Trainables.freezeAll(model.lm());
        try (LoraAdapters adapters = LoraAdapters.attach(model, lora(model.config().architecture()), s.seed())) {
            adapters.parameters().forEach(p -> p.setRequiresGradient(true));
            adapters.setTraining(true);
            return timedSteps(model, adapters.parameters(), random, s);
        }
    }

    /** Full fine-tuning steps on random tokens: AdamW (lr 1e-4, weight decay 0.01). */
    static double trainTokensPerSecond(LoadedModel model, Random random, Settings s) {
        Trainables.setTrainable(model.lm(), n -> true);
        try {
            return timedSteps(model, model.lm().namedParameters().values().stream().map(HfBlock.Weight::array).toList(),
                    random, s);
        } finally {
            Trainables.freezeAll(model.lm());
        }
    }

    /** Tokens/s of the app's training step over {@code params}: the median step, warm-up steps untimed. */
    private static double timedSteps(LoadedModel model, List<NDArray> params, Random random, Settings s) {
        long[][] batch = new long[s.trainBatch()][];
        double[] seconds = new double[s.trainSteps()];
        try (AdamW opt = new AdamW(model.manager(), params, i -> true, 0.9f, 0.999f, 1e-8f, 0.01f)) {
            for (int step = -s.warmup(); step < s.trainSteps(); step++) {
                for (int r = 0; r < batch.length; r++) {
                    // +1: the last token is only a target, so each row trains trainSeq positions.
                    batch[r] = randomIds(random, s.trainSeq() + 1, model.config().vocabSize());
                }
                long start = System.nanoTime();
                TrainStep.run(model, batch, null, opt, 1e-4f, 0f, false);
                if (step >= 0) {
                    seconds[step] = (System.nanoTime() - start) / 1e9;
                }
            }
        }
        Arrays.sort(seconds);
        return (double) s.trainBatch() * s.trainSeq() / seconds[seconds.length / 2];
    }
}
