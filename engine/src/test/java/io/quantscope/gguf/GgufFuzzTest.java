package io.quantscope.gguf;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mutates real files (bit flips, overwritten words with hostile values, truncation, inserted and deleted bytes,
 * mostly in the header) and asserts that parsing either succeeds with every tensor inside the file, or fails with a
 * GgufFormatException naming the file — never another exception, an OutOfMemoryError or a hang.
 */
class GgufFuzzTest {
    private static final int CASES = 2500;
    private static final long[] HOSTILE = {
        0, 1, -1, 1L << 62, 1L << 31, (1L << 31) - 1, 1L << 32, Long.MIN_VALUE, Long.MAX_VALUE, 13, 9, 8, 255
    };

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "golden/stories260K-Q4_K_M.gguf"})
    void mutatedFilesFailOnlyWithFormatExceptions(String shared) throws IOException {
        byte[] original = Files.readAllBytes(SharedFiles.require(shared));
        int headerEnd =
                (int) GgufFile.parseHeader("x", MemorySegment.ofArray(original)).dataOffset();
        SplittableRandom random = new SplittableRandom(0x5EED + shared.hashCode());
        int accepted = 0;
        for (int c = 0; c < CASES; c++) {
            byte[] image = mutate(original, headerEnd, random);
            try {
                GgufHeader h = GgufFile.parseHeader("fuzz.gguf", MemorySegment.ofArray(image));
                MemorySegment seg = MemorySegment.ofArray(image);
                for (GgufTensorInfo t : h.tensors()) {
                    MemorySegment data = seg.asSlice(h.dataOffset() + t.offset(), t.byteSize());
                    if (data.byteSize() > 0) {
                        data.get(ValueLayout.JAVA_BYTE, data.byteSize() - 1);
                    }
                }
                accepted++;
            } catch (GgufFormatException e) {
                assertTrue(e.getMessage().startsWith("fuzz.gguf: "), e.getMessage());
            } catch (Throwable t) {
                fail("case " + c + " of " + shared + " threw " + t, t);
            }
        }
        // some mutations (a flipped bit in a tensor name or a float) leave a valid file: both paths are exercised
        assertTrue(accepted > 0 && accepted < CASES, "accepted " + accepted + " of " + CASES);
    }

    private static byte[] mutate(byte[] original, int headerEnd, SplittableRandom r) {
        int limit = r.nextInt(10) == 0 ? original.length : headerEnd;
        byte[] b = original.clone();
        switch (r.nextInt(5)) {
            case 0 -> { // flip a few bits
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    int at = r.nextInt(limit);
                    b[at] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // a hostile 8- or 4-byte value
                long v = HOSTILE[r.nextInt(HOSTILE.length)];
                int width = r.nextBoolean() ? 8 : 4;
                int at = r.nextInt(Math.max(1, limit - width));
                for (int i = 0; i < width && at + i < b.length; i++) {
                    b[at + i] = (byte) (v >>> (8 * i));
                }
            }
            case 2 -> b = Arrays.copyOf(b, r.nextInt(limit)); // truncate
            case 3 -> { // insert bytes
                int at = r.nextInt(limit);
                int n = 1 + r.nextInt(16);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at);
                for (int i = 0; i < n; i++) out[at + i] = (byte) r.nextInt(256);
                System.arraycopy(b, at, out, at + n, b.length - at);
                b = out;
            }
            default -> { // delete bytes
                int at = r.nextInt(limit);
                int n = Math.min(1 + r.nextInt(16), b.length - at);
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                b = out;
            }
        }
        return b;
    }
}
