package io.quantscope.app.cli;

import io.quantscope.gguf.GgufValue;
import java.util.Locale;

/** Number and size formatting shared by the text outputs. */
public final class Format {
    private Format() {}

    /** 4197120 → "4,197,120". */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Binary units: 16802656 → "16.02 MiB". */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }

    /** A metadata scalar as text. */
    public static String value(GgufValue v) {
        return switch (v.type()) {
            case UINT64 -> Long.toUnsignedString(v.asLong());
            case FLOAT32, FLOAT64, BOOL, STRING -> String.valueOf(v.value());
            case ARRAY -> v.asArray().elementType() + "[" + v.asArray().length() + "]";
            default -> Long.toString(v.asLong());
        };
    }
}
