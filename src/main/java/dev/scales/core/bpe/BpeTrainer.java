package dev.scales.core.bpe;

import dev.scales.core.ScalesException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Trains a GPT-2 style byte-level BPE tokenizer.
 *
 * <p>Each text is cut around the special tokens, pre-split with GPT-2's regex, and every piece's
 * UTF-8 bytes are mapped to GPT-2's printable byte symbols (so a space becomes {@code Ġ}). The
 * distinct pieces ("words") are counted; then the most frequent adjacent pair of symbols, over all
 * words weighted by their counts, is merged into a new symbol, again and again, until the
 * vocabulary has {@code vocabSize} tokens or no pair occurs at least twice. Ties go to the pair
 * whose left, then right, token string is smallest ({@link String#compareTo}), so the same input
 * always gives the same merges.
 *
 * <p>Ids: the special tokens first (0..s-1, in the order given), then the 256 byte symbols in
 * GPT-2's byte order, then the merged tokens in merge order. Because every byte has a symbol, any
 * text can be encoded, even characters never seen in training.
 *
 * <p>Pair counts are kept up to date incrementally: a merge only revisits the words that contain
 * the merged pair, and a max-heap with lazy deletion finds the next best pair.
 */
public final class BpeTrainer {
    /** GPT-2's pre-tokenizer pattern, the one {@code tokenizers}' ByteLevel(use_regex=true) uses. */
    static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    /** GPT-2's 256 byte symbols, in GPT-2's id order: {@code BYTE_ORDER[i]} is the byte with the i-th symbol. */
    private static final int[] BYTE_ORDER = new int[256];
    /** Byte (0..255) → its printable symbol. */
    private static final char[] BYTE_SYMBOL = new char[256];

    static {
        int n = 0;
        boolean[] printable = new boolean[256];
        for (int b = 0; b < 256; b++) {
            printable[b] = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            if (printable[b]) {
                BYTE_ORDER[n++] = b;
                BYTE_SYMBOL[b] = (char) b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable[b]) {
                BYTE_ORDER[n++] = b;
                BYTE_SYMBOL[b] = (char) (256 + shifted++);
            }
        }
    }

    private BpeTrainer() {}

    /** The printable symbol GPT-2's byte-level encoding uses for {@code b} (0..255), e.g. 'Ġ' for a space. */
    public static char byteSymbol(int b) {
        return BYTE_SYMBOL[b];
    }

    /**
     * Trains on {@code texts} until the vocabulary (special tokens + 256 byte symbols + merged
     * tokens) has {@code vocabSize} tokens, or no adjacent pair occurs at least twice.
     *
     * @throws ScalesException if {@code vocabSize} leaves no room for the byte symbols and special
     *     tokens, if a special token is empty, repeated or a byte symbol, or if the corpus has no text
     */
    public static BpeVocabulary train(Iterable<String> texts, int vocabSize, List<String> specialTokens) {
        if (texts == null) {
            throw new ScalesException("BPE training needs a corpus; none was given");
        }
        List<String> specials = checkSpecials(specialTokens);
        int minimum = 256 + specials.size();
        if (vocabSize < minimum) {
            throw new ScalesException("vocabSize " + vocabSize + " is too small: a byte-level BPE needs at least "
                    + minimum + " (256 byte symbols + " + specials.size() + " special tokens)");
        }

        // Tokens by id; ids of token strings (a merge may rebuild a string that already exists).
        List<String> tokens = new ArrayList<>(vocabSize);
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Integer> specialIds = new LinkedHashMap<>();
        for (String s : specials) {
            specialIds.put(s, tokens.size());
            ids.put(s, tokens.size());
            tokens.add(s);
        }
        int[] byteId = new int[256];
        for (int b : BYTE_ORDER) {
            byteId[b] = tokens.size();
            String symbol = String.valueOf(BYTE_SYMBOL[b]);
            ids.put(symbol, tokens.size());
            tokens.add(symbol);
        }

        // Distinct words with their counts, in order of first appearance.
        Map<String, int[]> wordCounts = countWords(texts, specials);
        if (wordCounts.isEmpty()) {
            throw new ScalesException("cannot train a tokenizer on an empty corpus: the texts hold no characters");
        }
        int[][] words = new int[wordCounts.size()][];
        long[] freq = new long[wordCounts.size()];
        int w = 0;
        for (Map.Entry<String, int[]> e : wordCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                symbols[i] = byteId[bytes[i] & 0xFF];
            }
            words[w] = symbols;
            freq[w] = e.getValue()[0];
            w++;
        }

        List<String> merges = mergeMostFrequent(tokens, ids, words, freq, vocabSize);

        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            vocab.put(tokens.get(i), i);
        }
        return new BpeVocabulary(vocab, merges, specialIds);
    }

    /**
     * Merges the most frequent adjacent pair, again and again, until the vocabulary has
     * {@code vocabSize} tokens or no pair occurs twice; adds each merged token to {@code tokens}
     * and {@code ids} and rewrites {@code words} in place. Returns the merges in order.
     */
    private static List<String> mergeMostFrequent(List<String> tokens, Map<String, Integer> ids, int[][] words,
                                                  long[] freq, int vocabSize) {
        PairCounts pairs = new PairCounts(tokens);
        for (int w = 0; w < words.length; w++) {
            pairs.addWord(words[w], freq[w], w, -1);
        }
        pairs.pushChanged();

        List<String> merges = new ArrayList<>();
        int[] visited = new int[words.length];
        Arrays.fill(visited, -1);
        while (tokens.size() < vocabSize) {
            long best = pairs.pollBest();
            if (best == NONE) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            String merged = tokens.get(left) + tokens.get(right);
            Integer existing = ids.get(merged);
            int id = existing != null ? existing : tokens.size();
            if (existing == null) {
                ids.put(merged, id);
                tokens.add(merged);
            }
            int step = merges.size();
            merges.add(tokens.get(left) + " " + tokens.get(right));
            for (int word : pairs.wordsWith(best)) {
                if (visited[word] == step || !contains(words[word], left, right)) {
                    continue;
                }
                visited[word] = step;
                pairs.removeWord(words[word], freq[word]);
                words[word] = merge(words[word], left, right, id);
                pairs.addWord(words[word], freq[word], word, id);
            }
            pairs.pushChanged(); // the merged pair's count is now 0, so this also forgets it
        }
        return merges;
    }

    private static List<String> checkSpecials(List<String> specialTokens) {
        if (specialTokens == null) {
            return List.of();
        }
        Set<String> seen = new HashSet<>();
        for (String s : specialTokens) {
            if (s == null || s.isEmpty()) {
                throw new ScalesException("special tokens must not be empty: " + specialTokens);
            }
            if (!seen.add(s)) {
                throw new ScalesException("special token \"" + s + "\" is listed twice");
            }
            if (s.length() == 1 && new String(BYTE_SYMBOL).indexOf(s.charAt(0)) >= 0) {
                throw new ScalesException("special token \"" + s + "\" is one of the 256 byte symbols; "
                        + "choose a longer string such as <|" + s + "|>");
            }
        }
        return List.copyOf(specialTokens);
    }

    /** GPT-2 pieces of all texts (special tokens cut out), as byte-symbol strings, with counts. */
    private static Map<String, int[]> countWords(Iterable<String> texts, List<String> specials) {
        Pattern specialSplit = null;
        if (!specials.isEmpty()) {
            // Longest first, so a special that is a prefix of another does not win.
            List<String> sorted = new ArrayList<>(specials);
            sorted.sort(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()));
            StringBuilder alt = new StringBuilder();
            for (String s : sorted) {
                alt.append(alt.length() == 0 ? "" : "|").append(Pattern.quote(s));
            }
            specialSplit = Pattern.compile(alt.toString());
        }
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (String text : texts) {
            if (text == null || text.isEmpty()) {
                continue;
            }
            for (String chunk : specialSplit == null ? new String[] {text} : specialSplit.split(text)) {
                Matcher m = GPT2_SPLIT.matcher(chunk);
                while (m.find()) {
                    if (m.end() > m.start()) {
                        counts.computeIfAbsent(m.group(), k -> new int[1])[0]++;
                    }
                }
            }
        }
        return counts;
    }

    private static boolean contains(int[] symbols, int left, int right) {
        for (int i = 0; i + 1 < symbols.length; i++) {
            if (symbols[i] == left && symbols[i + 1] == right) {
                return true;
            }
        }
        return false;
    }

    /** Replaces each occurrence of (left, right), scanning left to right, by {@code id}. */
    private static int[] merge(int[] symbols, int left, int right, int id) {
        int[] out = new int[symbols.length];
        int n = 0;
        for (int i = 0; i < symbols.length; i++) {
            if (i + 1 < symbols.length && symbols[i] == left && symbols[i + 1] == right) {
                out[n++] = id;
                i++;
            } else {
                out[n++] = symbols[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static final long NONE = -1L;

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /**
     * Weighted counts of adjacent pairs over all words, the words each pair occurs in (a superset:
     * entries may be stale), and a max-heap of (count, pair) whose stale entries are skipped when polled.
     */
    private static final class PairCounts {
        private record Entry(long count, int left, int right) {}

        /** Pair → {current count, count of its newest heap entry}. */
        private final Map<Long, long[]> counts = new HashMap<>();
        private final Map<Long, IntList> where = new HashMap<>();
        private final Set<Long> changed = new HashSet<>();
        private final PriorityQueue<Entry> heap;

        PairCounts(List<String> tokens) {
            Comparator<Entry> byCount = Comparator.comparingLong(Entry::count).reversed();
            heap = new PriorityQueue<>(byCount
                    .thenComparing(e -> tokens.get(e.left()))
                    .thenComparing(e -> tokens.get(e.right())));
        }

        /**
         * Adds the word's pairs, {@code freq} times each; records the word under each pair, or,
         * with {@code onlyWith} ≥ 0, under the pairs that contain that token (the only new ones).
         */
        void addWord(int[] symbols, long freq, int word, int onlyWith) {
            for (int i = 0; i + 1 < symbols.length; i++) {
                long k = key(symbols[i], symbols[i + 1]);
                counts.computeIfAbsent(k, x -> new long[2])[0] += freq;
                changed.add(k);
                if (onlyWith < 0 || symbols[i] == onlyWith || symbols[i + 1] == onlyWith) {
                    where.computeIfAbsent(k, x -> new IntList()).add(word);
                }
            }
        }

        void removeWord(int[] symbols, long freq) {
            for (int i = 0; i + 1 < symbols.length; i++) {
                long k = key(symbols[i], symbols[i + 1]);
                counts.get(k)[0] -= freq;
                changed.add(k);
            }
        }

        /** Pushes the current count of every pair changed since the last push; drops pairs now absent. */
        void pushChanged() {
            // Sorted so the heap's internal layout, and so any equal-count choice, never depends on hashing.
            Long[] keys = changed.toArray(new Long[0]);
            Arrays.sort(keys);
            for (long k : keys) {
                long[] c = counts.get(k);
                if (c[0] > 0) {
                    if (c[0] != c[1]) { // else the heap already holds a valid entry for this count
                        heap.add(new Entry(c[0], (int) (k >>> 32), (int) k));
                        c[1] = c[0];
                    }
                } else {
                    forget(k);
                }
            }
            changed.clear();
        }

        void forget(long k) {
            counts.remove(k);
            where.remove(k);
        }

        /** The most frequent pair still occurring at least twice, or {@link #NONE}. */
        long pollBest() {
            while (!heap.isEmpty()) {
                Entry e = heap.poll();
                long k = key(e.left(), e.right());
                long[] current = counts.get(k);
                if (current == null || current[0] != e.count()) {
                    continue; // stale: a fresher entry for this pair was pushed when its count changed
                }
                return e.count() >= 2 ? k : NONE;
            }
            return NONE;
        }

        int[] wordsWith(long k) {
            IntList list = where.get(k);
            return list == null ? new int[0] : list.toArray();
        }
    }

    private static final class IntList {
        private int[] items = new int[4];
        private int size;

        void add(int v) {
            if (size > 0 && items[size - 1] == v) {
                return; // the same word twice in a row: keep the list short
            }
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}
