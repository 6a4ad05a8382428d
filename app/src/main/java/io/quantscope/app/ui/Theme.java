package io.quantscope.app.ui;

import java.util.List;
import java.util.Objects;
import javafx.scene.Scene;

/** Light and dark themes: a token sheet (colours only) plus the shared app sheet that uses the tokens. */
public enum Theme {
    LIGHT("tokens-light.css"),
    DARK("tokens-dark.css");

    private static final String BASE = "/io/quantscope/ui/";
    private final String tokens;

    Theme(String tokens) {
        this.tokens = tokens;
    }

    public List<String> stylesheets() {
        return List.of(url(tokens), url("app.css"));
    }

    public void apply(Scene scene) {
        scene.getStylesheets().setAll(stylesheets());
    }

    private static String url(String name) {
        return Objects.requireNonNull(Theme.class.getResource(BASE + name), "missing stylesheet " + name)
                .toExternalForm();
    }
}
