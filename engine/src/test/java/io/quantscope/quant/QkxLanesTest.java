package io.quantscope.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The eight-lane search equals the scalar make_qkx2_quants bit for bit, on awkward data too. */
class QkxLanesTest {
    @Test
    void eightLanesEqualEightScalarSearches() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 3000; trial++) {
            int nmax = trial % 2 == 0 ? 15 : 31;
            float[] x = new float[256];
            for (int i = 0; i < 256; i++) {
                double v = r.nextGaussian() * (trial % 7 == 0 ? 1e-3 : 0.05);
                if (r.nextInt(50) == 0) v *= 20;
                if (trial % 11 == 0 && i < 64) v = 0; // flat sub-blocks
                if (trial % 13 == 0 && i >= 64 && i < 96) v = Math.abs(v) + 0.01; // all positive
                x[i] = (float) v;
            }
            float[] w = new float[256];
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; ++l) sumX2 += x[32 * j + l] * x[32 * j + l];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; ++l) w[32 * j + l] = avX + Math.abs(x[32 * j + l]);
            }
            byte[] lRef = new byte[256];
            float[] sRef = new float[8];
            float[] mRef = new float[8];
            byte[] laux = new byte[32];
            for (int j = 0; j < 8; j++) {
                sRef[j] = QuantSearch.makeQkxQuants(
                        false, 32, nmax, x, 32 * j, w, 32 * j, lRef, 32 * j, mRef, j, laux, -1f, 0.1f, 20, false);
            }
            byte[] l = new byte[256];
            float[] s = new float[8];
            float[] m = new float[8];
            QkxLanes.run8(nmax, x, 0, w, l, 0, s, m, -1f, 0.1f, 20);
            for (int j = 0; j < 8; j++) {
                assertEquals(
                        Float.floatToRawIntBits(sRef[j]),
                        Float.floatToRawIntBits(s[j]),
                        "scale, trial " + trial + " sub-block " + j);
                assertEquals(
                        Float.floatToRawIntBits(mRef[j]),
                        Float.floatToRawIntBits(m[j]),
                        "min, trial " + trial + " sub-block " + j);
            }
            assertArrayEquals(lRef, l, "levels, trial " + trial);
        }
    }

    @Test
    void eightQxLanesEqualEightScalarSearches() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 3000; trial++) {
            float[] x = new float[128];
            float[] qw = trial % 3 == 0 ? new float[128] : null;
            for (int i = 0; i < 128; i++) {
                double v = r.nextGaussian() * (trial % 7 == 0 ? 1e-3 : 0.05);
                if (r.nextInt(40) == 0) v *= 25;
                if (trial % 11 == 0 && i < 32) v = 0;
                x[i] = (float) v;
                if (qw != null) qw[i] = (float) Math.abs(r.nextGaussian()) + 0.01f;
            }
            byte[] lRef = new byte[128];
            float[] sRef = new float[8];
            for (int j = 0; j < 8; j++) {
                sRef[j] = QuantSearch.makeQxQuants(16, 32, x, 16 * j, lRef, 16 * j, 1, qw, 16 * j);
            }
            byte[] l = new byte[128];
            float[] s = new float[8];
            QxLanes.run8(32, x, 0, qw, 0, l, 0, s, 0);
            for (int j = 0; j < 8; j++) {
                assertEquals(
                        Float.floatToRawIntBits(sRef[j]),
                        Float.floatToRawIntBits(s[j]),
                        "scale, trial " + trial + " sub-block " + j);
            }
            assertArrayEquals(lRef, l, "levels, trial " + trial);
        }
    }

    /** Q2_K's form: sub-blocks of 16, absolute error, the second eight from the middle of the arrays. */
    @Test
    void sixteenWeightSubBlocksWithAbsoluteErrorToo() {
        SplittableRandom r = new SplittableRandom(9);
        for (int trial = 0; trial < 2000; trial++) {
            float[] x = new float[256];
            float[] w = new float[256];
            for (int i = 0; i < 256; i++) {
                x[i] = (float) (r.nextGaussian() * 0.05 * (r.nextInt(30) == 0 ? 10 : 1));
                w[i] = Math.abs(x[i]);
            }
            byte[] lRef = new byte[256];
            float[] sRef = new float[16];
            float[] mRef = new float[16];
            byte[] laux = new byte[16];
            for (int j = 0; j < 16; j++) {
                sRef[j] = QuantSearch.makeQkxQuants(
                        false, 16, 3, x, 16 * j, w, 16 * j, lRef, 16 * j, mRef, j, laux, -0.5f, 0.1f, 15, true);
            }
            byte[] l = new byte[256];
            float[] s = new float[16];
            float[] m = new float[16];
            for (int half = 0; half < 2; half++) {
                QkxLanes.run8(
                        16, true, 3, x, 128 * half, w, 128 * half, l, 128 * half, s, 8 * half, m, -0.5f, 0.1f, 15);
            }
            for (int j = 0; j < 16; j++) {
                assertEquals(
                        Float.floatToRawIntBits(sRef[j]), Float.floatToRawIntBits(s[j]), "scale " + trial + "/" + j);
                assertEquals(Float.floatToRawIntBits(mRef[j]), Float.floatToRawIntBits(m[j]), "min " + trial + "/" + j);
            }
            assertArrayEquals(lRef, l, "levels " + trial);
        }
    }

    @Test
    void q3LanesEqualScalarCoordinateDescent() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 3000; trial++) {
            float[] x = new float[128];
            for (int i = 0; i < 128; i++) {
                double v = r.nextGaussian() * (trial % 5 == 0 ? 1e-4 : 0.05);
                if (r.nextInt(25) == 0) v *= 15;
                if (trial % 9 == 0 && i >= 32 && i < 48) v = 0;
                x[i] = (float) v;
            }
            byte[] lRef = new byte[128];
            float[] sRef = new float[8];
            for (int j = 0; j < 8; j++) {
                sRef[j] = QuantSearch.makeQ3Quants(16, 4, x, 16 * j, lRef, 16 * j, true);
            }
            byte[] l = new byte[128];
            float[] s = new float[8];
            QxLanes.q3Run8(4, x, 0, l, 0, s, 0);
            for (int j = 0; j < 8; j++) {
                assertEquals(
                        Float.floatToRawIntBits(sRef[j]), Float.floatToRawIntBits(s[j]), "scale " + trial + "/" + j);
            }
            assertArrayEquals(lRef, l, "levels " + trial);
        }
    }

    @Test
    void q4_0LanesWriteTheScalarBytes() {
        SplittableRandom r = new SplittableRandom(5);
        for (int trial = 0; trial < 2000; trial++) {
            float[] x = new float[256];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * (trial % 5 == 0 ? 1e-6 : 0.05));
            }
            if (trial % 7 == 0) {
                java.util.Arrays.fill(x, 0, 32, 0f); // an all-zero block
                x[3] = -0.0f;
            }
            if (trial % 9 == 0) {
                x[40] = 0.5f; // +max and -max tie: the first wins
                x[50] = -0.5f;
                x[70] = -0.5f;
                x[80] = 0.5f;
            }
            byte[] ref = new byte[8 * 18];
            byte[] lanes = new byte[8 * 18];
            Q4_0.quantizeRef(x, 0, 256, ref, 0);
            Q4_0.quantizeLanes(x, 0, 256, lanes, 0);
            assertArrayEquals(ref, lanes, "trial " + trial);
        }
    }

    @Test
    void q8_0LanesRoundAsC() {
        SplittableRandom r = new SplittableRandom(6);
        for (int trial = 0; trial < 5000; trial++) {
            float[] x = new float[32];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * (trial % 5 == 0 ? 1e-6 : 0.05));
            }
            if (trial % 3 == 0) {
                // exact halves and values just below them after scaling by 127 / 127
                x[0] = 127f;
                for (int i = 1; i < 32; i++) {
                    float h = (r.nextInt(254) - 127) + 0.5f;
                    x[i] = r.nextBoolean() ? h : Math.nextDown(h);
                }
            }
            if (trial % 11 == 0) {
                java.util.Arrays.fill(x, 0f);
            }
            byte[] ref = new byte[32];
            byte[] lanes = new byte[32];
            assertEquals(Q8_0.quantizeBlockRef(x, 0, ref, 0), Q8_0.quantizeBlockLanes(x, 0, lanes, 0));
            assertArrayEquals(ref, lanes, "trial " + trial);
        }
    }
}
