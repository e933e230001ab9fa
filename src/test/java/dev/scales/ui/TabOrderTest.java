package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.scales.core.AppPaths;
import dev.scales.core.device.ModelManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Bounds;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.ButtonBase;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
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
 * The Tab key alone reaches every button of every tab and of the bars always shown (the model bar
 * on top, the status bar below), in reading order, and comes back round to where it started.
 *
 * <p>A <em>button</em> here is a {@link ButtonBase} — Button, ToggleButton, CheckBox, RadioButton,
 * MenuButton, Hyperlink — that the app placed in the window (the rule of {@link AppControls}: the
 * check boxes a table cell draws belong to the table and are not counted), that shows (a hidden
 * tab's, a folded pane's, a Stop button's while nothing runs do not) and that is enabled: a disabled
 * button cannot take the focus and is left out. A button that shows and is enabled but is not
 * focus-traversable fails the test. To leave out as few as possible, the bundled model is loaded,
 * a dataset and an experiment are opened and an example is selected first, which enables the
 * buttons that wait for them, and the folded settings panes are opened, so their check boxes count.
 * Buttons still disabled then (Stop and Pause with nothing running, the Discard of a fine-tune not
 * made, the exports of results not there) are left out.
 *
 * <p>Text areas let the focus go on Tab too (by default they type a tab character); none has one
 * after the round.
 *
 * <p><em>Reading order</em>: each press moves the focus down or to the right. Two nodes are compared
 * where their branches of the scene graph part (so the content of a scrolled pane compares as it is
 * laid out, whatever the scroll), and moving into a node's content (from a tab pane's header into
 * its tab, from a settings pane's title into its fields) counts as forward.
 */
@ExtendWith(ApplicationExtension.class)
class TabOrderTest {
    /** More presses than the longest tab needs by far: a cycle not closed by then is a trap. */
    private static final int MAX_PRESSES = 400;

    @TempDir
    Path dir;

    private MainViewModel vm;
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
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
    }

    @Test
    void tabAloneReachesEveryButtonOfEveryTabInReadingOrder(FxRobot robot) throws Exception {
        robot.interact(() -> {
            vm.modelBar().selectedModelProperty().set(AppPaths.bundledModel().toAbsolutePath());
            vm.modelBar().load();
            vm.fineTune().openDataset(AppPaths.home().resolve("sample-data/sentiment/train.jsonl"));
            vm.compare().open(AppPaths.home().resolve("sample-data/experiments/sentiment.json"), true);
        });
        Parent root = stage.getScene().getRoot();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> vm.modelBar().loadedProperty().get()
                && !root.lookup("#unload-model").isDisabled() && !root.lookup("#start-training").isDisabled());
        robot.interact(() -> ((TableView<?>) root.lookup("#examples-table")).getSelectionModel().select(0));
        TabPane tabs = (TabPane) root.lookup("#main-tabs");
        Node start = root.lookup("#model-choice"); // the first control of the window
        for (Tab tab : List.copyOf(tabs.getTabs())) {
            robot.interact(() -> {
                tabs.getSelectionModel().select(tab);
                unfold(root);
                start.requestFocus();
            });
            WaitForAsyncUtils.waitForFxEvents();
            List<Node> cycle = tabCycle(robot, start);
            assertThat(unreached(root, cycle)).as("buttons Tab never reaches with the %s tab shown", tab.getText())
                    .isEmpty();
            assertThat(backwards(cycle)).as("presses of Tab that go up or left in the %s tab", tab.getText())
                    .isEmpty();
        }
        assertThat(root.lookupAll(".text-area")).as("text areas Tab went through")
                .extracting(n -> ((TextArea) n).getText()).isNotEmpty().noneMatch(text -> text.contains("\t"));
    }

    /** Opens every folded pane, at once (no animation). */
    private static void unfold(Parent root) {
        for (Node n : root.lookupAll(".titled-pane")) {
            ((TitledPane) n).setAnimated(false);
            ((TitledPane) n).setExpanded(true);
        }
    }

    /** The focus owners from {@code start} on, one per press of Tab, until the focus is back at {@code start}. */
    private List<Node> tabCycle(FxRobot robot, Node start) {
        assertThat(stage.getScene().getFocusOwner()).isSameAs(start);
        List<Node> cycle = new ArrayList<>(List.of(start));
        for (int i = 0; i < MAX_PRESSES; i++) {
            robot.type(KeyCode.TAB);
            WaitForAsyncUtils.waitForFxEvents();
            Node last = cycle.get(cycle.size() - 1);
            Node now = stage.getScene().getFocusOwner();
            assertThat(now).as("the focus after Tab in %s", AppControls.describe(last)).isNotSameAs(last);
            if (now == start) {
                return cycle;
            }
            cycle.add(now);
        }
        return fail("Tab did not come back to %s within %d presses", AppControls.describe(start), MAX_PRESSES);
    }

    /** The buttons that show and are enabled but never had the focus. */
    private static List<String> unreached(Parent root, List<Node> cycle) {
        Set<Node> reached = new HashSet<>(cycle);
        return AppControls.in(root).stream()
                .filter(c -> c instanceof ButtonBase && AppControls.showing(c) && !c.isDisabled())
                .filter(c -> !reached.contains(c)).map(AppControls::describe).toList();
    }

    /** Each press that moved the focus up or to the left, as "from → to". */
    private static List<String> backwards(List<Node> cycle) {
        List<String> back = new ArrayList<>();
        for (int i = 1; i < cycle.size(); i++) {
            if (!forward(cycle.get(i - 1), cycle.get(i))) {
                back.add(AppControls.describe(cycle.get(i - 1)) + " → " + AppControls.describe(cycle.get(i)));
            }
        }
        return back;
    }

    /**
     * Whether {@code b} comes after {@code a} in reading order: inside it, or, where their branches
     * part, below it or to its right (and not wholly above it).
     */
    static boolean forward(Node a, Node b) {
        List<Node> fromA = ancestry(a);
        List<Node> fromB = ancestry(b);
        int i = 0;
        while (i < fromA.size() && i < fromB.size() && fromA.get(i) == fromB.get(i)) {
            i++;
        }
        if (i == fromA.size()) {
            return true; // into a's content
        }
        if (i == fromB.size()) {
            return false; // back out to a node around a
        }
        Bounds x = laidOut(fromA.get(i));
        Bounds y = laidOut(fromB.get(i));
        boolean below = y.getMinY() >= x.getMaxY() - 1;
        boolean right = y.getMinX() >= x.getMaxX() - 1 && y.getMaxY() > x.getMinY();
        return below || right;
    }

    /** The node's box in its parent, without effects. */
    private static Bounds laidOut(Node n) {
        return n.localToParent(n.getLayoutBounds());
    }

    /** The root first, {@code n} last. */
    private static List<Node> ancestry(Node n) {
        List<Node> path = new ArrayList<>();
        for (Node at = n; at != null; at = at.getParent()) {
            path.add(0, at);
        }
        return path;
    }
}
