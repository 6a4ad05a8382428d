package io.quantscope.quant.dot;

import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q4_0 matrix laid out in groups of {@link #ROWS} rows when it is loaded (llama.cpp's CPU backend repacks Q4_0 at
 * load on this kind of machine too), so that one vector lane holds one row: per group and block, the 32 rows' fp16
 * scales (64 bytes), then sixteen runs of 32 bytes where run {@code k} holds byte {@code k} of each row's block (low
 * nibble weight {@code k}, high nibble weight {@code k + 16}). The same bytes as the file, in another order.
 *
 * <p>Why: in the file's layout each block's scale has to be converted and spread across lanes on its own, and every
 * row reads the activations again; here 32 rows share one broadcast activation per weight, the 32 scales convert as a
 * vector, and each row's block sum comes out whole in its lane. One token, two threads, from memory (rows of 2048,
 * alternating in one JVM): 22-23 GB/s in the file's layout, 34-37 GB/s here.
 *
 * <p>One token gives the reference's bits ({@code sumf += sumi·dx·dy} block by block, {@link Q4_0Dot#dotReference}):
 * {@code sumi} is exact in a short lane, since {@code Σ(q−8)·y} over a block is at most 32·8·127 = 32,512 in
 * magnitude; the lanes start at {@code −8·Σy} and add {@code q·y} with {@code q} the unsigned nibble, and only the
 * final sum has to fit, as short adds wrap. A batch gives {@link LaneBatch}'s bits, the same products summed in the
 * same order with rows in lanes instead of tokens.
 */
public final class Q4_0Groups {
    /** Rows per group: one per short lane of a 512-bit vector. */
    public static final int ROWS = 32;

    private static final int BLOCK_BYTES = 18 * ROWS;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Weights per block of a batch's sums, as {@link LaneBatch} takes them. */
    private static final int KB = 256;

    /** Tokens per batch tile: two vectors of rows each, twelve accumulators, as {@link LaneBatch}'s six rows. */
    private static final int TOKENS = 6;

    private static final class Scratch {
        float[] weights = new float[KB * ROWS];
        float[] acc = new float[0];
        final float[] scales = new float[ROWS];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private Q4_0Groups() {}

    /** Whether a matrix of this type and shape is laid out in groups on this machine. */
    public static boolean applies(GgmlType type, long rows, long cols) {
        return type == GgmlType.Q4_0 && LaneDots.ENABLED && LaneDots.SHORTS && rows % ROWS == 0 && cols % 32 == 0;
    }

    /**
     * Group {@code g}'s bytes from its 32 rows in the file's layout ({@code src} from {@code srcOff}, {@code cols / 32}
     * blocks of 18 bytes per row) into {@code dst} from {@code dstOff}. False, and {@code dst} partly written, when a
     * scale is infinite or NaN: the vector conversion here does not cover those, so such a matrix keeps the file's
     * layout.
     */
    public static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int nb = cols / 32;
        int rowBytes = 18 * nb;
        for (int b = 0; b < nb; b++) {
            int o = dstOff + BLOCK_BYTES * b;
            int s = srcOff + 18 * b;
            for (int r = 0; r < ROWS; r++, s += rowBytes) {
                if ((src[s + 1] & 0x7C) == 0x7C) {
                    return false;
                }
                dst[o + 2 * r] = src[s];
                dst[o + 2 * r + 1] = src[s + 1];
            }
            // run k is byte k of each row's block: written in order, read down the rows
            for (int k = 0; k < 16; k++) {
                int d = o + 64 + 32 * k;
                int from = srcOff + 18 * b + 2 + k;
                for (int r = 0; r < ROWS; r++, from += rowBytes) {
                    dst[d + r] = src[from];
                }
            }
        }
        return true;
    }

    /** Row {@code r} back in the file's layout (its {@code cols / 32} blocks) into {@code out}. */
    static void rowBytes(MemorySegment w, int r, int cols, byte[] out) {
        int nb = cols / 32;
        long go = (long) (r / ROWS) * nb * BLOCK_BYTES;
        int lane = r % ROWS;
        for (int b = 0; b < nb; b++) {
            long o = go + (long) BLOCK_BYTES * b;
            out[18 * b] = w.get(ValueLayout.JAVA_BYTE, o + 2 * lane);
            out[18 * b + 1] = w.get(ValueLayout.JAVA_BYTE, o + 2 * lane + 1);
            for (int k = 0; k < 16; k++) {
                out[18 * b + 2 + k] = w.get(ValueLayout.JAVA_BYTE, o + 64 + 32 * k + lane);
            }
        }
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    public static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        byte[] bytes = new byte[18 * (cols / 32)];
        rowBytes(w, r, cols, bytes);
        Codecs.of(GgmlType.Q4_0).dequantizeRow(bytes, 0, cols, out, off);
    }

    /** Sets the rows up for {@link #dotRows} (once per load, before the rows are shared between threads). */
    public static void prepare(InputRows in) {
        in.prepareQ40Groups();
    }

    /**
     * Rows {@code r0 .. r1)} (multiples of {@link #ROWS}) · every activation row of {@code in}: row {@code r}, token
     * {@code t} into {@code out[r + t·stride]}.
     */
    public static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        if (in.lanePad > 0) {
            batch(w, g0, g1, cols, in, out, stride);
            return;
        }
        int nb = cols / 32;
        for (int t = 0; t < in.rows; t++) {
            oneToken(w, g0, g1, nb, in.qsh, t * cols, in.q40Start, in.d, t * nb, out, t * stride);
        }
    }

    /**
     * Groups {@code g0 .. g1)} · one token: {@code y} its activations as shorts from {@code yo}, {@code start} its
     * blocks' {@code −8·Σy} and {@code dy} their scales from {@code yb}.
     */
    static void oneToken(
            MemorySegment w,
            int g0,
            int g1,
            int nb,
            short[] y,
            int yo,
            short[] start,
            float[] dy,
            int yb,
            float[] out,
            int outOff) {
        for (int g = g0; g < g1; g++) {
            long go = g * (long) nb * BLOCK_BYTES;
            FloatVector acc0 = FloatVector.zero(F512);
            FloatVector acc1 = FloatVector.zero(F512);
            for (int b = 0; b < nb; b++) {
                long bo = go + (long) BLOCK_BYTES * b;
                int ya = yo + 32 * b;
                ShortVector s = ShortVector.broadcast(S512, start[yb + b]);
                for (int k = 0; k < 16; k++) {
                    ShortVector x = (ShortVector) ByteVector.fromMemorySegment(B256, w, bo + 64 + 32 * k, LE)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                    s = s.add(x.and((short) 0x0F).mul(y[ya + k]))
                            .add(x.lanewise(VectorOperators.LSHR, 4).mul(y[ya + k + 16]));
                }
                // the 32 fp16 scales as floats: magnitude bits moved into place and scaled by 2^112 (exact, subnormals
                // included), the sign put back; infinities and NaNs never get here (repackGroup)
                ShortVector h = ShortVector.fromMemorySegment(S512, w, bo, LE);
                IntVector h0 = (IntVector) h.convertShape(VectorOperators.S2I, I512, 0);
                IntVector h1 = (IntVector) h.convertShape(VectorOperators.S2I, I512, 1);
                FloatVector d0 = h0.and(0x7FFF)
                        .lanewise(VectorOperators.LSHL, 13)
                        .reinterpretAsFloats()
                        .mul(0x1p112f)
                        .reinterpretAsInts()
                        .or(h0.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats();
                FloatVector d1 = h1.and(0x7FFF)
                        .lanewise(VectorOperators.LSHL, 13)
                        .reinterpretAsFloats()
                        .mul(0x1p112f)
                        .reinterpretAsInts()
                        .or(h1.and(0x8000).lanewise(VectorOperators.LSHL, 16))
                        .reinterpretAsFloats();
                FloatVector f0 = (FloatVector)
                        ((IntVector) s.convertShape(VectorOperators.S2I, I512, 0)).convert(VectorOperators.I2F, 0);
                FloatVector f1 = (FloatVector)
                        ((IntVector) s.convertShape(VectorOperators.S2I, I512, 1)).convert(VectorOperators.I2F, 0);
                float dyb = dy[yb + b];
                acc0 = acc0.add(f0.mul(d0).mul(dyb));
                acc1 = acc1.add(f1.mul(d1).mul(dyb));
            }
            acc0.intoArray(out, outOff + ROWS * g);
            acc1.intoArray(out, outOff + ROWS * g + 16);
        }
    }

    /**
     * Groups {@code g0 .. g1)} · a batch ({@link InputRows#valuesT}): per group and block of {@link #KB} weights, the
     * weights as {@code d·(q−8)} with rows in lanes, then tiles of {@link #TOKENS} tokens multiply-add them in order,
     * each tile's block sums added to the running sums in order.
     */
    private static void batch(MemorySegment w, int g0, int g1, int cols, InputRows in, float[] out, int stride) {
        int tokens = in.rows;
        int tp = in.lanePad;
        float[] x = in.valuesT;
        Scratch sc = SCRATCH.get();
        float[] a = sc.weights;
        int tiles = (tokens + TOKENS - 1) / TOKENS;
        if (sc.acc.length < tiles * TOKENS * ROWS) {
            sc.acc = new float[tiles * TOKENS * ROWS];
        }
        float[] acc = sc.acc;
        int nb = cols / 32;
        for (int g = g0; g < g1; g++) {
            long go = g * (long) nb * BLOCK_BYTES;
            java.util.Arrays.fill(acc, 0, tiles * TOKENS * ROWS, 0f);
            for (int k0 = 0; k0 < cols; k0 += KB) {
                int k1 = Math.min(cols, k0 + KB);
                decode(w, go, k0 / 32, k1 / 32, a, sc.scales);
                for (int t0 = 0; t0 < tokens; t0 += TOKENS) {
                    tile(a, k1 - k0, x, tp, k0, t0, tokens, acc);
                }
            }
            for (int t = 0; t < tokens; t++) {
                System.arraycopy(acc, t * ROWS, out, t * stride + ROWS * g, ROWS);
            }
        }
    }

    /** Blocks {@code b0 .. b1)} of a group as {@code d·(q−8)}: weight {@code j} of row {@code r} at {@code j·32 + r}. */
    private static void decode(MemorySegment w, long go, int b0, int b1, float[] a, float[] d) {
        for (int b = b0; b < b1; b++) {
            long bo = go + (long) BLOCK_BYTES * b;
            for (int r = 0; r < ROWS; r++) {
                d[r] = Float.float16ToFloat(w.get(Mem.SHORT, bo + 2 * r));
            }
            FloatVector d0 = FloatVector.fromArray(F512, d, 0);
            FloatVector d1 = FloatVector.fromArray(F512, d, 16);
            int ao = (b - b0) * 32 * ROWS;
            for (int k = 0; k < 16; k++) {
                ShortVector q = (ShortVector) ByteVector.fromMemorySegment(B256, w, bo + 64 + 32 * k, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0);
                ShortVector lo = q.and((short) 0x0F).sub((short) 8);
                ShortVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
                int o = ao + k * ROWS;
                ((FloatVector) lo.convertShape(VectorOperators.S2F, F512, 0))
                        .mul(d0)
                        .intoArray(a, o);
                ((FloatVector) lo.convertShape(VectorOperators.S2F, F512, 1))
                        .mul(d1)
                        .intoArray(a, o + 16);
                o += 16 * ROWS;
                ((FloatVector) hi.convertShape(VectorOperators.S2F, F512, 0))
                        .mul(d0)
                        .intoArray(a, o);
                ((FloatVector) hi.convertShape(VectorOperators.S2F, F512, 1))
                        .mul(d1)
                        .intoArray(a, o + 16);
            }
        }
    }

    /**
     * {@code kn} weights of 32 rows ({@code a}) · tokens {@code t0 .. t0+6)} of {@code x} from weight {@code k0}, added to
     * {@code acc} (token {@code t}'s 32 rows at {@code t·32}). A partial tile repeats its last token and drops the
     * repeats.
     */
    private static void tile(float[] a, int kn, float[] x, int tp, int k0, int t0, int tokens, float[] acc) {
        int last = tokens - 1;
        int x0 = k0 * tp + t0;
        int x1 = k0 * tp + Math.min(t0 + 1, last);
        int x2 = k0 * tp + Math.min(t0 + 2, last);
        int x3 = k0 * tp + Math.min(t0 + 3, last);
        int x4 = k0 * tp + Math.min(t0 + 4, last);
        int x5 = k0 * tp + Math.min(t0 + 5, last);
        FloatVector z = FloatVector.zero(F512);
        FloatVector c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z;
        FloatVector c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z;
        for (int k = 0; k < kn; k++) {
            FloatVector w0 = FloatVector.fromArray(F512, a, k * ROWS);
            FloatVector w1 = FloatVector.fromArray(F512, a, k * ROWS + 16);
            int xo = k * tp;
            FloatVector b = FloatVector.broadcast(F512, x[x0 + xo]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(F512, x[x1 + xo]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F512, x[x2 + xo]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(F512, x[x3 + xo]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
            b = FloatVector.broadcast(F512, x[x4 + xo]);
            c40 = w0.fma(b, c40);
            c41 = w1.fma(b, c41);
            b = FloatVector.broadcast(F512, x[x5 + xo]);
            c50 = w0.fma(b, c50);
            c51 = w1.fma(b, c51);
        }
        int n = Math.min(TOKENS, tokens - t0);
        add(acc, t0, c00, c01);
        if (n > 1) {
            add(acc, t0 + 1, c10, c11);
        }
        if (n > 2) {
            add(acc, t0 + 2, c20, c21);
        }
        if (n > 3) {
            add(acc, t0 + 3, c30, c31);
        }
        if (n > 4) {
            add(acc, t0 + 4, c40, c41);
        }
        if (n > 5) {
            add(acc, t0 + 5, c50, c51);
        }
    }

    private static void add(float[] acc, int token, FloatVector lo, FloatVector hi) {
        int o = token * ROWS;
        FloatVector.fromArray(F512, acc, o).add(lo).intoArray(acc, o);
        FloatVector.fromArray(F512, acc, o + 16).add(hi).intoArray(acc, o + 16);
    }
}
