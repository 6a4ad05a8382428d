package io.quantscope.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An open GGUF file: its header parsed, its bytes memory-mapped read-only.
 *
 * <p>Opening maps the whole file once in a shared {@link Arena} owned by this object and parses only the header;
 * tensor data is never copied — {@link #tensorData} returns zero-copy slices of the mapping. Files over 2 GiB work.
 * Closing releases the mapping; slices must not be used afterwards. Safe to read from many threads while open.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final GgufHeader header;
    private final Map<String, GgufTensorInfo> byName;

    private GgufFile(Path path, Arena arena, MemorySegment segment, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.header = header;
        this.byName = new LinkedHashMap<>();
        for (GgufTensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws GgufFormatException if the file is not a valid GGUF file (the message says where and why)
     * @throws IOException if it cannot be read
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (Files.isDirectory(path)) {
                throw new IOException(path + ": is a directory, not a GGUF file");
            }
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            GgufHeader header = GgufParser.parse(path.toString(), size == 0 ? MemorySegment.ofArray(new byte[0]) : seg);
            return new GgufFile(path, arena, seg, header);
        } catch (IOException | RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /** Parses a GGUF image held in memory (tests, fuzzing); {@code name} stands for the file in messages. */
    public static GgufHeader parseHeader(String name, MemorySegment image) throws GgufFormatException {
        return GgufParser.parse(name, image);
    }

    public Path path() {
        return path;
    }

    public GgufHeader header() {
        return header;
    }

    public int version() {
        return header.version();
    }

    public GgufMetadata metadata() {
        return header.metadata();
    }

    /** Tensors in file-table order. */
    public List<GgufTensorInfo> tensors() {
        return header.tensors();
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public int alignment() {
        return header.alignment();
    }

    /** Byte offset of the data section from the start of the file. */
    public long dataOffset() {
        return header.dataOffset();
    }

    public long fileSize() {
        return segment.byteSize();
    }

    /** The tensor's bytes: a zero-copy read-only slice of the mapping, valid until this file is closed. */
    public MemorySegment tensorData(GgufTensorInfo t) {
        return segment.asSlice(header.dataOffset() + t.offset(), t.byteSize());
    }

    /** Total number of weights across all tensors. */
    public long parameterCount() {
        return tensors().stream().mapToLong(GgufTensorInfo::elementCount).sum();
    }

    /**
     * {@code bytes} of native memory, 64-byte aligned and not zeroed, freed when this file is closed: for a copy of
     * weights in another layout, which lives as long as the mapping it stands in for. Taken from the C heap, not the
     * JVM's direct-memory budget (by default the heap's size, which would cap the models that load).
     *
     * @throws OutOfMemoryError if the memory is not there
     */
    public MemorySegment allocate(long bytes) {
        return NativeHeap.allocate(bytes, arena);
    }

    @Override
    public void close() {
        arena.close();
    }
}
