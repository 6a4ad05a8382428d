package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * F16 in groups of 32 rows against the file's layout: one token within float rounding of the reference (normal,
 * subnormal and zero weights of both signs), a batch with the lane batch's bits, rows as in the file, and an infinite
 * or NaN weight keeping the file's layout.
 */
class F16GroupsTest {
    private static final GgmlType TYPE = GgmlType.F16;
    private static final int ROWS = 64;

    /** Halves of every kind but infinite and NaN: normal ones over a wide range, subnormals, and zeros of both signs. */
    private static byte[] matrix(int rows, int cols, Random rnd) {
        byte[] w = new byte[2 * rows * cols];
        for (int i = 0; i < rows * cols; i++) {
            float v = switch (rnd.nextInt(8)) {
                case 0 -> Float.float16ToFloat((short) rnd.nextInt(0x400)); // subnormal (or zero)
                case 1 -> -0f;
                default -> (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(24) - 12));
            };
            RowGroupsFixture.putHalf(w, 2 * i, rnd.nextBoolean() ? v : -v);
        }
        return w;
    }

    @Test
    void oneTokenIsTheReferenceWithinRounding() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(90);
        for (int cols : new int[] {32, 256, 1000, 2048}) {
            byte[] w = matrix(ROWS, cols, rnd);
            MemorySegment file = MemorySegment.ofArray(w);
            MemorySegment groups = MemorySegment.ofArray(RowGroupsFixture.grouped(TYPE, w, ROWS, cols));
            for (int tokens = 1; tokens < LaneBatch.MIN_TOKENS; tokens++) {
                InputRows in = new InputRows(InputFormat.F16)
                        .load(RowGroupsFixture.activations(tokens, cols, rnd), tokens, cols);
                Kernels.of(TYPE).prepare(in);
                RowGroups.prepare(TYPE, in);
                int stride = ROWS + 3;
                float[] out = new float[tokens * stride];
                RowGroups.dotRows(TYPE, groups, 0, ROWS, cols, in, out, stride);
                for (int t = 0; t < tokens; t++) {
                    for (int r = 0; r < ROWS; r++) {
                        double norm = 0;
                        for (int k = 0; k < cols; k++) {
                            norm += Math.abs(Float.float16ToFloat((short)
                                            ((w[2 * (r * cols + k)] & 0xFF) | (w[2 * (r * cols + k) + 1] << 8)))
                                    * (double) in.f[t * cols + k]);
                        }
                        float ref = Kernels.of(TYPE).dotReference(file, 2L * r * cols, in, t);
                        assertEquals(
                                ref, out[t * stride + r], 2e-6 * norm, cols + " columns, token " + t + ", row " + r);
                    }
                }
            }
        }
    }

    @Test
    void aBatchGivesTheLaneBatchBits() {
        assumeTrue(RowGroups.applies(TYPE, ROWS, 256));
        Random rnd = new Random(91);
        for (int cols : new int[] {256, 300, 768}) {
            RowGroupsFixture.assertBatchGivesTheLaneBatchBits(TYPE, matrix(ROWS, cols, rnd), cols, rnd);
        }
    }

    @Test
    void aRowDecodesAsInTheFile() {
        Random rnd = new Random(92);
        int cols = 200;
        RowGroupsFixture.assertRowsDecodeAsInTheFile(TYPE, matrix(ROWS, cols, rnd), ROWS, cols);
    }

    @Test
    void anInfiniteOrNaNWeightKeepsTheFilesLayout() {
        Random rnd = new Random(93);
        int cols = 256;
        // rows 0, 18 and 31, weights 0, 77 and 255
        RowGroupsFixture.assertANonFiniteHalfKeepsTheFilesLayout(
                TYPE, cols, () -> matrix(RowGroups.ROWS, cols, rnd), 0, 2 * (18 * cols + 77), 2 * (31 * cols + 255));
    }
}
