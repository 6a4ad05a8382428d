package io.quantscope.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a GGUF file as a stream: the header at once, then each tensor's data in layout order, possibly in chunks,
 * never holding a whole tensor. Bytes go to {@code OUT.partial}; {@link #commit()} pads, fsyncs and renames it to
 * {@code OUT}. Closing without committing deletes the partial file, so a failed or cancelled write leaves nothing.
 * Not thread-safe.
 */
public final class GgufWriter implements AutoCloseable {
    private static final int CHUNK = 1 << 24;

    private final Path target;
    private final Path partial;
    private final GgufLayout layout;
    private final FileChannel channel;
    private int tensorIndex;
    private long writtenInTensor;
    private boolean committed;

    private GgufWriter(Path target, GgufLayout layout) throws IOException {
        this.target = target;
        this.partial = partialPath(target);
        this.layout = layout;
        this.channel = FileChannel.open(
                partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            writeFully(ByteBuffer.wrap(layout.headerBytes()));
            pad(layout.headerBytes().length);
            advancePastEmptyTensors();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts writing {@code target} (through {@code target.partial}) with this layout. */
    public static GgufWriter create(Path target, GgufLayout layout) throws IOException {
        return new GgufWriter(target, layout);
    }

    /** The temporary name a file is written under until it is complete. */
    public static Path partialPath(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    public GgufLayout layout() {
        return layout;
    }

    /** The tensor whose data is expected next, or -1 when all have been written. */
    public int nextTensor() {
        return tensorIndex < layout.tensors().size() ? tensorIndex : -1;
    }

    /** Appends bytes of the current tensor; moving to the next tensor (and padding) happens when one is complete. */
    public void write(ByteBuffer data) throws IOException {
        while (data.hasRemaining()) {
            if (tensorIndex >= layout.tensors().size()) {
                throw new IllegalStateException("more tensor data than the layout holds");
            }
            long size = layout.tensors().get(tensorIndex).byteSize();
            int n = (int) Math.min(data.remaining(), size - writtenInTensor);
            ByteBuffer part = data.slice(data.position(), n);
            writeFully(part);
            data.position(data.position() + n);
            writtenInTensor += n;
            if (writtenInTensor == size) {
                pad(size);
                tensorIndex++;
                writtenInTensor = 0;
                advancePastEmptyTensors();
            }
        }
    }

    /** Appends bytes of the current tensor from a (possibly mapped, possibly over 2 GiB) segment. */
    public void write(MemorySegment data) throws IOException {
        for (long off = 0; off < data.byteSize(); off += CHUNK) {
            write(data.asSlice(off, Math.min(CHUNK, data.byteSize() - off)).asByteBuffer());
        }
    }

    /** Checks every tensor was written, flushes to disk and renames the partial file to the target. */
    public void commit() throws IOException {
        if (tensorIndex != layout.tensors().size()) {
            throw new IllegalStateException(
                    "only " + tensorIndex + " of " + layout.tensors().size() + " tensors were written to " + target);
        }
        channel.force(true);
        channel.close();
        try {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
    }

    /** Releases the file; if {@link #commit()} was not reached, deletes the partial file. */
    @Override
    public void close() throws IOException {
        if (channel.isOpen()) {
            channel.close();
        }
        if (!committed) {
            Files.deleteIfExists(partial);
        }
    }

    private void advancePastEmptyTensors() throws IOException {
        while (tensorIndex < layout.tensors().size()
                && layout.tensors().get(tensorIndex).byteSize() == 0) {
            tensorIndex++;
        }
    }

    private void pad(long size) throws IOException {
        int alignment = layout.alignment();
        int padding = (int) (GgufParser.align(size, alignment) - size);
        if (padding > 0) {
            writeFully(ByteBuffer.allocate(padding));
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }
}
