package dev.scales.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scales.core.AppPaths;
import dev.scales.core.ScalesException;
import dev.scales.core.device.ModelManager;
import dev.scales.ui.common.Errors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Help at the bottom right of the window: the user guide (F1), the keys, the tour, About; and a fault's details. */
@ExtendWith(ApplicationExtension.class)
class HelpTest {
    @TempDir
    Path dir;

    private ModelManager manager;
    private Stage stage;
    private MainViewModel vm;

    @Start
    void start(Stage stage) {
        this.stage = stage;
        manager = new ModelManager();
        vm = MainWindows.show(stage, dir, manager, List.of(AppPaths.bundledModel().getParent()), "CPU");
    }

    @AfterEach
    void close(FxRobot robot) {
        robot.interact(() -> new ArrayList<>(Window.getWindows()).stream().filter(w -> w != stage).forEach(Window::hide));
        manager.close();
    }

    @Test
    void f1OpensTheUserGuideWithItsHeadingsListsAndCodeSetApart(FxRobot robot) throws Exception {
        // when
        robot.type(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();

        // then
        javafx.scene.Parent guide = robot.lookup("#user-guide").queryAs(javafx.scene.Parent.class);
        List<TextFlow> headings = robot.from(guide).lookup(".guide-heading").queryAllAs(TextFlow.class).stream().toList();
        assertThat(headings).extracting(HelpTest::text).contains("Scales user guide", "For a teacher", "For a practitioner",
                "A 10-minute classroom plan");
        Text title = (Text) headings.get(0).getChildren().get(0);
        Text body = bodyText(robot, guide);
        assertThat(title.getFont().getSize()).isGreaterThan(body.getFont().getSize() * 1.5);
        Text bold = robot.from(guide).lookup(".guide-bold").queryAs(Text.class);
        assertThat(bold.getFont().getStyle().toLowerCase(java.util.Locale.ROOT)).contains("bold");
        assertThat(robot.from(guide).lookup(".guide-item").queryAll()).hasSizeGreaterThan(20);
        assertThat(robot.from(guide).lookup(".guide-code-block").queryAllAs(Label.class)).extracting(Label::getText)
                .anyMatch(code -> code.contains("experiment run"));
        assertThat(guide.getScene().getWindow().getHeight()).isGreaterThan(500);
        Path png = snapshot(robot, guide.getScene().getRoot(), "help-user-guide");
        assertThat(png).isNotEmptyFile();
        snapshot(robot, ((javafx.scene.control.ScrollPane) guide).getContent(), "help-user-guide-whole");
    }

    @Test
    void theGuideFollowsPresentationModeWithBodyTextOfTwentyPixelsOrMore(FxRobot robot) {
        robot.type(KeyCode.F1);
        WaitForAsyncUtils.waitForFxEvents();
        javafx.scene.Parent guide = robot.lookup("#user-guide").queryAs(javafx.scene.Parent.class);
        double plain = bodyText(robot, guide).getFont().getSize();

        robot.interact(() -> {
            vm.presentationProperty().set(true);
            guide.getScene().getRoot().applyCss();
        });
        assertThat(guide.getScene().getRoot().getStyleClass()).contains(dev.scales.ui.common.Presentation.STYLE_CLASS);
        assertThat(bodyText(robot, guide).getFont().getSize()).isGreaterThanOrEqualTo(20).isGreaterThan(plain);

        robot.interact(() -> {
            vm.presentationProperty().set(false);
            guide.getScene().getRoot().applyCss();
        });
        assertThat(bodyText(robot, guide).getFont().getSize()).isEqualTo(plain);
    }

    private static Text bodyText(FxRobot robot, javafx.scene.Parent guide) {
        return robot.from(guide).lookup(".guide-plain").queryAllAs(Text.class).stream()
                .filter(t -> !t.getParent().getStyleClass().contains("guide-heading")).findFirst().orElseThrow();
    }

    @Test
    void theHelpMenuListsTheKeysAndTellsWhatRunsWhereUnderAbout(FxRobot robot) throws Exception {
        // when
        robot.clickOn("#help-menu").clickOn("Keyboard shortcuts");
        WaitForAsyncUtils.waitForFxEvents();

        // then
        javafx.scene.layout.GridPane keys = robot.lookup("#shortcuts").queryAs(javafx.scene.layout.GridPane.class);
        assertThat(keys.getChildren()).extracting(n -> ((Label) n).getText()).contains("Ctrl+Enter", "Esc", "F11", "F1");
        robot.interact(() -> keys.getScene().getWindow().hide());

        // when
        robot.clickOn("#help-menu").clickOn("About Scales");
        WaitForAsyncUtils.waitForFxEvents();

        // then: the versions the engine reported when it started (a fixed answer in this test)
        assertThat(label(robot, "#about-scales")).isEqualTo("test");
        assertThat(label(robot, "#about-djl")).isEqualTo("0.36.0");
        assertThat(label(robot, "#about-pytorch")).isEqualTo("2.7.1");
        assertThat(label(robot, "#about-javafx")).startsWith("21");
        assertThat(label(robot, "#about-java")).startsWith(System.getProperty("java.version"));
        assertThat(label(robot, "#about-offline")).startsWith("yes");
        assertThat(label(robot, "#about-native-library")).isEqualTo(dir.toString());
        assertThat(label(robot, "#about-models-looked-for-in")).isEqualTo(AppPaths.bundledModel().getParent().toString());
        assertThat(label(robot, "#about-licence")).isEqualTo("Apache-2.0");
        snapshot(robot, robot.lookup("#about").queryAs(javafx.scene.Node.class).getScene().getRoot(), "help-about");
    }

    @Test
    void theWelcomeTourOpensFromHelpEvenOnceItIsDoneWith(FxRobot robot) {
        assertThat(robot.lookup("#welcome-tour").tryQuery()).isEmpty(); // tests start without it

        robot.clickOn("#help-menu").clickOn("Show the welcome tour");
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(label(robot, "#tour-step")).isEqualTo("Step 1 of 5");
    }

    @Test
    void anUnexpectedFailureAlsoOpensItsDetailsAnExpectedOneStaysInline(FxRobot robot) {
        AtomicReference<String> inline = new AtomicReference<>();

        // when: a fault, as a job's future hands it over
        robot.interact(() -> inline.set(Errors.message(new CompletionException(new IllegalStateException("boom")))));
        WaitForAsyncUtils.waitForFxEvents();

        // then: the inline message as before, and a dialog with the stack trace
        assertThat(inline.get()).isEqualTo("IllegalStateException: boom");
        DialogPane details = robot.lookup("#failure-details").queryAs(DialogPane.class);
        assertThat(details.getHeaderText()).isEqualTo("IllegalStateException: boom");
        TextArea trace = (TextArea) details.getExpandableContent().lookup(".text-area");
        assertThat(trace.getText()).contains("java.lang.IllegalStateException: boom", "at dev.scales.ui.HelpTest");
        assertThat(details.getScene().getWindow().isShowing()).isTrue();
        snapshot(robot, details, "help-failure-details");
        robot.interact(() -> details.getScene().getWindow().hide());

        // when: a bad value, a cancellation, a file that cannot be read
        robot.interact(() -> {
            inline.set(Errors.message(new CompletionException(new ScalesException("train.jsonl: line 3 is not JSON"))));
            Errors.message(new java.util.concurrent.CancellationException());
            Errors.message(new java.io.UncheckedIOException(new java.io.IOException("disk full")));
        });
        WaitForAsyncUtils.waitForFxEvents();

        // then: told inline only
        assertThat(inline.get()).isEqualTo("train.jsonl: line 3 is not JSON");
        assertThat(robot.lookup("#failure-details").tryQuery()).isEmpty();
    }

    private static String text(TextFlow flow) {
        return String.join("", flow.getChildren().stream().map(n -> ((Text) n).getText()).toList());
    }

    private static String label(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static Path snapshot(FxRobot robot, javafx.scene.Node node, String name) {
        AtomicReference<Path> png = new AtomicReference<>();
        robot.interact(() -> {
            try {
                png.set(Snapshots.save(node, name));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return png.get();
    }
}
