package io.quantscope.samples.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GemmTest {
    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    @ParameterizedTest
    @CsvSource({"1,1,1", "3,5,7", "4,16,16", "67,33,50", "130,256,96", "5,300,1000"})
    void productEqualsFusedSumsInOrder(int m, int k, int n) {
        float[] a = random(m * k, 1);
        float[] b = random(k * n, 2);
        float[] c0 = random(m * n, 3);
        float[] expected = new float[m * n];
        float[] expectedAcc = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = 0;
                float s2 = c0[i * n + j];
                for (int q = 0; q < k; q++) {
                    s = Math.fma(a[i * k + q], b[q * n + j], s);
                    s2 = Math.fma(a[i * k + q], b[q * n + j], s2);
                }
                expected[i * n + j] = s;
                expectedAcc[i * n + j] = s2;
            }
        }
        float[] c = new float[m * n];
        Gemm.mul(a, b, c, m, k, n, false);
        assertArrayEquals(expected, c);
        float[] acc = c0.clone();
        Gemm.mul(a, b, acc, m, k, n, true);
        assertArrayEquals(expectedAcc, acc);
    }

    @ParameterizedTest
    @CsvSource({"1,1", "3,70", "64,33"})
    void transposeSwapsRowsAndColumns(int m, int n) {
        float[] a = random(m * n, 4);
        float[] t = new float[m * n];
        Gemm.transpose(a, t, m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(a[i * n + j], t[j * m + i]);
            }
        }
    }
}
