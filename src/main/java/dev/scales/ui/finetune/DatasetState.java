package dev.scales.ui.finetune;

import dev.scales.core.ScalesException;
import dev.scales.core.data.Jsonl;
import dev.scales.core.data.LabelledData;
import dev.scales.core.data.Records;
import dev.scales.core.train.TrainingData;
import dev.scales.core.train.TrainingExample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
 * prompt pane's format, the first shown with its trained parts marked.
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
    private final Supplier<TrainingData.Format> format;
    /** The open dataset's rows: a run writes them with the prompt pane's format as it is when the run starts. */
    private Jsonl.Result rows = new Jsonl.Result(List.of(), List.of());
    /** Which fields of the open dataset are the input and the label, and the label map. */
    private LabelledData.Fields fields = LabelledData.Fields.DEFAULT;
    private List<TrainingExample> examples = List.of();
    /** How many examples the open dataset gives, set after {@link #examples}: what a binding on them observes. */
    private final ReadOnlyIntegerWrapper size = new ReadOnlyIntegerWrapper(this, "size");

    /** @param format how labelled rows are written: the prompt pane's instruction and template */
    DatasetState(Supplier<TrainingData.Format> format) {
        this.format = format;
    }

    /**
     * Reads the dataset, labelled rows from {@code fields} (and its label map); malformed lines are
     * counted and the first is named. A file that cannot be read is named and the dataset already
     * open stays.
     */
    void open(Path file, LabelledData.Fields fields) {
        Records.Table table;
        try {
            table = Records.read(file); // JSONL or CSV
        } catch (ScalesException e) {
            error.set(e.getMessage() + (dataset.get() == null ? "" : " — still using " + dataset.get().getFileName()));
            return;
        }
        this.rows = new Jsonl.Result(table.rows(), table.problems());
        this.fields = fields;
        dataset.set(file);
        previewRows.setAll(table.rows().stream().map(Jsonl.Row::fields).toList());
        columns.set(table.fields());
        refreshTrainingText();
    }

    /**
     * Writes the open dataset's rows as the next run will train on them — with the prompt pane's
     * instruction, template and format as they are now — and shows the first in the preview.
     */
    void refreshTrainingText() {
        Path file = dataset.get();
        if (file == null) {
            return;
        }
        TrainingData.Result data;
        try {
            data = TrainingData.of(file, rows, format.get().withFields(fields));
        } catch (ScalesException e) {
            examples = List.of();
            size.set(0);
            trainingText.set("");
            error.set(e.getMessage());
            return;
        }
        examples = data.examples();
        size.set(examples.size());
        summary.set(file.getFileName() + " · " + examples.size() + " examples"
                + (columns.get().isEmpty() ? "" : " · fields " + String.join(", ", columns.get()))
                + (fields.labelNames().isEmpty() ? "" : " · labels " + fields.labelNamesText()));
        error.set(data.problems().isEmpty() ? ""
                : data.problems().size() + " line(s) not used; first: " + data.problems().get(0));
        trainingText.set(examples.isEmpty() ? "" : marked(examples.get(0)));
    }

    /** The rows as the prompt pane writes them now: editing its template after opening the data counts. */
    List<TrainingExample> examplesNow() {
        return TrainingData.of(dataset.get(), rows, format.get().withFields(fields)).examples();
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
