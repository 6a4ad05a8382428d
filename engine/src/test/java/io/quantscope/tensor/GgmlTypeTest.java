package io.quantscope.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GgmlTypeTest {
    @Test
    void knowsTheBlockLayoutsOfTheReference() {
        // bytes per block / weights per block, from shared/REFERENCE.md
        assertLayout(GgmlType.Q4_0, 18, 32);
        assertLayout(GgmlType.Q4_1, 20, 32);
        assertLayout(GgmlType.Q5_0, 22, 32);
        assertLayout(GgmlType.Q5_1, 24, 32);
        assertLayout(GgmlType.Q8_0, 34, 32);
        assertLayout(GgmlType.IQ4_NL, 18, 32);
        assertLayout(GgmlType.Q2_K, 84, 256);
        assertLayout(GgmlType.Q3_K, 110, 256);
        assertLayout(GgmlType.Q4_K, 144, 256);
        assertLayout(GgmlType.Q5_K, 176, 256);
        assertLayout(GgmlType.Q6_K, 210, 256);
        assertLayout(GgmlType.F16, 2, 1);
        assertLayout(GgmlType.BF16, 2, 1);
        assertLayout(GgmlType.F32, 4, 1);
        assertEquals(2.625, GgmlType.Q2_K.bitsPerWeight());
    }

    @Test
    void mapsFileIdsBothWays() {
        assertEquals(GgmlType.BF16, GgmlType.fromId(30).orElseThrow());
        assertEquals(GgmlType.Q4_K, GgmlType.fromId(12).orElseThrow());
        assertEquals(GgmlType.TQ2_0, GgmlType.fromId(35).orElseThrow());
        for (GgmlType t : GgmlType.values()) {
            assertEquals(t, GgmlType.fromId(t.id()).orElseThrow());
        }
    }

    @Test
    void reportsRemovedAndUnknownIdsAsAbsent() {
        for (long id : new long[] {4, 5, 31, 32, 33, 36, 37, 38, 39, 1000, -1, Long.MAX_VALUE}) {
            assertTrue(GgmlType.fromId(id).isEmpty(), "id " + id);
        }
    }

    @Test
    void computesRowSizesAndRefusesPartialBlocks() {
        assertEquals(144L * 16, GgmlType.Q4_K.rowBytes(4096));
        assertEquals(34L * 5, GgmlType.Q8_0.rowBytes(160));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.Q8_0.rowBytes(172));
        assertThrows(ArithmeticException.class, () -> GgmlType.F32.tensorBytes(1L << 40, 1L << 61));
    }

    private static void assertLayout(GgmlType t, int bytes, int weights) {
        assertEquals(bytes, t.typeSize(), t + " bytes per block");
        assertEquals(weights, t.blockSize(), t + " weights per block");
    }
}
