package dev.scales.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.Golden;
import dev.scales.core.model.LoadedModel;
import dev.scales.core.model.LoraAdapters;
import dev.scales.core.model.ModelLoader;
import dev.scales.core.model.safetensors.SafetensorsHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FinetuneCommandTest {
    @TempDir
    Path dir;

    private Path dataset() throws Exception {
        Path f = dir.resolve("train.jsonl");
        StringBuilder sb = new StringBuilder();
        String[] words = {"good", "bad", "fine", "awful", "nice", "poor", "great", "dull", "lovely", "grim"};
        for (int i = 0; i < words.length; i++) {
            sb.append("{\"input\": \"").append(words[i]).append("\", \"label\": \"").append(i % 2 == 0 ? "pos" : "neg")
                    .append("\"}\n");
        }
        sb.append("{\"broken\": true}\n");
        Files.writeString(f, sb.toString());
        return f;
    }

    @Test
    void loraRunsReportEachStepAsJsonAndSaveAPeftAdapterThatReloadsToTheSameModel() throws Exception {
        Path out = dir.resolve("adapter");
        Path model = Golden.folder("llama-tiny-gqa");

        Cli r = Cli.run("finetune", "--model", model.toString(), "--data", dataset().toString(), "--template",
                "{input}={output}\n", "--method", "lora", "--rank", "4", "--max-steps", "6", "--batch", "4",
                "--lr", "0.01", "--eval-every", "3", "--out", out.toString(), "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonObject> lines = r.out().lines().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertThat(lines.stream().filter(o -> o.get("event").getAsString().equals("step"))).hasSize(6);
        assertThat(lines.stream().filter(o -> o.get("event").getAsString().equals("evaluation"))).hasSize(2);
        assertThat(lines.get(lines.size() - 1).get("event").getAsString()).isEqualTo("saved");
        assertThat(r.err()).contains("skipped train.jsonl:11");

        JsonObject config = JsonParser.parseString(Files.readString(out.resolve("adapter_config.json"))).getAsJsonObject();
        assertThat(config.get("peft_type").getAsString()).isEqualTo("LORA");
        assertThat(config.get("r").getAsInt()).isEqualTo(4);
        assertThat(SafetensorsHeader.read(out.resolve("adapter_model.safetensors")).tensors().keySet())
                .contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
                        "base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight",
                        "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight")
                .hasSize(2 * 7 * 2); // by default every linear layer of both layers: A and B each

        // The adapter changes the model (B is no longer zero) and reloads identically.
        try (LoadedModel base = ModelLoader.load(model, Device.cpu())) {
            float[] before = logits(base);
            try (LoraAdapters adapters = LoraAdapters.load(base, out)) {
                float[] adapted = logits(base);
                assertThat(adapted).isNotEqualTo(before);
                adapters.save(dir.resolve("again"), base);
            }
        }
        assertThat(dir.resolve("again/adapter_model.safetensors"))
                .hasSameBinaryContentAs(out.resolve("adapter_model.safetensors"));
    }

    @Test
    void conversationsAndChatFormatTrainWithTheModelsTemplate() throws Exception {
        Path chats = dir.resolve("chats.jsonl");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            rows.append("{\"messages\": [{\"role\": \"user\", \"content\": \"").append(i).append(" plus one?\"}, ")
                    .append("{\"role\": \"assistant\", \"content\": \"").append(i + 1).append("\"}]}\n");
        }
        Files.writeString(chats, rows.toString());
        Path model = Golden.withChatTemplate(dir, "llama-tiny-gqa", "minimal");

        Cli r = Cli.run("finetune", "--model", model.toString(), "--data", chats.toString(), "--max-steps", "2",
                "--batch", "4", "--out", dir.resolve("a").toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("skipped");

        Cli labelled = Cli.run("finetune", "--model", model.toString(), "--data", dataset().toString(), "--chat",
                "--max-steps", "2", "--batch", "4", "--out", dir.resolve("b").toString(), "--json");
        assertThat(labelled.exitCode()).as(labelled.err()).isZero();

        Cli noTemplate = Cli.run("finetune", "--model", Golden.folder("llama-tiny-gqa").toString(), "--data",
                chats.toString(), "--max-steps", "2", "--out", dir.resolve("c").toString());
        assertThat(noTemplate.err()).contains("skipped chats.jsonl:1").contains("chat template");
    }

    @Test
    void aDatasetAsPeopleHaveItIsReadThroughItsFieldsAndLabelNames() throws Exception {
        Path csv = dir.resolve("imdb.csv");
        StringBuilder rows = new StringBuilder("text,label\n");
        for (int i = 0; i < 8; i++) {
            rows.append(i % 2 == 0 ? "good" : "bad").append(i).append(',').append(i % 2 == 0 ? 1 : 0).append('\n');
        }
        rows.append("odd,7\n");
        Files.writeString(csv, rows.toString());

        Cli r = Cli.run("finetune", "--model", Golden.folder("gpt2-tiny").toString(), "--data", csv.toString(),
                "--input-field", "text", "--label-names", "0=neg, 1=pos", "--template", "{input}={output}\n",
                "--max-steps", "2", "--batch", "4", "--out", dir.resolve("mapped").toString(), "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("skipped imdb.csv:10").contains("\"7\" is not one of the label names");
    }

    @Test
    void fullFineTuningSavesALoadableModelInTheHfLayout() throws Exception {
        Path out = dir.resolve("full");

        Cli r = Cli.run("finetune", "--model", Golden.folder("gpt2-tiny").toString(), "--data", dataset().toString(),
                "--method", "full", "--max-steps", "3", "--batch", "4", "--out", out.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("full model, HF layout");
        try (LoadedModel tuned = ModelLoader.load(out, Device.cpu()); LoadedModel base =
                ModelLoader.load(Golden.folder("gpt2-tiny"), Device.cpu())) {
            assertThat(logits(tuned)).isNotEqualTo(logits(base));
        }
    }

    private static float[] logits(LoadedModel m) {
        GradMode.inference();
        try (NDManager s = m.manager().newSubManager()) {
            Inputs.Batch b = Inputs.single(s, new long[] {5, 9, 17, 33}, 0);
            return m.lm().forward(b.ids(), b.positions(), b.bias(), null, false).toFloatArray();
        }
    }

    @Test
    void aPromptSetWritesTheRowsAsItsZeroShotPromptAndAMissingOneIsNamed() throws Exception {
        Path set = Path.of("sample-data/sentiment/prompt-set.json");
        Cli ok = Cli.run("finetune", "--model", Golden.folder("gpt2-tiny").toString(), "--data", dataset().toString(),
                "--prompt-set", set.toString(), "--max-steps", "2", "--batch", "2", "--out", dir.resolve("a").toString(),
                "--json");
        Cli missing = Cli.run("finetune", "--model", Golden.folder("gpt2-tiny").toString(), "--data",
                dataset().toString(), "--prompt-set", dir.resolve("nope.json").toString(), "--out", dir.resolve("b").toString());

        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("nope.json");
    }
}
