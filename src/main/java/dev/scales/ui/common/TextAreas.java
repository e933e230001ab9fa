package dev.scales.ui.common;

import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;

/**
 * Tab moves the focus out of a text area, as it does out of every other control, so the whole
 * window can be gone through with the Tab key alone. Out of the box an editable text area types a
 * tab character on Tab and leaves only on Ctrl+Tab; no text the app asks for needs a tab character.
 * Shift+Tab already goes back.
 */
public final class TextAreas {
    private TextAreas() {}

    /** Makes a plain Tab in {@code area} move the focus on (as Ctrl+Tab does); returns the area. */
    public static <T extends TextArea> T tabMovesFocus(T area) {
        area.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.TAB && !e.isShiftDown() && !e.isControlDown() && !e.isAltDown()
                    && !e.isMetaDown()) {
                e.consume();
                // a text area's own key for "focus the next control": JavaFX 21 has no public traversal call
                area.fireEvent(new KeyEvent(KeyEvent.KEY_PRESSED, e.getCharacter(), e.getText(), KeyCode.TAB,
                        false, true, false, false));
            }
        });
        return area;
    }
}
