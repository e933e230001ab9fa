package dev.scales.core.pretrain;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.scales.core.corpus.Corpus;
import dev.scales.core.generate.Inputs;
import dev.scales.core.model.GradMode;
import dev.scales.core.model.LoadedModel;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The in-context score on the pretraining task kinds themselves: in fresh demonstration documents
 * (from a seed no training batch uses), how often the model's top next token is the label's first
 * token, at the first label of a document (nothing to read yet: chance or a prior) and at labels
 * after the fourth (the mapping is in the context). A gap between the two is in-context learning;
 * it forms on these documents before it carries over to the sample tasks' held-out wording.
 */
public final class ContextProbe {
    /** The kinds probed: those whose labels are drawn per document. */
    public static final List<Corpus.Kind> KINDS = List.of(Corpus.Kind.WORD_MAP, Corpus.Kind.POLARITY,
            Corpus.Kind.NONCE, Corpus.Kind.SENTIMENT, Corpus.Kind.TOPIC);

    /** Accuracy at a kind's first label and at its labels after the fourth. */
    public record Score(double first, double late) {}

    private final LoadedModel model;
    private final Map<Corpus.Kind, List<Row>> rows = new EnumMap<>(Corpus.Kind.class);
    private final List<CopyRow> copyRows = new ArrayList<>();

    /** A tokenized document and the token index where each label starts. */
    private record Row(long[] ids, int[] labelAt) {}

    /** A random-token row and the index from which every token repeats an earlier one. */
    private record CopyRow(long[] ids, int repeatsFrom) {}

    public ContextProbe(LoadedModel model, Corpus corpus, long seed, int documents, int context, int vocabulary) {
        this.model = model;
        Random r = new Random(seed * 31 + 977);
        for (Corpus.Kind kind : KINDS) {
            List<Row> list = new ArrayList<>();
            for (int d = 0; d < documents; d++) {
                list.add(row(corpus.labelled(r, kind, context * 5), context));
            }
            rows.put(kind, list);
        }
        Random copy = new Random(seed * 31 + 978);
        for (int d = 0; d < documents; d++) {
            long[] row = Pretrain.copyRow(copy, context, vocabulary);
            copyRows.add(new CopyRow(row, period(row)));
        }
    }

    private Row row(Corpus.Document doc, int context) {
        List<Long> ids = new ArrayList<>();
        List<Integer> labelAt = new ArrayList<>();
        int at = 0;
        for (int[] span : doc.labels()) {
            add(ids, doc.text().substring(at, span[0]));
            labelAt.add(ids.size());
            add(ids, doc.text().substring(span[0], span[1]));
            at = span[1];
        }
        int n = Math.min(ids.size(), context);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = ids.get(i);
        }
        return new Row(out, labelAt.stream().filter(i -> i > 0 && i < n).mapToInt(Integer::intValue).toArray());
    }

    private void add(List<Long> ids, String text) {
        for (long id : model.tokenizer().encode(text, false)) {
            ids.add(id);
        }
    }

    /** The scores of the model as it is now, by kind. */
    public Map<Corpus.Kind, Score> score() {
        GradMode.inference();
        Map<Corpus.Kind, Score> out = new EnumMap<>(Corpus.Kind.class);
        for (Map.Entry<Corpus.Kind, List<Row>> e : rows.entrySet()) {
            int firstRight = 0;
            int firstCount = 0;
            int lateRight = 0;
            int lateCount = 0;
            for (Row row : e.getValue()) {
                long[] predicted = topTokens(row.ids());
                for (int j = 0; j < row.labelAt().length; j++) {
                    int at = row.labelAt()[j];
                    boolean right = predicted[at - 1] == row.ids()[at];
                    if (j == 0) {
                        firstCount++;
                        firstRight += right ? 1 : 0;
                    } else if (j >= 4) {
                        lateCount++;
                        lateRight += right ? 1 : 0;
                    }
                }
            }
            out.put(e.getKey(), new Score(firstRight / (double) Math.max(1, firstCount),
                    lateRight / (double) Math.max(1, lateCount)));
        }
        return out;
    }

    /**
     * The induction score: on rows of random tokens whose first segment repeats to the end (as
     * {@code pretrain --copy-steps} trains on), how often the top next token is right within the
     * repeats, where only copying from the context can predict it.
     */
    public double copyScore() {
        GradMode.inference();
        int right = 0;
        int count = 0;
        for (CopyRow row : copyRows) {
            long[] predicted = topTokens(row.ids());
            for (int i = row.repeatsFrom(); i < row.ids().length; i++) {
                count++;
                right += predicted[i - 1] == row.ids()[i] ? 1 : 0;
            }
        }
        return right / (double) Math.max(1, count);
    }

    /** The shortest period of a row: from there on, every token repeats one already seen. */
    static int period(long[] row) {
        for (int n = 1; n < row.length; n++) {
            boolean repeats = true;
            for (int i = n; i < row.length && repeats; i++) {
                repeats = row[i] == row[i - n];
            }
            if (repeats) {
                return n;
            }
        }
        return row.length;
    }

    /** The top next token after each position of one row. */
    private long[] topTokens(long[] ids) {
        try (NDManager scope = model.manager().newSubManager()) {
            Inputs.Batch b = Inputs.leftPadded(scope, new long[][] {ids}, 0);
            NDArray logits = model.lm().forward(b.ids(), b.positions(), b.bias(), null, false);
            return logits.argMax(-1).toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
        }
    }
}
