package dev.scales.ui.help;

import java.util.List;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

/** A Markdown document drawn as wrapped, styled text (the styles are in guide.css), scrolling top to bottom. */
public final class GuideView extends ScrollPane {
    public GuideView(String markdown) {
        VBox page = new VBox(8);
        page.getStyleClass().add("guide-page");
        page.setPadding(new Insets(16, 24, 24, 24));
        for (Markdown.Block block : Markdown.parse(markdown)) {
            page.getChildren().add(node(block));
        }
        setId("user-guide");
        setAccessibleText("User guide");
        getStyleClass().add("guide");
        getStylesheets().add(GuideView.class.getResource("guide.css").toExternalForm());
        setContent(page);
        setFitToWidth(true);
    }

    private static Node node(Markdown.Block block) {
        return switch (block.kind()) {
            case HEADING -> {
                TextFlow heading = flow(block.text());
                heading.getStyleClass().addAll("guide-heading", "h" + Math.min(block.level(), 3));
                yield heading;
            }
            case PARAGRAPH -> flow(block.text());
            case BULLET, NUMBERED -> item(block);
            case CODE -> {
                Label code = new Label(block.text());
                code.getStyleClass().add("guide-code-block");
                code.setMaxWidth(Double.MAX_VALUE);
                yield code;
            }
        };
    }

    private static HBox item(Markdown.Block block) {
        Label marker = new Label(block.marker());
        marker.getStyleClass().add("guide-marker");
        marker.setMinWidth(22);
        TextFlow text = flow(block.text());
        HBox.setHgrow(text, Priority.ALWAYS);
        HBox row = new HBox(4, marker, text);
        row.getStyleClass().add("guide-item");
        return row;
    }

    /** A block's text with its bold, italic and code spans. */
    private static TextFlow flow(String text) {
        List<Text> runs = Markdown.spans(text).stream().map(span -> {
            Text run = new Text(span.text());
            run.getStyleClass().add("guide-" + span.style().name().toLowerCase(java.util.Locale.ROOT));
            return run;
        }).toList();
        TextFlow flow = new TextFlow(runs.toArray(Text[]::new));
        flow.getStyleClass().add("guide-text");
        flow.setMinWidth(0);
        return flow;
    }
}
