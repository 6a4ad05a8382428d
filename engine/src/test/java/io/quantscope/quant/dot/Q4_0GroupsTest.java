package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q4_0 in groups of 32 rows against the file's layout: one token gives the reference's bits, a batch gives the lane
 * batch's bits, a row decodes to the same floats, and a scale the vector conversion does not cover keeps the file's
 * layout.
 */
class Q4_0GroupsTest {
    private static final int ROWS = 64;

    /**
     * Random blocks, every fourth with all its weights at one end (large block sums, which make the order of the
     * scale products show); scales of every kind the conversion covers: normal, subnormal, ±0, the largest, negative.
     */
    private static byte[] matrix(int rows, int cols, Random rnd) {
        byte[] w = new byte[(int) GgmlType.Q4_0.rowBytes(cols) * rows];
        rnd.nextBytes(w);
        for (int b = 0; b < w.length / 18; b += 4) {
            java.util.Arrays.fill(w, 18 * b + 2, 18 * b + 18, (byte) (rnd.nextBoolean() ? 0x00 : 0xFF));
        }
        float[] special = {0f, -0f, 65504f, -65504f, 6e-8f, -3e-6f, 6.1e-5f, 1f, -0.5f};
        for (int b = 0; b < w.length / 18; b++) {
            float d = b % 5 == 0 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextGaussian() * 0.02);
            short h = Float.floatToFloat16(d);
            w[18 * b] = (byte) h;
            w[18 * b + 1] = (byte) (h >> 8);
        }
        return w;
    }

    /** Gaussian blocks, and blocks of one sign (which meet the one-ended weight blocks in large sums). */
    @Test
    void oneTokenGivesTheReferenceBits() {
        assumeTrue(RowGroups.applies(GgmlType.Q4_0, ROWS, 32));
        Random rnd = new Random(40);
        for (int cols : new int[] {32, 320, 2048}) {
            byte[] w = matrix(ROWS, cols, rnd);
            MemorySegment file = MemorySegment.ofArray(w);
            MemorySegment groups = MemorySegment.ofArray(RowGroupsFixture.grouped(GgmlType.Q4_0, w, ROWS, cols));
            for (int tokens = 1; tokens < LaneBatch.MIN_TOKENS; tokens++) {
                InputRows in = new InputRows(InputFormat.Q8_0)
                        .load(RowGroupsFixture.activations(tokens, cols, rnd), tokens, cols);
                RowGroups.prepare(GgmlType.Q4_0, in);
                int stride = ROWS + 3;
                float[] out = new float[tokens * stride];
                RowGroups.dotRows(GgmlType.Q4_0, groups, 0, ROWS, cols, in, out, stride);
                long rowBytes = GgmlType.Q4_0.rowBytes(cols);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < ROWS; r++) {
                        float ref = Kernels.of(GgmlType.Q4_0).dotReference(file, r * rowBytes, in, t);
                        assertEquals(
                                Float.floatToIntBits(ref),
                                Float.floatToIntBits(out[t * stride + r]),
                                cols + " columns, token " + t + ", row " + r + ": " + ref + " vs "
                                        + out[t * stride + r]);
                    }
                }
            }
        }
    }

    /**
     * The largest block sums a short lane has to hold: every weight −8 against activations all 127 (−32,512), and
     * every weight 7 against −127, each in a block of its own row.
     */
    @Test
    void oneTokenHoldsTheLargestBlockSums() {
        assumeTrue(RowGroups.applies(GgmlType.Q4_0, ROWS, 32));
        int cols = 64;
        byte[] w = new byte[(int) GgmlType.Q4_0.rowBytes(cols) * ROWS];
        for (int r = 0; r < ROWS; r++) {
            for (int b = 0; b < 2; b++) {
                int o = (r * 2 + b) * 18;
                short h = Float.floatToFloat16(1f + r);
                w[o] = (byte) h;
                w[o + 1] = (byte) (h >> 8);
                java.util.Arrays.fill(w, o + 2, o + 18, (byte) (r % 2 == 0 ? 0x00 : 0xFF));
            }
        }
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = i < 32 ? 1f : -1f;
        }
        InputRows in = new InputRows(InputFormat.Q8_0).load(x, 1, cols);
        assertEquals(127, in.qs[0]);
        assertEquals(-127, in.qs[32]);
        RowGroups.prepare(GgmlType.Q4_0, in);
        float[] out = new float[ROWS];
        RowGroups.dotRows(
                GgmlType.Q4_0,
                MemorySegment.ofArray(RowGroupsFixture.grouped(GgmlType.Q4_0, w, ROWS, cols)),
                0,
                ROWS,
                cols,
                in,
                out,
                ROWS);
        for (int r = 0; r < ROWS; r++) {
            int q = r % 2 == 0 ? -8 : 7;
            float expected = (q * 127 * 32) * (1f + r) * in.d[0] + (q * -127 * 32) * (1f + r) * in.d[1];
            assertEquals(expected, out[r], Math.abs(expected) * 1e-6f, "row " + r);
        }
    }

    @Test
    void aBatchGivesTheLaneBatchBits() {
        assumeTrue(RowGroups.applies(GgmlType.Q4_0, ROWS, 32));
        Random rnd = new Random(41);
        for (int cols : new int[] {32, 320, 2048}) {
            byte[] w = matrix(ROWS, cols, rnd);
            MemorySegment groups = MemorySegment.ofArray(RowGroupsFixture.grouped(GgmlType.Q4_0, w, ROWS, cols));
            for (int tokens : new int[] {LaneBatch.MIN_TOKENS, 7, 13, 40}) {
                InputRows in = new InputRows(InputFormat.Q8_0)
                        .load(RowGroupsFixture.activations(tokens, cols, rnd), tokens, cols);
                assertTrue(in.lanePad > 0, "the batch runs as a lane product");
                RowGroups.prepare(GgmlType.Q4_0, in);
                float[] expected = new float[tokens * ROWS];
                Kernels.of(GgmlType.Q4_0)
                        .dotRows(
                                MemorySegment.ofArray(w), 0, GgmlType.Q4_0.rowBytes(cols), ROWS, in, expected, 0, ROWS);
                float[] out = new float[tokens * ROWS];
                // two calls of one group each, as the pool hands them out
                RowGroups.dotRows(GgmlType.Q4_0, groups, 0, 32, cols, in, out, ROWS);
                RowGroups.dotRows(GgmlType.Q4_0, groups, 32, 64, cols, in, out, ROWS);
                assertArrayEquals(expected, out, cols + " columns, " + tokens + " tokens");
            }
        }
    }

    @Test
    void aRowDecodesAsInTheFile() {
        Random rnd = new Random(42);
        int cols = 320;
        byte[] w = matrix(ROWS, cols, rnd);
        MemorySegment groups = MemorySegment.ofArray(RowGroupsFixture.grouped(GgmlType.Q4_0, w, ROWS, cols));
        int rowBytes = (int) GgmlType.Q4_0.rowBytes(cols);
        for (int r = 0; r < ROWS; r++) {
            float[] expected = new float[cols + 1];
            Codecs.of(GgmlType.Q4_0).dequantizeRow(w, r * rowBytes, cols, expected, 1);
            float[] out = new float[cols + 1];
            RowGroups.row(GgmlType.Q4_0, groups, r, cols, out, 1);
            assertArrayEquals(expected, out, "row " + r);
        }
    }

    @Test
    void infiniteOrNaNScalesKeepTheFileLayout() {
        Random rnd = new Random(43);
        int cols = 64;
        for (float bad : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}) {
            byte[] w = matrix(32, cols, rnd);
            int at = 18 * 37; // a block in the middle of the group
            short h = Float.floatToFloat16(bad);
            w[at] = (byte) h;
            w[at + 1] = (byte) (h >> 8);
            assertFalse(RowGroups.repackGroup(GgmlType.Q4_0, w, 0, new byte[w.length], 0, cols), "scale " + bad);
        }
    }

    @Test
    void onlyTheGroupedTypesInWholeGroupsOfRows() {
        boolean machine = LaneDots.ENABLED && LaneDots.SHORTS;
        for (GgmlType type :
                new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q6_K, GgmlType.F16
                }) {
            assertEquals(machine, RowGroups.applies(type, 64, 2048), type.name());
            assertFalse(RowGroups.applies(type, 48, 2048), type.name());
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q6_K}) {
            assertFalse(RowGroups.applies(type, 64, 2048 + 32), type.name() + " in part blocks");
        }
        assertFalse(RowGroups.applies(GgmlType.Q8_0, 64, 2048));
        assertFalse(RowGroups.applies(GgmlType.Q5_K, 64, 2048));
    }
}
