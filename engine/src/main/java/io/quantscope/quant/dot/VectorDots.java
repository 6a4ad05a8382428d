package io.quantscope.quant.dot;

import io.quantscope.quant.KScales;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API paths of the hot dot products. They compute the same integers as the scalar references (integer sums
 * are exact in any order) and keep ggml's float accumulation order per block, so their results are bit-identical;
 * the F32/F16 paths accumulate in double lanes, which can differ from the sequential double sum in the last bit of
 * the float result only in rare cases. Shapes are at most 256 bits so that AVX2 machines run them natively; on
 * machines whose vectors are narrower the scalar references run instead.
 */
final class VectorDots {
    static final boolean ENABLED =
            IntVector.SPECIES_PREFERRED.vectorBitSize() >= 256 && !Boolean.getBoolean("quantscope.scalarKernels");

    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D256 = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorDots() {}

    /** 16 bytes of weights widened to 16 shorts. */
    private static ShortVector widen(ByteVector b16) {
        return (ShortVector) b16.convertShape(VectorOperators.B2S, S256, 0);
    }

    /** Sum of 16 short products as 8 int lanes (lane l gets elements l and l+8). */
    private static IntVector pairs(ShortVector p) {
        IntVector lo = (IntVector) p.convertShape(VectorOperators.S2I, I256, 0);
        IntVector hi = (IntVector) p.convertShape(VectorOperators.S2I, I256, 1);
        return lo.add(hi);
    }

    static float q8_0(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q8_0.dotReference(w, off, in, row);
        }
        int nb = in.n / 32;
        int yb = row * nb;
        short[] y = in.qs16;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 34L * ib;
            int yo = (yb + ib) * 32;
            ShortVector a0 = widen(ByteVector.fromMemorySegment(B128, w, bo + 2, LE));
            ShortVector a1 = widen(ByteVector.fromMemorySegment(B128, w, bo + 18, LE));
            ShortVector p0 = a0.mul(ShortVector.fromArray(S256, y, yo));
            ShortVector p1 = a1.mul(ShortVector.fromArray(S256, y, yo + 16));
            int sumi = pairs(p0).add(pairs(p1)).reduceLanes(VectorOperators.ADD);
            sumf += sumi * (Mem.f16(w, bo) * in.d[yb + ib]);
        }
        return sumf;
    }

    static float q4_0(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q4_0.dotReference(w, off, in, row);
        }
        int nb = in.n / 32;
        int yb = row * nb;
        short[] y = in.qs16;
        float sumf = 0;
        for (int ib = 0; ib < nb; ib++) {
            long bo = off + 18L * ib;
            int yo = (yb + ib) * 32;
            ByteVector q = ByteVector.fromMemorySegment(B128, w, bo + 2, LE);
            ShortVector lo = widen(q.and((byte) 0x0F).sub((byte) 8));
            ShortVector hi = widen(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8));
            ShortVector p =
                    lo.mul(ShortVector.fromArray(S256, y, yo)).add(hi.mul(ShortVector.fromArray(S256, y, yo + 16)));
            int sumi = pairs(p).reduceLanes(VectorOperators.ADD);
            sumf += sumi * Mem.f16(w, bo) * in.d[yb + ib];
        }
        return sumf;
    }

    /** Q6_K: values in [-32, 31] from 4+2 bits; one int8 scale per 16. */
    static float q6_K(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q6_K.dotReference(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qs16;
        byte[] a = new byte[256];
        int[] sc = new int[16];
        FloatVector sums = FloatVector.zero(F256);
        for (int i = 0; i < nb; i++) {
            long bo = off + 210L * i;
            decodeQ6(w, bo, a);
            for (int j = 0; j < 16; j++) {
                sc[j] = Mem.s8(w, bo + 192 + j);
            }
            IntVector acc = dot16s(a, y, (yb + i) * 256, sc);
            float d = Mem.f16(w, bo + 208) * in.d[yb + i];
            sums = sums.add(
                    acc.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(d));
        }
        return finish(0f, sums);
    }

    /** The 256 values of a Q6_K block (minus 32) into {@code a}. */
    private static void decodeQ6(MemorySegment w, long bo, byte[] a) {
        for (int j = 0; j < 2; j++) {
            long ql = bo + 64L * j;
            long qh = bo + 128 + 32L * j;
            int o = 128 * j;
            ByteVector lo = ByteVector.fromMemorySegment(B256, w, ql, LE);
            ByteVector hi = ByteVector.fromMemorySegment(B256, w, ql + 32, LE);
            ByteVector h = ByteVector.fromMemorySegment(B256, w, qh, LE);
            lo.and((byte) 0xF)
                    .or(h.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o);
            hi.and((byte) 0xF)
                    .or(h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o + 32);
            lo.lanewise(VectorOperators.LSHR, 4)
                    .or(h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o + 64);
            hi.lanewise(VectorOperators.LSHR, 4)
                    .or(h.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32)
                    .intoArray(a, o + 96);
        }
    }

    /** Σ over 16 groups of 16: scale[g] · a·y, as eight int lanes (lane = index mod 8), exact. */
    private static IntVector dot16s(byte[] a, short[] y, int yo, int[] scale) {
        IntVector acc = IntVector.zero(I256);
        for (int g = 0; g < 16; g++) {
            ShortVector p =
                    widen(ByteVector.fromArray(B128, a, 16 * g)).mul(ShortVector.fromArray(S256, y, yo + 16 * g));
            acc = acc.add(pairs(p).mul(scale[g]));
        }
        return acc;
    }

    /** Adds the eight float lanes to sumf in lane order, as ggml's generic tail does. */
    private static float finish(float sumf, FloatVector sums) {
        for (int l = 0; l < 8; l++) {
            sumf += sums.lane(l);
        }
        return sumf;
    }

    static float q4_K(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q4_K.dotReference(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qs16;
        byte[] a = new byte[256];
        byte[] packed = new byte[12];
        int[] sc = new int[16];
        FloatVector sums = FloatVector.zero(F256);
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + 144L * i;
            Mem.scales12(w, bo + 4, packed);
            int sumi = 0;
            int bs = (yb + i) * 16;
            for (int j = 0; j < 8; j++) {
                sumi += (in.bsums[bs + 2 * j] + in.bsums[bs + 2 * j + 1]) * KScales.min4(packed, 0, j);
                sc[2 * j] = sc[2 * j + 1] = KScales.scale4(packed, 0, j);
            }
            for (int j = 0; j < 4; j++) {
                ByteVector q = ByteVector.fromMemorySegment(B256, w, bo + 16 + 32L * j, LE);
                q.and((byte) 0xF).intoArray(a, 64 * j);
                q.lanewise(VectorOperators.LSHR, 4).intoArray(a, 64 * j + 32);
            }
            IntVector acc = dot16s(a, y, (yb + i) * 256, sc);
            float d = Mem.f16(w, bo) * in.d[yb + i];
            sums = sums.add(
                    acc.convert(VectorOperators.I2F, 0).reinterpretAsFloats().mul(d));
            float dmin = Mem.f16(w, bo + 2) * in.d[yb + i];
            sumf -= dmin * sumi;
        }
        return finish(sumf, sums);
    }

    static float q2_K(MemorySegment w, long off, InputRows in, int row) {
        if (!ENABLED) {
            return Kernels.Q2_K.dotReference(w, off, in, row);
        }
        int nb = in.n / 256;
        int yb = row * nb;
        short[] y = in.qs16;
        float sumf = 0;
        for (int i = 0; i < nb; i++) {
            long bo = off + 84L * i;
            int q8 = (yb + i) * 256;
            int summs = 0;
            int bs = (yb + i) * 16;
            for (int j = 0; j < 16; j++) {
                summs += in.bsums[bs + j] * (Mem.u8(w, bo + j) >>> 4);
            }
            float dall = in.d[yb + i] * Mem.f16(w, bo + 80);
            float dmin = in.d[yb + i] * Mem.f16(w, bo + 82);
            IntVector acc = IntVector.zero(I256);
            int is = 0;
            for (int k = 0; k < 2; k++) {
                ByteVector q0 = ByteVector.fromMemorySegment(B128, w, bo + 16 + 32L * k, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B128, w, bo + 32 + 32L * k, LE);
                for (int shift = 0; shift < 8; shift += 2) {
                    int base = q8 + 128 * k + 16 * shift;
                    ShortVector p0 = widen(
                                    q0.lanewise(VectorOperators.LSHR, shift).and((byte) 3))
                            .mul(ShortVector.fromArray(S256, y, base));
                    ShortVector p1 = widen(
                                    q1.lanewise(VectorOperators.LSHR, shift).and((byte) 3))
                            .mul(ShortVector.fromArray(S256, y, base + 16));
                    acc = acc.add(pairs(p0).mul(Mem.u8(w, bo + is) & 0xF))
                            .add(pairs(p1).mul(Mem.u8(w, bo + is + 1) & 0xF));
                    is += 2;
                }
            }
            int isum = acc.reduceLanes(VectorOperators.ADD);
            sumf += dall * isum - dmin * summs;
        }
        return sumf;
    }

    static float f32(MemorySegment w, long off, float[] y, int yo, int n) {
        if (!ENABLED) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += (double) (Mem.f32(w, off + 4L * i) * y[yo + i]);
            }
            return (float) sum;
        }
        DoubleVector acc = DoubleVector.zero(D256);
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            FloatVector a = FloatVector.fromMemorySegment(F128, w, off + 4L * i, LE);
            FloatVector p = a.mul(FloatVector.fromArray(F128, y, yo + i));
            acc = acc.add(p.convertShape(VectorOperators.F2D, D256, 0));
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += (double) (Mem.f32(w, off + 4L * i) * y[yo + i]);
        }
        return (float) sum;
    }

    /** Eight fp16 values to floats, exact for every finite value (subnormals included). */
    static FloatVector halfToFloat(ShortVector h) {
        IntVector bits = (IntVector) h.convertShape(VectorOperators.S2I, I256, 0);
        IntVector mag = bits.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        FloatVector f = mag.reinterpretAsFloats().mul(0x1p112f);
        return f.reinterpretAsInts().or(sign).reinterpretAsFloats();
    }

    static float f16(MemorySegment w, long off, float[] y, int yo, int n) {
        if (!ENABLED) {
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += (double) (Mem.f16(w, off + 2L * i) * y[yo + i]);
            }
            return (float) sum;
        }
        DoubleVector acc0 = DoubleVector.zero(D256);
        DoubleVector acc1 = DoubleVector.zero(D256);
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            FloatVector a = halfToFloat(ShortVector.fromMemorySegment(S128, w, off + 2L * i, LE));
            FloatVector p = a.mul(FloatVector.fromArray(F256, y, yo + i));
            acc0 = acc0.add(p.convertShape(VectorOperators.F2D, D256, 0));
            acc1 = acc1.add(p.convertShape(VectorOperators.F2D, D256, 1));
        }
        DoubleVector acc = acc0.add(acc1);
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += (double) (Mem.f16(w, off + 2L * i) * y[yo + i]);
        }
        return (float) sum;
    }
}
