package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class OpsTest {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

    /** Values that take each of ggml_v_expf's three paths (and both sides of each limit), and the awkward ones. */
    private static float[] values(int n, long seed) {
        Random rnd = new Random(seed);
        float[] special = {
            0f,
            -0f,
            1f,
            -1f,
            87.3f,
            -87.3f,
            88.8f,
            -103.9f,
            126.5f,
            -126.5f,
            150f,
            -150f,
            191.9f,
            -192.5f,
            250f,
            -250f,
            Float.MIN_VALUE,
            -Float.MIN_VALUE,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN
        };
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = switch (rnd.nextInt(5)) {
                case 0 -> special[rnd.nextInt(special.length)];
                case 1 -> (float) (rnd.nextGaussian() * 300);
                case 2 -> Float.intBitsToFloat(rnd.nextInt());
                // around the exponent limits of 126 and 192 (x·log2 e), in both signs
                case 3 -> (float) ((rnd.nextBoolean() ? 1 : -1) * (80 + rnd.nextDouble() * 60));
                default -> (float) (rnd.nextGaussian() * 4);
            };
        }
        return x;
    }

    private static void assertSameBits(float expected, float actual, String what) {
        if (Float.isNaN(expected)) {
            assertTrue(Float.isNaN(actual), what + ": expected NaN, got " + actual);
        } else {
            assertEquals(
                    Float.floatToRawIntBits(expected),
                    Float.floatToRawIntBits(actual),
                    what + ": " + expected + " vs " + actual);
        }
    }

    @Test
    void vectorExpGivesEachLaneTheScalarBits() {
        float[] x = values(FS.length() * 4000, 11);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i += FS.length()) {
            Ops.expf(FloatVector.fromArray(FS, x, i)).intoArray(out, i);
        }
        for (int i = 0; i < x.length; i++) {
            assertSameBits(Ops.expf(x[i]), out[i], "expf(" + x[i] + ")");
        }
    }

    @Test
    void siluGivesTheScalarBitsAtEveryLengthAndOffset() {
        for (int n : new int[] {0, 1, 3, 4, 15, 16, 17, 37, 64, 5632}) {
            for (int off : new int[] {0, 3}) {
                float[] x = values(off + n + 5, 100 + n + off);
                float[] expected = x.clone();
                Ops.siluScalar(expected, off, n);
                float[] actual = x.clone();
                Ops.silu(actual, off, n);
                for (int i = 0; i < x.length; i++) {
                    assertSameBits(expected[i], actual[i], "n " + n + " off " + off + " i " + i + " x " + x[i]);
                }
            }
        }
    }

    @Test
    void siluTakesTheVectorPathOnThisMachine() {
        // the bit-for-bit test above proves nothing about the vector lanes if they never run
        assumeFalse(Boolean.getBoolean("quantscope.scalarKernels"), "scalar kernels asked for");
        assertTrue(Ops.VECTOR_SILU || FS.length() < 4, "vector lanes: " + FS.length());
    }
}
