package io.quantscope.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array. Elements are kept in a primitive Java array matching the element type: {@code byte[]} for
 * UINT8, INT8 and BOOL; {@code short[]} for UINT16 and INT16; {@code int[]} for UINT32 and INT32; {@code long[]} for
 * UINT64 and INT64; {@code float[]}, {@code double[]}, {@code String[]}, and {@code GgufArray[]} for arrays of arrays.
 * Treat the arrays as read-only.
 */
public record GgufArray(GgufValueType elementType, Object values) {

    public GgufArray {
        Objects.requireNonNull(elementType);
        Class<?> expected = storageClass(elementType);
        if (!expected.isInstance(values)) {
            throw new IllegalArgumentException(
                    elementType + " array needs a " + expected.getSimpleName() + ", got " + values.getClass());
        }
    }

    public static GgufArray ofStrings(List<String> strings) {
        return new GgufArray(GgufValueType.STRING, strings.toArray(String[]::new));
    }

    static Class<?> storageClass(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8, BOOL -> byte[].class;
            case UINT16, INT16 -> short[].class;
            case UINT32, INT32 -> int[].class;
            case UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
        };
    }

    public int length() {
        return java.lang.reflect.Array.getLength(values);
    }

    /** Element {@code i} of an integer or bool array, widened (unsigned types zero-extended). */
    public long getLong(int i) {
        return switch (elementType) {
            case UINT8, BOOL -> ((byte[]) values)[i] & 0xFFL;
            case INT8 -> ((byte[]) values)[i];
            case UINT16 -> ((short[]) values)[i] & 0xFFFFL;
            case INT16 -> ((short[]) values)[i];
            case UINT32 -> ((int[]) values)[i] & 0xFFFF_FFFFL;
            case INT32 -> ((int[]) values)[i];
            case UINT64, INT64 -> ((long[]) values)[i];
            case FLOAT32 -> (long) ((float[]) values)[i];
            case FLOAT64 -> (long) ((double[]) values)[i];
            default -> throw new IllegalStateException(elementType + " array has no integer elements");
        };
    }

    /** Element {@code i} of a numeric array as a double. */
    public double getDouble(int i) {
        return switch (elementType) {
            case FLOAT32 -> ((float[]) values)[i];
            case FLOAT64 -> ((double[]) values)[i];
            default -> getLong(i);
        };
    }

    public String getString(int i) {
        return ((String[]) values)[i];
    }

    public List<String> strings() {
        return List.of((String[]) values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray(GgufValueType t, Object v)
                && t == elementType
                && Arrays.deepEquals(new Object[] {values}, new Object[] {v});
    }

    @Override
    public int hashCode() {
        return 31 * elementType.hashCode() + Arrays.deepHashCode(new Object[] {values});
    }

    @Override
    public String toString() {
        return "GgufArray[" + elementType + " × " + length() + "]";
    }
}
