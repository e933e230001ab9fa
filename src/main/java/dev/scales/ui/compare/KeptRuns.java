package dev.scales.ui.compare;

import dev.scales.core.ScalesException;
import dev.scales.core.experiment.ExperimentReport;
import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.RunRecords;
import dev.scales.core.util.CsvFiles;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.JobProgress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Compare's kept runs: every run saved in a folder of its own under a root, the one chosen, and the
 * shown results laid beside it measure by measure. Problems go to the view's status line.
 */
final class KeptRuns {
    private final Path root;
    private final Consumer<String> status;
    private final ObservableList<RunRecords.Record> runs = FXCollections.observableArrayList();
    private final ObjectProperty<RunRecords.Record> chosen = new SimpleObjectProperty<>(this, "chosenRun");
    private final ObservableList<RunRecords.Row> comparison = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper comparedWith = new ReadOnlyStringWrapper(this, "comparedWith", "");

    KeptRuns(Path root, Consumer<String> status) {
        this.root = root;
        this.status = status;
    }

    /** Keeps a finished run (on the run's own thread); the reason it could not be kept, or null. */
    String keep(ExperimentRun.Results r) {
        try {
            RunRecords.save(r, root, java.time.LocalDateTime.now());
            return null;
        } catch (ScalesException e) {
            return e.getMessage(); // the run stands; only its record is missing
        }
    }

    /** Rereads the list, newest first; the choice stays where it can. */
    void refresh() {
        RunRecords.Record keep = chosen.get();
        try {
            runs.setAll(RunRecords.list(root));
        } catch (ScalesException e) {
            status.accept(e.getMessage());
        }
        chosen.set(runs.stream().filter(r -> keep != null && r.dir().equals(keep.dir())).findFirst()
                .orElse(runs.isEmpty() ? null : runs.get(0)));
    }

    /** The chosen run's results, or null when none is chosen or its record is bad (named in the status). */
    ExperimentRun.Results readChosen() {
        RunRecords.Record r = chosen.get();
        if (r == null) {
            return null;
        }
        try {
            return ExperimentReport.read(r.dir());
        } catch (ScalesException e) {
            status.accept(e.getMessage());
            return null;
        }
    }

    /** Lays the chosen run beside {@code shown}, measure by measure. */
    void sideBySide(ExperimentRun.Results shown) {
        RunRecords.Record r = chosen.get();
        if (r == null || shown == null) {
            status.accept(shown == null ? "Run an experiment or show a kept run first." : "Choose a kept run first.");
            return;
        }
        try {
            comparison.setAll(RunRecords.compare(shown, ExperimentReport.read(r.dir())));
            comparedWith.set(r.label());
        } catch (ScalesException e) {
            status.accept(e.getMessage());
        }
    }

    /** Forgets the side-by-side table (other results are shown). */
    void clearComparison() {
        comparison.clear();
        comparedWith.set("");
    }

    /** Writes the side-by-side table as CSV. */
    void exportComparison(Path file, JobProgress exporting) {
        List<List<?>> rows = comparison.stream().<List<?>>map(r -> List.of(r.measure(), r.first(), r.second())).toList();
        String with = comparedWith.get();
        exporting.writeFile(() -> CsvFiles.write(file, List.of("measure", "shown run", with), rows),
                e -> status.accept(e == null ? "exported the comparison to " + file : Errors.saving(e, "the comparison", file)));
    }

    ObservableList<RunRecords.Record> runs() {
        return runs;
    }

    ObjectProperty<RunRecords.Record> chosenProperty() {
        return chosen;
    }

    ObservableList<RunRecords.Row> comparison() {
        return comparison;
    }

    ReadOnlyStringProperty comparedWithProperty() {
        return comparedWith.getReadOnlyProperty();
    }
}
