package io.quantscope.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * ggml's {@code make_qx_quants} (rmse type 1: weights x² or the importance matrix) for eight 16-weight sub-blocks at
 * once, one per vector lane, each lane keeping its sub-block's scalar float order: {@link QuantSearch#makeQxQuants}'s
 * results bit for bit. Used by Q6_K.
 */
final class QxLanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final int N = 16;
    private static final int LANES = 8;
    private static final FloatVector MAGIC = FloatVector.broadcast(F, 12582912.f);
    private static final IntVector MANTISSA = IntVector.broadcast(I, 0x007fffff);
    private static final IntVector OFFSET = IntVector.broadcast(I, 0x00400000);

    private static final class Scratch {
        final float[] xt = new float[N * LANES];
        final float[] wt = new float[N * LANES];
        // levels as floats (small integers, exact), so their blends take float masks and stay intrinsified
        final float[] lt = new float[N * LANES];
        final float[] aux = new float[N * LANES];
        final float[] lanes = new float[LANES];
        final float[] sumlx = new float[LANES];
        final float[] suml2 = new float[LANES];
        final float[] flat = new float[LANES]; // 1 where the sub-block is flat
        final float[] max = new float[LANES]; // each lane's signed max
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private QxLanes() {}

    /** Levels (+nmax) from lane-major {@code lt} to {@code L[lo + 16j + i]}; a flat sub-block gets zeros. */
    private static void store(float[] flatLanes, float[] lt, int nmax, byte[] L, int lo) {
        // a flat sub-block's levels become -nmax (stored as 0) in the lanes, so the transpose below has no branch;
        // the mask is rebuilt here from the array, as a mask passed to a method that is not inlined would be boxed
        VectorMask<Float> flat = FloatVector.fromArray(F, flatLanes, 0).compare(VectorOperators.NE, 0f);
        FloatVector low = FloatVector.broadcast(F, (float) -nmax);
        for (int i = 0; i < N; i++) {
            FloatVector.fromArray(F, lt, i * LANES).blend(low, flat).intoArray(lt, i * LANES);
        }
        for (int j = 0; j < LANES; j++) {
            for (int i = 0; i < N; i++) {
                L[lo + N * j + i] = (byte) ((int) lt[i * LANES + j] + nmax);
            }
        }
    }

    /**
     * Transposes eight 16-weight sub-blocks into lanes ({@code s.xt}; with {@code withWeights} also their weights,
     * {@code qw} or x², into {@code s.wt}) and writes each lane's signed max — the value with the largest |x|, the
     * first on ties, as the scalar scan keeps it — to {@code s.max}, and 1 to {@code s.flat} where the sub-block is
     * flat. Results go to arrays, not returned vectors: vectors returned in an array are boxed.
     */
    private static void transposeAndMax(float[] x, int xo, float[] qw, int qwo, boolean withWeights, Scratch s) {
        float[] xt = s.xt;
        float[] wt = s.wt;
        for (int j = 0; j < LANES; j++) {
            for (int i = 0; i < N; i++) {
                float xi = x[xo + N * j + i];
                xt[i * LANES + j] = xi;
                if (withWeights) {
                    wt[i * LANES + j] = qw != null ? qw[qwo + N * j + i] : xi * xi;
                }
            }
        }
        FloatVector zero = FloatVector.zero(F);
        FloatVector max = zero;
        FloatVector amax = zero;
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector ax = xi.abs();
            VectorMask<Float> bigger = ax.compare(VectorOperators.GT, amax);
            amax = amax.blend(ax, bigger);
            max = max.blend(xi, bigger);
        }
        max.intoArray(s.max, 0);
        zero.blend(1f, amax.lt(QuantSearch.GROUP_MAX_EPS)).intoArray(s.flat, 0);
    }

    /** nearest_int clamped to {@code [-nmax, nmax-1]}. */
    private static IntVector level(FloatVector f, IntVector lo, IntVector hi) {
        return f.add(MAGIC)
                .reinterpretAsInts()
                .and(MANTISSA)
                .sub(OFFSET)
                .max(lo)
                .min(hi);
    }

    /**
     * Sub-block {@code j} (0..7) is {@code x[xo + 16j ..]} with weights {@code qw[qwo + 16j ..]} (or x² when
     * {@code qw} is null); levels (+nmax) go to {@code L[lo + 16j ..]}, scales to {@code scales[so + j]}.
     */
    static void run8(int nmax, float[] x, int xo, float[] qw, int qwo, byte[] L, int lo, float[] scales, int so) {
        Scratch s = SCRATCH.get();
        transposeAndMax(x, xo, qw, qwo, true, s);
        float[] xt = s.xt;
        float[] wt = s.wt;
        FloatVector zero = FloatVector.zero(F);
        FloatVector max = FloatVector.fromArray(F, s.max, 0);
        VectorMask<Float> flat = FloatVector.fromArray(F, s.flat, 0).compare(VectorOperators.NE, 0f);
        IntVector low = IntVector.broadcast(I, -nmax);
        IntVector high = IntVector.broadcast(I, nmax - 1);
        FloatVector iscale = FloatVector.broadcast(F, (float) -nmax).div(max);
        FloatVector sumlx = zero;
        FloatVector suml2 = zero;
        float[] lt = s.lt;
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector lf = (FloatVector) level(iscale.mul(xi), low, high).convert(VectorOperators.I2F, 0);
            lf.intoArray(lt, i * LANES);
            FloatVector wi = FloatVector.fromArray(F, wt, i * LANES);
            sumlx = sumlx.add(wi.mul(xi).mul(lf));
            suml2 = suml2.add(wi.mul(lf).mul(lf));
        }
        FloatVector scale = sumlx.div(suml2).blend(zero, suml2.eq(0f));
        FloatVector best = scale.mul(sumlx);
        float[] aux = s.aux;
        for (int is = -9; is <= 9; ++is) {
            if (is == 0) continue;
            iscale = FloatVector.broadcast(F, -(nmax + 0.1f * is)).div(max);
            sumlx = zero;
            suml2 = zero;
            for (int i = 0; i < N; i++) {
                FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
                FloatVector lf = (FloatVector) level(iscale.mul(xi), low, high).convert(VectorOperators.I2F, 0);
                lf.intoArray(aux, i * LANES);
                FloatVector wi = FloatVector.fromArray(F, wt, i * LANES);
                sumlx = sumlx.add(wi.mul(xi).mul(lf));
                suml2 = suml2.add(wi.mul(lf).mul(lf));
            }
            VectorMask<Float> better = suml2.compare(VectorOperators.GT, 0f)
                    .and(sumlx.mul(sumlx).compare(VectorOperators.GT, best.mul(suml2)))
                    .andNot(flat);
            if (better.anyTrue()) {
                for (int i = 0; i < N; i++) {
                    FloatVector.fromArray(F, lt, i * LANES)
                            .blend(FloatVector.fromArray(F, aux, i * LANES), better)
                            .intoArray(lt, i * LANES);
                }
                FloatVector newScale = sumlx.div(suml2);
                scale = scale.blend(newScale, better);
                best = best.blend(newScale.mul(sumlx), better);
            }
        }
        scale = scale.blend(zero, flat);
        scale.intoArray(s.lanes, 0);
        System.arraycopy(s.lanes, 0, scales, so, LANES);
        store(s.flat, lt, nmax, L, lo);
    }

    /**
     * ggml's {@code make_q3_quants} with {@code do_rmse} (weights x², up to five sweeps of coordinate descent that end
     * early per sub-block) for eight 16-weight sub-blocks in lanes; a lane that has settled takes no further updates,
     * exactly as its scalar loop would have stopped. Levels (+nmax) to {@code L[lo + 16j ..]}, scales to
     * {@code scales[so + j]}.
     */
    static void q3Run8(int nmax, float[] x, int xo, byte[] L, int lo, float[] scales, int so) {
        // three methods, their state in the scratch arrays: as one method, C2's node budget left some blends
        // un-inlined, and those ran as slow generic code
        Scratch s = SCRATCH.get();
        q3Start(nmax, x, xo, s);
        q3Sweeps(nmax, s);
        FloatVector sumlx = FloatVector.fromArray(F, s.sumlx, 0);
        FloatVector suml2 = FloatVector.fromArray(F, s.suml2, 0);
        VectorMask<Float> flat = FloatVector.fromArray(F, s.flat, 0).compare(VectorOperators.NE, 0f);
        FloatVector scale = sumlx.div(suml2).blend(FloatVector.zero(F), flat);
        scale.intoArray(s.lanes, 0);
        System.arraycopy(s.lanes, 0, scales, so, LANES);
        store(s.flat, s.lt, nmax, L, lo);
    }

    /** Transposes the sub-blocks into lanes, finds each one's signed max, and sets the first levels and sums. */
    private static void q3Start(int nmax, float[] x, int xo, Scratch s) {
        transposeAndMax(x, xo, null, 0, false, s);
        float[] xt = s.xt;
        FloatVector zero = FloatVector.zero(F);
        FloatVector max = FloatVector.fromArray(F, s.max, 0);
        IntVector low = IntVector.broadcast(I, -nmax);
        IntVector high = IntVector.broadcast(I, nmax - 1);
        FloatVector iscale = FloatVector.broadcast(F, (float) -nmax).div(max);
        FloatVector sumlx = zero;
        FloatVector suml2 = zero;
        float[] lt = s.lt;
        for (int i = 0; i < N; i++) {
            FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
            FloatVector lf = (FloatVector) level(iscale.mul(xi), low, high).convert(VectorOperators.I2F, 0);
            lf.intoArray(lt, i * LANES);
            FloatVector w = xi.mul(xi);
            sumlx = sumlx.add(w.mul(xi).mul(lf));
            suml2 = suml2.add(w.mul(lf).mul(lf));
        }
        sumlx.intoArray(s.sumlx, 0);
        suml2.intoArray(s.suml2, 0);
    }

    /** Up to five sweeps of coordinate descent per lane; a lane whose sweep changes nothing stops. */
    private static void q3Sweeps(int nmax, Scratch s) {
        float[] xt = s.xt;
        float[] lt = s.lt;
        IntVector low = IntVector.broadcast(I, -nmax);
        IntVector high = IntVector.broadcast(I, nmax - 1);
        FloatVector sumlx = FloatVector.fromArray(F, s.sumlx, 0);
        FloatVector suml2 = FloatVector.fromArray(F, s.suml2, 0);
        VectorMask<Float> active = FloatVector.fromArray(F, s.flat, 0).compare(VectorOperators.EQ, 0f);
        for (int itry = 0; itry < 5 && active.anyTrue(); ++itry) {
            VectorMask<Float> changed = F.maskAll(false);
            for (int i = 0; i < N; i++) {
                FloatVector xi = FloatVector.fromArray(F, xt, i * LANES);
                FloatVector w = xi.mul(xi);
                FloatVector lif = FloatVector.fromArray(F, lt, i * LANES);
                FloatVector slx = sumlx.sub(w.mul(xi).mul(lif));
                VectorMask<Float> go = active.and(slx.compare(VectorOperators.GT, 0f));
                if (!go.anyTrue()) {
                    continue;
                }
                FloatVector sl2 = suml2.sub(w.mul(lif).mul(lif));
                FloatVector nf =
                        (FloatVector) level(xi.mul(sl2).div(slx), low, high).convert(VectorOperators.I2F, 0);
                // levels are kept as floats (small integers compare alike), so every mask here is a float mask
                go = go.and(nf.compare(VectorOperators.NE, lif));
                if (!go.anyTrue()) {
                    continue;
                }
                slx = slx.add(w.mul(xi).mul(nf));
                sl2 = sl2.add(w.mul(nf).mul(nf));
                VectorMask<Float> take = go.and(sl2.compare(VectorOperators.GT, 0f))
                        .and(slx.mul(slx)
                                .mul(suml2)
                                .compare(VectorOperators.GT, sumlx.mul(sumlx).mul(sl2)));
                if (take.anyTrue()) {
                    lif.blend(nf, take).intoArray(lt, i * LANES);
                    sumlx = sumlx.blend(slx, take);
                    suml2 = suml2.blend(sl2, take);
                    changed = changed.or(take);
                }
            }
            active = active.and(changed); // a sub-block whose sweep changed nothing stops, as its loop breaks
        }
        sumlx.intoArray(s.sumlx, 0);
        suml2.intoArray(s.suml2, 0);
    }
}
