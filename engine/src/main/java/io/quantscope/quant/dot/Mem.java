package io.quantscope.quant.dot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian reads from mapped tensor data. */
final class Mem {
    static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Mem() {}

    static int u8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    static int s8(MemorySegment m, long off) {
        return m.get(ValueLayout.JAVA_BYTE, off);
    }

    static float f16(MemorySegment m, long off) {
        return Float.float16ToFloat(m.get(SHORT, off));
    }

    static float bf16(MemorySegment m, long off) {
        return Float.intBitsToFloat((m.get(SHORT, off) & 0xFFFF) << 16);
    }

    static float f32(MemorySegment m, long off) {
        return m.get(FLOAT, off);
    }

    /** The 12 packed scale bytes of a K-quant block starting at {@code off}. */
    static byte[] scales12(MemorySegment m, long off, byte[] into) {
        MemorySegment.copy(m, ValueLayout.JAVA_BYTE, off, into, 0, 12);
        return into;
    }

    static int u32(MemorySegment m, long off) {
        return m.get(INT, off);
    }
}
