package dev.scales.cli;

import ai.djl.engine.Engine;
import com.google.gson.JsonObject;
import dev.scales.core.Offline;
import dev.scales.core.bench.EngineBench;
import dev.scales.core.device.Devices;
import dev.scales.core.model.nn.BlasDecode;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code scales bench}: the engine's speed on a model, printed as the same JSON as the PyTorch
 * reference script so {@code src/test/python/bench_compare.py} can report ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure load time, prefill, KV-cache decode, LoRA and full training tokens/s, and peak memory.")
final class BenchCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ModelOptions modelOptions;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "Prompt length for the prefill "
            + "(default: ${DEFAULT-VALUE}).") int promptTokens;
    @Option(names = "--new-tokens", defaultValue = "64", description = "Tokens to generate greedily with the KV "
            + "cache, the first from the prefill (default: ${DEFAULT-VALUE}).") int newTokens;
    @Option(names = "--train-batch", defaultValue = "4", description = "Rows per training step "
            + "(default: ${DEFAULT-VALUE}).") int trainBatch;
    @Option(names = "--train-seq", defaultValue = "128", description = "Tokens per training row "
            + "(default: ${DEFAULT-VALUE}).") int trainSeq;
    @Option(names = "--train-steps", defaultValue = "10", description = "Timed training steps, after the "
            + "warm-up; the median is reported (default: ${DEFAULT-VALUE}).") int trainSteps;
    @Option(names = "--warmup", defaultValue = "2", description = "Untimed runs before each measurement "
            + "(default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the training rows, the adapters and --icl's draw; the prompt is the reference's "
            + "(seed 1234) (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--no-full-training", description = "Skip full fine-tuning (for models whose optimizer "
            + "state would not fit).") boolean noFullTraining;
    @Option(names = "--libtorch-decode", description = "Decode with libtorch's compiled forward instead of "
            + "OpenBLAS (to compare the two kernels).") boolean libtorchDecode;
    @Option(names = "--json", description = "One JSON object (the reference script's keys).") boolean json;
    @Option(names = "--icl", description = "Instead: a few-shot evaluation with the shared-prefix KV cache vs "
            + "recomputing each prompt, side by side.") boolean icl;
    @Option(names = "--shots", defaultValue = "16", description = "With --icl: demonstrations in the shared "
            + "prefix (default: ${DEFAULT-VALUE}).") int shots;
    @Option(names = "--examples", defaultValue = "200", description = "With --icl: queries evaluated "
            + "(default: ${DEFAULT-VALUE}).") int examples;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private int iclBench() {
        try (var model = modelOptions.load()) {
            var r = dev.scales.core.bench.IclBench.run(model, shots, examples, seed);
            JsonObject o = new JsonObject();
            o.addProperty("shots", r.shots());
            o.addProperty("examples", r.examples());
            o.addProperty("prefix_tokens", r.prefixTokens());
            o.addProperty("shared_prefix_s", r.sharedSeconds());
            o.addProperty("full_recompute_s", r.fullSeconds());
            o.addProperty("speedup", r.speedup());
            o.addProperty("same_predictions", r.samePredictions());
            PrintWriter out = spec.commandLine().getOut();
            out.println(Json.toJson(o));
            out.flush();
            return r.samePredictions() ? 0 : 1;
        }
    }

    @Override
    public Integer call() {
        Offline.configure();
        var device = Devices.resolve(modelOptions.device, Engine.getEngine("PyTorch"));
        if (libtorchDecode) {
            BlasDecode.setEnabled(false);
        }
        if (icl) {
            return iclBench();
        }
        EngineBench.Result r = EngineBench.run(modelOptions.model, device,
                new EngineBench.Settings(promptTokens, newTokens, trainBatch, trainSeq, trainSteps, warmup, seed,
                        !noFullTraining));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("impl", "scales-djl");
            o.addProperty("torch", Engine.getEngine("PyTorch").getVersion());
            o.addProperty("device", device.toString());
            o.addProperty("load_s", r.loadSeconds());
            o.addProperty("load_peak_rss_mb", r.loadedRssMb());
            o.addProperty("prefill_tok_s", r.prefillTokensPerSecond());
            o.addProperty("decode_tok_s", r.decodeTokensPerSecond());
            o.addProperty("decode_kernel", r.decodeKernel());
            o.addProperty("lora_train_tok_s", r.loraTrainTokensPerSecond());
            if (!noFullTraining) {
                o.addProperty("train_tok_s", r.trainTokensPerSecond());
            }
            o.addProperty("peak_rss_mb", r.peakRssMb());
            o.addProperty("params", r.params());
            out.println(Json.toJson(o));
        } else {
            String full = noFullTraining ? "skipped" : String.format(Locale.ROOT, "%.0f tok/s", r.trainTokensPerSecond());
            out.printf(Locale.ROOT, "load %.2f s (peak RSS %.0f MB) · prefill %.0f tok/s · decode %.1f tok/s (%s) · "
                    + "LoRA train %.0f tok/s · full train %s · peak RSS %.0f MB · %,d params%n", r.loadSeconds(),
                    r.loadedRssMb(), r.prefillTokensPerSecond(), r.decodeTokensPerSecond(), r.decodeKernel(),
                    r.loraTrainTokensPerSecond(),
                    full, r.peakRssMb(), r.params());
        }
        out.flush();
        return 0;
    }
}
