package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import dev.scales.core.data.Records;
import dev.scales.core.eval.FewShotEvaluator;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * Reads labelled files (JSONL or CSV) for the prompt pane, away from the FX thread: the test sets
 * it evaluates and sweeps, and the rows it imports as examples. Why a file cannot be used shows in
 * the evaluation status.
 */
final class TestSetReader {
    /**
     * A test set read for the pane: its examples, its labels in order of appearance, what was
     * skipped. Mostly distinct answers (more than 8, or more than half the examples) make it free text.
     */
    record TestSet(List<FewShotEvaluator.TestExample> examples, List<String> labels, String skipped) {
        boolean freeText() {
            return labels.size() > 8 || (labels.size() >= 3 && labels.size() > examples.size() / 2);
        }
    }

    /** A test set file as read: the fields used (null when none could be recognised) and its rows. */
    private record ReadTestSet(LabelledData.Fields fields, LabelledData.Result data, List<String> columns) {}

    private final UiThread ui;
    private final ReadOnlyStringWrapper status;
    /** The template's input slots, by which the input fields are recognised. */
    private final Supplier<List<String>> slots;
    private final ReadOnlyObjectWrapper<Path> lastTestSet = new ReadOnlyObjectWrapper<>(this, "lastTestSet");
    private LabelledData.Fields lastTestFields = LabelledData.Fields.DEFAULT;

    TestSetReader(UiThread ui, ReadOnlyStringWrapper status, Supplier<List<String>> slots) {
        this.ui = ui;
        this.status = status;
        this.slots = slots;
    }

    /**
     * The input and label fields among a test set's field {@code names}, when the names say which
     * (the template's slots first); empty when the user must choose.
     */
    Optional<LabelledData.Fields> recognisedFields(List<String> names) {
        return LabelledData.guess(names, slots.get());
    }

    /**
     * Reads a test set's field names away from the FX thread and hands them to {@code then} on it
     * (none when it cannot be read: reading it then says why).
     */
    void fieldsOf(Path file, Consumer<List<String>> then) {
        ui.offThread(() -> LabelledData.fieldsOrNone(file), (names, e) -> then.accept(e == null ? names : List.of()));
    }

    /**
     * Reads a test set away from the FX thread, then, back on it, hands it to {@code then} or shows
     * why it cannot be used. With {@code labelsOnly}, a free-text test set is refused.
     */
    void read(Path file, LabelledData.Fields fields, boolean labelsOnly, Consumer<TestSet> then) {
        List<String> templateSlots = slots.get();
        status.set("reading " + file.getFileName() + "…");
        ui.offThread(() -> {
            Records.Table table = Records.read(file); // read once
            LabelledData.Fields f = fields != null ? fields
                    : LabelledData.guess(table.fields(), templateSlots).orElse(null);
            return new ReadTestSet(f, f == null ? null : LabelledData.of(file, table, f), table.fields());
        }, (read, e) -> {
            if (e != null) {
                status.set(Errors.message(e));
                return;
            }
            TestSet t = testSet(file, read, labelsOnly);
            if (t != null) {
                then.accept(t);
            }
        });
    }

    /** The test set read, or null after showing why it cannot be used. */
    private TestSet testSet(Path file, ReadTestSet read, boolean labelsOnly) {
        LabelledData.Fields f = read.fields();
        if (f == null) {
            status.set(file.getFileName() + ": which fields hold the input and the label? It has "
                    + read.columns() + "; choose them when opening the file.");
            return null;
        }
        LabelledData.Result data = read.data();
        List<String> labels = data.rows().stream().map(LabelledData.Row::label).distinct().toList();
        String skipped = data.problems().isEmpty() ? "" : " · " + data.problems().size() + " line(s) skipped, first: "
                + data.problems().get(0);
        TestSet t = new TestSet(data.rows().stream().map(r -> new FewShotEvaluator.TestExample(r.input(), r.label()))
                .toList(), labels, skipped);
        if (labels.size() < 2) {
            status.set(file.getFileName() + ": needs at least two different labels, found " + labels);
            return null;
        }
        if (labelsOnly && t.freeText()) {
            status.set(file.getFileName() + ": " + labels.size() + " different answers in " + data.rows().size()
                    + " examples — a free-text task; a sweep scores a label set (Evaluate compares free text)");
            return null;
        }
        lastTestFields = f;
        lastTestSet.set(file);
        return t;
    }

    /** The fields the last test set was read with. */
    LabelledData.Fields lastTestFields() {
        return lastTestFields;
    }

    /** The test set last evaluated or swept (null before any). */
    ReadOnlyObjectProperty<Path> lastTestSetProperty() {
        return lastTestSet.getReadOnlyProperty();
    }
}
