package dev.scales.ui.common;

import static org.assertj.core.api.Assertions.assertThat;

import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Tab and Shift+Tab go through text areas as through any other control, and type nothing. */
@ExtendWith(ApplicationExtension.class)
class TextAreasTest {
    private final TextArea first = TextAreas.tabMovesFocus(new TextArea("first"));
    private final TextArea second = TextAreas.tabMovesFocus(new TextArea("second"));
    private final Button after = new Button("After");

    @Start
    void start(Stage stage) {
        stage.setScene(new Scene(new VBox(first, second, after), 300, 300));
        stage.show();
    }

    @Test
    void tabLeavesATextAreaWithoutTypingATabAndShiftTabComesBack(FxRobot robot) {
        robot.interact(first::requestFocus);

        robot.type(KeyCode.TAB);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(second.isFocused()).isTrue();
        robot.type(KeyCode.TAB);
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(after.isFocused()).isTrue();
        robot.press(KeyCode.SHIFT).type(KeyCode.TAB).release(KeyCode.SHIFT);
        robot.press(KeyCode.SHIFT).type(KeyCode.TAB).release(KeyCode.SHIFT);
        WaitForAsyncUtils.waitForFxEvents();

        assertThat(first.isFocused()).isTrue();
        assertThat(first.getText()).isEqualTo("first");
        assertThat(second.getText()).isEqualTo("second");
    }
}
