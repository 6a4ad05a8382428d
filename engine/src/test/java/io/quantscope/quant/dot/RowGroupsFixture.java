package io.quantscope.quant.dot;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.tensor.GgmlType;

/** Test matrices in {@link RowGroups}' layout. */
final class RowGroupsFixture {
    private RowGroupsFixture() {}

    /** {@code rows} rows (a multiple of 32) of {@code w}, in the file's layout, laid out in groups; every group kept. */
    static byte[] grouped(GgmlType type, byte[] w, int rows, int cols) {
        int groupBytes = (int) type.rowBytes(cols) * RowGroups.ROWS;
        byte[] g = new byte[w.length];
        for (int i = 0; i < rows / RowGroups.ROWS; i++) {
            assertTrue(RowGroups.repackGroup(type, w, i * groupBytes, g, i * groupBytes, cols), "group " + i);
        }
        return g;
    }
}
