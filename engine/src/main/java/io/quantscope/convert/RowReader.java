package io.quantscope.convert;

import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Reads rows of a mapped tensor of any supported type as floats (F32 copied, others converted or dequantized). */
public final class RowReader {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final ThreadLocal<short[][]> HALVES = ThreadLocal.withInitial(() -> new short[1][0]);

    private RowReader() {}

    private static short[] halves(int n) {
        short[][] h = HALVES.get();
        if (h[0].length < n) {
            h[0] = new short[n];
        }
        return h[0];
    }

    /** Row {@code r} of a tensor with rows of {@code n} weights into {@code x[0..n)}; {@code scratch} holds a row. */
    public static void read(MemorySegment data, GgmlType type, int n, long r, float[] x, byte[] scratch) {
        long rowBytes = type.rowBytes(n);
        long off = r * rowBytes;
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, off, x, 0, n);
            case F16 -> {
                // bulk copy, then a plain array loop the JIT turns into vector conversions
                short[] h = halves(n);
                MemorySegment.copy(data, I16, off, h, 0, n);
                for (int j = 0; j < n; j++) x[j] = Float.float16ToFloat(h[j]);
            }
            case BF16 -> {
                short[] h = halves(n);
                MemorySegment.copy(data, I16, off, h, 0, n);
                for (int j = 0; j < n; j++) x[j] = Float.intBitsToFloat((h[j] & 0xFFFF) << 16);
            }
            default -> {
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, scratch, 0, (int) rowBytes);
                Codecs.of(type).dequantizeRow(scratch, 0, n, x, 0);
            }
        }
    }
}
