package io.quantscope.gguf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.testing.GgufFixtures;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of broken file gives a GgufFormatException that names the file, where, and what was expected. */
class GgufBadInputTest {
    private static final String NAME = "bad.gguf";

    @TempDir
    Path tmp;

    @Test
    void rejectsAWrongMagic() {
        byte[] b = RawGguf.header(3, 0, 0).build();
        b[3] = 'X';
        expect(b, "not a GGUF file", "found 0x47475558");
    }

    @Test
    void rejectsUnsupportedVersionsAndBigEndianFiles() {
        expect(RawGguf.header(1, 0, 0).build(), "unsupported GGUF version 1", "expected 2 or 3");
        expect(RawGguf.header(4, 0, 0).build(), "unsupported GGUF version 4");
        expect(RawGguf.header(Integer.reverseBytes(3), 0, 0).build(), "big-endian");
    }

    @Test
    void rejectsAbsurdCountsBeforeAllocatingAnything() {
        expect(RawGguf.header(3, 1L << 62, 0).build(), "at byte 8", "4611686018427387904 tensors");
        expect(RawGguf.header(3, 0, 1L << 62).build(), "at byte 16", "metadata entries");
        expect(RawGguf.header(3, -1, 0).build(), "18446744073709551615 tensors");
    }

    @Test
    void rejectsAbsurdStringLengths() {
        byte[] b = RawGguf.header(3, 0, 1).u64(1L << 62).zeros(16).build();
        expect(b, "at byte 24", "length of metadata key #0 is 4611686018427387904 bytes");
    }

    @Test
    void rejectsAbsurdArrayLengths() {
        byte[] b = RawGguf.header(3, 0, 1)
                .str("a")
                .u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.INT32.id())
                .u64(1L << 62)
                .zeros(64)
                .build();
        expect(b, "claims 4611686018427387904 elements in array 'a'");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] b = RawGguf.header(3, 0, 1)
                .u64(3)
                .bytes(new byte[] {'a', (byte) 0xC3, (byte) 0x28})
                .u32(GgufValueType.UINT8.id())
                .u8(1)
                .build();
        expect(b, "at byte 32", "metadata key #0 is not valid UTF-8");
    }

    @Test
    void rejectsUnknownMetadataValueTypes() {
        byte[] b = RawGguf.header(3, 0, 1).str("k").u32(13).u32(0).build();
        expect(b, "unknown metadata value type 13", "'k'");
    }

    @Test
    void rejectsBoolsThatAreNotZeroOrOne() {
        byte[] b = RawGguf.header(3, 0, 1)
                .str("flag")
                .u32(GgufValueType.BOOL.id())
                .u8(2)
                .build();
        expect(b, "metadata 'flag' is a bool but holds 2");
    }

    @Test
    void rejectsArraysNestedTooDeep() {
        RawGguf r = RawGguf.header(3, 0, 1).str("deep").u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 40; i++) {
            r.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        r.u32(GgufValueType.INT32.id()).u64(0).zeros(64);
        expect(r.build(), "nests arrays deeper than");
    }

    @Test
    void rejectsDuplicateKeysAndTensorNames() {
        expect(RawGguf.header(3, 0, 2).kvU32("a", 1).kvU32("a", 2).build(), "duplicate metadata key 'a'");
        byte[] t = RawGguf.header(3, 2, 0)
                .tensor("w", new long[] {8}, 0, 0)
                .tensor("w", new long[] {8}, 0, 32)
                .padTo(32)
                .zeros(64)
                .build();
        expect(t, "duplicate tensor name 'w'");
    }

    @Test
    void rejectsDimensionsThatOverflowOrAreNegativeOrTooMany() {
        expect(tensorFile(new long[] {1L << 32, 1L << 32}, 0, 0), "tensor 'w' dimensions overflow");
        expect(tensorFile(new long[] {-4, 2}, 0, 0), "tensor 'w' has a negative or oversized dimension 0");
        expect(tensorFile(new long[] {1, 1, 1, 1, 1}, 0, 0), "tensor 'w' has 5 dimensions (expected at most 4)");
    }

    @Test
    void rejectsUnknownTensorTypeIds() {
        expect(tensorFile(new long[] {32}, 4, 0), "tensor 'w' has unknown type id 4");
        expect(tensorFile(new long[] {32}, 99, 0), "tensor 'w' has unknown type id 99");
    }

    @Test
    void rejectsRowsThatAreNotWholeBlocks() {
        expect(tensorFile(new long[] {172, 2}, 8, 0), "tensor 'w' has rows of 172 weights", "Q8_0's block size 32");
    }

    @Test
    void rejectsTensorDataPastTheEnd() {
        byte[] b = RawGguf.header(3, 1, 0)
                .tensor("w", new long[] {64}, 0, 0)
                .padTo(32)
                .zeros(100)
                .build();
        expect(b, "tensor 'w'", "runs past the end of the file");
        expect(tensorFile(new long[] {8}, 0, 1L << 40), "tensor 'w'", "lies past the end of the file");
    }

    @Test
    void rejectsMisalignedTensorData() {
        expect(tensorFile(new long[] {8}, 0, 8), "tensor 'w'", "data offset 8 is not a multiple of the alignment 32");
    }

    @Test
    void rejectsOverlappingTensors() {
        byte[] b = RawGguf.header(3, 2, 0)
                .tensor("a", new long[] {64}, 0, 0)
                .tensor("b", new long[] {64}, 0, 128)
                .padTo(32)
                .zeros(512)
                .build();
        expect(b, "tensor 'b'", "overlaps tensor 'a'");
    }

    @Test
    void rejectsBadAlignments() {
        expect(RawGguf.header(3, 0, 1).kvU32("general.alignment", 0).build(), "general.alignment", "power of two");
        expect(RawGguf.header(3, 0, 1).kvU32("general.alignment", 48).build(), "power of two", "48");
        expect(RawGguf.header(3, 0, 1).kvString("general.alignment", "32").build(), "expected a uint32");
    }

    @Test
    void rejectsEveryTruncationOfAValidHeader() throws IOException {
        Path f = GgufFixtures.write(tmp.resolve("ok.gguf"), GgufFixtures.everyValueType(), GgufFixtures.someTensors());
        byte[] all = Files.readAllBytes(f);
        long dataStart;
        try (GgufFile g = GgufFile.open(f)) {
            dataStart = g.dataOffset() + g.tensors().getLast().offset() + 1;
        }
        for (int n = 0; n < dataStart; n++) {
            byte[] cut = Arrays.copyOf(all, n);
            GgufFormatException e = assertThrows(
                    GgufFormatException.class, () -> GgufFile.parseHeader(NAME, MemorySegment.ofArray(cut)), "n=" + n);
            assertTrue(
                    e.getMessage().startsWith(NAME + ": ")
                            && (e.getMessage().contains("truncated")
                                    || e.getMessage().contains("past the end")
                                    || e.getMessage().contains("remain")),
                    e.getMessage());
        }
    }

    @Test
    void namesTheFileOnDisk() throws IOException {
        Path real = SharedFiles.require("models/stories260K.gguf");
        Path cut = tmp.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(real), 5000));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(cut));
        assertTrue(e.getMessage().startsWith(cut.toString() + ": at byte "), e.getMessage());
        Path empty = Files.write(tmp.resolve("empty.gguf"), new byte[0]);
        GgufFormatException e2 = assertThrows(GgufFormatException.class, () -> GgufFile.open(empty));
        assertTrue(e2.getMessage().contains("truncated"), e2.getMessage());
    }

    private static byte[] tensorFile(long[] ne, int type, long offset) {
        return RawGguf.header(3, 1, 0)
                .tensor("w", ne, type, offset)
                .padTo(32)
                .zeros(256)
                .build();
    }

    private static void expect(byte[] image, String... fragments) {
        GgufFormatException e =
                assertThrows(GgufFormatException.class, () -> GgufFile.parseHeader(NAME, MemorySegment.ofArray(image)));
        assertTrue(e.getMessage().startsWith(NAME + ": "), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }
}
