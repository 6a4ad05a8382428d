package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q4_K in groups of 32 rows against the file's layout: one token within float rounding of the reference (every packed
 * scale and min pattern), the largest sums a short lane holds, a batch with the lane batch's bits, rows as in the file,
 * a non-finite d or dmin keeping the file's layout.
 */
class Q4_KGroupsTest {
    private static final GgmlType TYPE = GgmlType.Q4_K;
    private static final int ROWS = 64;

    /** Random bytes (every scale and min bit pattern) with sane fp16 d and dmin. */
    private static byte[] matrix(int rows, int cols, Random rnd) {
        byte[] w = new byte[(int) TYPE.rowBytes(cols) * rows];
        rnd.nextBytes(w);
        for (int b = 0; b < w.length / 144; b++) {
            RowGroupsFixture.putHalf(w, 144 * b, 0.001f + rnd.nextFloat() * 0.02f);
            RowGroupsFixture.putHalf(w, 144 * b + 2, rnd.nextFloat() * 0.01f);
        }
        return w;
    }

    @Test
    void oneTokenIsTheReferenceWithinRounding() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(50);
        for (int cols : new int[] {256, 1024, 2048}) {
            RowGroupsFixture.assertOneTokenIsTheReference(TYPE, matrix(ROWS, cols, rnd), cols, 15 * 63 * 0.03, rnd);
        }
    }

    /**
     * Every weight 15 and every activation at the largest magnitude Q8_K gives (a block of one value repeated: −127),
     * each sixteen-weight short accumulator at 16·15·127, scales and mins at their largest, 63: exact integers times
     * the scales.
     */
    @Test
    void oneTokenHoldsTheLargestSums() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        int cols = 256;
        byte[] w = new byte[(int) TYPE.rowBytes(cols) * ROWS];
        for (int r = 0; r < ROWS; r++) {
            int o = 144 * r;
            RowGroupsFixture.putHalf(w, o, 1f);
            RowGroupsFixture.putHalf(w, o + 2, 0.5f);
            java.util.Arrays.fill(w, o + 4, o + 16, (byte) 0xFF); // every 6-bit scale and min 63
            java.util.Arrays.fill(w, o + 16, o + 144, (byte) 0xFF); // every nibble 15
        }
        float[] x = new float[cols];
        java.util.Arrays.fill(x, 1f);
        InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, cols);
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
        float expected = (1f * dy) * (63 * 15 * q * 256) - (0.5f * dy) * (63 * q * 256);
        for (int r = 0; r < ROWS; r++) {
            assertEquals(expected, out[r], Math.abs(expected) * 1e-6f, "row " + r);
        }
    }

    @Test
    void aBatchGivesTheLaneBatchBits() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(51);
        for (int cols : new int[] {256, 768}) {
            byte[] w = matrix(ROWS, cols, rnd);
            RowGroupsFixture.assertBatchGivesTheLaneBatchBits(TYPE, w, cols, rnd);
        }
    }

    @Test
    void aRowDecodesAsInTheFile() {
        Random rnd = new Random(52);
        int cols = 512;
        byte[] w = matrix(ROWS, cols, rnd);
        RowGroupsFixture.assertRowsDecodeAsInTheFile(TYPE, w, ROWS, cols);
    }

    @Test
    void aNonFiniteScaleKeepsTheFilesLayout() {
        Random rnd = new Random(53);
        int cols = 512;
        // row 18's second block: d, dmin
        RowGroupsFixture.assertANonFiniteHalfKeepsTheFilesLayout(
                TYPE, cols, () -> matrix(RowGroups.ROWS, cols, rnd), 144 * 37, 144 * 37 + 2);
    }

    @Test
    void subnormalZeroAndNegativeScalesGiveTheReference() {
        assumeTrue(RowGroups.applies(TYPE, RowGroups.ROWS, 256));
        Random rnd = new Random(54);
        int cols = 512;
        byte[] w = matrix(RowGroups.ROWS, cols, rnd);
        float[] odd = {0x1p-24f, -0x1p-20f, 6.1e-5f, -2.0f, -0.0f, 0.0f};
        for (int i = 0; i < odd.length; i++) {
            RowGroupsFixture.putHalf(w, 144 * (2 * i + 1), odd[i]); // d of row i's second block
            RowGroupsFixture.putHalf(w, 144 * (2 * i) + 2, odd[odd.length - 1 - i]); // dmin of row i's first block
        }
        MemorySegment file = MemorySegment.ofArray(w);
        MemorySegment groups = MemorySegment.ofArray(RowGroupsFixture.grouped(TYPE, w, RowGroups.ROWS, cols));
        InputRows in = new InputRows(InputFormat.Q8_K).load(RowGroupsFixture.activations(1, cols, rnd), 1, cols);
        RowGroups.prepare(TYPE, in);
        float[] out = new float[RowGroups.ROWS];
        RowGroups.dotRows(TYPE, groups, 0, RowGroups.ROWS, cols, in, out, RowGroups.ROWS);
        double norm = 0;
        for (int i = 0; i < cols; i++) {
            norm += 15 * 63 * 2.0 * Math.abs(in.qs[i] * (double) in.d[i / 256]);
        }
        for (int r = 0; r < RowGroups.ROWS; r++) {
            float ref = Kernels.of(TYPE).dotReference(file, (long) r * TYPE.rowBytes(cols), in, 0);
            assertEquals(ref, out[r], 2e-6 * norm + 1e-6, "row " + r);
        }
    }
}
