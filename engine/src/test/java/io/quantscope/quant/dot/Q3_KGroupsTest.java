package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q3_K in groups of 32 rows against the file's layout: one token within float rounding of the reference (every scale,
 * mask and value pattern), the largest sums a short lane holds, a batch with the lane batch's bits, rows as in the file, and
 * a non-finite d keeping the file's layout.
 */
class Q3_KGroupsTest {
    private static final GgmlType TYPE = GgmlType.Q3_K;
    private static final int ROWS = 64;

    /** Random bytes (every scale, mask and value pattern) with a sane fp16 d. */
    private static byte[] matrix(int rows, int cols, Random rnd) {
        byte[] w = new byte[(int) TYPE.rowBytes(cols) * rows];
        rnd.nextBytes(w);
        for (int b = 0; b < w.length / 110; b++) {
            RowGroupsFixture.putHalf(
                    w, 110 * b + 108, (rnd.nextBoolean() ? 1 : -1) * (0.001f + rnd.nextFloat() * 0.02f));
        }
        return w;
    }

    @Test
    void oneTokenIsTheReferenceWithinRounding() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(70);
        for (int cols : new int[] {256, 1024, 2048}) {
            // |value·scale·d| ≤ 4·32·0.021 per weight
            RowGroupsFixture.assertOneTokenIsTheReference(TYPE, matrix(ROWS, cols, rnd), cols, 2.7, rnd);
        }
    }

    /**
     * Every weight at one end of Q3_K's range and every activation at the largest magnitude Q8_K gives (a block of one
     * value repeated: −127): all bytes 0xFF (values 3, scales 63 − 32 = 31) and all bytes 0 (values −4, scales −32),
     * so each sixteen-weight short accumulator holds 16·7·127 before the offset comes back: exact integers times d.
     */
    @Test
    void oneTokenHoldsTheLargestSums() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        int cols = 256;
        for (int fill : new int[] {0xFF, 0}) {
            byte[] w = new byte[(int) TYPE.rowBytes(cols) * ROWS];
            for (int r = 0; r < ROWS; r++) {
                int o = 110 * r;
                Arrays.fill(w, o, o + 108, (byte) fill);
                RowGroupsFixture.putHalf(w, o + 108, -0.5f);
            }
            float[] x = new float[cols];
            Arrays.fill(x, 1f);
            InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, cols);
            Kernels.of(TYPE).prepare(in);
            int q = in.qs[0];
            assertEquals(127, Math.abs(q));
            RowGroups.prepare(TYPE, in);
            float[] out = new float[ROWS];
            RowGroups.dotRows(
                    TYPE,
                    MemorySegment.ofArray(RowGroupsFixture.grouped(TYPE, w, ROWS, cols)),
                    0,
                    ROWS,
                    cols,
                    in,
                    out,
                    ROWS);
            int value = fill == 0 ? -4 : 3;
            int scale = fill == 0 ? -32 : 31;
            float expected = (-0.5f * in.d[0]) * (scale * value * q * 256);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(expected, out[r], Math.abs(expected) * 1e-6f, fill + ", row " + r);
            }
        }
    }

    @Test
    void aBatchGivesTheLaneBatchBits() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(71);
        for (int cols : new int[] {256, 768}) {
            byte[] w = matrix(ROWS, cols, rnd);
            RowGroupsFixture.assertBatchGivesTheLaneBatchBits(TYPE, w, cols, rnd);
        }
    }

    @Test
    void aRowDecodesAsInTheFile() {
        Random rnd = new Random(72);
        int cols = 512;
        byte[] w = matrix(ROWS, cols, rnd);
        RowGroupsFixture.assertRowsDecodeAsInTheFile(TYPE, w, ROWS, cols);
    }

    @Test
    void aNonFiniteScaleKeepsTheFilesLayout() {
        Random rnd = new Random(73);
        int cols = 512;
        // row 18's second block's d
        RowGroupsFixture.assertANonFiniteHalfKeepsTheFilesLayout(
                TYPE, cols, () -> matrix(RowGroups.ROWS, cols, rnd), 110 * 37 + 108);
    }
}
