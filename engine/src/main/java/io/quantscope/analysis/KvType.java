package io.quantscope.analysis;

import java.util.Locale;

/** KV-cache element types llama.cpp offers ({@code --cache-type-k/-v}) with their storage cost. */
public enum KvType {
    F16(2, 1),
    Q8_0(34, 32),
    Q4_0(18, 32);

    private final int blockBytes;
    private final int blockElements;

    KvType(int blockBytes, int blockElements) {
        this.blockBytes = blockBytes;
        this.blockElements = blockElements;
    }

    /** Bytes for {@code elements} values ({@code elements} a multiple of the block size). */
    public long bytes(long elements) {
        if (elements % blockElements != 0) {
            throw new IllegalArgumentException(
                    "a " + this + " KV cache needs head dimensions that are multiples of " + blockElements);
        }
        return elements / blockElements * blockBytes;
    }

    /** Parses {@code f16}, {@code q8_0} or {@code q4_0} (any case). */
    public static KvType parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown KV cache type '" + s + "' (f16, q8_0 or q4_0)");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
