package dev.scales.ui;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Accordion;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.Control;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Labeled;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TitledPane;
import javafx.scene.control.ToolBar;
import org.controlsfx.control.PropertySheet;
import org.controlsfx.control.StatusBar;
import org.jfree.chart.fx.ChartViewer;

/**
 * The controls the app puts in a window, told apart from the parts a control's skin is made of.
 * Charts count as controls: a {@link ChartViewer} is a region, but a screen reader must still say
 * which chart it is.
 *
 * <p>The rule: every {@link Control} and chart viewer under the root counts, except one inside another control that
 * does not lie in that control's <em>content</em>. The content of a control is what the app hands
 * it: a scroll pane's content, a split pane's items, a tab pane's tabs' content, a titled pane's
 * content, an accordion's panes, a tool bar's items, a button bar's buttons, a status bar's left and
 * right items, a property sheet's editors (its {@code .property-pane} grids), and a dialog pane's
 * header, content and buttons (a dialog pane is a layout, but its button bar is its own). Any other
 * control has no content: whatever lies inside it is its skin — scroll bars, list and table cells
 * and rows (with the check boxes a cell draws), column headers, a combo box's button cell, a text
 * area's inner scroll pane, a property sheet's hidden search box — and is reached and read through
 * the control itself.
 */
final class AppControls {
    private AppControls() {}

    /** The controls and charts the app put under {@code root}, hidden ones included, in scene-graph order. */
    static List<Node> in(Parent root) {
        return root.lookupAll("*").stream().filter(n -> n instanceof Control || n instanceof ChartViewer)
                .filter(AppControls::placedByApp).toList();
    }

    /** Whether {@code node} lies, at every control above it, in that control's content. */
    static boolean placedByApp(Node node) {
        List<Node> path = new ArrayList<>(List.of(node));
        for (Parent above = node.getParent(); above != null; above = above.getParent()) {
            Collection<Node> content = content(above);
            if (content != null && path.stream().noneMatch(content::contains)) {
                return false;
            }
            path.add(above);
        }
        return true;
    }

    /** What the app hands {@code p} to show; null when {@code p} is a plain layout pane (all its children count). */
    private static Collection<Node> content(Parent p) {
        if (p instanceof ScrollPane s) {
            return present(s.getContent());
        } else if (p instanceof SplitPane s) {
            return s.getItems();
        } else if (p instanceof TabPane t) {
            return present(t.getTabs().stream().map(Tab::getContent).toArray(Node[]::new));
        } else if (p instanceof TitledPane t) {
            return present(t.getContent());
        } else if (p instanceof Accordion a) {
            return List.copyOf(a.getPanes());
        } else if (p instanceof ToolBar t) {
            return t.getItems();
        } else if (p instanceof ButtonBar b) {
            return b.getButtons();
        } else if (p instanceof StatusBar s) {
            return Stream.concat(s.getLeftItems().stream(), s.getRightItems().stream()).toList();
        } else if (p instanceof PropertySheet s) {
            return s.lookupAll(".property-pane");
        } else if (p instanceof DialogPane d) {
            return present(Stream.concat(Stream.of(d.getHeader(), d.getContent(), d.getExpandableContent()),
                    d.getButtonTypes().stream().map(d::lookupButton)).toArray(Node[]::new));
        }
        return p instanceof Control ? List.of() : null;
    }

    private static List<Node> present(Node... nodes) {
        return Stream.of(nodes).filter(Objects::nonNull).toList();
    }

    /** Whether {@code node} and every node above it are visible (a folded pane's content and a hidden tab's are not). */
    static boolean showing(Node node) {
        for (Node n = node; n != null; n = n.getParent()) {
            if (!n.isVisible()) {
                return false;
            }
        }
        return node.getScene() != null;
    }

    /** A node for a failure message: its class, id and text, then the ids or classes of a few nodes above it. */
    static String describe(Node node) {
        String text = node instanceof Labeled l && l.getText() != null ? " \"" + l.getText() + "\"" : "";
        List<String> above = new ArrayList<>();
        for (Parent p = node.getParent(); p != null && above.size() < 4; p = p.getParent()) {
            if (p.getId() != null || p instanceof Control) {
                above.add(p.getClass().getSimpleName() + (p.getId() == null ? "" : "#" + p.getId()));
            }
        }
        return node.getClass().getSimpleName() + (node.getId() == null ? "" : "#" + node.getId()) + text
                + " in " + above.stream().collect(Collectors.joining(" < "));
    }
}
