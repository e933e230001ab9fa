package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.model.Golden;
import org.junit.jupiter.api.Test;

class GenerateAndScoreCommandTest {
    private final String model = Golden.folder("gpt2-tiny").toString();

    @Test
    void generatePrintsOneJsonObjectWithTheTokensAndWhyItStopped() {
        Cli r = Cli.run("generate", "--model", model, "--prompt", "the cat", "--max-tokens", "8", "--greedy", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(o.getAsJsonArray("tokens").size()).isBetween(1, 8);
        assertThat(o.get("promptTokens").getAsInt()).isPositive();
        assertThat(o.get("stop").getAsString()).isIn("max_tokens", "eos");
    }

    @Test
    void theSameSeedGivesTheSameSampledText() {
        String[] args = {"generate", "--model", model, "--prompt", "the", "--max-tokens", "12", "--temperature", "1.2",
            "--seed", "11", "--json"};
        JsonObject first = JsonParser.parseString(Cli.run(args).out().strip()).getAsJsonObject();
        JsonObject second = JsonParser.parseString(Cli.run(args).out().strip()).getAsJsonObject();
        assertThat(first.get("tokens")).isEqualTo(second.get("tokens"));
        assertThat(first.get("text")).isEqualTo(second.get("text"));
    }

    @Test
    void scorePrintsIdsTokensAndLogProbs() {
        Cli r = Cli.run("score", "--model", model, "--text", "the cat sat", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        int n = o.getAsJsonArray("ids").size();
        assertThat(o.getAsJsonArray("tokens").size()).isEqualTo(n);
        assertThat(o.getAsJsonArray("logprobs").get(0).isJsonNull()).isTrue();
        assertThat(o.getAsJsonArray("logprobs").get(n - 1).getAsDouble()).isNegative();
        assertThat(o.get("perplexity").getAsDouble()).isGreaterThan(1);
    }

    @Test
    void aBadFolderIsOneLineAndExitCodeTwo() {
        Cli r = Cli.run("score", "--model", "/nonexistent/model", "--text", "x");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("error: /nonexistent/model: no such model folder");
    }

    @Test
    void aBadSettingIsNamed() {
        Cli r = Cli.run("generate", "--model", model, "--prompt", "x", "--top-p", "2");

        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--top-p must be within (0, 1]");
    }
}
