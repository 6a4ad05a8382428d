package io.quantscope.gguf;

import java.util.Objects;

/**
 * One metadata value with its GGUF type. Integers of every width are held as a {@link Long} (unsigned ones
 * zero-extended; a UINT64 above {@link Long#MAX_VALUE} keeps its bit pattern), FLOAT32 as {@link Float}, FLOAT64 as
 * {@link Double}, BOOL as {@link Boolean}, STRING as {@link String} and ARRAY as {@link GgufArray}.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
        Class<?> expected = switch (type) {
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> GgufArray.class;
            default -> Long.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " value must be a " + expected.getSimpleName());
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, s);
    }

    public static GgufValue ofUint32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a uint32: " + v);
        }
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, (long) v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufArray a) {
        return new GgufValue(GgufValueType.ARRAY, a);
    }

    public boolean isInteger() {
        return type.isInteger();
    }

    public long asLong() {
        return switch (value) {
            case Long l -> l;
            case Float f -> (long) (float) f;
            case Double d -> (long) (double) d;
            case Boolean b -> b ? 1 : 0;
            default -> throw new IllegalStateException(type + " value is not a number");
        };
    }

    public double asDouble() {
        return switch (value) {
            case Float f -> f;
            case Double d -> d;
            default -> asLong();
        };
    }

    public String asString() {
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalStateException(type + " value is not a string");
    }

    public GgufArray asArray() {
        if (value instanceof GgufArray a) {
            return a;
        }
        throw new IllegalStateException(type + " value is not an array");
    }
}
