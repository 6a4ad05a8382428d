package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.function.Supplier;

/** Test matrices in {@link RowGroups}' layout. */
final class RowGroupsFixture {
    private RowGroupsFixture() {}

    /** {@code rows} rows (a multiple of 32) of {@code w}, in the file's layout, laid out in groups; every group kept. */
    static byte[] grouped(GgmlType type, byte[] w, int rows, int cols) {
        int groupBytes = (int) type.rowBytes(cols) * RowGroups.ROWS;
        byte[] g = new byte[w.length];
        for (int i = 0; i < rows / RowGroups.ROWS; i++) {
            assertTrue(RowGroups.repackGroup(type, w, i * groupBytes, g, i * groupBytes, cols), "group " + i);
        }
        return g;
    }

    /** The fp16 of {@code v} at {@code b[at]}, little-endian. */
    static void putHalf(byte[] b, int at, float v) {
        short h = Float.floatToFloat16(v);
        b[at] = (byte) h;
        b[at + 1] = (byte) (h >> 8);
    }

    /** {@code tokens × cols} normal activations. */
    static float[] activations(int tokens, int cols, Random rnd) {
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }

    /**
     * A batch (in the type's input format) of each size a lane product takes · 64 rows of {@code w} in groups, in two calls of 32 rows: the bits
     * the file's layout gives.
     */
    static void assertBatchGivesTheLaneBatchBits(GgmlType type, byte[] w, int cols, Random rnd) {
        int rows = 64;
        MemorySegment groups = MemorySegment.ofArray(grouped(type, w, rows, cols));
        for (int tokens : new int[] {LaneBatch.MIN_TOKENS, 11, 33}) {
            InputRows in = new InputRows(Kernels.of(type).input()).load(activations(tokens, cols, rnd), tokens, cols);
            assertTrue(in.lanePad > 0, "the batch runs as a lane product");
            Kernels.of(type).prepare(in);
            RowGroups.prepare(type, in);
            float[] expected = new float[tokens * rows];
            Kernels.of(type).dotRows(MemorySegment.ofArray(w), 0, type.rowBytes(cols), rows, in, expected, 0, rows);
            float[] out = new float[tokens * rows];
            RowGroups.dotRows(type, groups, 0, 32, cols, in, out, rows);
            RowGroups.dotRows(type, groups, 32, 64, cols, in, out, rows);
            assertArrayEquals(expected, out, cols + " columns, " + tokens + " tokens");
        }
    }

    /** Every one of the {@code rows} rows of {@code w}, read back from its groups, dequantizes as in the file. */
    static void assertRowsDecodeAsInTheFile(GgmlType type, byte[] w, int rows, int cols) {
        MemorySegment groups = MemorySegment.ofArray(grouped(type, w, rows, cols));
        int rowBytes = (int) type.rowBytes(cols);
        for (int r = 0; r < rows; r++) {
            float[] expected = new float[cols];
            Codecs.of(type).dequantizeRow(w, r * rowBytes, cols, expected, 0);
            float[] out = new float[cols];
            RowGroups.row(type, groups, r, cols, out, 0);
            assertArrayEquals(expected, out, "row " + r);
        }
    }

    /**
     * Batches of 1 .. {@link LaneBatch#MIN_TOKENS}−1 Q8_K tokens, run token by token · 64 rows of {@code w} in groups:
     * each result the file layout's reference within float rounding, {@code 2e-6} of a bound on the sum of the
     * products' magnitudes ({@code perWeight·|q·d|} for each activation) plus {@code 1e-6}.
     */
    static void assertOneTokenIsTheReference(GgmlType type, byte[] w, int cols, double perWeight, Random rnd) {
        int rows = 64;
        MemorySegment file = MemorySegment.ofArray(w);
        MemorySegment groups = MemorySegment.ofArray(grouped(type, w, rows, cols));
        long rowBytes = type.rowBytes(cols);
        for (int tokens = 1; tokens < LaneBatch.MIN_TOKENS; tokens++) {
            InputRows in = new InputRows(InputFormat.Q8_K).load(activations(tokens, cols, rnd), tokens, cols);
            Kernels.of(type).prepare(in);
            RowGroups.prepare(type, in);
            int stride = rows + 5;
            float[] out = new float[tokens * stride];
            RowGroups.dotRows(type, groups, 0, rows, cols, in, out, stride);
            for (int t = 0; t < tokens; t++) {
                double norm = 0;
                for (int i = 0; i < cols; i++) {
                    norm += perWeight * Math.abs(in.qs[t * cols + i] * (double) in.d[(t * cols + i) / 256]);
                }
                for (int r = 0; r < rows; r++) {
                    float ref = Kernels.of(type).dotReference(file, r * rowBytes, in, t);
                    assertEquals(
                            ref, out[t * stride + r], 2e-6 * norm + 1e-6, cols + " columns, token " + t + ", row " + r);
                }
            }
        }
    }

    /**
     * A 32-row matrix from {@code matrix} repacks, and with an infinite or NaN half at any one of the byte offsets
     * {@code at} it does not (such a matrix keeps the file's layout).
     */
    static void assertANonFiniteHalfKeepsTheFilesLayout(GgmlType type, int cols, Supplier<byte[]> matrix, int... at) {
        int groupBytes = (int) type.rowBytes(cols) * RowGroups.ROWS;
        assertTrue(RowGroups.repackGroup(type, matrix.get(), 0, new byte[groupBytes], 0, cols), "finite");
        for (int o : at) {
            for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
                byte[] w = matrix.get();
                putHalf(w, o, bad);
                assertFalse(RowGroups.repackGroup(type, w, 0, new byte[groupBytes], 0, cols), o + ": " + bad);
            }
        }
    }
}
