package io.quantscope.app.ui;

import io.quantscope.app.concurrent.FxBackgroundRunner;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.stage.Stage;

/** The JavaFX application: the composition root that wires the window, its view-models and the background runner. */
public final class QuantscopeApp extends Application {
    private FxBackgroundRunner runner;

    @Override
    public void start(Stage stage) {
        runner = new FxBackgroundRunner();
        MainWindow window = new MainWindow(
                runner,
                cacheDir(),
                runner.runningProperty(),
                Path.of(System.getProperty("user.home"), "Quantscope"),
                runner.executor());
        window.useSettings(
                new io.quantscope.app.settings.SettingsStore(configDir().resolve("settings.json")));
        var settings = window.settings();
        stage.setTitle("Quantscope");
        stage.setScene(window.createScene(settings.windowWidth(), settings.windowHeight()));
        stage.setOnHidden(e -> window.saveSettings());
        stage.show();
        var files = getParameters().getRaw();
        if (files.isEmpty()) {
            window.openSample();
        } else {
            window.open(Path.of(files.get(0)));
        }
    }

    @Override
    public void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    /** Where the app keeps its settings: {@code $XDG_CONFIG_HOME/quantscope} or {@code ~/.config/quantscope}. */
    static Path configDir() {
        String override = System.getProperty("quantscope.config");
        if (override != null) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("quantscope");
    }

    /** Where the app keeps files it makes for itself: {@code $XDG_CACHE_HOME/quantscope} or {@code ~/.cache/quantscope}. */
    static Path cacheDir() {
        String override = System.getProperty("quantscope.cache");
        if (override != null) {
            return Path.of(override);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("quantscope");
    }
}
