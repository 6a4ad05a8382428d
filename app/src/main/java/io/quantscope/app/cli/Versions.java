package io.quantscope.app.cli;

import picocli.CommandLine;

/** Versions of Quantscope and its runtime, for {@code --version} and the About box. */
public final class Versions implements CommandLine.IVersionProvider {
    public static String quantscope() {
        String v = Versions.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {
            "Quantscope " + quantscope(),
            "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
            "llama.cpp reference: c392e5094 (b4748)"
        };
    }
}
