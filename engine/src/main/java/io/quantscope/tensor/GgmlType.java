package io.quantscope.tensor;

import java.util.Optional;

/**
 * The GGML tensor types as GGUF files store them: the file id, how many weights one block holds, and how many bytes
 * one block takes. All format arithmetic (row sizes, tensor sizes, bits per weight) is done here.
 *
 * <p>Ids follow {@code enum ggml_type} in ggml.h; ids GGML removed (4, 5, 31–33, 36–38) are not types.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ2_XXS(16, 256, 66),
    IQ2_XS(17, 256, 74),
    IQ3_XXS(18, 256, 98),
    IQ1_S(19, 256, 50),
    IQ4_NL(20, 32, 18),
    IQ3_S(21, 256, 110),
    IQ2_S(22, 256, 82),
    IQ4_XS(23, 256, 136),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 56),
    BF16(30, 1, 2),
    TQ1_0(34, 256, 54),
    TQ2_0(35, 256, 66);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;

    GgmlType(int id, int blockSize, int typeSize) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
    }

    /** The id GGUF files store for this type. */
    public int id() {
        return id;
    }

    /** Weights per block (1 for plain float and integer types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    /** True for block-quantized types (block size above 1). */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /** Bits one weight takes on average, e.g. 4.5 for Q4_0 and 6.5625 for Q6_K. */
    public double bitsPerWeight() {
        return typeSize * 8.0 / blockSize;
    }

    /**
     * Bytes one row of {@code n} weights takes.
     *
     * @throws IllegalArgumentException if {@code n} is negative or not a multiple of the block size
     */
    public long rowBytes(long n) {
        if (n < 0 || n % blockSize != 0) {
            throw new IllegalArgumentException(
                    "row of " + n + " weights is not a multiple of " + name() + "'s block size " + blockSize);
        }
        return Math.multiplyExact(n / blockSize, (long) typeSize);
    }

    /**
     * Bytes a tensor of {@code elements} weights takes whose rows have {@code rowLength} weights.
     *
     * @throws ArithmeticException if the size does not fit in a long
     */
    public long tensorBytes(long rowLength, long elements) {
        long rows = rowLength == 0 ? 0 : elements / rowLength;
        return Math.multiplyExact(rowBytes(rowLength), rows);
    }

    /** The type with this file id, or empty for ids GGML does not define (or no longer supports). */
    public static Optional<GgmlType> fromId(long id) {
        if (id < 0 || id >= BY_ID.length) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_ID[(int) id]);
    }

    /** The type with this GGML name (case-insensitive), e.g. {@code "q4_k"}; empty if there is none. */
    public static Optional<GgmlType> fromName(String name) {
        for (GgmlType t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
