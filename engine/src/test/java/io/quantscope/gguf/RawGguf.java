package io.quantscope.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-built GGUF bytes for tests that need exactly one thing wrong. Little-endian throughout. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static RawGguf header(int version, long nTensors, long nKv) {
        return new RawGguf()
                .bytes("GGUF".getBytes(StandardCharsets.US_ASCII))
                .u32(version)
                .u64(nTensors)
                .u64(nKv);
    }

    RawGguf bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf u8(int v) {
        out.write(v);
        return this;
    }

    RawGguf u32(long v) {
        for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf u64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    RawGguf kvU32(String key, long v) {
        return str(key).u32(GgufValueType.UINT32.id()).u32(v);
    }

    RawGguf kvString(String key, String v) {
        return str(key).u32(GgufValueType.STRING.id()).str(v);
    }

    /** A tensor-table entry. */
    RawGguf tensor(String name, long[] ne, int type, long offset) {
        str(name).u32(ne.length);
        for (long d : ne) u64(d);
        return u32(type).u64(offset);
    }

    RawGguf padTo(int alignment) {
        while (out.size() % alignment != 0) out.write(0);
        return this;
    }

    RawGguf zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] build() {
        return out.toByteArray();
    }
}
