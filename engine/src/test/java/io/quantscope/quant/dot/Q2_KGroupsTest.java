package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q2_K in groups of 32 rows against the file's layout: one token within float rounding of the reference (every scale
 * and min pattern), the largest sums a short lane holds, a batch with the lane batch's bits, rows as in the file, and
 * a non-finite d or dmin keeping the file's layout.
 */
class Q2_KGroupsTest {
    private static final GgmlType TYPE = GgmlType.Q2_K;
    private static final int ROWS = 64;

    /** Random bytes (every scale, min and value pattern) with sane fp16 d and dmin. */
    private static byte[] matrix(int rows, int cols, Random rnd) {
        byte[] w = new byte[(int) TYPE.rowBytes(cols) * rows];
        rnd.nextBytes(w);
        for (int b = 0; b < w.length / 84; b++) {
            RowGroupsFixture.putHalf(w, 84 * b + 80, 0.001f + rnd.nextFloat() * 0.02f);
            RowGroupsFixture.putHalf(w, 84 * b + 82, rnd.nextFloat() * 0.01f);
        }
        return w;
    }

    @Test
    void oneTokenIsTheReferenceWithinRounding() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(60);
        for (int cols : new int[] {256, 1024, 2048}) {
            // |q·scale·d| + |min·dmin| ≤ 3·15·0.021 + 15·0.01 per weight
            RowGroupsFixture.assertOneTokenIsTheReference(TYPE, matrix(ROWS, cols, rnd), cols, 1.1, rnd);
        }
    }

    /**
     * Every value 3 and every activation at the largest magnitude Q8_K gives (a block of one value repeated: −127),
     * so each sixteen-weight short accumulator holds 16·3·127, with scales and mins at their largest, 15: exact
     * integers times d and dmin.
     */
    @Test
    void oneTokenHoldsTheLargestSums() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        int cols = 256;
        byte[] w = new byte[(int) TYPE.rowBytes(cols) * ROWS];
        for (int r = 0; r < ROWS; r++) {
            int o = 84 * r;
            Arrays.fill(w, o, o + 80, (byte) 0xFF); // every scale and min 15, every value 3
            RowGroupsFixture.putHalf(w, o + 80, 1f);
            RowGroupsFixture.putHalf(w, o + 82, 0.5f);
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
        float dy = in.d[0];
        float expected = (1f * dy) * (15 * 3 * q * 256) - (0.5f * dy) * (15 * q * 256);
        for (int r = 0; r < ROWS; r++) {
            assertEquals(expected, out[r], Math.abs(expected) * 1e-6f, "row " + r);
        }
    }

    @Test
    void aBatchGivesTheLaneBatchBits() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(61);
        for (int cols : new int[] {256, 768}) {
            byte[] w = matrix(ROWS, cols, rnd);
            RowGroupsFixture.assertBatchGivesTheLaneBatchBits(TYPE, w, cols, rnd);
        }
    }

    @Test
    void aRowDecodesAsInTheFile() {
        Random rnd = new Random(62);
        int cols = 512;
        byte[] w = matrix(ROWS, cols, rnd);
        RowGroupsFixture.assertRowsDecodeAsInTheFile(TYPE, w, ROWS, cols);
    }

    @Test
    void aNonFiniteScaleKeepsTheFilesLayout() {
        Random rnd = new Random(63);
        int cols = 512;
        // row 18's second block: d, dmin
        RowGroupsFixture.assertANonFiniteHalfKeepsTheFilesLayout(
                TYPE, cols, () -> matrix(RowGroups.ROWS, cols, rnd), 84 * 37 + 80, 84 * 37 + 82);
    }
}
