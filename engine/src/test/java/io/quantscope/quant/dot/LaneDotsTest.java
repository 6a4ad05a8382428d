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
        int n = 2048;
        GgmlType type = GgmlType.Q4_K;
        Random rnd = new Random(5);
        for (int trial = 0; trial < 10; trial++) {
            float[] w = new float[n];
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = (float) rnd.nextGaussian() * (i % 61 == 0 ? 6 : 1);
                x[i] = (float) rnd.nextGaussian();
            }
            byte[] wb = new byte[(int) type.rowBytes(n)];
            Codecs.of(type).quantizeRow(w, 0, n, null, wb, 0);
            float[] wd = new float[n];
            Codecs.of(type).dequantizeRow(wb, 0, n, wd, 0);
            InputRows in = new InputRows(InputFormat.Q8_K).load(x, 1, n);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                norm += Math.abs(wd[i] * in.qs[i] * (double) in.d[i / 256]);
            }
            MemorySegment seg = MemorySegment.ofArray(wb);
            float any = LaneDots.q4_KAnyWidth(seg, 0, in, 0);
            float lanes = LaneDots.q4_K(seg, 0, in, 0);
            float ref = Kernels.of(type).dotReference(seg, 0, in, 0);
            assertEquals(ref, any, 2e-6 * norm + 1e-6, "any-width path, trial " + trial);
            assertEquals(ref, lanes, 2e-6 * norm + 1e-6, "16-lane path, trial " + trial);
        }
    }
}
