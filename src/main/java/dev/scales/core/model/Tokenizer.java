package dev.scales.core.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.scales.core.ScalesException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A model's {@code tokenizer.json} through DJL's HuggingFace tokenizers, configured so it never
 * truncates or pads behind our back (DJL's default silently cuts at 512 tokens); whether special
 * tokens (BOS) are added is decided per call.
 */
public final class Tokenizer implements AutoCloseable {
    private static final Map<String, String> OPTIONS = Map.of("truncation", "false", "padding", "false",
            "addSpecialTokens", "false", "modelMaxLength", Integer.toString(Integer.MAX_VALUE));

    private final HuggingFaceTokenizer hf;
    private final Path file;
    /** What the post-processor puts before any text (e.g. BOS), so a text that already starts with it gets it once. */
    private final long[] addedPrefix;

    private Tokenizer(HuggingFaceTokenizer hf, Path file) {
        this.hf = hf;
        this.file = file;
        this.addedPrefix = hf.encode("", true, false).getIds();
    }

    public static Tokenizer load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ScalesException(file + ": missing. Scales needs the model's fast tokenizer file "
                    + "(tokenizer.json); slow-tokenizer files (vocab.json + merges.txt, tokenizer.model) are not read");
        }
        try {
            return new Tokenizer(HuggingFaceTokenizer.newInstance(file, OPTIONS), file);
        } catch (IOException | RuntimeException e) {
            throw new ScalesException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The largest token id {@code tokenizer.json} can produce: of its model's vocabulary and its
     * added tokens. A model whose embedding has fewer rows would fail on the first such token.
     */
    public long largestId() {
        try {
            com.google.gson.JsonObject root = dev.scales.core.util.JsonFiles.readObject(file);
            long max = -1;
            com.google.gson.JsonElement vocab = root.has("model") && root.get("model").isJsonObject()
                    ? root.getAsJsonObject("model").get("vocab") : null;
            if (vocab != null && vocab.isJsonObject()) { // BPE, WordPiece: token → id
                for (var e : vocab.getAsJsonObject().entrySet()) {
                    max = Math.max(max, e.getValue().getAsLong());
                }
            } else if (vocab != null && vocab.isJsonArray()) { // Unigram: [token, score] by id
                max = vocab.getAsJsonArray().size() - 1L;
            }
            if (root.has("added_tokens") && root.get("added_tokens").isJsonArray()) {
                for (var t : root.getAsJsonArray("added_tokens")) {
                    max = Math.max(max, t.getAsJsonObject().get("id").getAsLong());
                }
            }
            return max;
        } catch (RuntimeException e) {
            throw new ScalesException(file + ": not a valid tokenizer.json (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Token ids of {@code text}; with {@code addSpecial} the tokenizer's post-processor adds e.g. BOS,
     * once: a text that starts with it already (a chat template that writes {@code bos_token}) does
     * not get a second. Special tokens written in the text ({@code <|im_start|>}) are their single ids.
     */
    public long[] encode(String text, boolean addSpecial) {
        long[] ids = hf.encode(text, addSpecial, false).getIds();
        if (addSpecial && startsTwice(ids, addedPrefix)) {
            return java.util.Arrays.copyOfRange(ids, addedPrefix.length, ids.length);
        }
        return ids;
    }

    private static boolean startsTwice(long[] ids, long[] prefix) {
        if (prefix.length == 0 || ids.length < 2 * prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (ids[i] != prefix[i] || ids[prefix.length + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Token ids of {@code text} as they are inside running text, where more follows. Byte-level BPE
     * keeps trailing whitespace together ({@code " negative\n\n"} alone ends in one {@code "\n\n"}
     * token) but splits it when a word follows ({@code "\n"}, {@code "\n"}), which is how every
     * prompt and pretraining text writes it; training on the alone form teaches a token the model
     * never sees in use. Falls back to {@link #encode} where a tokenizer does not split that way.
     */
    public long[] encodeContinued(String text) {
        if (text.isEmpty() || !Character.isWhitespace(text.charAt(text.length() - 1))) {
            return encode(text, false);
        }
        long[] ids = encode(text + "x", false);
        long[] head = java.util.Arrays.copyOf(ids, Math.max(0, ids.length - 1));
        if (ids.length > 0 && tokenText(ids[ids.length - 1]).equals("x") && decode(head).equals(text)) {
            return head;
        }
        return encode(text, false);
    }

    /** The text of {@code ids}, special tokens included (so what the model saw is what is shown). */
    public String decode(long[] ids) {
        return hf.decode(ids, false);
    }

    /** The text of one token, e.g. " world". */
    public String tokenText(long id) {
        return hf.decode(new long[] {id}, false);
    }

    @Override
    public void close() {
        hf.close();
    }
}
