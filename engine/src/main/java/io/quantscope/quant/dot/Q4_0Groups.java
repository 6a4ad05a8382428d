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
 * A Q4_0 matrix laid out in groups of {@link RowGroups#ROWS} rows when it is loaded (llama.cpp's CPU backend repacks Q4_0 at
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
final class Q4_0Groups {
    private static final int ROWS = RowGroups.ROWS;

    private static final int BLOCK_BYTES = 18 * ROWS;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** A thread's 32 scales of one block, as floats, for {@link #decode}. */
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[ROWS]);

    private Q4_0Groups() {}

    /**
     * Group {@code g}'s bytes from its 32 rows in the file's layout ({@code src} from {@code srcOff}, {@code cols / 32}
     * blocks of 18 bytes per row) into {@code dst} from {@code dstOff}. False, and {@code dst} partly written, when a
     * scale is infinite or NaN: the vector conversion here does not cover those, so such a matrix keeps the file's
     * layout.
     */
    static boolean repackGroup(byte[] src, int srcOff, byte[] dst, int dstOff, int cols) {
        int nb = cols / 32;
        int rowBytes = 18 * nb;
        for (int b = 0; b < nb; b++) {
            int o = dstOff + BLOCK_BYTES * b;
            int s = srcOff + 18 * b;
            for (int r = 0; r < ROWS; r++, s += rowBytes) {
                if (!RowGroups.finiteHalf(src, s)) {
                    return false;
                }
                dst[o + 2 * r] = src[s];
                dst[o + 2 * r + 1] = src[s + 1];
            }
            // run k is byte k of each row's block: written in order, read down the rows
            RowGroups.toRuns(src, srcOff + 18 * b + 2, rowBytes, 16, dst, o + 64);
        }
        return true;
    }

    /** Row {@code r} as floats, as ggml's dequantize_row gives it, into {@code out[off ..]}. */
    static void row(MemorySegment w, int r, int cols, float[] out, int off) {
        int nb = cols / 32;
        byte[] bytes = new byte[18 * nb];
        long go = (long) (r / ROWS) * nb * BLOCK_BYTES;
        int lane = r % ROWS;
        for (int b = 0; b < nb; b++) {
            long o = go + (long) BLOCK_BYTES * b;
            bytes[18 * b] = w.get(ValueLayout.JAVA_BYTE, o + 2 * lane);
            bytes[18 * b + 1] = w.get(ValueLayout.JAVA_BYTE, o + 2 * lane + 1);
            RowGroups.fromRuns(w, o + 64, lane, 16, bytes, 18 * b + 2);
        }
        Codecs.of(GgmlType.Q4_0).dequantizeRow(bytes, 0, cols, out, off);
    }

    /**
     * Rows {@code r0 .. r1)} (multiples of {@link #ROWS}) · every activation row of {@code in}: row {@code r}, token
     * {@code t} into {@code out[r + t·stride]}.
     */
    static void dotRows(MemorySegment w, int r0, int r1, int cols, InputRows in, float[] out, int stride) {
        int g0 = r0 / ROWS;
        int g1 = r1 / ROWS;
        if (in.lanePad > 0) {
            GroupBatch.run(Q4_0Groups::decode, w, g0, g1, cols, (long) (cols / 32) * BLOCK_BYTES, in, out, stride);
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
     * Weights {@code k0 .. k1)} of the group at {@code go} as {@code d·(q−8)}, {@link LaneBatch}'s values: weight
     * {@code k0 + j} of row {@code r} at {@code j·32 + r}.
     */
    private static void decode(MemorySegment w, long go, int cols, int k0, int k1, float[] a) {
        float[] d = SCALES.get();
        int b0 = k0 / 32;
        for (int b = b0; b < k1 / 32; b++) {
            long bo = go + (long) BLOCK_BYTES * b;
            RowGroups.halvesToFloats(w, bo, d);
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
}
