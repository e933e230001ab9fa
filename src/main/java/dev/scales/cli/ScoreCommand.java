package dev.scales.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.scales.core.generate.Scorer;
import dev.scales.core.model.LoadedModel;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code scales score}: how likely the model finds each token of a text. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Print the token ids, tokens and per-token log-probabilities of a text.")
final class ScoreCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Mixin
    AdapterOptions adapterOptions;

    @Option(names = "--text", required = true, description = "The text to score.")
    String text;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel model = adapterOptions.apply(modelOptions.load())) {
            long[] ids = model.tokenizer().encode(text, true);
            float[] lp = ids.length >= 2 ? Scorer.tokenLogProbs(model, ids) : new float[0];
            double total = 0;
            for (float v : lp) {
                total += v;
            }
            double ppl = lp.length == 0 ? Double.NaN : Math.exp(-total / lp.length);
            if (json) {
                JsonObject o = new JsonObject();
                o.addProperty("model", model.folder().toString());
                o.addProperty("text", text);
                JsonArray idArr = new JsonArray();
                JsonArray tokArr = new JsonArray();
                JsonArray lpArr = new JsonArray();
                for (int i = 0; i < ids.length; i++) {
                    idArr.add(ids[i]);
                    tokArr.add(model.tokenizer().tokenText(ids[i]));
                    if (i == 0) {
                        lpArr.add(JsonNull.INSTANCE);
                    } else {
                        lpArr.add(lp[i - 1]);
                    }
                }
                o.add("ids", idArr);
                o.add("tokens", tokArr);
                o.add("logprobs", lpArr);
                o.addProperty("totalLogprob", total);
                o.addProperty("perplexity", ppl);
                out.println(Json.toJson(o));
            } else {
                out.printf("%6s  %-20s  %s%n", "id", "token", "log p");
                for (int i = 0; i < ids.length; i++) {
                    out.printf(Locale.ROOT, "%6d  %-20s  %s%n", ids[i], quote(model.tokenizer().tokenText(ids[i])),
                            i == 0 ? "—" : String.format(Locale.ROOT, "%.4f", lp[i - 1]));
                }
                out.printf(Locale.ROOT, "total log p %.4f · perplexity %.3f over %d predicted tokens%n", total, ppl,
                        lp.length);
            }
        }
        out.flush();
        return 0;
    }

    private static String quote(String token) {
        return "\"" + token.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
