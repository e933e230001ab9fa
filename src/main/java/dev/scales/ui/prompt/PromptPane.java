package dev.scales.ui.prompt;

import dev.scales.core.data.LabelledData;
import java.util.List;

import dev.scales.ui.common.EmptyState;
import dev.scales.ui.common.Errors;
import dev.scales.ui.common.PropertyItem;
import dev.scales.ui.common.Section;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TitledPane;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.CheckBoxTableCell;
import javafx.scene.control.cell.TextFieldTableCell;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import org.controlsfx.control.PropertySheet;

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
        TextArea query = area("", 2, "query");
        query.textProperty().bindBidirectional(vm.queryProperty());
        VBox examples = Section.of("Examples (demonstrations)", table, exampleToolbar());
        VBox.setVgrow(examples, Priority.ALWAYS);
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(title, instructionAndTemplate(), examples, Section.of("Query", query), preview(),
                samplingSettings(), errorLabel(vm.samplingErrorProperty()), actions(), output(),
                new EvaluationView(vm), new SweepChart(vm));
        buildTable();
    }

    /** The instruction beside the template, with the chat format switch and the template's error under it. */
    private HBox instructionAndTemplate() {
        TextArea instruction = area(vm.instructionProperty().get(), 2, "instruction");
        instruction.textProperty().bindBidirectional(vm.instructionProperty());
        TextArea template = area("", 2, "template");
        template.setTooltip(new Tooltip("How each example is written: {input} and {output} mark the slots."));
        template.textProperty().bindBidirectional(vm.templateProperty());
        template.getStyleClass().add("mono");

        CheckBox chat = new CheckBox("Chat format");
        chat.setId("chat-format");
        chat.setTooltip(new Tooltip("Write the prompt as a conversation with the model's own chat template: the "
                + "instruction as the system message, each example a user turn and the assistant's answer, the query "
                + "the last user turn. The preview shows the exact text."));
        chat.selectedProperty().bindBidirectional(vm.chatFormatProperty());
        chat.visibleProperty().bind(vm.chatAvailableProperty());
        chat.managedProperty().bind(chat.visibleProperty());

        return new HBox(10, grow(Section.of("Instruction", instruction)),
                grow(Section.of("Template", template, chat, errorLabel(vm.templateErrorProperty()))));
    }

    /** The exact text the model sees, and its size against the model's context (in red when over). */
    private VBox preview() {
        TextArea preview = area("", 6, "preview");
        preview.setMinHeight(90);
        preview.setEditable(false);
        preview.getStyleClass().add("mono");
        preview.textProperty().bind(vm.previewProperty());
        Label previewInfo = new Label();
        previewInfo.setId("preview-info");
        previewInfo.getStyleClass().add("muted");
        previewInfo.textProperty().bind(vm.previewInfoProperty());
        Errors.styleWhen(previewInfo, vm.overContextProperty(), over -> over);
        return Section.of("Preview — the exact text the model sees", preview, previewInfo);
    }

    private TitledPane samplingSettings() {
        PropertySheet sampling = PropertyItem.sheet("sampling", "Sampling settings", vm.samplingItems(), 200);
        TitledPane samplingPane = new TitledPane("Sampling settings", sampling);
        samplingPane.setExpanded(false);
        return samplingPane;
    }

    /** Run, Evaluate…, Sweep shots… and Stop, then why the prompt cannot run (when it cannot). */
    private HBox actions() {
        Button run = new Button("Run");
        run.setId("run-prompt");
        run.setDefaultButton(true);
        run.setOnAction(e -> vm.run());
        run.disableProperty().bind(vm.runBlockedReasonProperty().isNotEmpty().or(vm.runningProperty()));
        run.setTooltip(new Tooltip());
        run.getTooltip().textProperty().bind(vm.runBlockedReasonProperty());
        Label blocked = new Label();
        blocked.getStyleClass().add("muted");
        blocked.setMinWidth(0); // a long reason is cut, the buttons beside it are not
        blocked.textProperty().bind(vm.runBlockedReasonProperty());
        Button stop = new Button("Stop");
        stop.setId("stop-prompt");
        stop.setOnAction(e -> vm.cancel());
        stop.visibleProperty().bind(vm.runningProperty());
        stop.managedProperty().bind(stop.visibleProperty());
        Button evaluate = new Button("Evaluate…");
        evaluate.setId("evaluate-prompt");
        evaluate.setTooltip(new Tooltip("Score every label after this prompt for each example of a test set "
                + "(JSONL or CSV with input and label)"));
        evaluate.setOnAction(e -> chooseTestSet(vm::evaluate));
        Button sweep = new Button("Sweep shots…");
        sweep.setId("sweep-shots");
        sweep.setTooltip(new Tooltip("Accuracy on a test set for 0, 1, 2, 4… of the examples above, three draws each"));
        sweep.setOnAction(e -> chooseTestSet(vm::sweep));
        for (Button b : new Button[] {evaluate, sweep}) {
            b.disableProperty().bind(run.disableProperty());
        }
        for (Button b : new Button[] {run, evaluate, sweep, stop}) {
            b.setMinWidth(Region.USE_PREF_SIZE);
        }
        HBox actions = new HBox(8, run, evaluate, sweep, stop, blocked);
        actions.setAlignment(Pos.CENTER_LEFT);
        actions.getStyleClass().add("actions");
        return actions;
    }

    /** The answer token by token with each label's probability, or a hint before the first run. */
    private StackPane output() {
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
        return output;
    }

    /** A red line showing {@code error}; it takes no room while there is none. */
    private static Label errorLabel(ReadOnlyStringProperty error) {
        Label label = new Label();
        label.getStyleClass().add(Errors.STYLE_CLASS);
        label.textProperty().bind(error);
        label.visibleProperty().bind(error.isNotEmpty());
        label.managedProperty().bind(label.visibleProperty());
        return label;
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
        on.setPrefWidth(48); // its bold header fits in presentation type
        on.setMaxWidth(60);
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
        return file -> vm.fieldsOf(file, names -> {
            java.util.Optional<LabelledData.Fields> known = vm.recognisedFields(names);
            if (known.isPresent() || names.size() < 2) {
                then.accept(file, known.orElse(null)); // unreadable or unrecognised: reading it says why
                return;
            }
            new dev.scales.ui.common.FieldsDialog(file, names, null).showAndWait().ifPresent(f -> then.accept(file, f));
        });
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
        b.setAccessibleText(tip); // "+", "−", "↑" and "↓" say nothing to a screen reader
        b.getStyleClass().add("tool-button");
        b.setOnAction(e -> action.run());
        return b;
    }

    private static TextArea area(String text, int rows, String id) {
        TextArea a = dev.scales.ui.common.TextAreas.tabMovesFocus(new TextArea(text));
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
