package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.ui.prompt.PromptPane;
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
    private final PromptViewModel vm = new PromptViewModel();

    @Start
    void start(Stage stage) {
        Scene scene = new Scene(new PromptPane(vm), 640, 820);
        scene.getStylesheets().add(ScalesApp.stylesheet());
        stage.setScene(scene);
        stage.show();
    }

    @Test
    void movingAnExampleUpReordersThePreview(FxRobot robot) {
        // given the starter prompt, whose third example is "I would happily come back next week."
        String third = "I would happily come back next week.";
        String second = "Cold fries and a forty-minute wait.";
        assertThat(vm.previewProperty().get().indexOf(second)).isLessThan(vm.previewProperty().get().indexOf(third));

        // when
        robot.interact(() -> robot.lookup("#examples-table").queryAs(TableView.class).getSelectionModel().select(2));
        robot.clickOn("#move-up");

        // then
        String preview = vm.previewProperty().get();
        assertThat(preview.indexOf(third)).isLessThan(preview.indexOf(second));
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

    @Test
    void aBrokenTemplateIsFlaggedInPlace(FxRobot robot) {
        // when
        robot.interact(() -> vm.templateProperty().set("Review: {input}"));

        // then
        assertThat(robot.lookup(".error-text").queryLabeled().getText()).contains("{output}");
        assertThat(vm.previewProperty().get()).isEmpty();
    }
}
