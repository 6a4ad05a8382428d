package io.quantscope.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Memory a file hands out for copies of its weights: aligned, usable, and gone with the file. */
class GgufFileMemoryTest {
    @Test
    void memoryIsAlignedUsableAndFreedWithTheFile() throws IOException {
        MemorySegment m;
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            m = f.allocate(3_000_001);
            assertEquals(3_000_001, m.byteSize());
            assertEquals(0, m.address() % 64, "64-byte aligned");
            for (long i = 0; i < m.byteSize(); i += 4099) {
                m.set(ValueLayout.JAVA_BYTE, i, (byte) i);
            }
            m.set(ValueLayout.JAVA_BYTE, m.byteSize() - 1, (byte) 7);
            for (long i = 0; i < m.byteSize(); i += 4099) {
                assertEquals((byte) i, m.get(ValueLayout.JAVA_BYTE, i));
            }
            assertEquals(7, m.get(ValueLayout.JAVA_BYTE, m.byteSize() - 1));
        }
        MemorySegment closed = m;
        assertThrows(IllegalStateException.class, () -> closed.get(ValueLayout.JAVA_BYTE, 0), "freed with the file");
    }
}
