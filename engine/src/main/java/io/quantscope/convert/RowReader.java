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

    private RowReader() {}

    /** Row {@code r} of a tensor with rows of {@code n} weights into {@code x[0..n)}; {@code scratch} holds a row. */
    public static void read(MemorySegment data, GgmlType type, int n, long r, float[] x, byte[] scratch) {
        long rowBytes = type.rowBytes(n);
        long off = r * rowBytes;
        switch (type) {
            case F32 -> MemorySegment.copy(data, F32, off, x, 0, n);
            case F16 -> {
                for (int j = 0; j < n; j++) x[j] = Float.float16ToFloat(data.get(I16, off + 2L * j));
            }
            case BF16 -> {
                for (int j = 0; j < n; j++) x[j] = Float.intBitsToFloat((data.get(I16, off + 2L * j) & 0xFFFF) << 16);
            }
            default -> {
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, scratch, 0, (int) rowBytes);
                Codecs.of(type).dequantizeRow(scratch, 0, n, x, 0);
            }
        }
    }
}
