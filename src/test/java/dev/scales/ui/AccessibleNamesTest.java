package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Label;
import javafx.scene.control.Labeled;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TitledPane;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Every control of the main window (each tab's, the model bar's and the status bar's) and of the
 * help windows, and every chart, has a name a screen reader can read out.
 *
 * <p><em>Named</em>: the control's accessible text, or its own text (a button's, a check box's, a
 * titled pane's), or the text of a {@link Label} whose {@code labelFor} is the control — JavaFX
 * reads that label for it. A text counts only when it has a letter or a digit: "+" or "↑" on an
 * icon-like button names nothing.
 *
 * <p><em>Which controls</em>: those the app placed in the window, by the rule of
 * {@link AppControls} — scroll bars, list and table cells and rows, column headers, a combo box's
 * button cell and the other parts of a control's skin are read through the control and are not
 * checked. Labels are not checked: they are the names, read as their text (an empty one, an error
 * line while there is no error, reads nothing). Hidden controls are checked too — a Stop button
 * shows while a run goes, a chart once there are results — and folded panes are opened so their
 * fields exist.
 */
@ExtendWith(ApplicationExtension.class)
class AccessibleNamesTest {
    @TempDir
    Path dir;

    private ModelManager manager;
    private Stage stage;

    @AfterEach
    void close() {
        manager.close();
    }

    @Start
    void start(Stage stage) {
        this.stage = stage;
        manager = new ModelManager();
        MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
    }

    @Test
    void everyControlOfEveryTabHasAName(FxRobot robot) {
        Parent root = stage.getScene().getRoot();
        TabPane tabs = (TabPane) root.lookup("#main-tabs");
        Set<Node> unnamed = new LinkedHashSet<>();
        for (Tab tab : List.copyOf(tabs.getTabs())) {
            robot.interact(() -> {
                tabs.getSelectionModel().select(tab);
                root.lookupAll(".titled-pane").forEach(t -> ((TitledPane) t).setExpanded(true));
            });
            WaitForAsyncUtils.waitForFxEvents();
            robot.interact(() -> unnamed.addAll(unnamed(root)));
        }
        assertThat(unnamed.stream().map(AppControls::describe)).as("controls without an accessible name").isEmpty();
    }

    @Test
    void everyControlOfTheHelpWindowsHasAName(FxRobot robot) {
        robot.type(KeyCode.F1);
        assertNamed(robot, "#user-guide");
        robot.clickOn("#help-menu").clickOn("Keyboard shortcuts");
        assertNamed(robot, "#shortcuts");
        robot.clickOn("#help-menu").clickOn("About Scales");
        assertNamed(robot, "#about");
    }

    /** Checks the window that shows {@code id}, then closes it. */
    private static void assertNamed(FxRobot robot, String id) {
        WaitForAsyncUtils.waitForFxEvents();
        Parent root = robot.lookup(id).queryAs(Node.class).getScene().getRoot();
        List<Node> unnamed = new ArrayList<>();
        robot.interact(() -> unnamed.addAll(unnamed(root)));
        assertThat(unnamed.stream().map(AppControls::describe))
                .as("controls of %s's window without an accessible name", id).isEmpty();
        robot.interact(() -> root.getScene().getWindow().hide());
    }

    /** The app's controls under {@code root} without a name. */
    private static List<Node> unnamed(Parent root) {
        List<Label> labels = root.lookupAll(".label").stream().filter(n -> n instanceof Label).map(n -> (Label) n)
                .filter(l -> l.getLabelFor() != null && words(l.getText())).toList();
        return AppControls.in(root).stream().filter(c -> !(c instanceof Label))
                .filter(c -> !named(c) && labels.stream().noneMatch(l -> l.getLabelFor() == c)).toList();
    }

    private static boolean named(Node c) {
        return words(c.getAccessibleText()) || c instanceof Labeled l && words(l.getText());
    }

    /** Whether {@code text} says something: it has a letter or a digit. */
    private static boolean words(String text) {
        return text != null && text.codePoints().anyMatch(Character::isLetterOrDigit);
    }
}
