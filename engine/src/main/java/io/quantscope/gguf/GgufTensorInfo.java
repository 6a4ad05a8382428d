package io.quantscope.gguf;

import io.quantscope.tensor.GgmlType;
import java.util.Arrays;

/**
 * One entry of a GGUF tensor table.
 *
 * @param name the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param ne dimensions, innermost first (ggml order: {@code ne[0]} is the row length); never modify
 * @param type the element type
 * @param offset byte offset of the data from the start of the file's data section
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long offset) {

    public GgufTensorInfo {
        ne = ne.clone();
    }

    public int nDims() {
        return ne.length;
    }

    /** Dimension {@code i}, 1 beyond the stored dimensions. */
    public long ne(int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** Weights per row ({@code ne[0]}). */
    public long rowLength() {
        return ne(0);
    }

    /** Number of rows (product of every dimension but the first). */
    public long rows() {
        long rows = 1;
        for (int i = 1; i < ne.length; i++) {
            rows *= ne[i];
        }
        return rows;
    }

    /** Number of weights. */
    public long elementCount() {
        long n = 1;
        for (long d : ne) {
            n *= d;
        }
        return n;
    }

    /** Bytes of tensor data (without alignment padding). */
    public long byteSize() {
        return type.rowBytes(rowLength()) * rows();
    }

    /** The block number of a {@code blk.N.} name, or -1. */
    public int blockIndex() {
        return blockIndexOf(name);
    }

    public static int blockIndexOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = name.indexOf('.', 4);
        if (end < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(name, 4, end, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t
                && name.equals(t.name)
                && Arrays.equals(ne, t.ne)
                && type == t.type
                && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(ne) + " @" + offset;
    }
}
