package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class InputRowsTest {
    /** Blocks of 256 that reach each of the quantizer's cases: ties in |x| of either sign first, zeros, NaN, huge. */
    private static float[] blocks(int nb, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[nb * 256];
        for (int b = 0; b < nb; b++) {
            int o = b * 256;
            for (int j = 0; j < 256; j++) {
                x[o + j] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(7) - 3));
            }
            switch (b % 6) {
                case 0 -> { // the same largest magnitude twice, the negative one first
                    x[o + 17] = -5e4f;
                    x[o + 200] = 5e4f;
                }
                case 1 -> { // ... the positive one first
                    x[o + 3] = 3e4f;
                    x[o + 250] = -3e4f;
                }
                case 2 -> Arrays.fill(x, o, o + 256, 0f);
                case 3 -> x[o + 100] = Float.NaN;
                case 4 -> x[o + 5] = Float.MAX_VALUE;
                default -> x[o + 255] = -0.0f;
            }
        }
        return x;
    }

    @Test
    void q8KInLanesGivesTheReferenceBytesScalesAndSums() {
        assumeTrue(InputRows.VECTOR_Q8K, "no sixteen-lane vectors here");
        int nb = 60;
        float[] x = blocks(nb, 3);
        InputRows lanes = new InputRows(InputFormat.Q8_K).load(x, 1, nb * 256);
        InputRows ref = new InputRows(InputFormat.Q8_K).load(x, 1, nb * 256);
        int vectorBlocks = 0;
        for (int b = 0; b < nb; b++) {
            ref.quantizeQ8KBlock(x, b);
            boolean tookLanes = lanes.quantizeQ8KLanes(x, b);
            if (b % 6 == 2 || b % 6 == 3) {
                assertFalse(tookLanes, "zero and NaN blocks are the reference's: block " + b);
                lanes.quantizeQ8KBlock(x, b);
            } else {
                assertTrue(tookLanes, "block " + b);
                vectorBlocks++;
            }
            assertArrayEquals(
                    Arrays.copyOfRange(ref.qs, b * 256, b * 256 + 256),
                    Arrays.copyOfRange(lanes.qs, b * 256, b * 256 + 256),
                    "levels of block " + b);
            assertArrayEquals(
                    Arrays.copyOfRange(ref.bsums, b * 16, b * 16 + 16),
                    Arrays.copyOfRange(lanes.bsums, b * 16, b * 16 + 16),
                    "sums of block " + b);
            assertEquals(Float.floatToRawIntBits(ref.d[b]), Float.floatToRawIntBits(lanes.d[b]), "scale of block " + b);
        }
        assertEquals(40, vectorBlocks);
    }

    @Test
    void tiedMagnitudesTakeTheSignOfTheFirst() {
        assumeTrue(InputRows.VECTOR_Q8K, "no sixteen-lane vectors here");
        float[] x = new float[256];
        x[10] = -2f;
        x[20] = 2f;
        InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, 256);
        // the first one is the block's max: iscale = -127 / -2, so it becomes -127 and its opposite 127
        assertEquals(-127, in.qs[10]);
        assertEquals(127, in.qs[20]);
    }
}
