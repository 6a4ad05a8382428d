package io.quantscope.app.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Turns streamed token bytes into text, holding back a UTF-8 character split across tokens until it completes. */
public final class Utf8Pieces {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** The text that is complete after adding {@code bytes}. */
    public String add(byte[] bytes) {
        pending.writeBytes(bytes);
        byte[] all = pending.toByteArray();
        int end = completeLength(all);
        pending.reset();
        pending.write(all, end, all.length - end);
        return new String(all, 0, end, StandardCharsets.UTF_8);
    }

    /** Whatever is still pending (an incomplete character shows as a replacement character). */
    public String rest() {
        String s = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return s;
    }

    /** Length of the prefix that does not end inside a multi-byte character. */
    static int completeLength(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
