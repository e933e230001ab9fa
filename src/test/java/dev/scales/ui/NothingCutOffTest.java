package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.control.TabPane;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** A projector at 1280 × 800 in presentation mode: no label, button or menu of the Lab or the Lesson is shortened with an ellipsis. */
@ExtendWith(ApplicationExtension.class)
class NothingCutOffTest {
    @TempDir
    static Path dir;

    private final ModelManager manager = new ModelManager();
    private MainViewModel vm;

    @Start
    void start(Stage stage) {
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void presentationAt1280By800CutsNoTextInTheLabOrTheLesson(FxRobot robot) throws Exception {
        robot.interact(() -> vm.modelBar().selectedModelProperty().set(AppPaths.bundledModel().toAbsolutePath()));
        robot.interact(() -> vm.modelBar().load());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.modelBar().loadedProperty().get());
        robot.interact(() -> vm.presentationProperty().set(true));
        TabPane tabs = robot.lookup(".tab-pane").queryAs(TabPane.class);
        List<String> cut = new ArrayList<>();
        for (int t : new int[] {0, 2}) {
            robot.interact(() -> tabs.getSelectionModel().select(t));
            WaitForAsyncUtils.waitForFxEvents();
            robot.interact(() -> {
                Parent root = tabs.getScene().getRoot();
                root.applyCss();
                root.layout();
                cut.addAll(cutOff(root, tabs.getSelectionModel().getSelectedItem().getText()));
            });
        }
        robot.interact(() -> {
            try {
                Snapshots.save(tabs.getScene().getRoot(), "presentation-1280x800");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(cut).as("texts shown cut off").isEmpty();
    }

    /** Every shown text that its control shortened with an ellipsis, named by the control's id or text. */
    private static List<String> cutOff(Parent root, String tab) {
        List<String> cut = new ArrayList<>();
        for (Node n : root.lookupAll(".text")) {
            if (n instanceof Text shown && visible(n) && shown.getParent() instanceof Labeled owner
                    && owner.getText() != null && !owner.getText().equals(shown.getText())
                    && shown.getText().endsWith(owner.getEllipsisString())
                    && !owner.getText().endsWith(owner.getEllipsisString())) {
                cut.add(tab + ": " + (owner.getId() != null ? "#" + owner.getId() + " " : "") + "\"" + owner.getText()
                        + "\" shown as \"" + shown.getText() + "\"");
            }
        }
        return cut;
    }

    private static boolean visible(Node n) {
        for (Node p = n; p != null; p = p.getParent()) {
            if (!p.isVisible()) {
                return false;
            }
        }
        return true;
    }
}
