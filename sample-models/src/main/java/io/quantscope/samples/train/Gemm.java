package io.quantscope.samples.train;

import io.quantscope.convert.ComputePool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dense float matrix products for training, {@code C (+)= A · B} with all three row-major. Every element of C is summed
 * over k in order with fused multiply-adds, by exactly one thread, so the result does not depend on the thread count.
 *
 * <p>Work is cut into chunks of 64 rows of A (kept in cache while all column panels of B pass by); inside a chunk a
 * 4 × 16 tile of C lives in eight vector registers while k runs.
 */
final class Gemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = 8;
    private static final int CHUNK = 64;

    private Gemm() {}

    /**
     * {@code C[m][n] (+)= Σk A[m][k] · B[k][n]}: A is m×k at {@code a}, B is k×n at {@code b}, C is m×n at {@code c}.
     */
    static void mul(float[] a, float[] b, float[] c, int m, int k, int n, boolean accumulate) {
        int chunks = (m + CHUNK - 1) / CHUNK;
        if (chunks == 1 || (long) m * k * n < 1 << 16) {
            for (int ch = 0; ch < chunks; ch++) {
                chunk(a, b, c, ch * CHUNK, Math.min(m, ch * CHUNK + CHUNK), k, n, accumulate);
            }
            return;
        }
        ComputePool.parallel(
                chunks, ch -> chunk(a, b, c, ch * CHUNK, Math.min(m, ch * CHUNK + CHUNK), k, n, accumulate));
    }

    private static void chunk(float[] a, float[] b, float[] c, int r0, int r1, int k, int n, boolean acc) {
        int j = 0;
        for (; j + 2 * L <= n; j += 2 * L) {
            int i = r0;
            for (; i + 4 <= r1; i += 4) {
                tile4x16(a, b, c, i, j, k, n, acc);
            }
            for (; i < r1; i++) {
                tile1x16(a, b, c, i, j, k, n, acc);
            }
        }
        for (; j < n; j++) {
            for (int i = r0; i < r1; i++) {
                float s = acc ? c[i * n + j] : 0f;
                int ai = i * k;
                for (int q = 0; q < k; q++) {
                    s = Math.fma(a[ai + q], b[q * n + j], s);
                }
                c[i * n + j] = s;
            }
        }
    }

    private static void tile4x16(float[] a, float[] b, float[] c, int i, int j, int k, int n, boolean acc) {
        int c0 = i * n + j;
        int c1 = c0 + n;
        int c2 = c1 + n;
        int c3 = c2 + n;
        FloatVector s00, s01, s10, s11, s20, s21, s30, s31;
        if (acc) {
            s00 = FloatVector.fromArray(S, c, c0);
            s01 = FloatVector.fromArray(S, c, c0 + L);
            s10 = FloatVector.fromArray(S, c, c1);
            s11 = FloatVector.fromArray(S, c, c1 + L);
            s20 = FloatVector.fromArray(S, c, c2);
            s21 = FloatVector.fromArray(S, c, c2 + L);
            s30 = FloatVector.fromArray(S, c, c3);
            s31 = FloatVector.fromArray(S, c, c3 + L);
        } else {
            s00 = s01 = s10 = s11 = s20 = s21 = s30 = s31 = FloatVector.zero(S);
        }
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        for (int q = 0, bq = j; q < k; q++, bq += n) {
            FloatVector b0 = FloatVector.fromArray(S, b, bq);
            FloatVector b1 = FloatVector.fromArray(S, b, bq + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + q]);
            s00 = x.fma(b0, s00);
            s01 = x.fma(b1, s01);
            x = FloatVector.broadcast(S, a[a1 + q]);
            s10 = x.fma(b0, s10);
            s11 = x.fma(b1, s11);
            x = FloatVector.broadcast(S, a[a2 + q]);
            s20 = x.fma(b0, s20);
            s21 = x.fma(b1, s21);
            x = FloatVector.broadcast(S, a[a3 + q]);
            s30 = x.fma(b0, s30);
            s31 = x.fma(b1, s31);
        }
        s00.intoArray(c, c0);
        s01.intoArray(c, c0 + L);
        s10.intoArray(c, c1);
        s11.intoArray(c, c1 + L);
        s20.intoArray(c, c2);
        s21.intoArray(c, c2 + L);
        s30.intoArray(c, c3);
        s31.intoArray(c, c3 + L);
    }

    private static void tile1x16(float[] a, float[] b, float[] c, int i, int j, int k, int n, boolean acc) {
        int c0 = i * n + j;
        FloatVector s0 = acc ? FloatVector.fromArray(S, c, c0) : FloatVector.zero(S);
        FloatVector s1 = acc ? FloatVector.fromArray(S, c, c0 + L) : FloatVector.zero(S);
        int a0 = i * k;
        for (int q = 0, bq = j; q < k; q++, bq += n) {
            FloatVector x = FloatVector.broadcast(S, a[a0 + q]);
            s0 = x.fma(FloatVector.fromArray(S, b, bq), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, bq + L), s1);
        }
        s0.intoArray(c, c0);
        s1.intoArray(c, c0 + L);
    }

    /** Writes the n×m transpose of the m×n matrix {@code src} into {@code dst}. */
    static void transpose(float[] src, float[] dst, int m, int n) {
        final int t = 32;
        for (int i0 = 0; i0 < m; i0 += t) {
            for (int j0 = 0; j0 < n; j0 += t) {
                int i1 = Math.min(m, i0 + t);
                int j1 = Math.min(n, j0 + t);
                for (int i = i0; i < i1; i++) {
                    for (int j = j0; j < j1; j++) {
                        dst[j * m + i] = src[i * n + j];
                    }
                }
            }
        }
    }
}
