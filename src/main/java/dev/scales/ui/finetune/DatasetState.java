package dev.scales.ui.finetune;

import dev.scales.core.ScalesException;
import dev.scales.core.data.Jsonl;
import dev.scales.core.data.LabelledData;
import dev.scales.core.data.Records;
import dev.scales.core.train.TrainingData;
import dev.scales.core.train.TrainingExample;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.UiThread;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The dataset of the fine-tuning pane: the open file, its rows (previewed), which fields are the
 * input and the label, and its examples as a run would train on them now — written with the
 * prompt pane's format, the first shown with its trained parts marked. The file is read, and its
 * rows written as examples, away from the FX thread: a dataset of any size never holds the window.
 */
final class DatasetState {
    private final ReadOnlyObjectWrapper<Path> dataset = new ReadOnlyObjectWrapper<>(this, "dataset");
    private final ObservableList<Map<String, String>> previewRows = FXCollections.observableArrayList();
    /** A read-only view kept as a field: views made per call are collected, and their listeners with them. */
    private final ObservableList<Map<String, String>> previewRowsView = FXCollections.unmodifiableObservableList(previewRows);
    private final ReadOnlyObjectWrapper<List<String>> columns = new ReadOnlyObjectWrapper<>(this, "columns", List.of());
    private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper(this, "summary", "No dataset chosen.");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper(this, "error", "");
    private final ReadOnlyStringWrapper trainingText = new ReadOnlyStringWrapper(this, "trainingText", "");
    private final ReadOnlyBooleanWrapper reading = new ReadOnlyBooleanWrapper(this, "reading");
    private final Supplier<TrainingData.Format> format;
    private final UiThread ui;
    /** The open dataset's rows: a run writes them with the prompt pane's format as it is when the run starts. */
    private Jsonl.Result rows = new Jsonl.Result(List.of(), List.of());
    /** Which fields of the open dataset are the input and the label, and the label map. */
    private LabelledData.Fields fields = LabelledData.Fields.DEFAULT;
    private List<TrainingExample> examples = List.of();
    /** The format {@link #examples} were written with (null: none yet). */
    private TrainingData.Format writtenWith;
    /** Counts requests for reading or writing: a result that a later request overtook is dropped. */
    private long requests;
    /** How many examples the open dataset gives, set after {@link #examples}: what a binding on them observes. */
    private final ReadOnlyIntegerWrapper size = new ReadOnlyIntegerWrapper(this, "size");

    /**
     * @param format how labelled rows are written: the prompt pane's instruction and template
     * @param ui     where results are shown; files are read away from it
     */
    DatasetState(Supplier<TrainingData.Format> format, UiThread ui) {
        this.format = format;
        this.ui = ui;
    }

    /** What the file gives: its rows and fields, and its examples (null when they cannot be written: why). */
    private record Opened(Records.Table table, TrainingData.Result data, String unwritten) {}

    /**
     * Reads the dataset, labelled rows from {@code fields} (and its label map); malformed lines are
     * counted and the first is named. A file that cannot be read is named and the dataset already
     * open stays.
     */
    void open(Path file, LabelledData.Fields fields) {
        long request = ++requests;
        TrainingData.Format written = format.get().withFields(fields);
        reading.set(true);
        summary.set("Reading " + file.getFileName() + "…");
        ui.offThread(() -> {
            Records.Table table = Records.read(file); // JSONL or CSV
            try {
                return new Opened(table, TrainingData.of(file, new Jsonl.Result(table.rows(), table.problems()),
                        written), null);
            } catch (ScalesException e) {
                return new Opened(table, null, e.getMessage());
            }
        }, (opened, e) -> {
            if (request != requests) {
                return;
            }
            reading.set(false);
            if (e != null) {
                error.set(Errors.message(e)
                        + (dataset.get() == null ? "" : " — still using " + dataset.get().getFileName()));
                showSummary();
                return;
            }
            this.rows = new Jsonl.Result(opened.table().rows(), opened.table().problems());
            this.fields = fields;
            dataset.set(file);
            previewRows.setAll(opened.table().rows().stream().map(Jsonl.Row::fields).toList());
            columns.set(opened.table().fields());
            if (opened.data() == null) {
                unwritten(opened.unwritten());
            } else {
                show(opened.data(), written);
            }
            if (!format.get().withFields(fields).equals(written)) {
                refreshTrainingText(); // the prompt pane edited while the file was read
            }
        });
    }

    /**
     * Writes the open dataset's rows as the next run will train on them — with the prompt pane's
     * instruction, template and format as they are now — and shows the first in the preview.
     */
    void refreshTrainingText() {
        Path file = dataset.get();
        TrainingData.Format now = format.get().withFields(fields);
        if (file == null || reading.get() || now.equals(writtenWith)) {
            return;
        }
        long request = ++requests;
        Jsonl.Result read = rows;
        ui.offThread(() -> TrainingData.of(file, read, now), (data, e) -> {
            if (request != requests) {
                return;
            }
            if (e != null) {
                unwritten(Errors.message(e));
            } else {
                show(data, now);
            }
        });
    }

    /** The rows cannot be written as examples in the format asked for: none, and why. */
    private void unwritten(String why) {
        examples = List.of();
        writtenWith = null;
        size.set(0);
        showSummary();
        trainingText.set("");
        error.set(why);
    }

    private void show(TrainingData.Result data, TrainingData.Format written) {
        examples = data.examples();
        writtenWith = written;
        size.set(examples.size());
        showSummary();
        error.set(data.problems().isEmpty() ? ""
                : data.problems().size() + " line(s) not used; first: " + data.problems().get(0));
        trainingText.set(examples.isEmpty() ? "" : marked(examples.get(0)));
    }

    private void showSummary() {
        Path file = dataset.get();
        summary.set(file == null ? "No dataset chosen." : file.getFileName() + " · " + examples.size() + " examples"
                + (columns.get().isEmpty() ? "" : " · fields " + String.join(", ", columns.get()))
                + (fields.labelNames().isEmpty() ? "" : " · labels " + fields.labelNamesText()));
    }

    /**
     * The rows as the prompt pane writes them now (editing its template after opening the data
     * counts): the examples shown when they are written that way, else written on first use — by
     * the run's job, not the FX thread.
     */
    Supplier<List<TrainingExample>> examplesNow() {
        TrainingData.Format now = format.get().withFields(fields);
        if (now.equals(writtenWith)) {
            List<TrainingExample> shown = examples;
            return () -> shown;
        }
        Path file = dataset.get();
        Jsonl.Result read = rows;
        return new Supplier<>() {
            private List<TrainingExample> written;

            @Override
            public synchronized List<TrainingExample> get() {
                if (written == null) {
                    written = TrainingData.of(file, read, now).examples();
                }
                return written;
            }
        };
    }

    /** An example's text with its trained parts in ⟦ ⟧: what the model reads, and where the loss counts. */
    static String marked(TrainingExample e) {
        StringBuilder sb = new StringBuilder();
        for (TrainingExample.Segment s : e.segments()) {
            sb.append(s.trained() ? "⟦" + s.text() + "⟧" : s.text());
        }
        return sb.toString();
    }

    /** Examples in the open dataset (0 when none). */
    int size() {
        return size.get();
    }

    ReadOnlyIntegerProperty sizeProperty() {
        return size.getReadOnlyProperty();
    }

    LabelledData.Fields fields() {
        return fields;
    }

    /** True while the file is being read: until then the dataset shown is the one before. */
    ReadOnlyBooleanProperty readingProperty() {
        return reading.getReadOnlyProperty();
    }

    ReadOnlyObjectProperty<Path> fileProperty() {
        return dataset.getReadOnlyProperty();
    }

    ObservableList<Map<String, String>> previewRows() {
        return previewRowsView;
    }

    ReadOnlyObjectProperty<List<String>> columnsProperty() {
        return columns.getReadOnlyProperty();
    }

    ReadOnlyStringProperty summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    ReadOnlyStringProperty trainingTextProperty() {
        return trainingText.getReadOnlyProperty();
    }
}
