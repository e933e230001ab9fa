package dev.scales.cli;

import dev.scales.core.pretrain.Pretrain;
import dev.scales.core.pretrain.PretrainReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code scales pretrain}: builds the bundled model from scratch. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = "Train the bundled tiny model from scratch on the generated corpus: tokenizer, weights, "
                + "loss curve and model card in --out. The defaults rebuild assets/models/scales-tiny.")
final class PretrainCommand implements Callable<Integer> {
    private static final Pretrain.Settings D = Pretrain.Settings.DEFAULT;

    @Option(names = "--out", required = true, description = "The model folder to write.")
    Path out;

    @Option(names = "--arch", description = "llama (RMSNorm, RoPE, SwiGLU), qwen2 (llama with q/k/v biases) or "
            + "gpt2 (default: ${DEFAULT-VALUE}).")
    String arch = D.architecture();

    @Option(names = "--seed", description = "Seed of the world, the corpus and the weights (default: ${DEFAULT-VALUE}).")
    long seed = D.seed();

    @Option(names = "--steps", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps = D.steps();

    @Option(names = "--minutes", description = "Stop after this many minutes even if steps remain (0: no limit).")
    double minutes = D.maxMinutes();

    @Option(names = "--batch", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch = D.batch();

    @Option(names = "--context", description = "Tokens per sequence and the model's context (default: ${DEFAULT-VALUE}).")
    int context = D.context();

    @Option(names = "--lr", description = "Peak learning rate (default: 2e-3).")
    float lr = D.learningRate();

    @Option(names = "--vocab", description = "Tokenizer vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab = D.vocabSize();

    @Option(names = "--hidden", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden = D.hidden();

    @Option(names = "--layers", description = "Transformer layers (default: ${DEFAULT-VALUE}).")
    int layers = D.layers();

    @Option(names = "--heads", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int heads = D.heads();

    @Option(names = "--label-weight", description = "Weight of the label words' predictions in the loss, other "
            + "tokens weigh 1 (default: ${DEFAULT-VALUE}).")
    float labelWeight = D.labelWeight();

    @Option(names = "--probe-every", description = "Probe in-context learning every this many steps (default: ${DEFAULT-VALUE}).")
    int probeEvery = D.probeEvery();

    @Option(names = "--copy-steps", description = "Train the first this many steps on random-token copying: "
            + "segments of 10-30 token ids repeated to the end of the row, where induction heads form; afterwards "
            + "one row in eight (default: ${DEFAULT-VALUE}).")
    int copySteps = D.copySteps();

    @Option(names = "--polarity-steps", description = "Until this step train on one-word polarity maps only, "
            + "where reading labels from the demonstrations forms first (default: ${DEFAULT-VALUE}).")
    int polaritySteps = D.polaritySteps();

    @Option(names = "--review-steps", description = "Until this step train on reviews and polarity maps, then on "
            + "the whole mix (default: ${DEFAULT-VALUE}).")
    int reviewSteps = D.reviewSteps();

    @Option(names = "--previous-token-heads", description = "Start this many heads of each of the first "
            + "--previous-token-layers layers as previous-token heads (needs --arch qwen2; default: ${DEFAULT-VALUE}).")
    int previousTokenHeads = D.previousTokenHeads();

    @Option(names = "--previous-token-layers", description = "The layers, from the first, that get "
            + "--previous-token-heads (default: ${DEFAULT-VALUE}).")
    int previousTokenLayers = D.previousTokenLayers();

    @Option(names = "--log-every", description = "Print a progress line every this many steps (default: ${DEFAULT-VALUE}).")
    int logEvery = 50;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        Pretrain.Settings s = new Pretrain.Settings(arch, seed, steps, batch, context, lr, Math.min(D.warmupSteps(),
                Math.max(1, steps / 10)), vocab, hidden, layers, heads, labelWeight, probeEvery, minutes, copySteps,
                polaritySteps, reviewSteps, previousTokenHeads, previousTokenLayers);
        Pretrain.Result r = Pretrain.run(out, s, new Pretrain.Listener() {
            @Override
            public void onStep(Pretrain.Step st) {
                if (st.step() % logEvery == 0 || st.step() == st.total()) {
                    long eta = st.elapsedMillis() * (st.total() - st.step()) / st.step();
                    o.printf(Locale.ROOT, "step %d/%d  loss %.4f  lr %.2e  %.0f tok/s  %s elapsed  %s left%n", st.step(),
                            st.total(), st.loss(), st.learningRate(), st.tokensPerSecond(),
                            dev.scales.core.util.Durations.clock(st.elapsedMillis()), dev.scales.core.util.Durations.clock(eta));
                    o.flush();
                }
            }

            @Override
            public void onProbe(Pretrain.Probe p) {
                StringBuilder context = new StringBuilder();
                p.context().forEach((kind, sc) -> context.append(String.format(Locale.ROOT, " %s %.2f→%.2f",
                        kind.name().toLowerCase(Locale.ROOT), sc.first(), sc.late())));
                o.printf(Locale.ROOT, "probe at step %d: sentiment accuracy 0-shot %.2f, 8-shot %.2f, "
                        + "8-shot flipped labels %.2f; copy %.2f; label accuracy first→after 4 demos:%s%n", p.step(),
                        p.zeroShot(), p.eightShot(), p.eightShotFlipped(), p.copy(), context);
                o.flush();
            }

            @Override
            public void onMessage(String message) {
                o.println(message);
                o.flush();
            }
        }, () -> false);
        PretrainReport.write(r, s, String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        o.printf(Locale.ROOT, "wrote %s: %d steps, %,d tokens in %s%n", r.folder(), r.steps(), r.tokens(),
                dev.scales.core.util.Durations.clock(r.elapsedMillis()));
        return 0;
    }
}
