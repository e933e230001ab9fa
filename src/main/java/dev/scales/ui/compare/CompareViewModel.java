package dev.scales.ui.compare;

import java.util.List;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * State of the compare view: the 2×2 grid (base / fine-tuned × zero-shot / few-shot) on one
 * test set. A cell holds its measured accuracy, or says what it needs before it can be measured.
 */
public final class CompareViewModel {
    /** One cell of the grid. */
    public static final class Cell {
        private final String model;
        private final String prompting;
        private final ReadOnlyStringWrapper value = new ReadOnlyStringWrapper(this, "value", "—");
        private final ReadOnlyStringWrapper detail = new ReadOnlyStringWrapper(this, "detail", "not measured yet");

        Cell(String model, String prompting) {
            this.model = model;
            this.prompting = prompting;
        }

        public String model() {
            return model;
        }

        public String prompting() {
            return prompting;
        }

        public ReadOnlyStringProperty valueProperty() {
            return value.getReadOnlyProperty();
        }

        public ReadOnlyStringProperty detailProperty() {
            return detail.getReadOnlyProperty();
        }
    }

    private final List<Cell> cells = List.of(new Cell("Base model", "Zero-shot"), new Cell("Base model", "Few-shot"),
            new Cell("Fine-tuned", "Zero-shot"), new Cell("Fine-tuned", "Few-shot"));
    private final ReadOnlyStringWrapper guidance = new ReadOnlyStringWrapper(this, "guidance",
            "Load a model and choose a test set; fine-tune it in the Lab to fill the lower row. "
                    + "Each cell shows accuracy on the same test set, with its cost.");

    /** The four cells in reading order: base zero-shot, base few-shot, fine-tuned zero-shot, fine-tuned few-shot. */
    public List<Cell> cells() {
        return cells;
    }

    public ReadOnlyStringProperty guidanceProperty() {
        return guidance.getReadOnlyProperty();
    }
}
