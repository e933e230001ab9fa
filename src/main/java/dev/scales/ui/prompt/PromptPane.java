package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import java.util.List;

import dev.scales.ui.common.EmptyState;
import dev.scales.ui.common.Section;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;

/** The in-context learning pane: instruction, template, examples, query, preview, run. */
public final class PromptPane extends VBox {
    private final PromptViewModel vm;
    final TableView<ExampleRow> table = new TableView<>();

    public PromptPane(PromptViewModel vm) {
        this.vm = vm;
        createView();
    }

    private void createView() {
        getStyleClass().add("lab-pane");
        setId("prompt-pane");
        setSpacing(10);
        setPadding(new Insets(12));

        Label title = new Label("Prompt · in-context learning");
        title.getStyleClass().add("pane-title");

        TextArea instruction = area(vm.instructionProperty().get(), 2, "instruction");
        instruction.textProperty().bindBidirectional(vm.instructionProperty());
        TextArea template = area("", 2, "template");
        template.setTooltip(new Tooltip("How each example is written: {input} and {output} mark the slots."));
        template.textProperty().bindBidirectional(vm.templateProperty());
        template.getStyleClass().add("mono");
        Label templateError = new Label();
        templateError.getStyleClass().add("error-text");
        templateError.textProperty().bind(vm.templateErrorProperty());
        templateError.visibleProperty().bind(vm.templateErrorProperty().isNotEmpty());
        templateError.managedProperty().bind(templateError.visibleProperty());

        javafx.scene.control.CheckBox chat = new javafx.scene.control.CheckBox("Chat format");
        chat.setId("chat-format");
        chat.setTooltip(new Tooltip("Write the prompt as a conversation with the model's own chat template: the "
                + "instruction as the system message, each example a user turn and the assistant's answer, the query "
                + "the last user turn. The preview shows the exact text."));
        chat.selectedProperty().bindBidirectional(vm.chatFormatProperty());
        chat.visibleProperty().bind(vm.chatAvailableProperty());
        chat.managedProperty().bind(chat.visibleProperty());

        HBox top = new HBox(10, grow(Section.of("Instruction", instruction)),
                grow(Section.of("Template", template, chat, templateError)));

        TextArea query = area("", 2, "query");
        query.textProperty().bindBidirectional(vm.queryProperty());

        TextArea preview = area("", 6, "preview");
        preview.setMinHeight(90);
        preview.setEditable(false);
        preview.getStyleClass().add("mono");
        preview.textProperty().bind(vm.previewProperty());
        Label previewInfo = new Label();
        previewInfo.getStyleClass().add("muted");
        previewInfo.textProperty().bind(vm.previewInfoProperty());

        Button run = new Button("Run");
        run.setId("run-prompt");
        run.setDefaultButton(true);
        run.setOnAction(e -> vm.run());
        Label blocked = new Label();
        blocked.getStyleClass().add("muted");
        blocked.setMinWidth(0); // a long reason is cut, the buttons beside it are not
        blocked.textProperty().bind(vm.runBlockedReasonProperty());
        for (Button b : new Button[] {run}) {
            b.disableProperty().bind(vm.runBlockedReasonProperty().isNotEmpty().or(vm.runningProperty()));
            b.setTooltip(new Tooltip());
            b.getTooltip().textProperty().bind(vm.runBlockedReasonProperty());
        }
        Button stop = new Button("Stop");
        stop.setId("stop-prompt");
        stop.setOnAction(e -> vm.cancel());
        stop.visibleProperty().bind(vm.runningProperty());
        stop.managedProperty().bind(stop.visibleProperty());
        Button evaluate = new Button("Evaluate…");
        evaluate.setId("evaluate-prompt");
        evaluate.setTooltip(new Tooltip("Score every label after this prompt for each example of a test set "
                + "(JSONL or CSV with input and label)"));
        evaluate.disableProperty().bind(run.disableProperty());
        evaluate.setOnAction(e -> chooseTestSet(vm::evaluate));
        evaluate.setMinWidth(Region.USE_PREF_SIZE);
        Button sweep = new Button("Sweep shots…");
        sweep.setId("sweep-shots");
        sweep.setTooltip(new Tooltip("Accuracy on a test set for 0, 1, 2, 4… of the examples above, three draws each"));
        sweep.disableProperty().bind(run.disableProperty());
        sweep.setMinWidth(Region.USE_PREF_SIZE);
        sweep.setOnAction(e -> chooseTestSet(vm::sweep));
        run.setMinWidth(Region.USE_PREF_SIZE);
        stop.setMinWidth(Region.USE_PREF_SIZE);
        HBox actions = new HBox(8, run, evaluate, sweep, stop, blocked);
        actions.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        actions.getStyleClass().add("actions");

        org.controlsfx.control.PropertySheet sampling = dev.scales.ui.common.PropertyItem.sheet("sampling",
                vm.samplingItems(), 200);
        javafx.scene.control.TitledPane samplingPane = new javafx.scene.control.TitledPane("Sampling settings", sampling);
        samplingPane.setExpanded(false);
        Label samplingError = new Label();
        samplingError.getStyleClass().add("error-text");
        samplingError.textProperty().bind(vm.samplingErrorProperty());
        samplingError.visibleProperty().bind(vm.samplingErrorProperty().isNotEmpty());
        samplingError.managedProperty().bind(samplingError.visibleProperty());

        EmptyState empty = new EmptyState("No output yet",
                "Run the prompt: the answer appears here token by token, each with its probability (load a model first).");
        Label status = new Label();
        status.getStyleClass().add("muted");
        status.setId("run-status");
        status.textProperty().bind(vm.runStatusProperty());
        VBox result = new VBox(6, new TokenStrip(vm.outputTokens()), status, new LabelChart(vm));
        result.setPadding(new Insets(8));
        StackPane output = new StackPane(empty, result);
        output.setId("prompt-output");
        output.setMinHeight(90);
        empty.visibleProperty().bind(Bindings.isEmpty(vm.outputTokens()).and(vm.runStatusProperty().isEmpty()));
        result.visibleProperty().bind(empty.visibleProperty().not());
        previewInfo.styleProperty().bind(Bindings.when(vm.overContextProperty())
                .then("-fx-text-fill: #b42318; -fx-font-weight: bold;").otherwise(""));

        VBox examples = Section.of("Examples (demonstrations)", table, exampleToolbar());
        VBox.setVgrow(examples, Priority.ALWAYS);
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(title, top, examples, Section.of("Query", query),
                Section.of("Preview — the exact text the model sees", preview, previewInfo), samplingPane,
                samplingError, actions, output,
                new EvaluationView(vm), new SweepChart(vm));
        buildTable();
    }

    private void buildTable() {
        table.setId("examples-table");
        table.setEditable(true);
        table.setItems(vm.examples());
        table.setPlaceholder(new EmptyState("No examples",
                "Add one with + (zero-shot prompts have none), or import rows from a dataset."));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setPrefHeight(150);
        table.setMinHeight(120);

        TableColumn<ExampleRow, Boolean> on = new TableColumn<>("On");
        on.setCellValueFactory(c -> c.getValue().enabledProperty());
        on.setCellFactory(CheckBoxTableCell.forTableColumn(on));
        on.setPrefWidth(40);
        on.setMaxWidth(50);
        TableColumn<ExampleRow, String> input = new TableColumn<>("Input");
        input.setCellValueFactory(c -> c.getValue().inputProperty());
        input.setCellFactory(c -> new dev.scales.ui.common.TextAreaTableCell<>());
        input.setPrefWidth(300);
        TableColumn<ExampleRow, String> output = new TableColumn<>("Output");
        output.setCellValueFactory(c -> c.getValue().outputProperty());
        output.setCellFactory(TextFieldTableCell.forTableColumn());
        table.getColumns().addAll(java.util.List.of(on, input, output));
        table.setRowFactory(t -> draggableRow());
    }

    /** A row that can be dragged onto another row to move its example there. */
    private javafx.scene.control.TableRow<ExampleRow> draggableRow() {
        javafx.scene.control.TableRow<ExampleRow> row = new javafx.scene.control.TableRow<>();
        javafx.scene.input.DataFormat format = ROW_INDEX;
        row.setOnDragDetected(e -> {
            if (row.isEmpty()) {
                return;
            }
            javafx.scene.input.Dragboard board = row.startDragAndDrop(javafx.scene.input.TransferMode.MOVE);
            board.setDragView(row.snapshot(null, null));
            board.setContent(java.util.Map.of(format, row.getIndex()));
            e.consume();
        });
        row.setOnDragOver(e -> {
            if (e.getDragboard().hasContent(format) && !row.isEmpty()
                    && (Integer) e.getDragboard().getContent(format) != row.getIndex()) {
                e.acceptTransferModes(javafx.scene.input.TransferMode.MOVE);
            }
            e.consume();
        });
        row.setOnDragDropped(e -> {
            if (e.getDragboard().hasContent(format)) {
                int from = (Integer) e.getDragboard().getContent(format);
                select(vm.moveExample(from, row.getIndex() - from));
                e.setDropCompleted(true);
            }
            e.consume();
        });
        return row;
    }

    private static final javafx.scene.input.DataFormat ROW_INDEX =
            new javafx.scene.input.DataFormat("application/x-scales-example-row");

    /** Edit buttons, then file buttons; the second group wraps below when the pane is narrow. */
    private javafx.scene.layout.Pane exampleToolbar() {
        Button add = small("+", "Add an example", () -> {
            vm.addExample();
            table.getSelectionModel().selectLast();
        });
        add.setId("add-example");
        Button dup = small("Duplicate", "Duplicate the selected example", () -> vm.duplicateExample(selected()));
        Button remove = small("−", "Delete the selected example", () -> vm.removeExample(selected()));
        Button up = small("↑", "Move the selected example up", () -> select(vm.moveExample(selected(), -1)));
        up.setId("move-up");
        Button down = small("↓", "Move the selected example down", () -> select(vm.moveExample(selected(), 1)));
        down.setId("move-down");
        for (Button b : new Button[] {dup, remove, up, down}) {
            b.disableProperty().bind(Bindings.isNull(table.getSelectionModel().selectedItemProperty()));
        }
        Button importRows = small("Import…", "Add rows of a labelled dataset (input, label) as examples", () ->
                choose("Import examples from a labelled dataset", false, withFields(vm::importExamples)));
        importRows.setId("import-examples");
        Button open = small("Open set…", "Open a prompt set (JSON)", () -> choose("Open a prompt set", false,
                vm::openPromptSet));
        Button save = small("Save set…", "Save instruction, template and examples as a prompt set (JSON)", () ->
                choose("Save the prompt set", true, vm::savePromptSet));
        save.setId("save-prompt-set");
        open.setId("open-prompt-set");
        Button allOn = small("All on", "Show every example in the prompt", () -> vm.enableAll(true));
        allOn.setId("enable-all");
        Button allOff = small("All off", "Show no example (a zero-shot prompt)", () -> vm.enableAll(false));
        allOff.setId("disable-all");
        HBox edit = new HBox(4, add, dup, remove, up, down, allOn, allOff);
        HBox files = new HBox(4, importRows, open, save);
        for (HBox group : new HBox[] {edit, files}) {
            group.getChildren().forEach(b -> ((Region) b).setMinWidth(Region.USE_PREF_SIZE)); // never "…" or blank
            group.setMinWidth(Region.USE_PREF_SIZE);
        }
        return new javafx.scene.layout.FlowPane(16, 4, edit, files);
    }

    private void choose(String title, boolean save, java.util.function.Consumer<java.nio.file.Path> then) {
        choose(title, save, null, then);
    }

    /** A file chosen in a dialog that opens beside {@code near} (when it exists) or where the last one was. */
    private void choose(String title, boolean save, java.nio.file.Path near,
                        java.util.function.Consumer<java.nio.file.Path> then) {
        javafx.stage.FileChooser chooser = dev.scales.ui.common.Folders.at(new javafx.stage.FileChooser(), near);
        chooser.setTitle(title);
        chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("JSON, JSONL or CSV", "*.json",
                "*.jsonl", "*.csv"));
        java.io.File f = dev.scales.ui.common.Folders.used(save ? chooser.showSaveDialog(getScene().getWindow())
                : chooser.showOpenDialog(getScene().getWindow()));
        if (f != null) {
            then.accept(f.toPath());
        }
    }

    private void chooseTestSet(java.util.function.BiConsumer<java.nio.file.Path, LabelledData.Fields> then) {
        // the test set last evaluated or swept comes first: a sweep after Evaluate… is one click
        choose("Choose a labelled test set (input, label)", false, vm.lastTestSetProperty().get(), withFields(then));
    }

    /**
     * Runs {@code then} on a chosen file with its input and label fields: recognised by name, or
     * else chosen by the user among the file's fields.
     */
    private java.util.function.Consumer<java.nio.file.Path> withFields(
            java.util.function.BiConsumer<java.nio.file.Path, LabelledData.Fields> then) {
        return file -> {
            List<String> names = vm.fieldsOf(file);
            java.util.Optional<LabelledData.Fields> known = vm.recognisedFields(file);
            if (known.isPresent() || names.size() < 2) {
                then.accept(file, known.orElse(null)); // unreadable or unrecognised: reading it says why
                return;
            }
            new dev.scales.ui.common.FieldsDialog(file, names, null).showAndWait().ifPresent(f -> then.accept(file, f));
        };
    }

    private int selected() {
        return table.getSelectionModel().getSelectedIndex();
    }

    private void select(int index) {
        table.getSelectionModel().clearAndSelect(index);
    }

    private static Button small(String text, String tip, Runnable action) {
        Button b = new Button(text);
        b.setTooltip(new Tooltip(tip));
        b.getStyleClass().add("tool-button");
        b.setOnAction(e -> action.run());
        return b;
    }

    private static TextArea area(String text, int rows, String id) {
        TextArea a = new TextArea(text);
        a.setPrefRowCount(rows);
        a.setWrapText(true);
        a.setId(id);
        return a;
    }

    private static Region grow(Region r) {
        HBox.setHgrow(r, Priority.ALWAYS);
        return r;
    }
}
