package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.quant.dot.RowGroups;
import io.quantscope.tensor.GgmlType;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Q4_0, Q4_K and Q2_K matrices of real files, read into groups of rows at load, against the same tensors run from the mapping:
 * the same rows, and the same products through the pool's row split (one token and a batch, two threads, shares that
 * do not fall on group boundaries unless aligned).
 */
class GroupedMatrixTest {
    @ParameterizedTest
    @CsvSource({
        "stories260K-wide-Q4_0.gguf, Q4_0",
        "stories260K-wide-Q4_K_M.gguf, Q4_K",
        "stories260K-wide-Q2_K.gguf, Q2_K"
    })
    void groupedMatricesGiveTheMappedFilesResults(String file, GgmlType type) throws IOException {
        assumeTrue(RowGroups.applies(type, 32, 256));
        try (GgufFile f = GgufFile.open(SharedFiles.require("golden/" + file))) {
            Random rnd = new Random(7);
            int grouped = 0;
            for (GgufTensorInfo t : f.tensors()) {
                if (t.type() != type || t.nDims() != 2) {
                    continue;
                }
                Matrix m = Matrix.of(f, t);
                Matrix mapped = new Matrix(t.name(), t.type(), f.tensorData(t), (int) t.ne(1), (int) t.ne(0));
                if (m.rowAlign() == 1) {
                    continue;
                }
                grouped++;
                int n = m.cols();
                for (int r = 0; r < m.rows(); r++) {
                    float[] a = new float[n];
                    float[] b = new float[n];
                    m.row(r, a, 0);
                    mapped.row(r, b, 0);
                    assertArrayEquals(b, a, t.name() + " row " + r);
                }
                for (int tokens : new int[] {1, 2, 9}) {
                    float[] x = new float[tokens * n];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) rnd.nextGaussian();
                    }
                    float[] expected = new float[tokens * m.rows()];
                    float[] out = new float[tokens * m.rows()];
                    new Matmul(2).run(x, tokens, n, new Matrix[] {mapped}, new float[][] {expected});
                    new Matmul(2).run(x, tokens, n, new Matrix[] {m}, new float[][] {out});
                    // one token: the grouped kernel gives the reference bits, the mapped kernel its own lane order
                    double scale = 0;
                    for (float v : expected) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int i = 0; i < out.length; i++) {
                        assertEquals(expected[i], out[i], 1e-5 * scale, t.name() + ", " + tokens + " tokens, " + i);
                    }
                    if (tokens > 4) {
                        assertArrayEquals(expected, out, "a batch is the lane batch's bits");
                    }
                }
            }
            assertTrue(grouped > 0, "the file has " + type + " matrices in whole groups of 32 rows");
        }
    }
}
