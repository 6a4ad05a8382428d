package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q6_K in groups of 32 rows against the file's layout: one token within float rounding of the reference (every scale
 * and value pattern), the largest sums a short lane holds (and one that wraps on the way), a batch with the lane batch's
 * bits, rows as in the file, and a non-finite d keeping the file's layout.
 */
class Q6_KGroupsTest {
    private static final GgmlType TYPE = GgmlType.Q6_K;
    private static final int ROWS = 64;

    /** Random bytes (every scale and value pattern) with a sane fp16 d. */
    private static byte[] matrix(int rows, int cols, Random rnd) {
        byte[] w = new byte[(int) TYPE.rowBytes(cols) * rows];
        rnd.nextBytes(w);
        for (int b = 0; b < w.length / 210; b++) {
            RowGroupsFixture.putHalf(
                    w, 210 * b + 208, (rnd.nextBoolean() ? 1 : -1) * (0.0001f + rnd.nextFloat() * 0.002f));
        }
        return w;
    }

    @Test
    void oneTokenIsTheReferenceWithinRounding() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(80);
        for (int cols : new int[] {256, 1024, 2048}) {
            // |value·scale·d| ≤ 32·128·0.0021 per weight
            RowGroupsFixture.assertOneTokenIsTheReference(TYPE, matrix(ROWS, cols, rnd), cols, 8.7, rnd);
        }
    }

    /**
     * Every weight at one end of Q6_K's range, every scale at one end of int8's and every activation at the largest
     * magnitude Q8_K gives (a block of one value repeated: −127): value bytes all 0 (values −32, so each eight weights'
     * short sum is 8·32·127 = 32,512) and all 0xFF (values 31; the products' sum 8·63·127 wraps the short before the
     * offset comes back). Exact integers times d.
     */
    @Test
    void oneTokenHoldsTheLargestSums() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        int cols = 256;
        for (int fill : new int[] {0, 0xFF}) {
            for (int scale : new int[] {-128, 127}) {
                byte[] w = new byte[(int) TYPE.rowBytes(cols) * ROWS];
                for (int r = 0; r < ROWS; r++) {
                    int o = 210 * r;
                    Arrays.fill(w, o, o + 192, (byte) fill);
                    Arrays.fill(w, o + 192, o + 208, (byte) scale);
                    RowGroupsFixture.putHalf(w, o + 208, -0.5f);
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
                int value = fill == 0 ? -32 : 31;
                float expected = (-0.5f * in.d[0]) * ((float) scale * value * q * 256);
                for (int r = 0; r < ROWS; r++) {
                    assertEquals(expected, out[r], Math.abs(expected) * 1e-6f, fill + ", " + scale + ", row " + r);
                }
            }
        }
    }

    @Test
    void aBatchGivesTheLaneBatchBits() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(81);
        for (int cols : new int[] {256, 768}) {
            byte[] w = matrix(ROWS, cols, rnd);
            RowGroupsFixture.assertBatchGivesTheLaneBatchBits(TYPE, w, cols, rnd);
        }
    }

    @Test
    void aRowDecodesAsInTheFile() {
        Random rnd = new Random(82);
        int cols = 512;
        byte[] w = matrix(ROWS, cols, rnd);
        RowGroupsFixture.assertRowsDecodeAsInTheFile(TYPE, w, ROWS, cols);
    }

    @Test
    void aNonFiniteScaleKeepsTheFilesLayout() {
        Random rnd = new Random(83);
        int cols = 512;
        // row 18's second block's d
        RowGroupsFixture.assertANonFiniteHalfKeepsTheFilesLayout(
                TYPE, cols, () -> matrix(RowGroups.ROWS, cols, rnd), 210 * 37 + 208);
    }
}
