package io.quantscope.app;

import io.quantscope.app.ui.QuantscopeApp;
import javafx.application.Application;

/** Starts the JavaFX app; separate from {@link Main} so the command line never loads JavaFX classes. */
final class DesktopLauncher {
    private DesktopLauncher() {}

    static void launch(String[] args) {
        Application.launch(QuantscopeApp.class, args);
    }
}
