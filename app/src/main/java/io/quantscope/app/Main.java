package io.quantscope.app;

import io.quantscope.app.cli.QuantscopeCli;

/**
 * Entry point: no arguments opens the desktop app (one .gguf file opens the app on it), a subcommand runs the command line without a window. Kept free of
 * JavaFX references so the command line works without a display.
 */
public final class Main {
    private Main() {}

    /** {@code quantscope MODEL.gguf} opens the model in the app. */
    static boolean opensInTheApp(String arg) {
        return arg.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf")
                && java.nio.file.Files.isRegularFile(java.nio.file.Path.of(arg));
    }

    public static void main(String[] args) {
        if (args.length == 0 || (args.length == 1 && opensInTheApp(args[0]))) {
            DesktopLauncher.launch(args);
        } else {
            System.exit(QuantscopeCli.run(args));
        }
    }
}
