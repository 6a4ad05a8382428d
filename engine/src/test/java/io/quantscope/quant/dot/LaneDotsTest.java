package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.quant.Codecs;
import io.quantscope.quant.KScales;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The 16-lane one-token kernels' own pieces: scale unpacking in vector lanes against the scalar definitions, and the
 * 16-lane kernels against the paths other vector widths take (which {@link DotKernelTest} does not reach on a machine
 * with AVX-512).
 */
class LaneDotsTest {
    /**
     * Q4_K blocks of random bytes (every scale and min bit pattern, not only those a quantizer writes) with sane fp16
     * {@code d} and {@code dmin}: the 16-lane kernel, which unpacks the packed scales in int arithmetic of its own,
     * within float rounding of the scalar reference, which unpacks them through {@link KScales}.
     */
    @Test
    void sixteenLaneQ4KUnpacksEveryScaleAndMinPattern() {
        int n = 1024;
        GgmlType type = GgmlType.Q4_K;
        Random rnd = new Random(4);
        for (int trial = 0; trial < 200; trial++) {
            byte[] wb = new byte[(int) type.rowBytes(n)];
            rnd.nextBytes(wb);
            for (int b = 0; b < n / 256; b++) {
                short d = Float.floatToFloat16(0.01f + rnd.nextFloat() * 0.02f);
                short dmin = Float.floatToFloat16(0.005f + rnd.nextFloat() * 0.01f);
                wb[144 * b] = (byte) d;
                wb[144 * b + 1] = (byte) (d >> 8);
                wb[144 * b + 2] = (byte) dmin;
                wb[144 * b + 3] = (byte) (dmin >> 8);
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, n);
            MemorySegment seg = MemorySegment.ofArray(wb);
            float ref = Kernels.of(type).dotReference(seg, 0, in, 0);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += 15 * 63 * 0.03 * Math.abs(in.qs[i] * (double) in.d[i / 256]);
            }
            assertEquals(ref, LaneDots.q4_K(seg, 0, in, 0), 2e-6 * norm + 1e-6, "trial " + trial);
        }
    }

    /**
     * One token through {@link DotKernel#dotRows} gives each row the bits the one-row {@link DotKernel#dot} gives it,
     * whichever path the type takes (Q4_K, Q5_K and Q6_K have rows kernels, one call for a run of rows; the others go
     * row by row): rows at an odd stride in one segment, results at an offset and a stride one token never uses.
     */
    @Test
    void oneTokenRowsGiveEachRowTheOneRowBits() {
        assumeTrue(LaneDots.ENABLED && LaneDots.SHORTS);
        int n = 1024;
        Random rnd = new Random(45);
        Map<GgmlType, int[]> halves = Map.of( // where each type's blocks keep their fp16 scales
                GgmlType.Q4_0, new int[] {0},
                GgmlType.Q8_0, new int[] {0},
                GgmlType.Q2_K, new int[] {80, 82},
                GgmlType.Q3_K, new int[] {108},
                GgmlType.Q4_K, new int[] {0, 2},
                GgmlType.Q5_K, new int[] {0, 2},
                GgmlType.Q6_K, new int[] {208});
        for (GgmlType type :
                new GgmlType[] {GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            int block = (int) type.rowBytes(256);
            int rows = 7;
            long stride = type.rowBytes(n) + 6; // rows need not be packed back to back
            byte[] wb = new byte[(int) (stride * rows)];
            rnd.nextBytes(wb);
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < n / type.blockSize(); b++) {
                    for (int h : halves.get(type)) {
                        int o = (int) (r * stride) + block * b + h;
                        short d = Float.floatToFloat16(0.01f + rnd.nextFloat() * 0.02f);
                        wb[o] = (byte) d;
                        wb[o + 1] = (byte) (d >> 8);
                    }
                }
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            DotKernel kernel = Kernels.of(type);
            InputRows in = new InputRows(kernel.input()).load(x, 1, n);
            kernel.prepare(in);
            MemorySegment seg = MemorySegment.ofArray(wb);
            float[] out = new float[rows + 3];
            kernel.dotRows(seg, 0, stride, rows, in, out, 3, 1000);
            assertEquals(0f, out[2], "nothing written before outOff");
            for (int r = 0; r < rows; r++) {
                float one = kernel.dot(seg, r * stride, in, 0);
                assertEquals(Float.floatToIntBits(one), Float.floatToIntBits(out[3 + r]), type + " row " + r);
                assertTrue(one != 0f, "a row with random weights has a non-zero product");
            }
        }
    }

    @Test
    void sixteenLaneQ4KAgreesWithTheAnyWidthPath() {
        agree(GgmlType.Q4_K, InputFormat.Q8_K, 2048, LaneDots::q4_K, LaneDots::q4_KAnyWidth);
    }

    /** 2048 = 64 blocks (whole four-block steps); 2080 = 65 blocks, so the one-block tail runs too. */
    @Test
    void sixteenLaneQ8_0AgreesWithTheAnyWidthPath() {
        agree(GgmlType.Q8_0, InputFormat.Q8_0, 2048, LaneDots::q8_0, LaneDots::q8_0AnyWidth);
        agree(GgmlType.Q8_0, InputFormat.Q8_0, 2080, LaneDots::q8_0, LaneDots::q8_0AnyWidth);
    }

    /**
     * The short-lane Q4_0 layout belongs to one load: rows loaded again take the any-width path until they are prepared
     * themselves, never the layout of the rows before.
     */
    @Test
    void q4_0LayoutIsNotReusedAcrossLoads() {
        assumeTrue(LaneDots.ENABLED && LaneDots.SHORTS, "no 32 short lanes here: the any-width path is the only one");
        int n = 2048;
        Random rnd = new Random(40);
        float[] w = new float[n];
        float[] x1 = new float[n];
        float[] x2 = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rnd.nextGaussian();
            x1[i] = (float) rnd.nextGaussian();
            x2[i] = (float) rnd.nextGaussian();
        }
        byte[] wb = new byte[(int) GgmlType.Q4_0.rowBytes(n)];
        Codecs.of(GgmlType.Q4_0).quantizeRow(w, 0, n, null, wb, 0);
        MemorySegment seg = MemorySegment.ofArray(wb);
        DotKernel kernel = Kernels.of(GgmlType.Q4_0);
        InputRows in = new InputRows(InputFormat.Q8_0).load(x1, 1, n);
        kernel.prepare(in);
        assertTrue(in.q40Ready, "prepared rows have the layout");
        assertEquals(
                Float.floatToIntBits(LaneDots.q4_0Shorts(seg, 0, in, 0)),
                Float.floatToIntBits(kernel.dot(seg, 0, in, 0)),
                "prepared rows take the short lanes");
        in.load(x2, 1, n);
        assertFalse(in.q40Ready, "a new load drops the layout");
        assertEquals(
                Float.floatToIntBits(LaneDots.q4_0AnyWidth(seg, 0, in, 0)),
                Float.floatToIntBits(kernel.dot(seg, 0, in, 0)),
                "unprepared rows take the any-width path");
        kernel.prepare(in);
        assertEquals(
                kernel.dotReference(seg, 0, in, 0), kernel.dot(seg, 0, in, 0), 1e-3f, "prepared again: the new rows");
    }

    /**
     * The short-lane Q4_0 kernel, which takes blocks two at a time and pairs of them two at a time: 2048 = 32 pairs,
     * 2080 = 65 blocks (an odd block out), 2112 = 33 pairs (a one-pair step), 2144 = both.
     */
    @Test
    void shortLaneQ4_0AgreesWithTheAnyWidthPath() {
        assumeTrue(LaneDots.SHORTS, "no 32 short lanes here: the any-width path is the only one");
        for (int n : new int[] {2048, 2080, 2112, 2144}) {
            agree(GgmlType.Q4_0, InputFormat.Q8_0, n, LaneDots::q4_0Shorts, LaneDots::q4_0AnyWidth);
        }
    }

    @Test
    void shortLaneKQuantsAgreeWithTheByteDecodingPaths() {
        assumeTrue(LaneDots.SHORTS, "no 32 short lanes here: the byte paths are the only ones");
        agree(GgmlType.Q6_K, InputFormat.Q8_K, 2048, LaneDots::q6_KShorts, LaneDots::q6_KBytes);
        agree(GgmlType.Q3_K, InputFormat.Q8_K, 2048, LaneDots::q3_KShorts, LaneDots::q3_KBytes);
        agree(GgmlType.Q2_K, InputFormat.Q8_K, 2048, LaneDots::q2_KShorts, LaneDots::q2_KBytes);
    }

    /**
     * Blocks of random bytes (every value, high-bit, scale and min pattern) with sane fp16 scales, against activations
     * that quantize to Q8_K's extremes (-127 and 127, many of each in every block): the 16-bit-lane kernels' products
     * and pair sums at their largest, within float rounding of the scalar reference.
     */
    @Test
    void shortLaneKernelsHoldTheirExtremes() {
        extremes(GgmlType.Q2_K, LaneDots::q2_K, 80, 82);
        extremes(GgmlType.Q3_K, LaneDots::q3_K, 108, -1);
        extremes(GgmlType.Q4_K, LaneDots::q4_K, 0, 2);
        if (LaneDots.SHORTS) { // Q5_K has no lane path without them
            extremes(GgmlType.Q5_K, LaneDots::q5_K, 0, 2);
        }
        extremes(GgmlType.Q6_K, LaneDots::q6_K, 208, -1);
    }

    /**
     * Q2_K at its largest products: every value 3, every scale 15, every activation -127. The 16-bit
     * kernel adds two products of value × scale × activation as shorts before its pair sum, 4 × 5,715 in one lane
     * here; a third product in that sum would wrap past 32,767.
     */
    @Test
    void q2KShortsHoldTheLargestScaledProducts() {
        int n = 512;
        byte[] wb = new byte[(int) GgmlType.Q2_K.rowBytes(n)];
        for (int b = 0; b < n / 256; b++) {
            for (int j = 0; j < 16; j++) {
                wb[84 * b + j] = (byte) 0x7F; // scale 15, min 7
            }
            for (int j = 16; j < 80; j++) {
                wb[84 * b + j] = (byte) 0xFF; // four values of 3
            }
            putHalf(wb, 84 * b + 80, 0.02f);
            putHalf(wb, 84 * b + 82, 0.01f);
        }
        MemorySegment seg = MemorySegment.ofArray(wb);
        float[] x = new float[n];
        java.util.Arrays.fill(x, 0.5f);
        InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, n);
        assertEquals(-127, in.qs[0], "Q8_K maps a block's largest magnitude to -127, so all of equal ones");
        float ref = Kernels.of(GgmlType.Q2_K).dotReference(seg, 0, in, 0);
        // each block: 256 values of 3·15·(-127)·d·dy less the mins' 7·(-127)·256·dmin·dy, far from zero
        assertEquals(ref, LaneDots.q2_K(seg, 0, in, 0), 1e-5f * Math.abs(ref));
    }

    private static void extremes(GgmlType type, RowDot kernel, int dAt, int dminAt) {
        int n = 1024;
        int block = (int) type.rowBytes(256);
        Random rnd = new Random(6);
        for (int trial = 0; trial < 100; trial++) {
            byte[] wb = new byte[(int) type.rowBytes(n)];
            rnd.nextBytes(wb);
            for (int b = 0; b < n / 256; b++) {
                putHalf(wb, block * b + dAt, 0.01f + rnd.nextFloat() * 0.02f);
                if (dminAt >= 0) {
                    putHalf(wb, block * b + dminAt, 0.005f + rnd.nextFloat() * 0.01f);
                }
            }
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                // the largest magnitude in each block is negative (-127); a quarter of the others reach 127 or -127
                x[i] = i % 256 == 7
                        ? -1.0f
                        : (rnd.nextBoolean() ? 0.999f : -0.999f) * (rnd.nextInt(4) == 0 ? 1 : rnd.nextFloat());
            }
            InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, n);
            assertEquals(-127, in.qs[7], "the block's extreme");
            assertEquals(
                    127,
                    in.qs[
                            IntStream.range(0, n)
                                    .filter(i -> x[i] == 0.999f)
                                    .findFirst()
                                    .orElseThrow()]);
            MemorySegment seg = MemorySegment.ofArray(wb);
            float ref = Kernels.of(type).dotReference(seg, 0, in, 0);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += 63 * 63 * 0.03 * Math.abs(in.qs[i] * (double) in.d[i / 256]);
            }
            assertEquals(ref, kernel.dot(seg, 0, in, 0), 2e-6 * norm + 1e-6, type + " trial " + trial);
        }
    }

    private static void putHalf(byte[] b, int at, float v) {
        short h = Float.floatToFloat16(v);
        b[at] = (byte) h;
        b[at + 1] = (byte) (h >> 8);
    }

    /**
     * BF16 rows of random bit patterns (finite) on rows of several lengths (a multiple of 32, and with a tail of 7
     * past that), two activation rows each: the 16-lane kernel within float rounding of the scalar reference.
     */
    @Test
    void sixteenLaneBf16MeetsEachWeightWithItsActivation() {
        assumeTrue(LaneDots.SIXTEEN, "BF16 runs the reference without 16 float lanes");
        Random rnd = new Random(16);
        for (int n : new int[] {2048, 2048 + 32, 2048 + 32 + 7}) {
            int rows = 2;
            float[] x = new float[rows * n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            InputRows in = new InputRows(InputFormat.BF16).load(x, rows, n);
            byte[] wb = new byte[2 * n];
            for (int i = 0; i < n; i++) {
                short h = (short) (Float.floatToIntBits((float) rnd.nextGaussian() * (i % 13 == 0 ? 100 : 1)) >>> 16);
                wb[2 * i] = (byte) h;
                wb[2 * i + 1] = (byte) (h >> 8);
            }
            MemorySegment seg = MemorySegment.ofArray(wb);
            for (int r = 0; r < rows; r++) {
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    norm += Math.abs(Mem.bf16(seg, 2L * i) * (double) in.f[r * n + i]);
                }
                float ref = Kernels.of(GgmlType.BF16).dotReference(seg, 0, in, r);
                assertEquals(ref, Kernels.of(GgmlType.BF16).dot(seg, 0, in, r), 2e-6 * norm, "n " + n + " row " + r);
            }
        }
    }

    /**
     * F16 rows of every finite bit pattern (subnormals and zeros of both signs included): the in-register conversion
     * within float rounding of the reference; a row holding an infinity or a NaN gives what the exact conversion pass
     * gives (not a large finite number).
     */
    @Test
    void sixteenLaneF16ConvertsEveryHalfAndRedoesRowsWithInfinities() {
        int n = 2048 + 32 + 7; // a tail past the last 64
        Random rnd = new Random(7);
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            // some at F16's largest magnitude, which the kernel's activations times 2^112 must hold
            y[i] = i % 97 == 5
                    ? (rnd.nextBoolean() ? 65504f : -65504f)
                    : Float.float16ToFloat(Float.floatToFloat16((float) rnd.nextGaussian()));
        }
        InputRows in = new InputRows(InputFormat.F16).load(y, 1, n); // y is F16-exact, so in.f is y
        for (int trial = 0; trial < 50; trial++) {
            byte[] wb = new byte[2 * n];
            double norm = 0;
            double exact = 0;
            for (int i = 0; i < n; i++) {
                short h;
                do {
                    h = (short) rnd.nextInt(1 << 16);
                } while ((h & 0x7C00) == 0x7C00 || (trial % 2 == 0 && (h & 0x7C00) > 0x4000));
                wb[2 * i] = (byte) h;
                wb[2 * i + 1] = (byte) (h >> 8);
                double v = Float.float16ToFloat(h) * (double) y[i];
                exact += v;
                norm += Math.abs(v);
            }
            MemorySegment seg = MemorySegment.ofArray(wb);
            assertEquals(exact, LaneDots.f16(seg, 0, in, 0), 2e-6 * norm + 1e-30, "trial " + trial);
            assertEquals(LaneDots.f16Chunks(seg, 0, y, 0, n), LaneDots.f16(seg, 0, in, 0), 2e-6 * norm + 1e-30);
        }
        byte[] wb = new byte[2 * n];
        wb[2 * 100 + 1] = (byte) 0x7C; // +infinity at weight 100
        MemorySegment seg = MemorySegment.ofArray(wb);
        assertEquals(Float.POSITIVE_INFINITY, LaneDots.f16(seg, 0, in, 0) * Math.signum(y[100]));
        byte[] tailInf = new byte[2 * n];
        tailInf[2 * (n - 3) + 1] = (byte) 0xFC; // -infinity in the tail past the last 64
        assertEquals(
                Float.NEGATIVE_INFINITY,
                LaneDots.f16(MemorySegment.ofArray(tailInf), 0, in, 0) * Math.signum(y[n - 3]));
    }

    private interface RowDot {
        float dot(MemorySegment w, long off, InputRows in, int row);
    }

    /**
     * Quantized random rows (a few large weights, as real matrices have) times random activations: the 16-lane kernel
     * and the any-width kernel each within float rounding of the scalar reference. A second activation row checks that
     * the kernels read the row they are given.
     */
    private static void agree(GgmlType type, InputFormat format, int n, RowDot lanes, RowDot anyWidth) {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 10; trial++) {
            float[] w = new float[n];
            float[] x = new float[2 * n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextGaussian() * (i % 61 == 0 ? 6 : 1);
            }
            for (int i = 0; i < 2 * n; i++) {
                x[i] = (float) rnd.nextGaussian();
            }
            byte[] wb = new byte[(int) type.rowBytes(n)];
            Codecs.of(type).quantizeRow(w, 0, n, null, wb, 0);
            float[] wd = new float[n];
            Codecs.of(type).dequantizeRow(wb, 0, n, wd, 0);
            InputRows in = new InputRows(format).load(x, 2, n);
            Kernels.of(type).prepare(in);
            int block = format == InputFormat.Q8_K ? 256 : 32;
            MemorySegment seg = MemorySegment.ofArray(wb);
            for (int row = 0; row < 2; row++) {
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    norm += Math.abs(wd[i] * in.qs[row * n + i] * (double) in.d[(row * n + i) / block]);
                }
                float ref = Kernels.of(type).dotReference(seg, 0, in, row);
                String what = type + " n=" + n + " row " + row + ", trial " + trial;
                assertEquals(ref, anyWidth.dot(seg, 0, in, row), 2e-6 * norm + 1e-6, "any-width path, " + what);
                assertEquals(ref, lanes.dot(seg, 0, in, row), 2e-6 * norm + 1e-6, "16-lane path, " + what);
            }
        }
    }
}
