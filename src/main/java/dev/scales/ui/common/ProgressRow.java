package dev.scales.ui.common;

import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Region;

/**
 * A long job's row: its progress bar, about how long it has left, and Cancel (when the job can be
 * cancelled); shown only while the job runs. Its parts' ids are {@code ID-progress},
 * {@code ID-time-left} and {@code ID-cancel}.
 */
public final class ProgressRow extends HBox {
    private final Label left = new Label();
    private final Button cancel = new Button("Cancel");

    /**
     * @param id   the row's id ({@code ID-row}) and the stem of its parts' ids
     * @param name what runs, as a screen reader names the bar ("Model load progress")
     */
    public ProgressRow(JobProgress job, String id, String name) {
        super(8);
        setId(id + "-row");
        getStyleClass().add("progress-row");
        setAlignment(Pos.CENTER_LEFT);
        ProgressBar bar = new ProgressBar();
        bar.setId(id + "-progress");
        bar.setAccessibleText(name);
        bar.setMinWidth(Region.USE_PREF_SIZE);
        bar.progressProperty().bind(job.fractionProperty());
        left.setId(id + "-time-left");
        left.getStyleClass().add("muted");
        left.setMinWidth(Region.USE_PREF_SIZE);
        left.textProperty().bind(job.timeLeftProperty());
        cancel.setId(id + "-cancel");
        cancel.setMinWidth(Region.USE_PREF_SIZE);
        cancel.setOnAction(e -> job.cancel());
        cancel.visibleProperty().bind(job.cancellableProperty());
        cancel.managedProperty().bind(cancel.visibleProperty());
        getChildren().addAll(bar, left, cancel);
        visibleProperty().bind(job.runningProperty());
        managedProperty().bind(visibleProperty());
    }

    /**
     * Keeps the row's room, time left and Cancel included, while nothing runs: showing it then moves
     * nothing else. For a bar that wraps (the model bar), where a row appearing would push a line
     * down, resize every chart below and have them all redrawn on the FX thread (0.6 s in software).
     */
    public ProgressRow keepingItsPlace() {
        managedProperty().unbind();
        setManaged(true);
        cancel.managedProperty().unbind();
        cancel.setManaged(true);
        left.setMinWidth(Region.USE_COMPUTED_SIZE);
        left.setStyle("-fx-min-width: 8em;");
        return this;
    }
}
