package io.quantscope.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/** The key-value metadata of a GGUF file, in file order. Immutable; use {@link #toBuilder()} to derive another. */
public final class GgufMetadata {
    public static final String ALIGNMENT = "general.alignment";
    public static final String ARCHITECTURE = "general.architecture";
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Map<String, GgufValue> entries;

    private GgufMetadata(LinkedHashMap<String, GgufValue> entries) {
        this.entries = Collections.unmodifiableMap(entries);
    }

    public static GgufMetadata empty() {
        return new GgufMetadata(new LinkedHashMap<>());
    }

    public static Builder builder() {
        return new Builder(new LinkedHashMap<>());
    }

    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(entries));
    }

    /** All entries, in file order. */
    public Map<String, GgufValue> entries() {
        return entries;
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    public int size() {
        return entries.size();
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    public Optional<String> getString(String key) {
        GgufValue v = entries.get(key);
        return v != null && v.value() instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** An integer (or bool) value; empty when absent or not an integer. */
    public OptionalLong getLong(String key) {
        GgufValue v = entries.get(key);
        return v != null && (v.isInteger() || v.type() == GgufValueType.BOOL)
                ? OptionalLong.of(v.asLong())
                : OptionalLong.empty();
    }

    /** A numeric value as a double; empty when absent or not a number. */
    public OptionalDouble getDouble(String key) {
        GgufValue v = entries.get(key);
        if (v == null || v.type() == GgufValueType.STRING || v.type() == GgufValueType.ARRAY) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(v.asDouble());
    }

    public Optional<GgufArray> getArray(String key) {
        GgufValue v = entries.get(key);
        return v != null && v.value() instanceof GgufArray a ? Optional.of(a) : Optional.empty();
    }

    /** {@code general.architecture}, e.g. "llama"; empty if the file does not say. */
    public Optional<String> architecture() {
        return getString(ARCHITECTURE);
    }

    /** A key under the architecture's prefix, e.g. {@code archKey("context_length")} → "llama.context_length". */
    public String archKey(String suffix) {
        return architecture().orElse("general") + "." + suffix;
    }

    /** {@code general.alignment}, or 32 when the file does not set it. */
    public int alignment() {
        return (int) getLong(ALIGNMENT).orElse(DEFAULT_ALIGNMENT);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufMetadata m
                && entries.equals(m.entries)
                && entries.keySet().stream()
                        .toList()
                        .equals(m.entries.keySet().stream().toList());
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "GgufMetadata" + entries.keySet();
    }

    /** Builds metadata in insertion order. */
    public static final class Builder {
        private final LinkedHashMap<String, GgufValue> entries;

        private Builder(LinkedHashMap<String, GgufValue> entries) {
            this.entries = entries;
        }

        /** Sets a key, keeping its position if it exists, appending it otherwise. */
        public Builder put(String key, GgufValue value) {
            entries.put(key, value);
            return this;
        }

        /** Removes a key if present and appends it at the end (as gguf_set_* does in llama.cpp). */
        public Builder putLast(String key, GgufValue value) {
            entries.remove(key);
            entries.put(key, value);
            return this;
        }

        public Builder remove(String key) {
            entries.remove(key);
            return this;
        }

        public Builder removeIf(java.util.function.Predicate<String> keyFilter) {
            entries.keySet().removeIf(keyFilter);
            return this;
        }

        public boolean contains(String key) {
            return entries.containsKey(key);
        }

        public GgufMetadata build() {
            return new GgufMetadata(new LinkedHashMap<>(entries));
        }
    }
}
