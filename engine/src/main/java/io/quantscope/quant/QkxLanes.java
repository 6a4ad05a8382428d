package io.quantscope.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code make_qkx2_quants} (weighted, squared error) for eight 32-weight sub-blocks at once: each vector lane
 * runs one sub-block's search with exactly its own float operations in their scalar order, so the result is
 * {@link QuantSearch#makeQkxQuants}'s, bit for bit, for eight sub-blocks in the time of about one. Used by the Q4_K and
 * Q5_K reference paths (the heart of Q4_K_M / Q5_K_M quantization).
 */
final class QkxLanes {
    static final boolean ENABLED =
            !Boolean.getBoolean("quantscope.scalarKernels") && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int N = 32; // the Q4_K/Q5_K sub-block; Q2_K uses 16
    private static final int LANES = 8;

    private static final class Scratch {
        final float[] xt = new float[N * LANES];
        final float[] wt = new float[N * LANES];
        final int[] lt = new int[N * LANES];
        final int[] aux = new int[N * LANES];
        final float[] lanes = new float[LANES];
        final int[] ilanes = new int[LANES];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private QkxLanes() {}

    private static final FloatVector MAGIC = FloatVector.broadcast(F, 12582912.f);
    private static final IntVector MANTISSA = IntVector.broadcast(I, 0x007fffff);
    private static final IntVector OFFSET = IntVector.broadcast(I, 0x00400000);
    private static final IntVector ZERO = IntVector.zero(I);

    /** ggml's nearest_int, lane-wise, clamped to {@code [0, top]} (vector operands: C2 intrinsifies these reliably). */
    private static IntVector level(FloatVector f, IntVector top) {
        IntVector l = f.add(MAGIC).reinterpretAsInts().and(MANTISSA).sub(OFFSET);
        return l.max(ZERO).min(top);
    }

    /**
     * Sub-block {@code j} (0..7) is {@code x[xo + 32j ..]} with weights {@code w[32j ..]}; its levels go to
     * {@code L[lo + 32j ..]}, its scale to {@code scales[j]} and its negated min to {@code mins[j]}.
     */
    static void run8(
            int nmax,
            float[] x,
            int xo,
            float[] w,
            byte[] L,
            int lo,
            float[] scales,
            float[] mins,
            float rmin,
            float rdelta,
            int nstep) {
        run8(N, false, nmax, x, xo, w, 0, L, lo, scales, 0, mins, rmin, rdelta, nstep);
    }

    /**
     * The general form: sub-blocks of {@code n} (≤ 32) weights, error as squares or ({@code useMad}) absolute values;
     * outputs at {@code scales[so + j]} and {@code mins[so + j]}.
     */
    static void run8(
            int n,
            boolean useMad,
            int nmax,
            float[] x,
            int xo,
            float[] w,
            int wo,
            byte[] L,
            int lo,
            float[] scales,
            int so,
            float[] mins,
            float rmin,
            float rdelta,
            int nstep) {
        Scratch s = SCRATCH.get();
        float[] xt = s.xt;
        float[] wt = s.wt;
        for (int j = 0; j < LANES; j++) {
            for (int i = 0; i < n; i++) {
                xt[i * LANES + j] = x[xo + n * j + i];
                wt[i * LANES + j] = w[wo + n * j + i];
            }
        }
        FloatVector zero = FloatVector.zero(F);
        IntVector top = IntVector.broadcast(I, nmax);
        FloatVector x0 = FloatVector.fromArray(F, xt, 0);
        FloatVector min = x0;
        FloatVector max = x0;
        FloatVector sumW = FloatVector.fromArray(F, wt, 0);
        FloatVector sumX = sumW.mul(x0);
        for (int i = 1; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            min = min.blend(xi, xi.lt(min));
            max = max.blend(xi, xi.compare(jdk.incubator.vector.VectorOperators.GT, max));
            FloatVector wi = FloatVector.fromArray(F, wt, i * LANES);
            sumW = sumW.add(wi);
            sumX = sumX.add(wi.mul(xi));
        }
        min = min.blend(zero, min.compare(jdk.incubator.vector.VectorOperators.GT, 0f));
        VectorMask<Float> flat = max.eq(min);
        FloatVector flatMin = min;
        FloatVector range = max.sub(min);
        FloatVector iscale = FloatVector.broadcast(F, (float) nmax).div(range);
        FloatVector scale = FloatVector.broadcast(F, 1f).div(iscale);
        FloatVector bestMad = zero;
        int[] lt = s.lt;
        for (int i = 0; i < n; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            IntVector l = level(iscale.mul(xi.sub(min)), top);
            l.intoArray(lt, i * LANES);
            FloatVector diff = scale.mul((FloatVector) l.convert(jdk.incubator.vector.VectorOperators.I2F, 0))
                    .add(min)
                    .sub(xi);
            diff = useMad ? diff.abs() : diff.mul(diff);
            bestMad = bestMad.add(FloatVector.fromArray(F, wt, i * LANES).mul(diff));
        }
        int[] aux = s.aux;
        for (int is = 0; is <= nstep && nstep >= 1; is++) {
            float f = rmin + rdelta * is + nmax;
            iscale = FloatVector.broadcast(F, f).div(max.sub(min)); // min moves as better fits are found
            FloatVector sumL = zero;
            FloatVector sumL2 = zero;
            FloatVector sumXl = zero;
            for (int i = 0; i < n; i++) {
                FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
                IntVector l = level(iscale.mul(xi.sub(min)), top);
                l.intoArray(aux, i * LANES);
                FloatVector lf = (FloatVector) l.convert(jdk.incubator.vector.VectorOperators.I2F, 0);
                FloatVector wl = FloatVector.fromArray(F, wt, i * LANES).mul(lf);
                sumL = sumL.add(wl);
                sumL2 = sumL2.add(wl.mul(lf));
                sumXl = sumXl.add(wl.mul(xi));
            }
            FloatVector d = sumW.mul(sumL2).sub(sumL.mul(sumL));
            VectorMask<Float> positive = d.compare(jdk.incubator.vector.VectorOperators.GT, 0f);
            if (!positive.anyTrue()) {
                continue;
            }
            FloatVector thisScale = sumW.mul(sumXl).sub(sumX.mul(sumL)).div(d);
            FloatVector thisMin = sumL2.mul(sumX).sub(sumL.mul(sumXl)).div(d);
            VectorMask<Float> minAbove = thisMin.compare(jdk.incubator.vector.VectorOperators.GT, 0f);
            thisMin = thisMin.blend(zero, minAbove);
            thisScale = thisScale.blend(sumXl.div(sumL2), minAbove);
            FloatVector mad = zero;
            for (int i = 0; i < n; i++) {
                FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
                FloatVector lf = (FloatVector)
                        IntVector.fromArray(I, aux, i * LANES).convert(jdk.incubator.vector.VectorOperators.I2F, 0);
                FloatVector diff = thisScale.mul(lf).add(thisMin).sub(xi);
                diff = useMad ? diff.abs() : diff.mul(diff);
                mad = mad.add(FloatVector.fromArray(F, wt, i * LANES).mul(diff));
            }
            VectorMask<Float> better = positive.and(mad.lt(bestMad)).andNot(flat);
            if (better.anyTrue()) {
                VectorMask<Integer> take = better.cast(I);
                for (int i = 0; i < n; i++) {
                    IntVector.fromArray(I, lt, i * LANES)
                            .blend(IntVector.fromArray(I, aux, i * LANES), take)
                            .intoArray(lt, i * LANES);
                }
                bestMad = bestMad.blend(mad, better);
                scale = scale.blend(thisScale, better);
                min = min.blend(thisMin, better);
            }
        }
        scale = scale.blend(zero, flat);
        min = min.blend(flatMin, flat);
        scale.intoArray(s.lanes, 0);
        System.arraycopy(s.lanes, 0, scales, so, LANES);
        min.neg().intoArray(s.lanes, 0);
        System.arraycopy(s.lanes, 0, mins, so, LANES);
        boolean[] flatLanes = flat.toArray();
        for (int j = 0; j < LANES; j++) {
            for (int i = 0; i < n; i++) {
                L[lo + n * j + i] = flatLanes[j] ? 0 : (byte) lt[i * LANES + j];
            }
        }
    }

    /**
     * {@code L[lo + i] = clamp(nearest_int((x[xo + i] (+ add)) / d), min, max) + bias} for {@code i < n} (a multiple of
     * 8), element by element as the scalar loops compute it; {@code withAdd} false skips the addition entirely.
     */
    static void requantize(
            float[] x,
            int xo,
            int n,
            boolean withAdd,
            float add,
            float d,
            int min,
            int max,
            int bias,
            byte[] L,
            int lo) {
        Scratch s = SCRATCH.get();
        IntVector low = IntVector.broadcast(I, min);
        IntVector high = IntVector.broadcast(I, max);
        IntVector off = IntVector.broadcast(I, bias);
        for (int i = 0; i < n; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            if (withAdd) {
                v = v.add(add);
            }
            IntVector l = v.div(d)
                    .add(MAGIC)
                    .reinterpretAsInts()
                    .and(MANTISSA)
                    .sub(OFFSET)
                    .max(low)
                    .min(high)
                    .add(off);
            l.intoArray(s.ilanes, 0);
            for (int k = 0; k < LANES; k++) {
                L[lo + i + k] = (byte) s.ilanes[k];
            }
        }
    }
}
