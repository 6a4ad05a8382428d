package io.quantscope.quant.dot;

import io.quantscope.quant.Q8_0;
import io.quantscope.quant.QuantMath;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A batch of activation rows converted to one {@link InputFormat}, exactly as ggml converts them before its dot
 * products (quantize_row_q8_0_ref, q8_1_ref, q8_K_ref; fp32→fp16/bf16 round to nearest even). Reused across calls:
 * {@link #load} overwrites the contents.
 *
 * <p>Layout: {@code qs} holds the int8 values (row-major, {@code n} per row); {@code d} one scale per block;
 * {@code s} (Q8_1) the fp16-rounded {@code d·Σqs} per block; {@code bsums} (Q8_K) the sum of each 16 values;
 * {@code f} (F32/F16/BF16) the values as floats after rounding to the format.
 */
public final class InputRows {
    public final InputFormat format;
    public int rows;
    public int n;
    public byte[] qs = new byte[0];
    /** {@code qs} as floats, for the lane kernels ({@link LaneDots}). */
    public float[] qf = new float[0];

    /**
     * {@code qs} as shorts, for the kernels that multiply in 16-bit lanes (built only where they run): Q8_K's for the K
     * kernels, Q8_0's for {@link Q4_0Groups}.
     */
    short[] qsh = new short[0];

    /**
     * Q8_0 values laid out for {@link LaneDots#q4_0Shorts}, 96 shorts per pair of blocks {@code a, b}: values
     * {@code 0-15} of {@code a} then of {@code b} (what the low nibbles meet), values {@code 16-31} of each (the high
     * nibbles), then {@code 8·(lo + hi)} per lane (the offset of 8 taken back). Built by {@link #prepareQ40} for the
     * current rows when {@link #q40Ready}.
     */
    short[] q40 = new short[0];

    /** Whether {@link #q40} holds the rows of the last {@link #load}. */
    boolean q40Ready;

    /**
     * Per block, {@code −8·Σqs} (at most 8·32·127 in magnitude): where {@link Q4_0Groups}' one-token sums start, taking
     * the nibbles' offset of 8 back. Built with {@link #qsh} by {@link #prepareQ40Groups} when {@link #q40GroupsReady}.
     */
    short[] q40Start = new short[0];

    /** Whether {@link #q40Start} and {@link #qsh} hold the rows of the last {@link #load}. */
    boolean q40GroupsReady;

    /**
     * Per eight Q8_K values, {@code 32·Σqs} (at most 32·8·127 in magnitude): what {@link Q6_KGroups}' one-token sums
     * take back for the values' offset of 32. Built by {@link #prepareQ6Groups} when {@link #q6GroupsReady}.
     */
    short[] q6Offsets = new short[0];

    /** Whether {@link #q6Offsets} holds the rows of the last {@link #load}. */
    boolean q6GroupsReady;

    /** Whether the last {@link #load} built the one-token kernels' arrays ({@link #qf} and the like). */
    private boolean oneToken;

    public float[] d = new float[0];
    public float[] s = new float[0];
    public int[] bsums = new int[0];
    public float[] f = new float[0];

    /**
     * F16 activations times 2^112 (exact: an F16 value is below 2^16, so this stays finite), for {@link LaneDots#f16},
     * which takes each weight as its value times 2^-112.
     */
    float[] f112 = new float[0];

    /**
     * Q8_K group sums as floats for the one-token lane kernels ({@link LaneDots}): per block, the sixteen sums of 16
     * ({@link #bsums}) in {@code ksum16}, and in {@code ksum32} eight zeros followed by the eight sums of 32, to meet the
     * mins in the upper half of a Q4_K block's scale vector.
     */
    float[] ksum16 = new float[0];

    float[] ksum32 = new float[0];

    /** Tokens rounded up to a multiple of twice {@link #GROUP}, or 0 when {@link #qT} is not built. */
    public int tpad;

    /**
     * Q8_0 activations transposed for batch kernels, as floats (integers up to 127, so products and 32-term block sums
     * are exact in float): value {@code j} of token {@code t} at {@code j·tpad + t}.
     */
    public float[] qT = new float[0];

    /** Block scales transposed the same way: block {@code b} of token {@code t} at {@code b·tpad + t}. */
    public float[] dT = new float[0];

    /** F32/F16/BF16 activations (as converted) transposed the same way. */
    public float[] fT = new float[0];

    /** Q8_1 block sums ({@code s}) transposed the same way as {@link #dT}. */
    public float[] sT = new float[0];

    /** Q8_K sums of 16 transposed the same way (as floats): sum {@code j} of token {@code t} at {@code j·tpad + t}. */
    public float[] bT = new float[0];

    /**
     * The activations as the format holds them, as floats ({@code qs·d} for the Q8 formats, {@code f} for the float
     * formats), transposed for {@link LaneBatch}: value {@code j} of token {@code t} at {@code j·lanePad + t}.
     */
    float[] valuesT = new float[0];

    /** Tokens rounded up to a multiple of twice {@link #GROUP} in {@link #valuesT}, or 0 when it is not built. */
    int lanePad;

    /** Whether to build the transposed arrays the exact (reference-order) batch paths read even when lanes are on. */
    private boolean exactBatches;

    /** Tokens a batch kernel handles at once: one per float lane of the machine's widest vector. */
    public static final int GROUP = VectorDots.BATCH_LANES;

    public InputRows(InputFormat format) {
        this.format = format;
    }

    /** Converts {@code rows} rows of {@code n} floats from {@code x} (row stride {@code n}). */
    public InputRows load(float[] x, int rows, int n) {
        this.rows = rows;
        this.n = n;
        int total = rows * n;
        switch (format) {
            case F32 -> {
                ensureF(total);
                System.arraycopy(x, 0, f, 0, total);
            }
            case F16 -> {
                ensureF(total);
                for (int i = 0; i < total; i++) {
                    f[i] = QuantMath.roundTripF16(x[i]);
                }
                if (LaneDots.ENABLED && LaneDots.L == 16) { // only the 16-lane one-token kernel reads them
                    if (f112.length < total) {
                        f112 = new float[total];
                    }
                    for (int i = 0; i < total; i++) {
                        f112[i] = f[i] * 0x1p112f;
                    }
                }
            }
            case BF16 -> {
                ensureF(total);
                for (int i = 0; i < total; i++) {
                    f[i] = QuantMath.fromBf16(QuantMath.toBf16(x[i]));
                }
            }
            case Q8_0 -> quantizeQ8(x, total, false);
            case Q8_1 -> quantizeQ8(x, total, true);
            case Q8_K -> quantizeQ8K(x, total);
        }
        boolean lanes = LaneBatch.applies(format, rows);
        q40Ready = false;
        q40GroupsReady = false;
        q6GroupsReady = false;
        oneToken = !lanes || exactBatches;
        if (oneToken) {
            // qs as floats for the one-token lane kernels; a lane batch reads valuesT instead
            if (format == InputFormat.Q8_0 || format == InputFormat.Q8_1 || format == InputFormat.Q8_K) {
                for (int i = 0; i < total; i++) {
                    qf[i] = qs[i];
                }
            }
            if (format == InputFormat.Q8_K) {
                fillKSums(total / 256);
                if (LaneDots.SHORTS) {
                    if (qsh.length < total) {
                        qsh = new short[total];
                    }
                    for (int i = 0; i < total; i++) {
                        qsh[i] = qs[i];
                    }
                }
            }
        }
        lanePad = 0;
        if (lanes) {
            fillValuesT();
        }
        tpad = 0;
        if (lanes && !exactBatches) {
            return this;
        }
        if ((format == InputFormat.Q8_0 || format == InputFormat.Q8_1 || format == InputFormat.Q8_K) && rows >= GROUP) {
            transpose();
        } else if ((format == InputFormat.F32 || format == InputFormat.F16 || format == InputFormat.BF16)
                && rows >= GROUP) {
            transposeFloats();
        }
        return this;
    }

    private void fillKSums(int nb) {
        if (ksum16.length < nb * 16) {
            ksum16 = new float[nb * 16];
            ksum32 = new float[nb * 16];
        }
        for (int b = 0; b < nb; b++) {
            for (int j = 0; j < 16; j++) {
                ksum16[b * 16 + j] = bsums[b * 16 + j];
            }
            for (int j = 0; j < 8; j++) {
                ksum32[b * 16 + j] = 0f;
                ksum32[b * 16 + 8 + j] = bsums[b * 16 + 2 * j] + bsums[b * 16 + 2 * j + 1];
            }
        }
    }

    /** Builds the transposed arrays of the exact batch paths too (tests of those paths). */
    InputRows withExactBatches() {
        exactBatches = true;
        return this;
    }

    private void fillValuesT() {
        lanePad = (rows + 2 * GROUP - 1) / (2 * GROUP) * (2 * GROUP);
        int lp = lanePad;
        if (valuesT.length < n * lp) {
            valuesT = new float[n * lp];
        }
        boolean floats = format == InputFormat.F32 || format == InputFormat.F16 || format == InputFormat.BF16;
        int block = format == InputFormat.Q8_K ? 256 : 32;
        for (int t = 0; t < rows; t++) {
            int o = t * n;
            for (int j = 0; j < n; j++) {
                valuesT[j * lp + t] = floats ? f[o + j] : qs[o + j] * d[(o + j) / block];
            }
        }
        for (int j = 0; j < n; j++) {
            java.util.Arrays.fill(valuesT, j * lp + rows, (j + 1) * lp, 0f);
        }
    }

    private void transposeFloats() {
        tpad = (rows + 2 * GROUP - 1) / (2 * GROUP) * (2 * GROUP);
        if (fT.length < n * tpad) {
            fT = new float[n * tpad];
        }
        java.util.Arrays.fill(fT, 0, n * tpad, 0f);
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < n; j++) {
                fT[j * tpad + t] = f[t * n + j];
            }
        }
    }

    private void transpose() {
        tpad = (rows + 2 * GROUP - 1) / (2 * GROUP) * (2 * GROUP); // kernels may read two groups at once
        int nb = n / (format == InputFormat.Q8_K ? 256 : 32);
        if (qT.length < n * tpad) {
            qT = new float[n * tpad];
        }
        if (dT.length < nb * tpad) {
            dT = new float[nb * tpad];
        }
        java.util.Arrays.fill(qT, 0, n * tpad, 0f);
        java.util.Arrays.fill(dT, 0, nb * tpad, 0f);
        for (int t = 0; t < rows; t++) {
            for (int j = 0; j < n; j++) {
                qT[j * tpad + t] = qs[t * n + j];
            }
            for (int b = 0; b < nb; b++) {
                dT[b * tpad + t] = d[t * nb + b];
            }
        }
        if (format == InputFormat.Q8_1) {
            if (sT.length < nb * tpad) {
                sT = new float[nb * tpad];
            }
            java.util.Arrays.fill(sT, 0, nb * tpad, 0f);
            for (int t = 0; t < rows; t++) {
                for (int b = 0; b < nb; b++) {
                    sT[b * tpad + t] = s[t * nb + b];
                }
            }
        }
        if (format == InputFormat.Q8_K) {
            int ns = n / 16;
            if (bT.length < ns * tpad) {
                bT = new float[ns * tpad];
            }
            java.util.Arrays.fill(bT, 0, ns * tpad, 0f);
            for (int t = 0; t < rows; t++) {
                for (int j = 0; j < ns; j++) {
                    bT[j * tpad + t] = bsums[t * ns + j];
                }
            }
        }
    }

    private void ensureF(int total) {
        if (f.length < total) {
            f = new float[total];
        }
    }

    private void ensureQ(int total, int blocks) {
        if (qs.length < total) {
            qs = new byte[total];
            qf = new float[total];
        }
        if (d.length < blocks) {
            d = new float[blocks];
            s = new float[blocks];
        }
    }

    private void quantizeQ8(float[] x, int total, boolean withSum) {
        int nb = total / 32;
        ensureQ(total, nb);
        for (int b = 0; b < nb; b++) {
            float dd = Q8_0.quantizeBlock(x, b * 32, qs, b * 32);
            d[b] = QuantMath.roundTripF16(dd);
            if (withSum) {
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    sum += qs[b * 32 + j];
                }
                s[b] = QuantMath.roundTripF16(sum * dd);
            }
        }
    }

    private void quantizeQ8K(float[] x, int total) {
        int nb = total / 256;
        ensureQ(total, nb);
        if (bsums.length < total / 16) {
            bsums = new int[total / 16];
        }
        for (int b = 0; b < nb; b++) {
            if (!VECTOR_Q8K || !quantizeQ8KLanes(x, b)) {
                quantizeQ8KBlock(x, b);
            }
        }
    }

    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;

    /** Whether Q8_K blocks are quantized sixteen lanes at a time ({@link #quantizeQ8KLanes}). */
    static final boolean VECTOR_Q8K = LaneDots.ENABLED && LaneDots.L == 16;

    /**
     * {@link #quantizeQ8KBlock} in sixteen lanes, the same bytes: the block's largest |x| by a lane maximum, the first
     * value of that magnitude found again one by one (the reference keeps the first), the levels by the same
     * round-to-nearest-even of {@code iscale·x}, and each group of sixteen's sum as one lane sum. A block with a NaN is
     * left to the reference ({@code false}). At a 5,632-wide row the one-by-one loops took ~12 µs of every call.
     */
    boolean quantizeQ8KLanes(float[] x, int b) {
        int o = b * 256;
        FloatVector m = FloatVector.zero(F512);
        for (int k = 0; k < 256; k += 16) {
            m = m.max(FloatVector.fromArray(F512, x, o + k).abs());
        }
        float amax = m.reduceLanes(VectorOperators.MAX);
        if (Float.isNaN(amax) || amax == 0f) {
            return false;
        }
        int first = o;
        while (Math.abs(x[first]) != amax) {
            first++;
        }
        float iscale = -127.f / x[first];
        for (int g = 0; g < 16; g++) {
            IntVector q = FloatVector.fromArray(F512, x, o + 16 * g)
                    .mul(iscale)
                    .add(12582912.f)
                    .reinterpretAsInts()
                    .and(0x007fffff)
                    .sub(0x00400000)
                    .min(127);
            bsums[b * 16 + g] = q.reduceLanes(VectorOperators.ADD);
            ((ByteVector) q.convertShape(VectorOperators.I2B, ByteVector.SPECIES_128, 0)).intoArray(qs, o + 16 * g);
        }
        d[b] = 1 / iscale;
        return true;
    }

    /** One Q8_K block as {@code quantize_row_q8_K_ref}, one value at a time. */
    void quantizeQ8KBlock(float[] x, int b) {
        int o = b * 256;
        float max = 0;
        float amax = 0;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[o + j]);
            if (ax > amax) {
                amax = ax;
                max = x[o + j];
            }
        }
        if (amax == 0f) {
            d[b] = 0f;
            java.util.Arrays.fill(qs, o, o + 256, (byte) 0);
            java.util.Arrays.fill(bsums, b * 16, b * 16 + 16, 0);
            return;
        }
        float iscale = -127.f / max;
        for (int j = 0; j < 256; j++) {
            qs[o + j] = (byte) Math.min(127, QuantMath.nearestInt(iscale * x[o + j]));
        }
        for (int j = 0; j < 16; j++) {
            int sum = 0;
            for (int i = 0; i < 16; i++) {
                sum += qs[o + j * 16 + i];
            }
            bsums[b * 16 + j] = sum;
        }
        d[b] = 1 / iscale;
    }

    /**
     * Builds {@link #q40} for the rows loaded, where the short-lane Q4_0 kernel will run on them; the Q4_0 kernel asks
     * for it ({@link DotKernel#prepare}), so rows no Q4_0 matrix reads do not pay for it. Call before the rows are
     * shared between threads.
     */
    void prepareQ40() {
        if (!q40Ready && oneToken && format == InputFormat.Q8_0 && LaneDots.ENABLED && LaneDots.SHORTS) {
            fillQ40();
            q40Ready = true;
        }
    }

    /** {@link #q40} from {@link #qs}, row by row (a row's odd block out, if any, is left to the kernel). */
    private void fillQ40() {
        int nb = n / 32;
        int pairs = nb / 2;
        if (q40.length < rows * pairs * 96) {
            q40 = new short[rows * pairs * 96];
        }
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < pairs; p++) {
                int a = (r * nb + 2 * p) * 32;
                int b = a + 32;
                int o = (r * pairs + p) * 96;
                for (int j = 0; j < 16; j++) {
                    q40[o + j] = qs[a + j];
                    q40[o + 16 + j] = qs[b + j];
                    q40[o + 32 + j] = qs[a + 16 + j];
                    q40[o + 48 + j] = qs[b + 16 + j];
                    q40[o + 64 + j] = (short) (8 * (qs[a + j] + qs[a + 16 + j]));
                    q40[o + 80 + j] = (short) (8 * (qs[b + j] + qs[b + 16 + j]));
                }
            }
        }
    }

    /**
     * Builds {@link #qsh} and {@link #q40Start} for the rows loaded where {@link Q4_0Groups} runs them token by token
     * (a batch reads {@link #valuesT}). Call before the rows are shared between threads.
     */
    void prepareQ40Groups() {
        if (q40GroupsReady || lanePad > 0 || format != InputFormat.Q8_0) {
            return;
        }
        int total = rows * n;
        if (qsh.length < total) {
            qsh = new short[total];
        }
        int nb = total / 32;
        if (q40Start.length < nb) {
            q40Start = new short[nb];
        }
        for (int b = 0; b < nb; b++) {
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                byte q = qs[32 * b + j];
                qsh[32 * b + j] = q;
                sum += q;
            }
            q40Start[b] = (short) (-8 * sum);
        }
        q40GroupsReady = true;
    }

    /**
     * Builds {@link #q6Offsets} for the rows loaded where {@link Q6_KGroups} runs them token by token (a batch reads
     * {@link #valuesT}). Call before the rows are shared between threads.
     */
    void prepareQ6Groups() {
        if (q6GroupsReady || lanePad > 0 || format != InputFormat.Q8_K) {
            return;
        }
        int total = rows * n;
        if (q6Offsets.length < total / 8) {
            q6Offsets = new short[total / 8];
        }
        for (int i = 0; i < total / 8; i++) {
            int sum = 0;
            for (int k = 0; k < 8; k++) {
                sum += qs[8 * i + k];
            }
            q6Offsets[i] = (short) (32 * sum);
        }
        q6GroupsReady = true;
    }
}
