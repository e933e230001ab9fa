package dev.scales.core.bpe;

import com.google.gson.stream.JsonWriter;
import dev.scales.core.ScalesException;
import dev.scales.core.util.AtomicFiles;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained byte-level BPE: {@code vocab} maps every token (special tokens included, as in GPT-2's
 * files) to its id, {@code merges} lists the merges in rank order as {@code "left right"}, and
 * {@code specialTokens} maps each special token to its id. {@link #write(Path)} saves it as a
 * HuggingFace {@code tokenizer.json}, laid out the way {@code tokenizers} saves a GPT-2 style BPE.
 */
public record BpeVocabulary(Map<String, Integer> vocab, List<String> merges, Map<String, Integer> specialTokens) {

    public BpeVocabulary {
        vocab = Collections.unmodifiableMap(byId(vocab));
        merges = List.copyOf(merges);
        specialTokens = Collections.unmodifiableMap(byId(specialTokens));
    }

    /** Number of distinct tokens, special tokens included. */
    public int size() {
        return vocab.size();
    }

    /** Writes the HuggingFace {@code tokenizer.json} (atomically: a half-written file is never left behind). */
    public void write(Path tokenizerJson) {
        try {
            AtomicFiles.write(tokenizerJson, out -> {
                Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
                writeJson(w);
                w.flush();
            });
        } catch (IOException e) {
            throw new ScalesException(tokenizerJson + ": cannot write the tokenizer: " + e.getMessage(), e);
        }
    }

    private void writeJson(Writer out) throws IOException {
        // JsonWriter is not closed: closing would close the caller's stream; the caller flushes.
        JsonWriter j = new JsonWriter(out);
        j.setIndent("  ");
        j.setHtmlSafe(false);
        j.setSerializeNulls(true);
        j.beginObject();
        j.name("version").value("1.0");
        j.name("truncation").nullValue();
        j.name("padding").nullValue();
        j.name("added_tokens").beginArray();
        for (Map.Entry<String, Integer> e : specialTokens.entrySet()) {
            j.beginObject();
            j.name("id").value(e.getValue());
            j.name("content").value(e.getKey());
            j.name("single_word").value(false);
            j.name("lstrip").value(false);
            j.name("rstrip").value(false);
            j.name("normalized").value(true);
            j.name("special").value(true);
            j.endObject();
        }
        j.endArray();
        j.name("normalizer").nullValue();
        byteLevel(j.name("pre_tokenizer"), false, true);
        byteLevel(j.name("post_processor"), true, false);
        byteLevel(j.name("decoder"), true, true);
        j.name("model").beginObject();
        j.name("type").value("BPE");
        j.name("dropout").nullValue();
        j.name("unk_token").nullValue();
        j.name("continuing_subword_prefix").nullValue();
        j.name("end_of_word_suffix").nullValue();
        j.name("fuse_unk").value(false);
        j.name("byte_fallback").value(false);
        j.name("ignore_merges").value(false);
        j.name("vocab").beginObject();
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            j.name(e.getKey()).value(e.getValue());
        }
        j.endObject();
        j.name("merges").beginArray();
        for (String m : merges) {
            j.value(m);
        }
        j.endArray();
        j.endObject();
        j.endObject();
        j.flush();
        out.write('\n');
    }

    private static void byteLevel(JsonWriter j, boolean addPrefixSpace, boolean trimOffsets) throws IOException {
        j.beginObject();
        j.name("type").value("ByteLevel");
        j.name("add_prefix_space").value(addPrefixSpace);
        j.name("trim_offsets").value(trimOffsets);
        j.name("use_regex").value(true);
        j.endObject();
    }

    /** A copy in id order, so the file (and iteration) is the same whatever map was passed in. */
    private static Map<String, Integer> byId(Map<String, Integer> m) {
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(m.entrySet());
        entries.sort(Map.Entry.comparingByValue());
        Map<String, Integer> sorted = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : entries) {
            sorted.put(e.getKey(), e.getValue());
        }
        return sorted;
    }
}
