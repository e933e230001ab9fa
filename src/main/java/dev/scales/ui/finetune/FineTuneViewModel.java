package dev.scales.ui.finetune;

import dev.scales.core.ScalesException;
import dev.scales.core.data.Jsonl;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** State of the fine-tuning pane: the chosen dataset, the method, and why Start is not yet possible. */
public final class FineTuneViewModel {
    /** How much of the model is trained. */
    public enum Method {
        LORA("LoRA (adapters, base frozen)"), FULL("Full (every weight)");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final ReadOnlyObjectWrapper<Path> dataset = new ReadOnlyObjectWrapper<>(this, "dataset");
    private final ObservableList<Map<String, String>> previewRows = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<List<String>> columns = new ReadOnlyObjectWrapper<>(this, "columns", List.of());
    private final ReadOnlyStringWrapper datasetSummary = new ReadOnlyStringWrapper(this, "datasetSummary",
            "No dataset chosen.");
    private final ReadOnlyStringWrapper datasetError = new ReadOnlyStringWrapper(this, "datasetError", "");
    private final ObjectProperty<Method> method = new SimpleObjectProperty<>(this, "method", Method.LORA);
    private final ReadOnlyObjectWrapper<Boolean> modelLoaded = new ReadOnlyObjectWrapper<>(this, "modelLoaded", false);
    private final StringBinding startBlockedReason;

    public FineTuneViewModel() {
        startBlockedReason = Bindings.createStringBinding(() -> {
            if (!modelLoaded.get()) {
                return "Load a model to fine-tune it.";
            }
            if (dataset.get() == null || previewRows.isEmpty()) {
                return "Choose a labelled dataset (JSONL).";
            }
            return "";
        }, modelLoaded, dataset, previewRows);
    }

    /** Reads the dataset for its preview; malformed lines are counted and the first is named. */
    public void openDataset(Path file) {
        try {
            Jsonl.Result result = Jsonl.read(file);
            dataset.set(file);
            previewRows.setAll(result.rows().stream().map(Jsonl.Row::fields).toList());
            columns.set(result.rows().isEmpty() ? List.of() : List.copyOf(result.rows().get(0).fields().keySet()));
            datasetSummary.set(file.getFileName() + " · " + result.rows().size() + " rows"
                    + (columns.get().isEmpty() ? "" : " · fields " + String.join(", ", columns.get())));
            datasetError.set(result.problems().isEmpty() ? ""
                    : result.problems().size() + " malformed line(s) not used; first: " + result.problems().get(0));
        } catch (ScalesException e) {
            dataset.set(null);
            previewRows.clear();
            columns.set(List.of());
            datasetSummary.set("No dataset chosen.");
            datasetError.set(e.getMessage());
        }
    }

    public void setModelLoaded(boolean loaded) {
        modelLoaded.set(loaded);
    }

    public ReadOnlyObjectProperty<Path> datasetProperty() {
        return dataset.getReadOnlyProperty();
    }

    public ObservableList<Map<String, String>> previewRows() {
        return FXCollections.unmodifiableObservableList(previewRows);
    }

    public ReadOnlyObjectProperty<List<String>> columnsProperty() {
        return columns.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty datasetSummaryProperty() {
        return datasetSummary.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty datasetErrorProperty() {
        return datasetError.getReadOnlyProperty();
    }

    public ObjectProperty<Method> methodProperty() {
        return method;
    }

    public StringBinding startBlockedReason() {
        return startBlockedReason;
    }
}
