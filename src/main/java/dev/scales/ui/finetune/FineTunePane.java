package dev.scales.ui.finetune;

import dev.scales.core.data.LabelledData;
import dev.scales.ui.common.EmptyState;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.Section;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TextField;
import javafx.beans.binding.Bindings;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;

/** The fine-tuning pane: dataset, method, controls, live loss chart and run history. */
public final class FineTunePane extends VBox {
    private final FineTuneViewModel vm;
    private final TableView<Map<String, String>> preview = new TableView<>();

    public FineTunePane(FineTuneViewModel vm) {
        this.vm = vm;
        createView();
        initListeners();
    }

    private void createView() {
        getStyleClass().add("lab-pane");
        setId("finetune-pane");
        setSpacing(10);
        setPadding(new Insets(12));

        Label title = new Label("Fine-tune · training");
        title.getStyleClass().add("pane-title");
        LossChart chart = new LossChart(vm);
        VBox.setVgrow(chart, Priority.ALWAYS);
        VBox loss = Section.of("Loss", chart);
        VBox.setVgrow(loss, Priority.ALWAYS); // the chart takes the pane's spare height
        getChildren().addAll(title, datasetSection(), runSection(), loss, Section.of("Runs", runList()));
    }

    /** The dataset: open or recent, its summary and problems, a preview and its first example's training text. */
    private VBox datasetSection() {
        Button open = new Button("Open dataset…");
        open.setId("open-dataset");
        open.setOnAction(e -> chooseDataset(this::openWithFields));
        javafx.scene.control.MenuButton recent = new javafx.scene.control.MenuButton("Recent");
        recent.setId("recent-datasets");
        recent.disableProperty().bind(Bindings.isEmpty(vm.recentDatasets()));
        vm.recentDatasets().addListener((javafx.collections.ListChangeListener<java.nio.file.Path>) c ->
                recent.getItems().setAll(vm.recentDatasets().stream().map(p -> {
                    javafx.scene.control.MenuItem item = new javafx.scene.control.MenuItem(p.toString());
                    item.setOnAction(e -> vm.openDataset(p));
                    return item;
                }).toList()));
        Label summary = new Label();
        summary.textProperty().bind(vm.datasetSummaryProperty());
        Label error = new Label();
        error.getStyleClass().add(Errors.STYLE_CLASS);
        error.setWrapText(true);
        error.textProperty().bind(vm.datasetErrorProperty());
        error.visibleProperty().bind(vm.datasetErrorProperty().isNotEmpty());
        error.managedProperty().bind(error.visibleProperty());

        preview.setId("dataset-preview");
        preview.setAccessibleText("Dataset preview: its first rows");
        preview.setItems(vm.previewRows());
        preview.setPrefHeight(120);
        preview.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        preview.setPlaceholder(new EmptyState("No dataset",
                "Open JSONL or CSV: labelled {\"input\", \"label\"} rows, as the prompt pane evaluates, or "
                        + "{\"messages\": […]} conversations."));
        HBox datasetRow = new HBox(8, open, recent, summary);
        datasetRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return Section.of("Dataset", datasetRow, error, preview, trainingText());
    }

    /** The first example as the model reads it, shown once there is one. */
    private VBox trainingText() {
        javafx.scene.control.TextArea training = dev.scales.ui.common.TextAreas.tabMovesFocus(
                new javafx.scene.control.TextArea());
        training.setId("training-text");
        training.setEditable(false);
        training.setWrapText(true);
        training.setPrefRowCount(3);
        training.getStyleClass().add("mono");
        training.setAccessibleText("Training text of the first example");
        training.textProperty().bind(vm.trainingTextProperty());
        Label trainingTitle = new Label("Training text of the first example — the loss counts on the parts in ⟦ ⟧");
        trainingTitle.getStyleClass().add("muted");
        VBox trainingBox = new VBox(4, trainingTitle, training);
        trainingBox.visibleProperty().bind(vm.trainingTextProperty().isNotEmpty());
        trainingBox.managedProperty().bind(trainingBox.visibleProperty());
        return trainingBox;
    }

    /** The method, its settings, the run's buttons, status, progress and validation accuracy. */
    private VBox runSection() {
        ChoiceBox<FineTuneViewModel.Method> method = new ChoiceBox<>();
        method.getItems().setAll(FineTuneViewModel.Method.values());
        method.valueProperty().bindBidirectional(vm.methodProperty());
        Label methodLabel = new Label("Method");
        methodLabel.setLabelFor(method);
        HBox methodRow = new HBox(8, methodLabel, method);
        methodRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        Label settingsError = new Label();
        settingsError.getStyleClass().add(Errors.STYLE_CLASS);
        settingsError.textProperty().bind(vm.settingsError());
        settingsError.visibleProperty().bind(vm.settingsError().isNotEmpty());
        settingsError.managedProperty().bind(settingsError.visibleProperty());
        Label blocked = new Label();
        blocked.getStyleClass().add("muted");
        blocked.setWrapText(true); // on a line of its own under the buttons: a long status wraps, nothing is cut
        blocked.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        blocked.textProperty().bind(Bindings.when(vm.startBlockedReason().isEmpty()).then(vm.statusProperty())
                .otherwise(vm.startBlockedReason()));
        blocked.setId("training-status");
        ProgressBar progress = new ProgressBar(0);
        progress.setId("training-progress");
        progress.setAccessibleText("Training progress");
        progress.progressProperty().bind(vm.progressProperty());
        progress.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(progress, Priority.ALWAYS);
        Label accuracy = new Label();
        accuracy.setId("validation-accuracy");
        accuracy.textProperty().bind(vm.validationAccuracyProperty());
        accuracy.visibleProperty().bind(vm.validationAccuracyProperty().isNotEmpty());
        accuracy.managedProperty().bind(accuracy.visibleProperty());
        return Section.of("Method and run", methodRow, settingsRow(), moreSettings(), settingsError, controls(),
                blocked, progress, accuracy);
    }

    /** The four settings changed most: learning rate, steps, batch and LoRA rank. */
    private HBox settingsRow() {
        TextField lr = field(vm, vm.learningRateProperty(), 70, "Learning rate",
                "Peak learning rate (after warm-up, then cosine decay)");
        lr.setId("learning-rate");
        TextField steps = field(vm, vm.stepsProperty(), 60, "Steps", "Optimizer steps");
        TextField batch = field(vm, vm.batchSizeProperty(), 45, "Batch size", "Examples per step");
        TextField rank = field(vm, vm.loraRankProperty(), 45, "LoRA rank", "LoRA rank r (alpha = r unless set below)");
        rank.disableProperty().bind(vm.methodProperty().isNotEqualTo(FineTuneViewModel.Method.LORA));
        HBox settings = new HBox(6, new Label("lr"), lr, new Label("steps"), steps, new Label("batch"), batch,
                new Label("rank"), rank);
        settings.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        return settings;
    }

    /** The other settings, folded: a property sheet whose text rows are flagged as the first row's fields are. */
    private javafx.scene.control.TitledPane moreSettings() {
        org.controlsfx.control.PropertySheet more = dev.scales.ui.common.PropertyItem.sheet("more-settings",
                "More fine-tuning settings", vm.moreSettings(), 260);
        org.controlsfx.property.editor.DefaultPropertyEditorFactory defaults =
                new org.controlsfx.property.editor.DefaultPropertyEditorFactory();
        more.setPropertyEditorFactory(item -> item instanceof dev.scales.ui.common.PropertyItem<?> p && p.error() != null
                && p.property() instanceof javafx.beans.property.StringProperty text
                ? new org.controlsfx.property.editor.AbstractPropertyEditor<String, TextField>(p,
                        field(text, p.error(), 80, p.getDescription())) {
                    @Override
                    protected javafx.beans.value.ObservableValue<String> getObservableValue() {
                        return getEditor().textProperty();
                    }

                    @Override
                    public void setValue(String value) {
                        getEditor().setText(value);
                    }
                }
                : defaults.call(item));
        javafx.scene.control.TitledPane morePane = new javafx.scene.control.TitledPane("More settings", more);
        morePane.setExpanded(false);
        morePane.setId("more-settings-pane");
        return morePane;
    }

    /** Start, pause, stop, resume and save: they wrap onto a second line in a narrow pane, never "…". */
    private javafx.scene.layout.FlowPane controls() {
        Button start = new Button("Start");
        start.setId("start-training");
        start.setOnAction(e -> vm.start());
        start.disableProperty().bind(vm.startBlockedReason().isNotEmpty());
        Button stop = new Button("Stop");
        stop.setId("stop-training");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(vm.runningProperty().not());
        Button pause = new Button();
        pause.setId("pause-training");
        pause.textProperty().bind(Bindings.when(vm.pausedProperty()).then("Resume").otherwise("Pause"));
        pause.disableProperty().bind(vm.runningProperty().not());
        pause.setOnAction(e -> vm.togglePause());
        javafx.scene.layout.FlowPane controls = new javafx.scene.layout.FlowPane(8, 6, start, pause, stop,
                resumeButton(), saveButton());
        controls.getChildren().forEach(b -> ((Button) b).setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE));
        controls.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        controls.setPrefWrapLength(200); // as narrow as the pane needs; the pane's width decides the lines
        return controls;
    }

    private Button saveButton() {
        Button save = new Button("Save weights…");
        save.setId("save-result");
        save.disableProperty().bind(vm.modelLoadedProperty().not().or(vm.runningProperty()));
        save.setTooltip(new javafx.scene.control.Tooltip("Save the weights chosen in the model bar's Weights menu: a LoRA fine-tune as its "
                + "adapter (PEFT layout), the base or a full fine-tune as a whole model (HuggingFace layout)"));
        save.setOnAction(e -> {
            javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
            chooser.setTitle("Save the chosen weights (adapter or model) into a folder");
            File dir = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showDialog(getScene().getWindow()));
            if (dir != null) {
                vm.save(dir.toPath());
            }
        });
        return save;
    }

    private Button resumeButton() {
        Button resume = new Button("Resume run…");
        resume.setId("resume-run");
        resume.disableProperty().bind(vm.modelLoadedProperty().not().or(vm.runningProperty()));
        resume.setTooltip(new javafx.scene.control.Tooltip("Go on with a run that was stopped, or cut short when the app "
                + "closed, from its last checkpoint: choose its folder (every run is kept under "
                + dev.scales.core.train.RunFolder.root() + ")"));
        resume.setOnAction(e -> {
            javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
            chooser.setTitle("Resume a fine-tuning run: choose its folder");
            java.nio.file.Path last = vm.lastRunFolderProperty().get();
            java.nio.file.Path from = last != null ? last.getParent() : dev.scales.core.train.RunFolder.root();
            if (java.nio.file.Files.isDirectory(from)) {
                chooser.setInitialDirectory(from.toFile());
            }
            File dir = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showDialog(getScene().getWindow()));
            if (dir != null) {
                vm.resume(dir.toPath());
            }
        });
        return resume;
    }

    /** The runs of this session, newest first; a double-click shows a run's curves again. */
    private ListView<FinishedRun> runList() {
        ListView<FinishedRun> runs = new ListView<>(vm.runs());
        runs.setId("runs");
        runs.setPrefHeight(70);
        runs.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE); // two runs in view, however tall the controls above
        Label noRuns = new Label("No runs yet. Double-click a finished run to show its curves again.");
        noRuns.setWrapText(true); // a line too long for the table in large type
        noRuns.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        noRuns.maxWidthProperty().bind(runs.widthProperty().subtract(24));
        runs.setPlaceholder(noRuns);
        runs.setCellFactory(list -> new javafx.scene.control.ListCell<>() {
            @Override
            protected void updateItem(FinishedRun run, boolean empty) {
                super.updateItem(run, empty);
                setText(empty || run == null ? null : run.toString());
                setTooltip(empty || run == null ? null : new javafx.scene.control.Tooltip(run.settings()
                        + (run.finished().message() == null || run.finished().message().isEmpty() ? ""
                                : "\n" + run.finished().message())));
            }
        });
        runs.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && runs.getSelectionModel().getSelectedItem() != null) {
                vm.reopen(runs.getSelectionModel().getSelectedItem());
            }
        });
        return runs;
    }

    private void initListeners() {
        vm.columnsProperty().addListener((obs, old, cols) -> rebuildColumns(cols));
    }

    /** A field for one of the first row's settings, named in full for a screen reader (its label is short). */
    private static TextField field(FineTuneViewModel vm, javafx.beans.property.StringProperty value, double width,
                                   String name, String tip) {
        TextField f = field(value, vm.errorOf(value), width, tip);
        f.setAccessibleText(name);
        return f;
    }

    /** A text field bound to a setting, outlined in red with the reason as its tooltip while the value is wrong. */
    private static TextField field(javafx.beans.property.StringProperty value,
                                   javafx.beans.value.ObservableStringValue error, double width, String tip) {
        TextField f = new TextField();
        f.textProperty().bindBidirectional(value);
        // in ems of the body's 13 px, so the field grows with presentation type instead of cutting the value
        f.setStyle(String.format(java.util.Locale.ROOT, "-fx-pref-width: %.2fem;", width / 13));
        javafx.scene.control.Tooltip tooltip = new javafx.scene.control.Tooltip(tip);
        f.setTooltip(tooltip);
        Runnable flag = () -> {
            boolean bad = !error.get().isEmpty();
            f.getStyleClass().remove("invalid");
            if (bad) {
                f.getStyleClass().add("invalid");
            }
            tooltip.setText(bad ? error.get() : tip);
        };
        error.addListener((obs, was, now) -> flag.run());
        flag.run();
        f.getProperties().put("scales.error", error); // kept as long as the field: bindings are weakly held
        return f;
    }

    private void rebuildColumns(List<String> cols) {
        preview.getColumns().clear();
        for (String c : cols) {
            TableColumn<Map<String, String>, String> col = new TableColumn<>(c);
            col.setCellValueFactory(row -> new ReadOnlyStringWrapper(row.getValue().get(c)));
            preview.getColumns().add(col);
        }
    }

    /**
     * Opens {@code file}; when its fields look like a labelled dataset under other names ("text" and
     * "label", "sentence" and "sentiment"), asks which is which and what the labels stand for.
     */
    private void openWithFields(java.nio.file.Path file) {
        vm.fieldsOf(file, names -> {
            java.util.Optional<LabelledData.Fields> guess = LabelledData.guess(names, vm.templateSlots());
            if (guess.isEmpty() || guess.get().equals(LabelledData.Fields.DEFAULT)) {
                vm.openDataset(file);
                return;
            }
            new dev.scales.ui.common.FieldsDialog(file, names, guess.get()).showAndWait()
                    .ifPresentOrElse(f -> vm.openDataset(file, f), () -> vm.openDataset(file));
        });
    }

    private void chooseDataset(Consumer<java.nio.file.Path> then) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a labelled dataset");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSON Lines or CSV", "*.jsonl", "*.json", "*.csv"));
        File f = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showOpenDialog(getScene().getWindow()));
        if (f != null) {
            then.accept(f.toPath());
        }
    }
}
