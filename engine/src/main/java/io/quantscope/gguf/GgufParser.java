package io.quantscope.gguf;

import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses the header of a little-endian GGUF v2/v3 file held in a memory segment, checking every count, length,
 * type id and offset against the bytes that are really there before it allocates anything. Format: the GGUF spec
 * in ggml's docs/gguf.md, checked the way ggml's gguf.cpp checks it.
 */
final class GgufParser {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_DEPTH = 16;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final String source;
    private final MemorySegment seg;
    private final long size;
    private long pos;

    private GgufParser(String source, MemorySegment seg) {
        this.source = source;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    /** Parses and validates the header; {@code source} names the file in messages. */
    static GgufHeader parse(String source, MemorySegment seg) throws GgufFormatException {
        return new GgufParser(source, seg).header();
    }

    private GgufHeader header() throws GgufFormatException {
        need(4, "the magic \"GGUF\"");
        int magic = seg.get(I32, 0);
        if (magic != MAGIC) {
            throw error(0, "not a GGUF file: expected magic \"GGUF\", found " + describeMagic(magic));
        }
        pos = 4;
        long versionPos = pos;
        int version = readI32("the version");
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw error(versionPos, "big-endian GGUF files are not supported (expected a little-endian file)");
            }
            throw error(
                    versionPos, "unsupported GGUF version " + Integer.toUnsignedString(version) + " (expected 2 or 3)");
        }
        long countPos = pos;
        long nTensors = readI64("the tensor count");
        long nKv = readI64("the metadata count");
        checkCount(countPos, nTensors, 8 + 4 + 4 + 8, "tensors");
        checkCount(countPos + 8, nKv, 8 + 4 + 1, "metadata entries");

        GgufMetadata metadata = readMetadata(nKv);
        int alignment = checkAlignment(metadata);
        List<GgufTensorInfo> tensors = readTensorTable(nTensors);
        long dataOffset = align(pos, alignment);
        checkTensorData(tensors, dataOffset, alignment);
        return new GgufHeader(version, metadata, tensors, dataOffset);
    }

    private GgufMetadata readMetadata(long nKv) throws GgufFormatException {
        GgufMetadata.Builder b = GgufMetadata.builder();
        for (long i = 0; i < nKv; i++) {
            long keyPos = pos;
            String key = readString("metadata key #" + i);
            if (b.contains(key)) {
                throw error(keyPos, "duplicate metadata key '" + key + "'");
            }
            long typePos = pos;
            GgufValueType type = readValueType("the type of metadata '" + key + "'");
            b.put(key, new GgufValue(type, readValue(type, key, typePos, 0)));
        }
        return b.build();
    }

    private int checkAlignment(GgufMetadata metadata) throws GgufFormatException {
        var v = metadata.get(GgufMetadata.ALIGNMENT);
        if (v.isEmpty()) {
            return GgufMetadata.DEFAULT_ALIGNMENT;
        }
        long a = v.get().type() == GgufValueType.UINT32 ? v.get().asLong() : -1;
        if (a <= 0 || Long.bitCount(a) != 1) {
            throw error(
                    "metadata 'general.alignment'",
                    "expected a uint32 power of two, found " + v.get().type() + " "
                            + v.get().value());
        }
        return (int) a;
    }

    private List<GgufTensorInfo> readTensorTable(long nTensors) throws GgufFormatException {
        List<GgufTensorInfo> tensors = new ArrayList<>((int) Math.min(nTensors, 4096));
        Set<String> names = new HashSet<>();
        for (long i = 0; i < nTensors; i++) {
            long namePos = pos;
            String name = readString("the name of tensor #" + i);
            if (!names.add(name)) {
                throw error(namePos, "duplicate tensor name '" + name + "'");
            }
            long dimsPos = pos;
            int nDims = readI32("the dimension count of tensor '" + name + "'");
            if (nDims < 0 || nDims > MAX_DIMS) {
                throw error(
                        dimsPos,
                        "tensor '" + name + "' has " + Integer.toUnsignedString(nDims)
                                + " dimensions (expected at most " + MAX_DIMS + ")");
            }
            long[] ne = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long nePos = pos;
                ne[d] = readI64("dimension " + d + " of tensor '" + name + "'");
                if (ne[d] < 0) {
                    throw error(nePos, "tensor '" + name + "' has a negative or oversized dimension " + d);
                }
                try {
                    elements = Math.multiplyExact(elements, ne[d]);
                } catch (ArithmeticException e) {
                    throw error(nePos, "tensor '" + name + "' dimensions overflow a 64-bit element count");
                }
            }
            long typePos = pos;
            int typeId = readI32("the type of tensor '" + name + "'");
            GgmlType type = GgmlType.fromId(Integer.toUnsignedLong(typeId))
                    .orElseThrow(() -> error(
                            typePos,
                            "tensor '" + name + "' has unknown type id " + Integer.toUnsignedString(typeId)
                                    + " (expected a GGML type id such as 0 for F32 or 12 for Q4_K)"));
            long rowLength = nDims == 0 ? 1 : ne[0];
            if (rowLength % type.blockSize() != 0) {
                throw error(
                        dimsPos,
                        "tensor '" + name + "' has rows of " + rowLength + " weights, not a multiple of " + type
                                + "'s block size " + type.blockSize());
            }
            long offset = readI64("the data offset of tensor '" + name + "'");
            GgufTensorInfo info = new GgufTensorInfo(name, ne, type, offset);
            try {
                Math.multiplyExact(type.rowBytes(rowLength), rowLength == 0 ? 0 : elements / rowLength);
            } catch (ArithmeticException e) {
                throw error(dimsPos, "tensor '" + name + "' is too large: its byte size overflows 64 bits");
            }
            tensors.add(info);
        }
        return tensors;
    }

    private void checkTensorData(List<GgufTensorInfo> tensors, long dataOffset, int alignment)
            throws GgufFormatException {
        for (GgufTensorInfo t : tensors) {
            if (t.offset() < 0 || t.offset() > size) {
                throw error(
                        "tensor '" + t.name() + "'",
                        "data offset " + Long.toUnsignedString(t.offset()) + " lies past the end of the file (" + size
                                + " bytes)");
            }
            if (t.offset() % alignment != 0) {
                throw error(
                        "tensor '" + t.name() + "'",
                        "data offset " + Long.toUnsignedString(t.offset()) + " is not a multiple of the alignment "
                                + alignment);
            }
            long end = dataOffset + t.offset() + t.byteSize();
            if (dataOffset + t.offset() < 0 || end < 0 || end > size) {
                throw error(
                        "tensor '" + t.name() + "'",
                        "data [" + (dataOffset + t.offset()) + ", +" + t.byteSize()
                                + ") runs past the end of the file (" + size + " bytes)");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        GgufTensorInfo last = null;
        for (GgufTensorInfo cur : byOffset) {
            if (last != null && cur.byteSize() > 0 && cur.offset() < last.offset() + last.byteSize()) {
                throw error(
                        "tensor '" + cur.name() + "'",
                        "data at offset " + cur.offset() + " overlaps tensor '" + last.name() + "' (" + last.offset()
                                + " to " + (last.offset() + last.byteSize()) + ")");
            }
            if (last == null || cur.offset() + cur.byteSize() > last.offset() + last.byteSize()) {
                last = cur;
            }
        }
    }

    private Object readValue(GgufValueType type, String key, long at, int depth) throws GgufFormatException {
        String what = "the value of metadata '" + key + "'";
        return switch (type) {
            case UINT8 -> (long) (readU8(what) & 0xFF);
            case INT8 -> (long) (byte) readU8(what);
            case UINT16 -> (long) (readI16(what) & 0xFFFF);
            case INT16 -> (long) readI16(what);
            case UINT32 -> Integer.toUnsignedLong(readI32(what));
            case INT32 -> (long) readI32(what);
            case UINT64, INT64 -> readI64(what);
            case FLOAT32 -> {
                need(4, what);
                float f = seg.get(F32, pos);
                pos += 4;
                yield f;
            }
            case FLOAT64 -> {
                need(8, what);
                double d = seg.get(F64, pos);
                pos += 8;
                yield d;
            }
            case BOOL -> {
                long bp = pos;
                int b = readU8(what);
                if (b > 1) {
                    throw error(bp, "metadata '" + key + "' is a bool but holds " + b + " (expected 0 or 1)");
                }
                yield b == 1;
            }
            case STRING -> readString(what);
            case ARRAY -> readArray(key, depth);
        };
    }

    private GgufArray readArray(String key, int depth) throws GgufFormatException {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw error(pos, "metadata '" + key + "' nests arrays deeper than " + MAX_ARRAY_DEPTH + " levels");
        }
        GgufValueType et = readValueType("the element type of array '" + key + "'");
        long countPos = pos;
        long n = readI64("the length of array '" + key + "'");
        checkCount(countPos, n, et.minSize(), "elements in array '" + key + "'");
        if (n > Integer.MAX_VALUE - 16) {
            throw error(countPos, "array '" + key + "' has " + n + " elements (at most 2^31 supported)");
        }
        int len = (int) n;
        return switch (et) {
            case UINT8, INT8, BOOL -> {
                byte[] a = new byte[len];
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, a, 0, len);
                pos += len;
                if (et == GgufValueType.BOOL) {
                    for (int i = 0; i < len; i++) {
                        if (a[i] != 0 && a[i] != 1) {
                            throw error(pos - len + i, "array '" + key + "' holds a bool that is not 0 or 1");
                        }
                    }
                }
                yield new GgufArray(et, a);
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                MemorySegment.copy(seg, I16, pos, a, 0, len);
                pos += 2L * len;
                yield new GgufArray(et, a);
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                MemorySegment.copy(seg, I32, pos, a, 0, len);
                pos += 4L * len;
                yield new GgufArray(et, a);
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                MemorySegment.copy(seg, I64, pos, a, 0, len);
                pos += 8L * len;
                yield new GgufArray(et, a);
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                MemorySegment.copy(seg, F32, pos, a, 0, len);
                pos += 4L * len;
                yield new GgufArray(et, a);
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                MemorySegment.copy(seg, F64, pos, a, 0, len);
                pos += 8L * len;
                yield new GgufArray(et, a);
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = readString("element " + i + " of array '" + key + "'");
                }
                yield new GgufArray(et, a);
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[len];
                for (int i = 0; i < len; i++) {
                    a[i] = readArray(key + "[" + i + "]", depth + 1);
                }
                yield new GgufArray(et, a);
            }
        };
    }

    private GgufValueType readValueType(String what) throws GgufFormatException {
        long at = pos;
        int id = readI32(what);
        return GgufValueType.fromId(Integer.toUnsignedLong(id))
                .orElseThrow(() -> error(
                        at,
                        "unknown metadata value type " + Integer.toUnsignedString(id) + " for " + what
                                + " (expected 0 to 12)"));
    }

    private String readString(String what) throws GgufFormatException {
        long lenPos = pos;
        long len = readI64("the length of " + what);
        if (len < 0 || len > size - pos) {
            throw error(
                    lenPos,
                    "the length of " + what + " is " + Long.toUnsignedString(len) + " bytes but only " + (size - pos)
                            + " bytes remain");
        }
        if (len > Integer.MAX_VALUE - 16) {
            throw error(lenPos, what + " is longer than 2 GiB");
        }
        ByteBuffer bytes = seg.asSlice(pos, len).asByteBuffer();
        try {
            String s = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes)
                    .toString();
            pos += len;
            return s;
        } catch (CharacterCodingException e) {
            throw error(pos, what + " is not valid UTF-8");
        }
    }

    private void checkCount(long at, long count, long minBytesEach, String what) throws GgufFormatException {
        long remaining = size - pos;
        if (count < 0 || (minBytesEach > 0 && count > remaining / minBytesEach)) {
            throw error(
                    at,
                    "the file claims " + Long.toUnsignedString(count) + " " + what + " but only " + remaining
                            + " bytes remain (each needs at least " + minBytesEach + ")");
        }
    }

    private int readU8(String what) throws GgufFormatException {
        need(1, what);
        int b = seg.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
        pos += 1;
        return b;
    }

    private short readI16(String what) throws GgufFormatException {
        need(2, what);
        short v = seg.get(I16, pos);
        pos += 2;
        return v;
    }

    private int readI32(String what) throws GgufFormatException {
        need(4, what);
        int v = seg.get(I32, pos);
        pos += 4;
        return v;
    }

    private long readI64(String what) throws GgufFormatException {
        need(8, what);
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    private void need(long n, String what) throws GgufFormatException {
        if (size - pos < n) {
            throw error(pos, "truncated: expected " + n + " bytes of " + what + ", but the file ends at " + size);
        }
    }

    static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static String describeMagic(int magic) {
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < 4; i++) {
            sb.append(String.format("%02X", (magic >>> (8 * i)) & 0xFF));
        }
        return sb.toString();
    }

    private GgufFormatException error(long offset, String message) {
        return new GgufFormatException(source + ": at byte " + offset + ": " + message);
    }

    private GgufFormatException error(String where, String message) {
        return new GgufFormatException(source + ": " + where + ": " + message);
    }
}
