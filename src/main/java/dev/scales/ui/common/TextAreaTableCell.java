package dev.scales.ui.common;

import javafx.scene.control.TableCell;
import javafx.scene.control.TextArea;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.text.Text;

/**
 * A table cell whose text may span lines (an input of several fields, one {@code name: value} line
 * each): shown wrapped, edited in a text area. Enter commits, Shift+Enter starts a new line, Esc
 * cancels, and leaving the cell commits.
 */
public final class TextAreaTableCell<S> extends TableCell<S, String> {
    private TextArea editor;

    public TextAreaTableCell() {
        setWrapText(true);
    }

    @Override
    public void startEdit() {
        super.startEdit();
        if (!isEditing()) {
            return;
        }
        editor = TextAreas.tabMovesFocus(new TextArea(getItem() == null ? "" : getItem()));
        editor.setWrapText(true);
        editor.setPrefRowCount(Math.max(2, (int) editor.getText().lines().count()));
        editor.setAccessibleText(getTableColumn() == null ? "Cell" : getTableColumn().getText());
        editor.addEventFilter(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && e.isShiftDown()) {
                editor.insertText(editor.getCaretPosition(), "\n");
                e.consume();
            } else if (e.getCode() == KeyCode.ENTER) {
                commitEdit(editor.getText());
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                cancelEdit();
                e.consume();
            }
        });
        editor.focusedProperty().addListener((o, was, focused) -> {
            if (!focused && isEditing()) {
                commitEdit(editor.getText());
            }
        });
        setText(null);
        setGraphic(editor);
        editor.requestFocus();
        editor.selectAll();
    }

    @Override
    public void cancelEdit() {
        super.cancelEdit();
        show(getItem());
    }

    @Override
    public void commitEdit(String value) {
        super.commitEdit(value);
        show(value);
    }

    @Override
    protected void updateItem(String item, boolean empty) {
        super.updateItem(item, empty);
        show(empty ? null : item);
    }

    /** Tall enough for every line of a value that spans lines (a table's cells are one line high otherwise). */
    @Override
    protected double computePrefHeight(double width) {
        double single = super.computePrefHeight(width);
        double insets = snappedTopInset() + snappedBottomInset();
        if (isEditing() && editor != null) {
            return Math.max(single, editor.prefHeight(-1) + insets);
        }
        String text = getText();
        if (text == null || !text.contains("\n")) {
            return single;
        }
        Text measure = new Text(text);
        measure.setFont(getFont());
        if (width > 0) {
            measure.setWrappingWidth(width - snappedLeftInset() - snappedRightInset());
        }
        // the labelled skin needs its line spacing's worth of room more, or it cuts the text to one line
        return Math.max(single, Math.ceil(measure.getLayoutBounds().getHeight() + getFont().getSize() / 2) + insets);
    }

    private void show(String item) {
        if (isEditing() && editor != null) {
            editor.setText(item);
            return;
        }
        setGraphic(null);
        setText(item);
    }
}
