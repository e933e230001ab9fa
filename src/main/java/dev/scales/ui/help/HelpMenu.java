package dev.scales.ui.help;

import javafx.geometry.Side;
import javafx.scene.control.MenuButton;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;

/** The Help menu at the bottom right of the window: the user guide, the keys, the welcome tour, the versions. */
public final class HelpMenu extends MenuButton {
    public HelpMenu(Runnable guide, Runnable shortcuts, Runnable tour, Runnable about) {
        super("Help");
        setId("help-menu");
        setPopupSide(Side.TOP); // it sits in the status bar: the menu opens upwards
        getItems().addAll(item("help-guide", "User guide (F1)", guide),
                item("help-shortcuts", "Keyboard shortcuts", shortcuts),
                item("help-tour", "Show the welcome tour", tour),
                new SeparatorMenuItem(),
                item("help-about", "About Scales", about));
    }

    private static MenuItem item(String id, String text, Runnable action) {
        MenuItem item = new MenuItem(text);
        item.setId(id);
        item.setOnAction(e -> action.run());
        return item;
    }
}
