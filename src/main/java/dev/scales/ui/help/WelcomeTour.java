package dev.scales.ui.help;

import java.util.List;
import javafx.geometry.Bounds;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.controlsfx.control.PopOver;

/**
 * The welcome tour: a popover pointing at each part of the window in turn, with Back, Next and
 * Skip. It is done with when seen to the end, or closed with "Don't show again" ticked.
 */
public final class WelcomeTour {
    /** One stop: what it points at (a selector in the window), what it says, and whether it sits above it. */
    private record Stop(String selector, String title, String text, boolean above) {}

    private static final List<Stop> STOPS = List.of(
            new Stop("#prompt-pane .pane-title", "Improvise: the prompt pane",
                    "Write an instruction and a few examples, then Run (Ctrl+Enter): the answer comes token by "
                            + "token. Evaluate… and Sweep shots… measure accuracy on a test set.", false),
            new Stop("#finetune-pane .pane-title", "Practice: the fine-tuning pane",
                    "Open a labelled dataset, choose LoRA or Full and Start: the loss falls live. Every run is "
                            + "kept, and Resume run… goes on with one.", false),
            new Stop("#compare-tab", "Compare the two",
                    "An experiment sets base and fine-tuned, zero- and few-shot side by side on one test set, "
                            + "with what each costs.", false),
            new Stop("#lesson-tab", "The lesson, for a class",
                    "The pianist's story in four one-click steps: practice is fine-tuning, improvisation is "
                            + "prompting. Presentation (bottom right) and F11 make it readable from the back row.", false),
            new Stop("#help-menu", "Help is here",
                    "The user guide (F1), the keyboard shortcuts, this tour and the versions.", true));

    private final Parent root;
    private final Runnable beforeShowing;
    private final Runnable done;
    private final CheckBox dontShow = new CheckBox("Don't show again");
    private PopOver pop;
    private int index;

    /**
     * A tour over {@code root}'s window; {@code beforeShowing} brings the parts it points at into
     * view, {@code done} remembers that it is done with.
     */
    public WelcomeTour(Parent root, Runnable beforeShowing, Runnable done) {
        this.root = root;
        this.beforeShowing = beforeShowing;
        this.done = done;
        dontShow.setId("tour-dont-show");
    }

    /** Starts from the first stop (again, when it is open). */
    public void start() {
        beforeShowing.run();
        root.applyCss();
        root.layout();
        show(0);
    }

    private void show(int i) {
        hide();
        index = i;
        Stop stop = STOPS.get(i);
        Node anchor = root.lookup(stop.selector());
        Bounds b = anchor == null ? null : anchor.localToScreen(anchor.getBoundsInLocal());
        if (b == null) {
            return; // the window is gone (closed during the tour)
        }
        pop = new PopOver(content(stop));
        pop.setDetachable(false);
        pop.setAnimated(false); // each step replaces the last at once
        pop.setAutoHide(false);
        pop.setArrowLocation(stop.above() ? PopOver.ArrowLocation.BOTTOM_RIGHT : PopOver.ArrowLocation.TOP_LEFT);
        pop.setOnHidden(e -> close(false)); // Esc
        double x = stop.above() ? b.getCenterX() : b.getMinX() + Math.min(b.getWidth() / 2, 40);
        // Owned by the window's root, not the anchor: a popover takes its owner's styles (a title's bold).
        pop.show(root, x, stop.above() ? b.getMinY() : b.getMaxY());
    }

    private VBox content(Stop stop) {
        Label step = new Label("Step " + (index + 1) + " of " + STOPS.size());
        step.setId("tour-step");
        step.getStyleClass().add("muted");
        Label title = new Label(stop.title());
        title.setId("tour-title");
        title.setStyle("-fx-font-weight: bold; -fx-font-size: 1.15em;");
        Label text = new Label(stop.text());
        text.setWrapText(true);
        text.setPrefWidth(340);
        text.setMinHeight(Region.USE_PREF_SIZE);
        Button back = button("tour-back", "Back", () -> show(index - 1));
        back.setDisable(index == 0);
        boolean last = index == STOPS.size() - 1;
        Button next = button("tour-next", last ? "Done" : "Next", () -> {
            if (last) {
                close(true);
            } else {
                show(index + 1);
            }
        });
        next.setDefaultButton(true);
        Button skip = button("tour-skip", "Skip", () -> close(false));
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox buttons = new HBox(8, dontShow, gap, skip, back, next);
        buttons.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(8, step, title, text, buttons);
        box.setId("welcome-tour");
        box.setStyle("-fx-padding: 12;");
        return box;
    }

    private static Button button(String id, String text, Runnable action) {
        Button b = new Button(text);
        b.setId(id);
        b.setOnAction(e -> action.run());
        return b;
    }

    /** Ends the tour; seen to the end, or with "Don't show again" ticked, it is done with. */
    private void close(boolean finished) {
        hide();
        if (finished || dontShow.isSelected()) {
            done.run();
        }
    }

    private void hide() {
        if (pop != null) {
            PopOver p = pop;
            pop = null;
            p.setOnHidden(null);
            p.hide();
        }
    }
}
