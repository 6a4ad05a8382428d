package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.quant.BlockCodec;
import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every dot kernel against plain arithmetic: the weight row and the activation row are each expanded to floats
 * (weights by the codec, activations from their int8 blocks and scales), multiplied and summed in double. The kernel
 * rounds differently, so the two agree to a small relative error; a wrong bit layout or scale would be far off.
 * The fast path must then equal the scalar reference bit for bit (quantized types) or to one ulp (float types).
 */
class DotKernelTest {
    static final int N = 1024;

    @ParameterizedTest
    @EnumSource(
            value = GgmlType.class,
            names = {
                "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
                "IQ4_NL"
            })
    void kernelComputesTheDotProductOfWhatTheBytesMean(GgmlType type) {
        DotKernel k = Kernels.of(type);
        BlockCodec codec = Codecs.of(type);
        Random rnd = new Random(type.ordinal());
        for (int trial = 0; trial < 20; trial++) {
            int rows = 3;
            float[] w = new float[N];
            float[] x = new float[rows * N];
            for (int i = 0; i < N; i++) {
                w[i] = (float) rnd.nextGaussian() * (i % 97 == 0 ? 8 : 1);
            }
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            byte[] wb = new byte[(int) type.rowBytes(N)];
            codec.quantizeRow(w, 0, N, null, wb, 0);
            float[] wd = new float[N];
            codec.dequantizeRow(wb, 0, N, wd, 0);
            MemorySegment seg = MemorySegment.ofArray(wb);
            InputRows in = new InputRows(k.input()).load(x, rows, N);
            k.prepare(in);
            for (int r = 0; r < rows; r++) {
                double exact = 0;
                double norm = 0;
                for (int i = 0; i < N; i++) {
                    double xv = activation(in, r, i);
                    if (in.format == InputFormat.Q8_1) {
                        // Q4_1/Q5_1 add min·(Σ activations) from the fp16 sum Q8_1 stores per block
                        double m = minOf(wb, type, i / 32);
                        exact += (wd[i] - m) * xv + (i % 32 == 0 ? m * in.s[r * (N / 32) + i / 32] : 0);
                    } else {
                        exact += wd[i] * xv;
                    }
                    norm += Math.abs(wd[i] * xv);
                }
                float ref = k.dotReference(seg, 0, in, r);
                assertEquals(exact, ref, 1e-5 * norm + 1e-6, type + " reference, trial " + trial + " row " + r);
                float fast = k.dot(seg, 0, in, r);
                if (LANE_TYPES.contains(type) && Kernels.vectorized()) {
                    // accumulated per lane, as ggml's SIMD paths do: the same products, another rounding order
                    assertEquals(ref, fast, 2e-6 * norm + 1e-6, type + " lane path, trial " + trial + " row " + r);
                } else if (type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16) {
                    assertTrue(Math.abs(fast - ref) <= Math.ulp(ref), type + " fast path within one ulp");
                } else {
                    assertEquals(Float.floatToIntBits(ref), Float.floatToIntBits(fast), type + " fast path bits");
                }
            }
        }
    }

    /**
     * Types whose one-token path accumulates in float lanes ({@link LaneDots}) rather than in the reference order;
     * Q5_K only where it runs in 16-bit lanes ({@link LaneDots#SHORTS}), Q4_1, Q5_0, Q5_1, IQ4_NL and BF16 where floats have 16.
     */
    static final java.util.Set<GgmlType> LANE_TYPES = laneTypes();

    private static java.util.Set<GgmlType> laneTypes() {
        java.util.Set<GgmlType> types = java.util.EnumSet.of(
                GgmlType.F32,
                GgmlType.F16,
                GgmlType.Q4_0,
                GgmlType.Q8_0,
                GgmlType.Q2_K,
                GgmlType.Q3_K,
                GgmlType.Q4_K,
                GgmlType.Q6_K);
        if (LaneDots.SHORTS) {
            types.add(GgmlType.Q5_K);
        }
        if (LaneDots.SIXTEEN) {
            types.addAll(
                    java.util.List.of(GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL, GgmlType.BF16));
        }
        return types;
    }

    static double minOf(byte[] wb, GgmlType type, int block) {
        int o = block * (type == GgmlType.Q4_1 ? 20 : 24) + 2;
        return Float.float16ToFloat((short) ((wb[o] & 0xFF) | (wb[o + 1] << 8)));
    }

    /** Activation value as the kernel sees it. */
    static double activation(InputRows in, int row, int i) {
        int idx = row * in.n + i;
        return switch (in.format) {
            case F32, F16, BF16 -> in.f[idx];
            case Q8_0, Q8_1 -> in.qs[idx] * (double) in.d[idx / 32];
            case Q8_K -> in.qs[idx] * (double) in.d[idx / 256];
        };
    }

    /**
     * A batch of rows and tokens (neither a multiple of the kernels' row or lane groups): a batch of several tokens is a
     * lane product within float rounding of the reference; the exact batch paths (reference order, kept for {@code
     * quantscope.referenceOrder}) give every pair the bits of the reference, or of the one-token path for a few tokens.
     */
    @ParameterizedTest
    @EnumSource(
            value = GgmlType.class,
            names = {
                "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K",
                "IQ4_NL"
            })
    void aBatchGivesEveryTokenItsOwnProduct(GgmlType type) {
        for (int tokens : new int[] {3, InputRows.GROUP, 21, 2 * InputRows.GROUP + 5}) {
            batchOf(type, tokens);
        }
    }

    private static void batchOf(GgmlType type, int tokens) {
        BlockDot k = (BlockDot) Kernels.of(type);
        Random rnd = new Random(42 + type.ordinal() + tokens);
        int rows = 13; // two whole six-row tiles of the lane product and a partial one
        long rowBytes = type.rowBytes(N);
        float[] w = new float[N];
        byte[] wb = new byte[(int) rowBytes * rows];
        float[] wd = new float[N * rows];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < N; i++) w[i] = (float) rnd.nextGaussian() * (i % 89 == r ? 9 : 1);
            Codecs.of(type).quantizeRow(w, 0, N, null, wb, (int) (r * rowBytes));
            Codecs.of(type).dequantizeRow(wb, (int) (r * rowBytes), N, wd, r * N);
        }
        float[] x = new float[tokens * N];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian() * (i % 61 == 0 ? 6 : 1);
        MemorySegment seg = MemorySegment.ofArray(wb);
        InputRows in = new InputRows(k.input()).withExactBatches().load(x, tokens, N);
        int stride = rows + 2;
        float[] out = new float[tokens * stride];
        float[] exact = new float[tokens * stride];
        k.dotRows(seg, 0, rowBytes, rows, in, out, 1, stride);
        k.exactRows(seg, 0, rowBytes, rows, in, exact, 1, stride);
        boolean lanes = LaneBatch.applies(k.input(), tokens);
        assertEquals(lanes, Kernels.vectorized() && tokens >= LaneBatch.MIN_TOKENS);
        for (int r = 0; r < rows; r++) {
            for (int t = 0; t < tokens; t++) {
                float ref = k.dotReference(seg, r * rowBytes, in, t);
                // the exact batch path keeps the reference order; without one (a few tokens) each token takes the
                // one-token path
                float expected = in.tpad > 0 ? ref : k.dot(seg, r * rowBytes, in, t);
                String at = type + " row " + r + " token " + t + " of " + tokens;
                assertEquals(
                        Float.floatToIntBits(expected), Float.floatToIntBits(exact[1 + r + stride * t]), "exact " + at);
                if (lanes) {
                    double norm = 0;
                    for (int i = 0; i < N; i++) {
                        norm += Math.abs(wd[r * N + i] * activation(in, t, i));
                    }
                    assertEquals(ref, out[1 + r + stride * t], 2e-6 * norm + 1e-6, "lanes " + at);
                } else {
                    assertEquals(
                            Float.floatToIntBits(exact[1 + r + stride * t]),
                            Float.floatToIntBits(out[1 + r + stride * t]),
                            at);
                }
            }
        }
    }
}
