package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantscope.quant.Codecs;
import io.quantscope.quant.KScales;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The 16-lane one-token kernels' own pieces: scale unpacking in vector lanes against the scalar definitions, and the
 * 16-lane kernels against the paths other vector widths take (which {@link DotKernelTest} does not reach on a machine
 * with AVX-512).
 */
class LaneDotsTest {
    @Test
    void packedQ4KScalesAndMinsUnpackAsTheScalarDefinitionSays() {
        Random rnd = new Random(4);
        byte[] block = new byte[12];
        byte[] unpacked = new byte[16];
        for (int trial = 0; trial < 500; trial++) {
            rnd.nextBytes(block);
            LaneDots.unpackScalesAndMins4(MemorySegment.ofArray(block), 0, unpacked);
            for (int j = 0; j < 8; j++) {
                assertEquals(KScales.scale4(block, 0, j), unpacked[j], "scale " + j + ", trial " + trial);
                assertEquals(KScales.min4(block, 0, j), unpacked[8 + j], "min " + j + ", trial " + trial);
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

    @Test
    void sixteenLaneQ4_0AgreesWithTheAnyWidthPath() {
        agree(GgmlType.Q4_0, InputFormat.Q8_0, 2048, LaneDots::q4_0, LaneDots::q4_0AnyWidth);
        agree(GgmlType.Q4_0, InputFormat.Q8_0, 2080, LaneDots::q4_0, LaneDots::q4_0AnyWidth);
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
