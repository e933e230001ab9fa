package dev.scales.ui.finetune;

import dev.scales.ui.common.EmptyState;
import dev.scales.ui.common.Section;
import java.awt.BasicStroke;
import java.awt.Color;
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
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.fx.ChartViewer;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The fine-tuning pane: dataset, method, controls, live loss chart and run history. */
public final class FineTunePane extends VBox {
    private final FineTuneViewModel vm;
    private final TableView<Map<String, String>> preview = new TableView<>();
    final XYSeriesCollection losses = new XYSeriesCollection();

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

        Button open = new Button("Open dataset…");
        open.setId("open-dataset");
        open.setOnAction(e -> chooseDataset(vm::openDataset));
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
        error.getStyleClass().add("error-text");
        error.setWrapText(true);
        error.textProperty().bind(vm.datasetErrorProperty());
        error.visibleProperty().bind(vm.datasetErrorProperty().isNotEmpty());
        error.managedProperty().bind(error.visibleProperty());

        preview.setId("dataset-preview");
        preview.setItems(vm.previewRows());
        preview.setPrefHeight(120);
        preview.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        preview.setPlaceholder(new EmptyState("No dataset",
                "Open a JSONL file of {\"input\", \"label\"} rows — the same labelled format the prompt pane evaluates."));

        ChoiceBox<FineTuneViewModel.Method> method = new ChoiceBox<>();
        method.getItems().setAll(FineTuneViewModel.Method.values());
        method.valueProperty().bindBidirectional(vm.methodProperty());

        ProgressBar progress = new ProgressBar(0);
        progress.setId("training-progress");
        progress.progressProperty().bind(vm.progressProperty());
        progress.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(progress, Priority.ALWAYS);

        ChartViewer chart = new ChartViewer(lossChart());
        chart.setId("loss-chart");
        javafx.scene.control.CheckBox log = new javafx.scene.control.CheckBox("log scale");
        log.setId("log-scale");
        log.selectedProperty().addListener((obs, was, on) -> {
            XYPlot plot = chart.getChart().getXYPlot();
            org.jfree.chart.axis.ValueAxis axis = on ? new org.jfree.chart.axis.LogAxis("loss")
                    : new org.jfree.chart.axis.NumberAxis("loss");
            if (axis instanceof org.jfree.chart.axis.NumberAxis n) {
                n.setAutoRangeIncludesZero(false);
            }
            plot.setRangeAxis(axis);
        });
        chart.setId("loss-chart");
        chart.setMinHeight(180);
        VBox.setVgrow(chart, Priority.ALWAYS);

        ListView<String> runs = new ListView<>(vm.runs());
        runs.setId("runs");
        runs.setPrefHeight(70);
        runs.setPlaceholder(new Label("No runs yet: each run you start is listed here with its final losses."));

        HBox datasetRow = new HBox(8, open, recent, summary);
        datasetRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        HBox methodRow = new HBox(8, new Label("Method"), method);
        methodRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        TextField lr = field(vm.learningRateProperty(), 70, "Peak learning rate (after warm-up, then cosine decay)");
        TextField steps = field(vm.stepsProperty(), 60, "Optimizer steps");
        TextField batch = field(vm.batchSizeProperty(), 45, "Examples per step");
        TextField rank = field(vm.loraRankProperty(), 45, "LoRA rank r (alpha = 2r)");
        rank.disableProperty().bind(vm.methodProperty().isNotEqualTo(FineTuneViewModel.Method.LORA));
        HBox settings = new HBox(6, new Label("lr"), lr, new Label("steps"), steps, new Label("batch"), batch,
                new Label("rank"), rank);
        settings.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        Label settingsError = new Label();
        settingsError.getStyleClass().add("error-text");
        settingsError.textProperty().bind(vm.settingsError());
        settingsError.visibleProperty().bind(vm.settingsError().isNotEmpty());
        settingsError.managedProperty().bind(settingsError.visibleProperty());

        Button start = new Button("Start");
        start.setId("start-training");
        start.setOnAction(e -> vm.start());
        start.disableProperty().bind(vm.startBlockedReason().isNotEmpty());
        Button stop = new Button("Stop");
        stop.setId("stop-training");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(vm.runningProperty().not());
        Label blocked = new Label();
        blocked.getStyleClass().add("muted");
        blocked.setMinWidth(0); // a long reason is cut, the buttons beside it are not
        blocked.textProperty().bind(Bindings.when(vm.startBlockedReason().isEmpty()).then(vm.statusProperty())
                .otherwise(vm.startBlockedReason()));
        blocked.setId("training-status");
        start.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        stop.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        Button save = new Button("Save result…");
        save.setId("save-result");
        save.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        save.disableProperty().bind(vm.hasResultProperty().not().or(vm.runningProperty()));
        save.setOnAction(e -> {
            javafx.stage.DirectoryChooser chooser = new javafx.stage.DirectoryChooser();
            chooser.setTitle("Save the fine-tuned model or adapter into a folder");
            File dir = chooser.showDialog(getScene().getWindow());
            if (dir != null) {
                vm.save(dir.toPath());
            }
        });
        HBox controls = new HBox(8, start, stop, save, blocked);
        controls.setAlignment(javafx.geometry.Pos.CENTER_LEFT);
        getChildren().addAll(title, Section.of("Dataset", datasetRow, error, preview),
                Section.of("Method and run", methodRow, settings, settingsError, controls, progress), Section.of("Loss", log, chart),
                Section.of("Runs", runs));
    }

    private void initListeners() {
        vm.columnsProperty().addListener((obs, old, cols) -> rebuildColumns(cols));
        follow(vm.trainLoss(), losses.getSeries(0));
        follow(vm.validationLoss(), losses.getSeries(1));
        follow(vm.smoothedLoss(), losses.getSeries(2));
    }

    /** Mirrors a list of (x, y) points into a chart series, one repaint per batch. */
    private static void follow(javafx.collections.ObservableList<double[]> points, XYSeries series) {
        points.addListener((javafx.collections.ListChangeListener<double[]>) c -> {
            while (c.next()) {
                if (c.wasRemoved() && points.isEmpty()) {
                    series.clear();
                }
                if (c.wasAdded()) {
                    series.setNotify(false);
                    for (double[] p : c.getAddedSubList()) {
                        series.add(p[0], p[1], false);
                    }
                    series.setNotify(true);
                }
            }
        });
    }

    private static TextField field(javafx.beans.property.StringProperty value, double width, String tip) {
        TextField f = new TextField();
        f.textProperty().bindBidirectional(value);
        f.setPrefWidth(width);
        f.setTooltip(new javafx.scene.control.Tooltip(tip));
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

    private JFreeChart lossChart() {
        losses.addSeries(new XYSeries("train (raw)", false, true));
        losses.addSeries(new XYSeries("validation", false, true));
        losses.addSeries(new XYSeries("train (smoothed)", false, true));
        JFreeChart chart = ChartFactory.createXYLineChart(null, "step", "loss", losses,
                PlotOrientation.VERTICAL, true, true, false);
        XYPlot plot = chart.getXYPlot();
        plot.setNoDataMessage("Start a run: training and validation loss appear here as it learns.");
        plot.setNoDataMessageFont(new java.awt.Font("SansSerif", java.awt.Font.PLAIN, 13));
        plot.setNoDataMessagePaint(new Color(0x66, 0x6e, 0x7a));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        plot.getRenderer().setSeriesPaint(0, new Color(0x1f, 0x77, 0xb4, 0x60));
        plot.getRenderer().setSeriesPaint(2, new Color(0x1f, 0x77, 0xb4));
        plot.getRenderer().setSeriesStroke(2, new BasicStroke(2.2f));
        plot.getRenderer().setSeriesPaint(1, new Color(0xd6, 0x27, 0x28));
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(1.5f));
        if (plot.getRenderer() instanceof org.jfree.chart.renderer.xy.XYLineAndShapeRenderer r) {
            r.setSeriesShapesVisible(0, false);
            r.setSeriesShapesVisible(2, false);
            r.setSeriesLinesVisible(1, true);
            r.setSeriesShapesVisible(1, true);
        }
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private void chooseDataset(Consumer<java.nio.file.Path> then) {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a labelled dataset");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSON Lines", "*.jsonl", "*.json"));
        File f = chooser.showOpenDialog(getScene().getWindow());
        if (f != null) {
            then.accept(f.toPath());
        }
    }
}
