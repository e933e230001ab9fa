package dev.scales.ui.prompt;

import dev.scales.core.generate.GeneratedToken;
import java.util.List;
import java.util.Locale;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.util.Duration;

/**
 * Generated tokens as chips, shaded by the model's confidence (pale = unsure); hovering one shows
 * its probability and the alternatives the model weighed.
 */
public final class TokenStrip extends FlowPane {
    static final int CONFIDENCE_STEPS = 5;

    public TokenStrip(ObservableList<GeneratedToken> tokens) {
        setId("token-strip");
        getStyleClass().add("token-strip");
        setHgap(2);
        setVgap(3);
        tokens.addListener((ListChangeListener<GeneratedToken>) change -> {
            while (change.next()) {
                if (change.wasRemoved() && tokens.isEmpty()) {
                    getChildren().clear();
                }
                if (change.wasAdded()) {
                    change.getAddedSubList().forEach(t -> getChildren().add(chip(t)));
                }
            }
        });
    }

    static Label chip(GeneratedToken t) {
        Label chip = new Label(visible(t.alternatives().isEmpty() ? t.text()
                : t.alternatives().stream().filter(a -> a.id() == t.id()).map(GeneratedToken.Alternative::text)
                        .findFirst().orElse(t.text())));
        // Confidence as the chip's shade, in five steps (scales.css): faint at p = 0, strong at p = 1.
        chip.getStyleClass().addAll("token-chip", "confidence-" + confidence(t.probability()));
        Tooltip tip = new Tooltip(describe(t));
        tip.setShowDelay(Duration.millis(150));
        chip.setTooltip(tip);
        return chip;
    }

    /** A probability's step of confidence, 0 to {@value #CONFIDENCE_STEPS} − 1. */
    static int confidence(double p) {
        return Math.max(0, Math.min(CONFIDENCE_STEPS - 1, (int) (p * CONFIDENCE_STEPS)));
    }

    static String describe(GeneratedToken t) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "p = %.3f%n", t.probability()));
        List<GeneratedToken.Alternative> alts = t.alternatives();
        for (GeneratedToken.Alternative a : alts) {
            sb.append(String.format(Locale.ROOT, "%s %-14s %.3f%n", a.id() == t.id() ? "▸" : " ",
                    "\"" + visible(a.text()) + "\"", a.probability()));
        }
        return sb.toString().strip();
    }

    /** Whitespace made visible: a token that is a newline or spaces must still show as something. */
    static String visible(String s) {
        return s.replace("\n", "↵").replace("\t", "⇥").replace(" ", "·");
    }
}
