package dev.scales.ui.compare;

import dev.scales.core.experiment.ExperimentRun;
import dev.scales.core.experiment.ExperimentReport;
import dev.scales.ui.common.ProgressRow;
import java.io.File;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;

/** The compare view: fine-tuning and in-context learning side by side on one test set, from an experiment. */
public final class CompareView extends ScrollPane {
    public CompareView(CompareViewModel vm) {
        setId("compare-view");
        setAccessibleText("Compare: fine-tuning against in-context learning");
        setFitToWidth(true);
        Label title = new Label("Compare · fine-tuning vs in-context learning");
        title.getStyleClass().add("pane-title");
        VBox content = new VBox(12, title, toolbar(vm), status(vm), grid(vm), cost(vm),
                chart(vm, "labelled-chart", "Accuracy against the number of labelled examples", 260, 300,
                        ExperimentReport::labelledChart),
                chart(vm, "cost-chart", "Cost: tokens processed against the number of predictions", 240, 260,
                        ExperimentReport::costChart),
                filterBar(vm), outputsTable(vm), keptRuns(vm));
        content.getStyleClass().add("lab-pane");
        content.setPadding(new Insets(16));
        setContent(content);
    }

    /** Open, save the Lab's setup, run, cancel and export. */
    private HBox toolbar(CompareViewModel vm) {
        Button run = new Button("Run");
        run.setId("run-experiment");
        run.getStyleClass().add("accent");
        run.disableProperty().bind(vm.experimentProperty().isNull().or(vm.runningProperty()));
        run.setOnAction(e -> vm.run());
        HBox toolbar = new HBox(8, openButton(vm), saveSetupButton(vm), run,
                new ProgressRow(vm.runProgress(), "experiment", "Experiment progress"), exportButton(vm),
                new ProgressRow(vm.exportProgress(), "compare-export", "Export progress"));
        toolbar.setAlignment(Pos.CENTER_LEFT);
        return toolbar;
    }

    /** Opens an experiment file, asking first when it reads files from elsewhere. */
    private Button openButton(CompareViewModel vm) {
        Button open = new Button("Open experiment…");
        open.setId("open-experiment");
        open.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Open an experiment");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Experiment (JSON)", "*.json"));
            if (vm.fileProperty().get() != null) {
                chooser.setInitialDirectory(vm.fileProperty().get().toAbsolutePath().getParent().toFile());
            }
            File f = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showOpenDialog(getScene().getWindow()));
            if (f != null) {
                List<String> outside = vm.open(f.toPath(), false);
                if (!outside.isEmpty() && confirmOutside(f, outside)) {
                    vm.open(f.toPath(), true);
                }
            }
        });
        return open;
    }

    private Button saveSetupButton(CompareViewModel vm) {
        Button saveSetup = new Button("Save Lab setup…");
        saveSetup.setId("save-lab-setup");
        saveSetup.setTooltip(new javafx.scene.control.Tooltip("Write the Lab's model, prompt, test set and fine-tuning "
                + "settings as an experiment file, and open it here"));
        saveSetup.setOnAction(e -> {
            javafx.stage.FileChooser chooser = new javafx.stage.FileChooser();
            chooser.setTitle("Save the Lab's setup as an experiment");
            chooser.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("Experiment (JSON)", "*.json"));
            chooser.setInitialFileName("my-experiment.json");
            java.io.File f = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showSaveDialog(getScene().getWindow()));
            if (f != null) {
                vm.saveSetup(f.toPath());
            }
        });
        return saveSetup;
    }

    private Button exportButton(CompareViewModel vm) {
        Button export = new Button("Export…");
        export.setId("export-results");
        export.disableProperty().bind(vm.resultsProperty().isNull().or(vm.exportProgress().runningProperty()));
        export.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("Export results.json, CSV tables and PNG charts to…");
            File dir = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showDialog(getScene().getWindow()));
            if (dir != null) {
                vm.export(dir.toPath());
            }
        });
        return export;
    }

    private static Label status(CompareViewModel vm) {
        Label status = new Label();
        status.setId("compare-status");
        status.setWrapText(true);
        status.getStyleClass().add("muted");
        status.textProperty().bind(vm.statusProperty());
        return status;
    }

    /** The 2×2 grid: base or fine-tuned model by zero- or few-shot prompting. */
    private static GridPane grid(CompareViewModel vm) {
        GridPane grid = new GridPane();
        grid.setId("compare-grid");
        grid.setHgap(10);
        grid.setVgap(10);
        ColumnConstraints head = new ColumnConstraints();
        head.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // "Fine-tuned" stays whole, in every font size
        ColumnConstraints zeroShot = new ColumnConstraints(180, 260, Double.MAX_VALUE);
        ColumnConstraints fewShot = new ColumnConstraints(180, 260, Double.MAX_VALUE);
        for (ColumnConstraints c : List.of(zeroShot, fewShot)) {
            c.setHgrow(Priority.ALWAYS);
        }
        grid.getColumnConstraints().addAll(head, zeroShot, fewShot);
        grid.add(header("Zero-shot"), 1, 0);
        grid.add(header("Few-shot"), 2, 0);
        grid.add(header("Base model"), 0, 1);
        grid.add(header("Fine-tuned"), 0, 2);
        for (int i = 0; i < 4; i++) {
            grid.add(cell(vm.cells().get(i)), 1 + i % 2, 1 + i / 2);
        }
        return grid;
    }

    private static Label cost(CompareViewModel vm) {
        Label cost = new Label();
        cost.setId("compare-cost");
        cost.setWrapText(true);
        cost.textProperty().bind(vm.costProperty());
        return cost;
    }

    /**
     * A chart of the shown results, drawn by {@code draw} with at most ten ticks an axis (the N axis
     * at whole powers of two) and named {@code name} for a screen reader; hidden while there are none.
     */
    private static ChartViewer chart(CompareViewModel vm, String id, String name, double minHeight,
                                     double prefHeight, Function<ExperimentRun.Results, JFreeChart> draw) {
        ChartViewer chart = new ChartViewer(null);
        chart.setId(id);
        chart.setAccessibleText(name);
        dev.scales.ui.common.ChartZoom.explicitOnly(chart, null);
        chart.setMinHeight(minHeight);
        chart.setPrefHeight(prefHeight);
        chart.visibleProperty().bind(vm.resultsProperty().isNotNull());
        chart.managedProperty().bind(chart.visibleProperty());
        vm.resultsProperty().addListener((obs, old, r) -> chart.setChart(r == null ? null
                : dev.scales.ui.common.ChartStyle.readable(draw.apply(r))));
        return chart;
    }

    /** Which test examples the outputs table shows, and how many. */
    private static HBox filterBar(CompareViewModel vm) {
        ComboBox<CompareViewModel.Filter> filter = new ComboBox<>();
        filter.setId("outputs-filter");
        filter.getItems().setAll(CompareViewModel.Filter.values());
        filter.valueProperty().bindBidirectional(vm.filterProperty());
        Label shown = new Label();
        shown.getStyleClass().add("muted");
        shown.textProperty().bind(Bindings.size(vm.shownOutputs()).asString("%d examples"));
        Label title = new Label("Outputs side by side:");
        title.setLabelFor(filter);
        HBox filterBar = new HBox(8, title, filter, shown);
        filterBar.setAlignment(Pos.CENTER_LEFT);
        return filterBar;
    }

    /** Kept runs: show one again, or lay it beside the shown results (e.g. the same experiment on two models). */
    private VBox keptRuns(CompareViewModel vm) {
        ComboBox<dev.scales.core.experiment.RunRecords.Record> runs = new ComboBox<>(vm.keptRuns());
        runs.setId("kept-runs");
        runs.valueProperty().bindBidirectional(vm.chosenRunProperty());
        runs.setPromptText("no run kept yet");
        runs.setPrefWidth(380);
        Button show = new Button("Show");
        show.setId("show-kept-run");
        show.disableProperty().bind(vm.chosenRunProperty().isNull().or(vm.runningProperty()));
        show.setOnAction(e -> vm.showKept());
        Button beside = new Button("Side by side");
        beside.setId("side-by-side");
        beside.disableProperty().bind(vm.chosenRunProperty().isNull().or(vm.resultsProperty().isNull()));
        beside.setOnAction(e -> vm.sideBySide());
        Button export = new Button("Export CSV…");
        export.setId("export-comparison");
        export.disableProperty().bind(Bindings.isEmpty(vm.comparison()).or(vm.exportProgress().runningProperty()));
        export.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Export the side-by-side table");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("CSV", "*.csv"));
            chooser.setInitialFileName("comparison.csv");
            File f = dev.scales.ui.common.Folders.used(dev.scales.ui.common.Folders.at(chooser).showSaveDialog(getScene().getWindow()));
            if (f != null) {
                vm.exportComparison(f.toPath());
            }
        });
        Label title = new Label("Kept runs:");
        title.setLabelFor(runs);
        HBox bar = new HBox(8, title, runs, show, beside, export);
        bar.setAlignment(Pos.CENTER_LEFT);

        TableView<dev.scales.core.experiment.RunRecords.Row> table = new TableView<>(vm.comparison());
        table.setId("run-comparison");
        table.setAccessibleText("Kept runs side by side: each measure of the shown run and of the kept run");
        table.setPrefHeight(300);
        table.setPlaceholder(new Label("Every run is kept. Choose one and press Side by side to compare it with the "
                + "results shown — two models, two settings, two machines."));
        TableColumn<dev.scales.core.experiment.RunRecords.Row, String> measure = new TableColumn<>("Measure");
        measure.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().measure()));
        measure.setPrefWidth(250);
        measure.setMaxWidth(280); // the runs' values get the room
        TableColumn<dev.scales.core.experiment.RunRecords.Row, String> first = new TableColumn<>("Shown run");
        first.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().first()));
        first.setPrefWidth(380);
        TableColumn<dev.scales.core.experiment.RunRecords.Row, String> second = new TableColumn<>();
        second.textProperty().bind(Bindings.when(vm.comparedWithProperty().isEmpty()).then("Kept run")
                .otherwise(vm.comparedWithProperty()));
        second.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().second()));
        second.setPrefWidth(380);
        table.getColumns().add(measure);
        table.getColumns().add(first);
        table.getColumns().add(second);
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        return new VBox(8, bar, table);
    }

    private static TableView<ExperimentRun.Output> outputsTable(CompareViewModel vm) {
        TableView<ExperimentRun.Output> table = new TableView<>(vm.shownOutputs());
        table.setId("outputs-table");
        table.setAccessibleText("Outputs side by side: each test example with every method's prediction");
        table.setPrefHeight(320);
        table.setPlaceholder(new Label("Each test example with every method's prediction appears here after a run."));
        TableColumn<ExperimentRun.Output, String> input = new TableColumn<>("Input");
        input.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().input()));
        input.setPrefWidth(320);
        TableColumn<ExperimentRun.Output, String> gold = new TableColumn<>("Label");
        gold.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().gold()));
        table.getColumns().add(input);
        table.getColumns().add(gold);
        for (int m = 0; m < ExperimentRun.METHODS.size(); m++) {
            int method = m;
            TableColumn<ExperimentRun.Output, String> col = new TableColumn<>(ExperimentRun.METHODS.get(m));
            col.setCellValueFactory(c -> new ReadOnlyStringWrapper(String.format(Locale.ROOT, "%s %s (%.0f%%)",
                    c.getValue().correct(method) ? "✓" : "✗", c.getValue().predicted().get(method),
                    100 * c.getValue().confidence().get(method))));
            col.setPrefWidth(150);
            table.getColumns().add(col);
        }
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        return table;
    }

    private static Label header(String text) {
        Label l = new Label(text);
        l.getStyleClass().add("grid-header");
        return l;
    }

    private static VBox cell(CompareViewModel.Cell cell) {
        Label value = new Label();
        value.getStyleClass().add("cell-value");
        value.textProperty().bind(cell.valueProperty());
        Label detail = new Label();
        detail.getStyleClass().add("muted");
        detail.setWrapText(true);
        detail.textProperty().bind(cell.detailProperty());
        VBox box = new VBox(4, value, detail);
        box.setAlignment(Pos.CENTER);
        box.getStyleClass().add("compare-cell");
        box.setMinHeight(110);
        box.setAccessibleText(cell.model() + ", " + cell.prompting());
        return box;
    }

    /** Asks whether to read files an experiment names outside its folder and Scales' own folders. */
    private boolean confirmOutside(File file, List<String> outside) {
        javafx.scene.control.Alert ask = new javafx.scene.control.Alert(javafx.scene.control.Alert.AlertType.WARNING,
                "It names these files outside its folder and Scales' own folders:\n\n" + String.join("\n", outside)
                        + "\n\nOpen it only if you trust where it came from.",
                javafx.scene.control.ButtonType.OK, javafx.scene.control.ButtonType.CANCEL);
        ask.setHeaderText(file.getName() + " reads files from elsewhere on this computer");
        ask.initOwner(getScene().getWindow());
        return ask.showAndWait().filter(b -> b == javafx.scene.control.ButtonType.OK).isPresent();
    }
}
