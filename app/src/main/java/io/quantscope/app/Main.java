package io.quantscope.app;

import io.quantscope.app.cli.QuantscopeCli;

/**
 * Entry point: no arguments opens the desktop app, a subcommand runs the command line without a window. Kept free of
 * JavaFX references so the command line works without a display.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            DesktopLauncher.launch(args);
        } else {
            System.exit(QuantscopeCli.run(args));
        }
    }
}
