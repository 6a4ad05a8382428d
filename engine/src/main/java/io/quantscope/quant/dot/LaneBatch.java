package io.quantscope.quant.dot;

import io.quantscope.quant.BlockCodec;
import io.quantscope.quant.Codecs;
import io.quantscope.quant.KScales;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Prompt processing as a matrix product in float lanes: a chunk of weight rows is dequantized to floats once, the
 * activations are taken as the values the type's input format holds (Q8 blocks times their scales, or the rounded
 * floats), transposed so that tokens sit in lanes, and a register tile of six rows × two vectors of tokens is
 * accumulated along the row: per weight, one broadcast and two multiply-adds cover {@code 2·L} tokens. Every (row,
 * token) pair sums its products in order within blocks of {@link #KB} weights and adds the block sums in order. This is
 * the arithmetic of ggml's dot products (the same quantized activations, the same weights); only the rounding order
 * differs, as in {@link LaneDots}, which tests hold to within float rounding of the reference.
 */
final class LaneBatch {
    /** Batches of fewer tokens take the one-token path per token. */
    static final int MIN_TOKENS = 4;

    private static final VectorSpecies<Float> FP = FloatVector.SPECIES_PREFERRED;
    private static final int L = FP.length();
    private static final VectorSpecies<Integer> IP = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> BP = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final int ROWS = 6;
    /** Weights per block: each pair's block sum is added to its running sum between blocks. */
    private static final int KB = 256;

    private static final class Scratch {
        float[] a = new float[0];
        byte[] bytes = new byte[0];
        float[] acc = new float[0];
        float[] mins = new float[0];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private LaneBatch() {}

    /**
     * Whether a batch of {@code tokens} rows of {@code n} activations in this format runs here. For Q4_1 and Q5_1
     * (Q8_1 input) the rows are taken without their mins, and each block's {@code m·s} is added after the product from
     * the fp16-rounded block sums {@code s} the input holds, as ggml adds it.
     */
    static boolean applies(InputFormat input, int tokens) {
        return LaneDots.ENABLED && tokens >= MIN_TOKENS;
    }

    /**
     * {@code nRows} consecutive weight rows · every activation row of {@code in}: row {@code j}, token {@code t} into
     * {@code out[outOff + j + t·stride]}. Returns false when the batch does not run here (see {@link #applies}).
     */
    static boolean run(
            GgmlType type,
            MemorySegment w,
            long off,
            long rowBytes,
            int nRows,
            InputRows in,
            float[] out,
            int outOff,
            int stride) {
        if (in.lanePad == 0) {
            return false;
        }
        int n = in.n;
        int tokens = in.rows;
        Scratch s = SCRATCH.get();
        if (s.a.length < nRows * n) {
            s.a = new float[nRows * n];
        }
        float[] a = s.a;
        boolean mins = type == GgmlType.Q4_1 || type == GgmlType.Q5_1;
        int nb = n / 32;
        if (mins && s.mins.length < nRows * nb) {
            s.mins = new float[nRows * nb];
        }
        for (int r = 0; r < nRows; r++) {
            if (mins) {
                withoutMins(type == GgmlType.Q5_1, w, off + r * rowBytes, a, r * n, n, s.mins, r * nb);
            } else {
                decode(type, w, off + r * rowBytes, (int) rowBytes, a, r * n, n, s);
            }
        }
        if (s.acc.length < (nRows + ROWS) * 2 * L) {
            s.acc = new float[(nRows + ROWS) * 2 * L];
        }
        float[] acc = s.acc;
        for (int g = 0; g < tokens; g += 2 * L) {
            java.util.Arrays.fill(acc, 0, nRows * 2 * L, 0f);
            // one block of these tokens' activations (KB·2L floats) stays in L1 while every row tile passes over it
            for (int k0 = 0; k0 < n; k0 += KB) {
                int k1 = Math.min(n, k0 + KB);
                for (int r0 = 0; r0 < nRows; r0 += ROWS) {
                    // a partial tile repeats its last row; the repeats add into spare rows past the chunk's
                    tile(a, r0 * n, n, Math.min(ROWS, nRows - r0), in.valuesT, in.lanePad, g, k0, k1, acc, r0, nRows);
                }
            }
            for (int r = 0; r < nRows; r++) {
                for (int t = 0; t < 2 * L && g + t < tokens; t++) {
                    float v = acc[r * 2 * L + t];
                    if (mins) {
                        // Σ m·s over the row's blocks: the fp16-rounded d·Σq of each activation block, as ggml uses
                        float m = 0;
                        int so = (g + t) * nb;
                        for (int b = 0; b < nb; b++) {
                            m += s.mins[r * nb + b] * in.s[so + b];
                        }
                        v += m;
                    }
                    out[outOff + r + (g + t) * stride] = v;
                }
            }
        }
        return true;
    }

    /** One weight row as floats, as ggml's dequantize_row gives it. */
    private static void decode(
            GgmlType type, MemorySegment w, long off, int rowBytes, float[] a, int ao, int n, Scratch s) {
        switch (type) {
            case F32 -> MemorySegment.copy(w, Mem.FLOAT, off, a, ao, n);
            case F16 -> LaneDots.halves(w, off, a, ao, n);
            case Q8_0 -> q8_0(w, off, a, ao, n);
            case Q4_0 -> q4_0(w, off, a, ao, n);
            case Q4_K -> q4_K(w, off, a, ao, n, LaneDots.scratch());
            case Q6_K, Q3_K, Q2_K -> groups16(type, w, off, a, ao, n, LaneDots.scratch());
            default -> {
                if (s.bytes.length < rowBytes) {
                    s.bytes = new byte[rowBytes];
                }
                MemorySegment.copy(w, ValueLayout.JAVA_BYTE, off, s.bytes, 0, rowBytes);
                BlockCodec codec = Codecs.of(type);
                codec.dequantizeRow(s.bytes, 0, n, a, ao);
            }
        }
    }

    /**
     * A Q4_1 or Q5_1 row as {@code d·q} (levels without the min) into {@code a}, and each block's min {@code m} into
     * {@code mins}: the batch adds {@code m·s} per block afterwards.
     */
    private static void withoutMins(
            boolean five, MemorySegment w, long off, float[] a, int ao, int n, float[] mins, int mo) {
        int blockBytes = five ? 24 : 20;
        long qsAt = five ? 8 : 4;
        for (int ib = 0; ib < n / 32; ib++) {
            long bo = off + (long) blockBytes * ib;
            float d = LaneDots.half(w, bo);
            mins[mo + ib] = LaneDots.half(w, bo + 2);
            int qh = five ? w.get(Mem.INT, bo + 4) : 0;
            int o = ao + 32 * ib;
            for (int j = 0; j < 16; j++) {
                int q = Mem.u8(w, bo + qsAt + j);
                a[o + j] = d * ((q & 0x0F) | (((qh >>> j) & 1) << 4));
                a[o + 16 + j] = d * ((q >>> 4) | (((qh >>> (j + 16)) & 1) << 4));
            }
        }
    }

    private static void q8_0(MemorySegment w, long off, float[] a, int ao, int n) {
        for (int ib = 0; ib < n / 32; ib++) {
            long bo = off + 34L * ib;
            float d = LaneDots.half(w, bo);
            for (int k = 0; k < 32; k += L) {
                LaneDots.bytes(w, bo + 2 + k).mul(d).intoArray(a, ao + 32 * ib + k);
            }
        }
    }

    private static void q4_0(MemorySegment w, long off, float[] a, int ao, int n) {
        for (int ib = 0; ib < n / 32; ib++) {
            long bo = off + 18L * ib;
            float d = LaneDots.half(w, bo);
            for (int k = 0; k < 16; k += L) {
                IntVector q = nibbleBytes(w, bo + 2 + k);
                ((FloatVector) q.and(0xF).sub(8).convert(VectorOperators.I2F, 0))
                        .mul(d)
                        .intoArray(a, ao + 32 * ib + k);
                ((FloatVector) q.lanewise(VectorOperators.ASHR, 4)
                                .and(0xF)
                                .sub(8)
                                .convert(VectorOperators.I2F, 0))
                        .mul(d)
                        .intoArray(a, ao + 32 * ib + 16 + k);
            }
        }
    }

    /** Q4_K: eight groups of 32 nibbles, each {@code d·scale·q − dmin·min}. */
    private static void q4_K(MemorySegment w, long off, float[] a, int ao, int n, LaneDots.Scratch s) {
        byte[] packed = s.packed;
        for (int i = 0; i < n / 256; i++) {
            long bo = off + 144L * i;
            float d = LaneDots.half(w, bo);
            float dmin = LaneDots.half(w, bo + 2);
            Mem.scales12(w, bo + 4, packed);
            for (int j = 0; j < 4; j++) {
                float d1 = d * KScales.scale4(packed, 0, 2 * j);
                float m1 = dmin * KScales.min4(packed, 0, 2 * j);
                float d2 = d * KScales.scale4(packed, 0, 2 * j + 1);
                float m2 = dmin * KScales.min4(packed, 0, 2 * j + 1);
                int o = ao + 256 * i + 64 * j;
                for (int k = 0; k < 32; k += L) {
                    IntVector q = nibbleBytes(w, bo + 16 + 32L * j + k);
                    ((FloatVector) q.and(0xF).convert(VectorOperators.I2F, 0))
                            .mul(d1)
                            .sub(m1)
                            .intoArray(a, o + k);
                    ((FloatVector) q.lanewise(VectorOperators.ASHR, 4).and(0xF).convert(VectorOperators.I2F, 0))
                            .mul(d2)
                            .sub(m2)
                            .intoArray(a, o + 32 + k);
                }
            }
        }
    }

    /**
     * Q6_K, Q3_K and Q2_K: sixteen groups of 16 small integers per block, each times {@code d·scale} (Q2_K: minus
     * {@code dmin·min}).
     */
    private static void groups16(
            GgmlType type, MemorySegment w, long off, float[] a, int ao, int n, LaneDots.Scratch s) {
        byte[] v = s.values;
        byte[] packed = s.packed;
        long block = type.rowBytes(256);
        for (int i = 0; i < n / 256; i++) {
            long bo = off + block * i;
            float d;
            float dmin = 0;
            switch (type) {
                case Q6_K -> {
                    d = LaneDots.half(w, bo + 208);
                    VectorDots.decodeQ6(w, bo, v);
                }
                case Q3_K -> {
                    d = LaneDots.half(w, bo + 108);
                    Mem.scales12(w, bo + 96, packed);
                    LaneDots.q3Values(w, bo, v, 0);
                }
                default -> {
                    d = LaneDots.half(w, bo + 80);
                    dmin = LaneDots.half(w, bo + 82);
                    LaneDots.q2Values(w, bo, v, 0);
                }
            }
            for (int j = 0; j < 16; j++) {
                float sc;
                float m = 0;
                switch (type) {
                    case Q6_K -> sc = d * Mem.s8(w, bo + 192 + j);
                    case Q3_K -> sc = d * KScales.scale3(packed, 0, j);
                    default -> {
                        int b = Mem.u8(w, bo + j);
                        sc = d * (b & 0xF);
                        m = dmin * (b >>> 4);
                    }
                }
                for (int k = 0; k < 16; k += L) {
                    ((FloatVector) ByteVector.fromArray(BP, v, 16 * j + k).convertShape(VectorOperators.B2F, FP, 0))
                            .mul(sc)
                            .sub(m)
                            .intoArray(a, ao + 256 * i + 16 * j + k);
                }
            }
        }
    }

    /** {@code L} bytes at {@code o} as int lanes (sign-extended; callers mask the nibbles). */
    private static IntVector nibbleBytes(MemorySegment w, long o) {
        return (IntVector) ByteVector.fromMemorySegment(BP, w, o, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2I, IP, 0);
    }

    /**
     * Rows {@code r0 .. r0+rn)} of {@code a} (row length {@code n}) · tokens {@code g .. g+2L)} of {@code x} over weights
     * {@code k0 .. k1)}, added to {@code acc} (row {@code r}'s two vectors at {@code r·2L}; a partial tile's repeated rows at {@code spare + i}). Six rows keep twelve
     * accumulators in registers; with eight, C2's code ran five times slower here.
     */
    private static void tile(
            float[] a,
            int ao,
            int n,
            int rn,
            float[] x,
            int tp,
            int g,
            int k0,
            int k1,
            float[] acc,
            int r0,
            int spare) {
        int a0 = ao;
        int a1 = ao + Math.min(1, rn - 1) * n;
        int a2 = ao + Math.min(2, rn - 1) * n;
        int a3 = ao + Math.min(3, rn - 1) * n;
        int a4 = ao + Math.min(4, rn - 1) * n;
        int a5 = ao + Math.min(5, rn - 1) * n;
        FloatVector z = FloatVector.zero(FP);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        int xo = k0 * tp + g;
        for (int k = k0; k < k1; k++, xo += tp) {
            FloatVector x0 = FloatVector.fromArray(FP, x, xo);
            FloatVector x1 = FloatVector.fromArray(FP, x, xo + L);
            FloatVector b = FloatVector.broadcast(FP, a[a0 + k]);
            c00 = b.fma(x0, c00);
            c01 = b.fma(x1, c01);
            b = FloatVector.broadcast(FP, a[a1 + k]);
            c10 = b.fma(x0, c10);
            c11 = b.fma(x1, c11);
            b = FloatVector.broadcast(FP, a[a2 + k]);
            c20 = b.fma(x0, c20);
            c21 = b.fma(x1, c21);
            b = FloatVector.broadcast(FP, a[a3 + k]);
            c30 = b.fma(x0, c30);
            c31 = b.fma(x1, c31);
            b = FloatVector.broadcast(FP, a[a4 + k]);
            c40 = b.fma(x0, c40);
            c41 = b.fma(x1, c41);
            b = FloatVector.broadcast(FP, a[a5 + k]);
            c50 = b.fma(x0, c50);
            c51 = b.fma(x1, c51);
        }
        add(acc, r0, c00, c01);
        add(acc, 1 < rn ? r0 + 1 : spare + 1, c10, c11);
        add(acc, 2 < rn ? r0 + 2 : spare + 2, c20, c21);
        add(acc, 3 < rn ? r0 + 3 : spare + 3, c30, c31);
        add(acc, 4 < rn ? r0 + 4 : spare + 4, c40, c41);
        add(acc, 5 < rn ? r0 + 5 : spare + 5, c50, c51);
    }

    private static void add(float[] acc, int row, FloatVector lo, FloatVector hi) {
        int o = row * 2 * L;
        FloatVector.fromArray(FP, acc, o).add(lo).intoArray(acc, o);
        FloatVector.fromArray(FP, acc, o + L).add(hi).intoArray(acc, o + L);
    }
}
