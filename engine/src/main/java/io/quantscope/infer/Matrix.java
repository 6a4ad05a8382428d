package io.quantscope.infer;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.quant.BlockCodec;
import io.quantscope.quant.Codecs;
import io.quantscope.quant.dot.DotKernel;
import io.quantscope.quant.dot.Kernels;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A weight matrix straight from the mapped file, in its stored type: {@code rows} rows of {@code cols} weights
 * ({@code cols} is ggml's ne[0]). Products go through the type's {@link DotKernel}; single rows can be expanded to
 * floats (token embeddings).
 */
public final class Matrix {
    private final String name;
    private final GgmlType type;
    private final MemorySegment data;
    private final int rows;
    private final int cols;
    private final long rowBytes;
    private final DotKernel kernel;

    Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        this(name, type, data, rows, cols, true);
    }

    static Matrix of(GgufFile file, GgufTensorInfo t) {
        if (t.nDims() > 2) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has " + t.nDims() + " dimensions, not 2");
        }
        if (!Kernels.supports(t.type())) {
            throw new IllegalArgumentException(
                    "tensor '" + t.name() + "' is " + t.type() + ", which Quantscope cannot run yet");
        }
        return new Matrix(t.name(), t.type(), file.tensorData(t), (int) t.ne(1), (int) t.ne(0));
    }

    /** A 1-D tensor (norm weights, biases) read as a single row. */
    static Matrix ofVector(GgufFile file, GgufTensorInfo t) {
        return new Matrix(t.name(), t.type(), file.tensorData(t), 1, (int) t.ne(0), false);
    }

    private Matrix(String name, GgmlType type, MemorySegment data, int rows, int cols, boolean withKernel) {
        this.name = name;
        this.type = type;
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.rowBytes(cols);
        this.kernel = withKernel ? Kernels.of(type) : null;
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

    /** Rows {@code r0 .. r1) · every activation row of {@code in}: row {@code r}, token {@code t} into {@code out[t·rows + r]}. */
    public void dotRows(int r0, int r1, io.quantscope.quant.dot.InputRows in, float[] out) {
        kernel.dotRows(data, r0 * rowBytes, rowBytes, r1 - r0, in, out, r0, rows);
    }

    /** Row {@code r} expanded to floats into {@code out[off ..]}, as ggml_get_rows does. */
    public void row(int r, float[] out, int off) {
        BlockCodec codec = Codecs.of(type);
        byte[] bytes = data.asSlice(r * rowBytes, rowBytes).toArray(ValueLayout.JAVA_BYTE);
        codec.dequantizeRow(bytes, 0, cols, out, off);
    }
}
