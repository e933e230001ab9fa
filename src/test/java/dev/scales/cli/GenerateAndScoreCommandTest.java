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
    void anAdapterScoresAsItsMergedWeightsDoAndAWrongOneIsNamed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path peft = java.nio.file.Path.of(getClass().getResource("/peft").toURI());
        java.nio.file.Path merged = java.nio.file.Files.createDirectories(dir.resolve("merged"));
        for (String f : new String[] {"config.json", "tokenizer.json"}) {
            java.nio.file.Files.copy(Golden.folder("gpt2-tiny").resolve(f), merged.resolve(f));
        }
        java.nio.file.Files.copy(peft.resolve("gpt2-tiny-merged/model.safetensors"), merged.resolve("model.safetensors"));

        JsonObject adapted = JsonParser.parseString(Cli.run("score", "--model", model, "--adapter",
                peft.resolve("gpt2-tiny-adapter").toString(), "--text", "the cat sat", "--json").out().strip())
                .getAsJsonObject();
        JsonObject reference = JsonParser.parseString(Cli.run("score", "--model", merged.toString(), "--text",
                "the cat sat", "--json").out().strip()).getAsJsonObject();
        assertThat(adapted.get("perplexity").getAsDouble())
                .isCloseTo(reference.get("perplexity").getAsDouble(), org.assertj.core.data.Percentage.withPercentage(0.01));

        Cli wrong = Cli.run("generate", "--model", model, "--adapter", peft.resolve("llama-tiny-gqa-adapter").toString(),
                "--prompt", "x");
        assertThat(wrong.exitCode()).isEqualTo(2);
        assertThat(wrong.err()).contains("base_model_name_or_path");
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
        assertThat(r.err()).contains("--top-p: top-p must be within (0, 1]");
    }

    /** gpt2-tiny with the named public chat template (and, if given, a generation_config.json). */
    private static java.nio.file.Path withTemplate(java.nio.file.Path dir, String template, String generationConfig)
            throws Exception {
        java.nio.file.Path folder = Golden.withChatTemplate(dir, "gpt2-tiny", template);
        if (generationConfig != null) {
            java.nio.file.Files.writeString(folder.resolve("generation_config.json"), generationConfig);
        }
        return folder;
    }

    @Test
    void chatWritesTheConversationWithTheModelsTemplateAndShowsTheRenderedText(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String folder = withTemplate(dir, "tinyllama-chat", null).toString();

        Cli r = Cli.run("generate", "--model", folder, "--chat", "--system", "Be brief.", "--prompt", "the cat",
                "--max-tokens", "4", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject o = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(o.get("prompt").getAsString()).isEqualTo("the cat");
        assertThat(o.get("renderedPrompt").getAsString())
                .isEqualTo("<|system|>\nBe brief.</s>\n<|user|>\nthe cat</s>\n<|assistant|>\n");
    }

    @Test
    void chatIsRefusedWithTheReasonForAModelWithoutATemplateOrAConversationTheTemplateRefuses(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Cli none = Cli.run("generate", "--model", model, "--chat", "--prompt", "x");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--chat").contains("has no chat template");

        Cli gemma = Cli.run("generate", "--model", withTemplate(dir, "gemma-it", null).toString(), "--chat",
                "--system", "Be brief.", "--prompt", "x");
        assertThat(gemma.exitCode()).isEqualTo(2);
        assertThat(gemma.err()).contains("System role not supported").doesNotContain("\tat ");

        assertThat(Cli.run("generate", "--model", model, "--system", "x", "--prompt", "x").err())
                .contains("--system needs --chat");
    }

    @Test
    void theModelsGenerationConfigGivesTheDefaultsUntilAnOptionOverridesThem(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String folder = withTemplate(dir, "qwen2.5-instruct", """
                {"do_sample": true, "temperature": 0.7, "top_k": 20, "top_p": 0.8, "repetition_penalty": 1.05,
                 "eos_token_id": [0, 1]}""").toString();

        JsonObject defaults = settings(Cli.run("generate", "--model", folder, "--prompt", "x", "--max-tokens", "2",
                "--json"));
        assertThat(defaults.get("temperature").getAsDouble()).isEqualTo(0.7);
        assertThat(defaults.get("topK").getAsInt()).isEqualTo(20);
        assertThat(defaults.get("topP").getAsDouble()).isEqualTo(0.8);
        assertThat(defaults.get("repetitionPenalty").getAsDouble()).isEqualTo(1.05);

        JsonObject overridden = settings(Cli.run("generate", "--model", folder, "--prompt", "x", "--max-tokens", "2",
                "--temperature", "1.5", "--top-k", "0", "--json"));
        assertThat(overridden.get("temperature").getAsDouble()).isEqualTo(1.5);
        assertThat(overridden.get("topK").getAsInt()).isZero();
        assertThat(overridden.get("topP").getAsDouble()).isEqualTo(0.8);

        assertThat(settings(Cli.run("generate", "--model", folder, "--prompt", "x", "--max-tokens", "2", "--greedy",
                "--json")).get("temperature").getAsDouble()).isZero();
        // a model that does not sample (no do_sample) is greedy by default, as in transformers
        assertThat(settings(Cli.run("generate", "--model", model, "--prompt", "x", "--max-tokens", "2", "--json"))
                .get("temperature").getAsDouble()).isZero();
    }

    private static JsonObject settings(Cli r) {
        assertThat(r.exitCode()).as(r.err()).isZero();
        return JsonParser.parseString(r.out().strip()).getAsJsonObject().getAsJsonObject("settings");
    }
}
