package io.quantscope.infer;

import io.quantscope.convert.ComputePool;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.quant.BlockCodec;
import io.quantscope.quant.Codecs;
import io.quantscope.quant.dot.DotKernel;
import io.quantscope.quant.dot.InputRows;
import io.quantscope.quant.dot.Kernels;
import io.quantscope.quant.dot.RowGroups;
import io.quantscope.tensor.GgmlType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A weight matrix straight from the mapped file, in its stored type: {@code rows} rows of {@code cols} weights
 * ({@code cols} is ggml's ne[0]). Products go through the type's {@link DotKernel}; single rows can be expanded to
 * floats (token embeddings). A Q4_0 or Q4_K matrix is read once at load into groups of rows ({@link RowGroups}) where
 * the machine runs those, the same bytes in another order, and products go through that layout's kernels.
 */
public final class Matrix {
    private final String name;
    private final GgmlType type;
    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final DotKernel kernel;

    /** Bytes per read while laying a matrix out in groups. */
    private static final int READ_BYTES = 1 << 20;

    /** A loading thread's two buffers (read, repacked), kept from tensor to tensor rather than two new ones per tensor. */
    private static final ThreadLocal<byte[][]> READ_BUFFERS =
            ThreadLocal.withInitial(() -> new byte[][] {new byte[0], new byte[0]});

    /** Whether {@link #data} is in {@link RowGroups}' layout rather than the file's. */
    private final boolean grouped;

    Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        this(name, type, data, rows, cols, true, false);
    }

    static Matrix of(GgufFile file, GgufTensorInfo t) {
        if (t.nDims() > 2) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has " + t.nDims() + " dimensions, not 2");
        }
        if (!Kernels.supports(t.type())) {
            throw new IllegalArgumentException(
                    "tensor '" + t.name() + "' is " + t.type() + ", which Quantscope cannot run yet");
        }
        int rows = (int) t.ne(1);
        int cols = (int) t.ne(0);
        if (RowGroups.applies(t.type(), rows, cols)) {
            MemorySegment groups = grouped(file, t, cols);
            if (groups != null) {
                return new Matrix(t.name(), t.type(), groups, rows, cols, true, true);
            }
        }
        return new Matrix(t.name(), t.type(), file.tensorData(t), rows, cols);
    }

    /**
     * The tensor in {@link RowGroups}' layout, freed with the file, or null where a scale rules that out or the memory
     * is not there. Read through a channel, not the mapping, so the file's pages do not stay in this process beside the
     * copy.
     */
    private static MemorySegment grouped(GgufFile file, GgufTensorInfo t, int cols) {
        int groupBytes = (int) t.type().rowBytes(cols) * RowGroups.ROWS;
        int groups = (int) (t.byteSize() / groupBytes);
        MemorySegment out;
        try {
            out = file.allocate(t.byteSize());
        } catch (OutOfMemoryError e) {
            return null; // the file's layout still runs, slower
        }
        AtomicBoolean rejected = new AtomicBoolean();
        long at = file.dataOffset() + t.offset();
        try (FileChannel ch = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            int parts = Math.min(groups, Runtime.getRuntime().availableProcessors());
            ComputePool.parallel(parts, part -> {
                // a few groups per read, each part its own run of groups
                int per = Math.max(1, READ_BYTES / groupBytes);
                byte[][] buffers = READ_BUFFERS.get();
                if (buffers[0].length < per * groupBytes) {
                    buffers[0] = new byte[per * groupBytes];
                    buffers[1] = new byte[per * groupBytes];
                }
                byte[] src = buffers[0];
                byte[] dst = buffers[1];
                int g1 = (int) ((long) groups * (part + 1) / parts);
                for (int g = (int) ((long) groups * part / parts); g < g1 && !rejected.get(); g += per) {
                    int n = Math.min(per, g1 - g);
                    ByteBuffer buf = ByteBuffer.wrap(src, 0, n * groupBytes);
                    long from = at + (long) g * groupBytes;
                    try {
                        while (buf.hasRemaining()) {
                            if (ch.read(buf, from + buf.position()) < 0) {
                                throw new IOException("'" + file.path() + "' ends inside tensor '" + t.name() + "'");
                            }
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    for (int i = 0; i < n; i++) {
                        if (!RowGroups.repackGroup(t.type(), src, i * groupBytes, dst, i * groupBytes, cols)) {
                            rejected.set(true);
                            return;
                        }
                    }
                    MemorySegment.copy(dst, 0, out, ValueLayout.JAVA_BYTE, (long) g * groupBytes, n * groupBytes);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rejected.get() ? null : out;
    }

    /** A 1-D tensor (norm weights, biases) read as a single row. */
    static Matrix ofVector(GgufFile file, GgufTensorInfo t) {
        return new Matrix(t.name(), t.type(), file.tensorData(t), 1, (int) t.ne(0), false, false);
    }

    private Matrix(
            String name, GgmlType type, MemorySegment data, int rows, int cols, boolean withKernel, boolean grouped) {
        this.name = name;
        this.type = type;
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.rowBytes(cols);
        this.kernel = withKernel ? Kernels.of(type) : null;
        this.grouped = grouped;
    }

    public String name() {
        return name;
    }

    public GgmlType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public DotKernel kernel() {
        return kernel;
    }

    /**
     * Rows that {@link #dotRows} ranges start and end on multiples of: {@link RowGroups#ROWS} in that layout, else 1.
     */
    public int rowAlign() {
        return grouped ? RowGroups.ROWS : 1;
    }

    /** Sets activations loaded in {@link DotKernel#input()} up for {@link #dotRows}, before threads share them. */
    public void prepare(InputRows in) {
        if (grouped) {
            RowGroups.prepare(type, in);
        } else {
            kernel.prepare(in);
        }
    }

    /**
     * Rows {@code r0 .. r1)} (multiples of {@link #rowAlign}, or {@code r1} the last row) · every activation row of
     * {@code in}: row {@code r}, token {@code t} into {@code out[t·rows + r]}.
     */
    public void dotRows(int r0, int r1, InputRows in, float[] out) {
        if (grouped) {
            RowGroups.dotRows(type, data, r0, r1, cols, in, out, rows);
        } else {
            kernel.dotRows(data, r0 * rowBytes, rowBytes, r1 - r0, in, out, r0, rows);
        }
    }

    /** Row {@code r} expanded to floats into {@code out[off ..]}, as ggml_get_rows does. */
    public void row(int r, float[] out, int off) {
        if (grouped) {
            RowGroups.row(type, data, r, cols, out, off);
            return;
        }
        BlockCodec codec = Codecs.of(type);
        byte[] bytes = data.asSlice(r * rowBytes, rowBytes).toArray(ValueLayout.JAVA_BYTE);
        codec.dequantizeRow(bytes, 0, cols, out, off);
    }
}
