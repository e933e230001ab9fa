package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.device.ModelManager;
import dev.scales.core.eval.ShotSweep;
import dev.scales.core.model.Golden;
import dev.scales.ui.prompt.SweepChart;
import dev.scales.core.prompt.Example;
import dev.scales.core.prompt.FewShotPrompt;
import dev.scales.core.prompt.PromptTemplate;
import java.util.List;
import dev.scales.ui.common.UiThread;
import dev.scales.ui.prompt.PromptPane;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.testfx.util.WaitForAsyncUtils;
import dev.scales.ui.prompt.PromptViewModel;
import javafx.scene.Scene;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

@ExtendWith(ApplicationExtension.class)
class PromptPaneTest {
    private final ModelManager manager = new ModelManager();
    private final PromptViewModel vm = new PromptViewModel(manager, UiThread.FX);

    @AfterEach
    void closeModels() {
        manager.close();
    }

    @Start
    void start(Stage stage) {
        Scene scene = new Scene(new PromptPane(vm), 640, 820);
        scene.getStylesheets().add(ScalesApp.stylesheet());
        dev.scales.ui.common.Theme.LIGHT.apply(scene.getRoot()); // the look the app starts with
        stage.setScene(scene);
        stage.show();
    }

    @Test
    void movingAnExampleUpReordersThePreview(FxRobot robot) {
        // given the starter prompt, whose third example is "Such a lovely concert, truly superb."
        String third = "Such a lovely concert, truly superb.";
        String second = "My friends hated the noisy hotel.";
        assertThat(vm.previewProperty().get().indexOf(second)).isLessThan(vm.previewProperty().get().indexOf(third));

        // when
        robot.interact(() -> robot.lookup("#examples-table").queryAs(TableView.class).getSelectionModel().select(2));
        robot.clickOn("#move-up");

        // then
        String preview = vm.previewProperty().get();
        assertThat(preview.indexOf(third)).isLessThan(preview.indexOf(second));
    }

    @Test
    void draggingAnExampleOntoAnotherRowMovesItThere(FxRobot robot) {
        String first = vm.examples().get(0).toExample().input();
        String third = vm.examples().get(2).toExample().input();

        robot.drag(robot.lookup(".table-row-cell").nth(0).queryAs(javafx.scene.Node.class))
                .dropTo(robot.lookup(".table-row-cell").nth(2).queryAs(javafx.scene.Node.class));

        assertThat(vm.examples().get(2).toExample().input()).isEqualTo(first);
        assertThat(vm.examples().get(1).toExample().input()).isEqualTo(third);
        String preview = vm.previewProperty().get();
        assertThat(preview.indexOf(third)).isLessThan(preview.indexOf(first));
    }

    @Test
    void addingAnExampleShowsItInThePreview(FxRobot robot) {
        // when
        robot.clickOn("#add-example");
        robot.interact(() -> vm.examples().get(3).inputProperty().set("Lovely view."));

        // then
        assertThat(robot.lookup("#examples-table").queryAs(TableView.class).getItems()).hasSize(4);
        assertThat(vm.previewProperty().get()).contains("Review: Lovely view.\nSentiment: \n\n");
        assertThat(vm.previewInfoProperty().get()).contains("4 of 4 examples");
    }

    /** The golden model reads 128 tokens of its byte-level vocabulary: a short prompt fits. */
    private void loadTinyModelWithAShortPrompt(FxRobot robot) {
        robot.interact(() -> vm.setPrompt(new FewShotPrompt("", List.of(new Example("good", "pos")), "bad",
                new PromptTemplate("{input}={output}\n"))));
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
    }

    @Test
    void runningStreamsTokensWithTheirProbabilities(FxRobot robot) throws Exception {
        // given
        loadTinyModelWithAShortPrompt(robot);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.runBlockedReasonProperty().get().isEmpty());

        // when
        robot.clickOn("#run-prompt");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> !vm.runningProperty().get()
                && !vm.runStatusProperty().get().equals("running…"));

        // then
        assertThat(vm.runStatusProperty().get()).contains("tokens/s");
        assertThat(vm.outputTokens()).isNotEmpty();
        assertThat(robot.lookup(".token-chip").queryAll()).hasSize(vm.outputTokens().size());
        robot.interact(() -> {
            try {
                Snapshots.save(robot.lookup("#prompt-pane").query(), "prompt-pane-after-run");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aModelWithAChatTemplateOffersChatFormatWhichWritesTheConversationAndStillEvaluates(FxRobot robot)
            throws Exception {
        // given a model without a template: no switch
        loadTinyModelWithAShortPrompt(robot);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(robot.lookup("#chat-format").queryAs(javafx.scene.control.CheckBox.class).isVisible()).isFalse();

        // when a model with one is loaded and the switch is turned on
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("chat");
        manager.load(Golden.withChatTemplate(dir, "gpt2-tiny", "minimal"), "cpu").join();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.chatAvailableProperty().get());
        robot.clickOn("#chat-format");

        // then the preview is the conversation, exactly
        assertThat(vm.previewProperty().get()).isEqualTo("u: good=\na: pos\nu: bad=\na:");
        assertThat(vm.promptProperty().get().isChat()).isTrue();

        // and label scoring works the same on it
        java.nio.file.Path test = java.nio.file.Files.createTempFile(dir, "test", ".jsonl");
        java.nio.file.Files.writeString(test, "{\"input\": \"nice\", \"label\": \"pos\"}\n"
                + "{\"input\": \"poor\", \"label\": \"neg\"}\n");
        robot.interact(() -> vm.evaluate(test));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.metricsProperty().get() != null);
        assertThat(vm.predictions()).hasSize(2);

        // turning it off gives the running text back
        robot.clickOn("#chat-format");
        assertThat(vm.previewProperty().get()).isEqualTo("good=pos\nbad=");
    }

    @Test
    void evaluatingShowsAccuracyTheConfusionMatrixAndMistakes(FxRobot robot) throws Exception {
        // given
        loadTinyModelWithAShortPrompt(robot);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.runBlockedReasonProperty().get().isEmpty());
        java.nio.file.Path test = java.nio.file.Files.createTempFile("test", ".jsonl");
        java.nio.file.Files.writeString(test, "{\"input\": \"nice\", \"label\": \"pos\"}\n"
                + "{\"input\": \"poor\", \"label\": \"neg\"}\n{\"input\": \"great\", \"label\": \"pos\"}\n");

        // when
        robot.interact(() -> vm.evaluate(test));
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.metricsProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();

        // then
        assertThat(vm.evaluationStatusProperty().get()).contains("accuracy").contains("3 examples");
        assertThat(vm.predictions()).hasSize(3);
        assertThat(robot.lookup("#confusion .label").queryAll()).hasSize(1 + 2 + 2 + 4);
        long wrong = vm.predictions().stream().filter(p -> !p.correct()).count();
        robot.clickOn("#mistakes-only");
        assertThat(robot.lookup("#predictions").queryTableView().getItems()).hasSize((int) wrong);
        robot.interact(() -> {
            try {
                Snapshots.save(robot.lookup("#prompt-pane").query(), "prompt-pane-after-evaluation");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aSweepDrawsOnePointPerShotCount(FxRobot robot) throws Exception {
        // given four demonstrations: k = 0, 1, 2, 4
        robot.interact(() -> vm.setPrompt(new FewShotPrompt("", List.of(new Example("good", "pos"),
                new Example("bad", "neg"), new Example("fine", "pos"), new Example("grim", "neg")), "x",
                new PromptTemplate("{input}={output}\n"))));
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.runBlockedReasonProperty().get().isEmpty());
        java.nio.file.Path test = java.nio.file.Files.createTempFile("test", ".jsonl");
        java.nio.file.Files.writeString(test, "{\"input\": \"nice\", \"label\": \"pos\"}\n"
                + "{\"input\": \"poor\", \"label\": \"neg\"}\n");

        // when
        robot.interact(() -> vm.sweep(test));
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !vm.runningProperty().get()
                && vm.evaluationStatusProperty().get().startsWith("accuracy against shots"));

        // then: gold labels, random labels and calibrated, each at k = 0, 1, 2, 4
        for (ShotSweep.Variant v : ShotSweep.Variant.values()) {
            assertThat(vm.sweepPoints()).filteredOn(p -> p.variant() == v).extracting(ShotSweep.Point::k)
                    .containsExactly(0, 1, 2, 4);
        }
        assertThat(vm.sweepPoints()).allSatisfy(p -> assertThat(p.mean()).isBetween(0.0, 1.0));
        SweepChart panel = robot.lookup("#sweep-panel").queryAs(SweepChart.class);
        assertThat(panel.chart().getXYPlot().getDataset().getItemCount(1)).isEqualTo(4);

        // k ticks at whole numbers, at most ten, however wide the chart; the legend names every series
        List<String> kTicks = new java.util.ArrayList<>();
        List<String> accuracyTicks = new java.util.ArrayList<>();
        robot.interact(() -> {
            kTicks.addAll(ChartChecks.ticks(panel.chart(), panel.chart().getXYPlot().getDomainAxis(), 1800, 400));
            accuracyTicks.addAll(ChartChecks.ticks(panel.chart(), panel.chart().getXYPlot().getRangeAxis(), 600, 1400));
        });
        assertThat(kTicks).hasSizeBetween(2, 10).allMatch(l -> l.matches("\\d+"), "whole numbers of shots");
        assertThat(accuracyTicks).hasSizeBetween(2, 10);
        assertThat(ChartChecks.legend(panel.chart())).isEqualTo(ChartChecks.series(panel.chart())).hasSize(3);

        // scrolling the page past it leaves it be; Ctrl + wheel zooms; a double-click puts accuracy back to 0–1
        org.jfree.chart.fx.ChartViewer sweepViewer = robot.lookup("#sweep-chart").queryAs(org.jfree.chart.fx.ChartViewer.class);
        var accuracy = panel.chart().getXYPlot().getRangeAxis();
        robot.interact(() -> LossChartTest.wheel(sweepViewer, false));
        assertThat(accuracy.getRange()).isEqualTo(new org.jfree.data.Range(0, 1));
        robot.interact(() -> LossChartTest.wheel(sweepViewer, true));
        assertThat(accuracy.getRange()).isNotEqualTo(new org.jfree.data.Range(0, 1));
        robot.interact(() -> LossChartTest.doubleClick(sweepViewer));
        assertThat(accuracy.getRange()).isEqualTo(new org.jfree.data.Range(0, 1));

        // and it exports as PNG, SVG and CSV
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sweep");
        List<Boolean> exporting = new java.util.concurrent.CopyOnWriteArrayList<>();
        robot.interact(() -> {
            vm.sweepExportProgress().runningProperty().addListener((o, was, now) -> exporting.add(now));
            panel.export(dir.resolve("sweep.png"));
            panel.export(dir.resolve("sweep.svg"));
            panel.export(dir.resolve("sweep.csv"));
        });
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS,
                () -> vm.evaluationStatusProperty().get().equals("saved the sweep to sweep.csv"));
        assertThat(javax.imageio.ImageIO.read(dir.resolve("sweep.png").toFile()).getWidth()).isPositive();
        assertThat(dir.resolve("sweep.svg")).content().contains("<svg", "random labels");
        assertThat(java.nio.file.Files.readAllLines(dir.resolve("sweep.csv"))).hasSize(13);
        assertThat(vm.evaluationStatusProperty().get()).isEqualTo("saved the sweep to sweep.csv");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(exporting).as("the export's row showed, then hid").startsWith(true).endsWith(false);
        robot.interact(() -> {
            try {
                Snapshots.save(panel, "sweep-panel");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aSweepNeedsASeriesChosen(FxRobot robot) throws Exception {
        robot.interact(() -> vm.setPrompt(new FewShotPrompt("", List.of(new Example("good", "pos"),
                new Example("bad", "neg")), "x", new PromptTemplate("{input}={output}\n"))));
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.runBlockedReasonProperty().get().isEmpty());
        java.nio.file.Path test = java.nio.file.Files.createTempFile("test", ".jsonl");
        java.nio.file.Files.writeString(test, "{\"input\": \"nice\", \"label\": \"pos\"}\n"
                + "{\"input\": \"poor\", \"label\": \"neg\"}\n");

        for (String id : List.of("#sweep-gold", "#sweep-random-labels", "#sweep-calibrated")) {
            robot.interact(() -> robot.lookup(id).queryAs(javafx.scene.control.CheckBox.class).setSelected(false));
        }
        robot.interact(() -> vm.sweep(test));

        assertThat(vm.sweepVariants()).isEmpty();
        assertThat(vm.runningProperty().get()).isFalse();
        assertThat(vm.evaluationStatusProperty().get()).startsWith("Choose at least one series");
    }

    @Test
    void aClassificationPromptAlsoShowsEachLabelsProbabilityRawAndCalibrated(FxRobot robot) throws Exception {
        // given demonstrations with two labels
        robot.interact(() -> vm.setPrompt(new FewShotPrompt("", List.of(new Example("good", "P"),
                new Example("bad", "N")), "nice", new PromptTemplate("{input}={output}\n"))));
        manager.load(Golden.folder("gpt2-tiny"), "cpu").join();
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.runBlockedReasonProperty().get().isEmpty());

        // when
        robot.clickOn("#run-prompt");
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> vm.labelProbabilitiesProperty().get() != null);
        WaitForAsyncUtils.waitForFxEvents();

        // then
        var lp = vm.labelProbabilitiesProperty().get();
        assertThat(lp.labels()).containsExactly("P", "N");
        assertThat(lp.raw()[0] + lp.raw()[1]).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(lp.calibrated()[0] + lp.calibrated()[1]).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        org.jfree.chart.fx.ChartViewer chart = robot.lookup("#label-chart").queryAs(org.jfree.chart.fx.ChartViewer.class);
        assertThat(chart.isVisible()).isTrue();

        // and the chart draws both, named in its legend, each bar with its probability written on it
        var plot = chart.getChart().getCategoryPlot();
        assertThat(ChartChecks.legend(chart.getChart())).containsExactly("model", "calibrated");
        var bars = plot.getRenderer();
        for (int label = 0; label < 2; label++) {
            assertThat(plot.getDataset().getValue("model", lp.labels().get(label))).isEqualTo(lp.raw()[label]);
            assertThat(plot.getDataset().getValue("calibrated", lp.labels().get(label))).isEqualTo(lp.calibrated()[label]);
            for (int series = 0; series < 2; series++) {
                assertThat(bars.isItemLabelVisible(series, label)).isTrue();
                double p = plot.getDataset().getValue(series, label).doubleValue();
                assertThat(bars.getItemLabelGenerator(series, label).generateLabel(plot.getDataset(), series, label))
                        .isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", p));
            }
        }
        assertThat(plot.getRangeAxis().getRange()).isEqualTo(new org.jfree.data.Range(0, 1));
        robot.interact(() -> {
            try {
                Snapshots.save(chart, "label-chart");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aPromptLongerThanTheContextCannotRun(FxRobot robot) throws Exception {
        // given
        loadTinyModelWithAShortPrompt(robot);
        WaitForAsyncUtils.waitFor(5, TimeUnit.SECONDS, () -> vm.runBlockedReasonProperty().get().isEmpty());

        // when
        robot.interact(() -> vm.queryProperty().set("a long review ".repeat(40)));

        // then
        assertThat(vm.overContextProperty().get()).isTrue();
        assertThat(vm.runBlockedReasonProperty().get()).contains("reads at most 128");
        assertThat(robot.lookup("#run-prompt").queryButton().isDisabled()).isTrue();
    }

    @Test
    void aBrokenTemplateIsFlaggedInPlace(FxRobot robot) {
        // when
        robot.interact(() -> vm.templateProperty().set("Review: {input}"));

        // then
        assertThat(robot.lookup(".error-text").queryLabeled().getText()).contains("{output}");
        assertThat(vm.previewProperty().get()).isEmpty();
    }

    @Test
    void anExampleOfSeveralFieldsIsEditedOverSeveralLinesInTheTable(FxRobot robot) throws Exception {
        robot.interact(() -> vm.setPrompt(new FewShotPrompt("", List.of(new Example("premise: x\nhypothesis: y", "no")),
                "premise: snow\nhypothesis: cold", new PromptTemplate("P: {premise}\nH: {hypothesis}\nA: {output}\n\n"))));
        TableView<?> table = robot.lookup("#examples-table").queryAs(TableView.class);

        robot.interact(() -> {
            table.getSelectionModel().select(0);
            table.edit(0, (javafx.scene.control.TableColumn) table.getColumns().get(1));
        });
        javafx.scene.control.TextArea editor = robot.lookup("#examples-table .text-area").queryAs(
                javafx.scene.control.TextArea.class);
        robot.interact(editor::clear);
        robot.write("premise: sun");
        robot.press(javafx.scene.input.KeyCode.SHIFT).type(javafx.scene.input.KeyCode.ENTER)
                .release(javafx.scene.input.KeyCode.SHIFT);
        robot.write("hypothesis: warm").type(javafx.scene.input.KeyCode.ENTER);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(vm.examples().get(0).toExample().input()).isEqualTo("premise: sun\nhypothesis: warm");
        assertThat(vm.previewProperty().get()).isEqualTo("P: sun\nH: warm\nA: no\n\nP: snow\nH: cold\nA:");
        robot.interact(() -> {
            try {
                Snapshots.save(robot.lookup("#prompt-pane").query(), "prompt-pane-several-fields");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void severalInputFieldsAreCheckedInTheFieldsDialog(FxRobot robot) throws Exception {
        var result = new java.util.concurrent.CompletableFuture<java.util.Optional<dev.scales.core.data.LabelledData.Fields>>();
        robot.interact(() -> {
            var dialog = new dev.scales.ui.common.FieldsDialog(java.nio.file.Path.of("nli.csv"),
                    List.of("id", "sentence1", "sentence2", "gold"), null);
            dialog.setOnHidden(e -> result.complete(java.util.Optional.ofNullable(dialog.getResult())));
            dialog.show();
        });
        @SuppressWarnings("unchecked")
        org.controlsfx.control.CheckComboBox<String> inputs = robot.lookup("#input-field")
                .queryAs(org.controlsfx.control.CheckComboBox.class);
        javafx.scene.control.Button ok = robot.lookup(".dialog-pane .button").match(
                n -> ((javafx.scene.control.Button) n).isDefaultButton()).queryAs(javafx.scene.control.Button.class);

        robot.interact(() -> inputs.getCheckModel().clearChecks());
        assertThat(ok.isDisabled()).as("no input field").isTrue();
        robot.interact(() -> {
            inputs.getCheckModel().check("sentence2");
            inputs.getCheckModel().check("sentence1");
            robot.lookup("#label-field").queryComboBox().getSelectionModel().select("sentence1");
        });
        assertThat(ok.isDisabled()).as("the label is also an input").isTrue();
        robot.interact(() -> robot.lookup("#label-field").queryComboBox().getSelectionModel().select("gold"));
        robot.interact(() -> ((javafx.scene.control.TextField) robot.lookup("#label-names").query()).setText("0=no, 1=yes"));
        robot.clickOn(ok);

        assertThat(result.get(10, TimeUnit.SECONDS)).contains(new dev.scales.core.data.LabelledData.Fields(
                "sentence1, sentence2", "gold", java.util.Map.of("0", "no", "1", "yes")));
    }
}
