package io.quantscope.gguf;

import io.quantscope.tensor.GgmlType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where everything goes in a GGUF file about to be written: the encoded header, each tensor's data offset and the
 * exact file size, as ggml's gguf writer lays them out (header, zero padding to the alignment, then each tensor's
 * data followed by zero padding to the alignment).
 */
public final class GgufLayout {
    private final int version;
    private final GgufMetadata metadata;
    private final List<GgufTensorInfo> tensors;
    private final byte[] headerBytes;
    private final long dataOffset;
    private final long fileSize;

    private GgufLayout(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, byte[] headerBytes) {
        this.version = version;
        this.metadata = metadata;
        this.tensors = List.copyOf(tensors);
        this.headerBytes = headerBytes;
        int alignment = metadata.alignment();
        this.dataOffset = GgufParser.align(headerBytes.length, alignment);
        long data = 0;
        for (GgufTensorInfo t : this.tensors) {
            data = t.offset() + GgufParser.align(t.byteSize(), alignment);
        }
        this.fileSize = dataOffset + data;
    }

    /** A tensor to be written: its name, dimensions (innermost first) and type. */
    public record TensorSpec(String name, long[] ne, GgmlType type) {
        public TensorSpec {
            ne = ne.clone();
        }

        public static TensorSpec of(GgufTensorInfo t) {
            return new TensorSpec(t.name(), t.ne(), t.type());
        }
    }

    /** Lays out a GGUF v{@code version} file with this metadata and these tensors, in this order. */
    public static GgufLayout of(int version, GgufMetadata metadata, List<TensorSpec> specs) {
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("GGUF version must be 2 or 3, not " + version);
        }
        int alignment = metadata.alignment();
        List<GgufTensorInfo> tensors = new ArrayList<>(specs.size());
        long offset = 0;
        for (TensorSpec s : specs) {
            GgufTensorInfo t = new GgufTensorInfo(s.name(), s.ne(), s.type(), offset);
            tensors.add(t);
            offset += GgufParser.align(t.byteSize(), alignment);
        }
        return new GgufLayout(version, metadata, tensors, encodeHeader(version, metadata, tensors));
    }

    /** The layout that reproduces an existing file's header exactly. */
    public static GgufLayout of(GgufHeader header) {
        return of(
                header.version(),
                header.metadata(),
                header.tensors().stream().map(TensorSpec::of).toList());
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensors with their data offsets (relative to the data section). */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public int alignment() {
        return metadata.alignment();
    }

    byte[] headerBytes() {
        return headerBytes;
    }

    public long dataOffset() {
        return dataOffset;
    }

    /** The exact size of the file in bytes. */
    public long fileSize() {
        return fileSize;
    }

    private static byte[] encodeHeader(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors) {
        Encoder e = new Encoder();
        e.i32(GgufParser.MAGIC);
        e.i32(version);
        e.i64(tensors.size());
        e.i64(metadata.size());
        metadata.entries().forEach((key, value) -> {
            e.string(key);
            e.i32(value.type().id());
            e.value(value.type(), value.value());
        });
        for (GgufTensorInfo t : tensors) {
            e.string(t.name());
            e.i32(t.nDims());
            for (long d : t.ne()) {
                e.i64(d);
            }
            e.i32(t.type().id());
            e.i64(t.offset());
        }
        return e.out.toByteArray();
    }

    private static final class Encoder {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);

        void i8(int v) {
            out.write(v);
        }

        void i16(int v) {
            out.write(v);
            out.write(v >>> 8);
        }

        void i32(int v) {
            for (int i = 0; i < 4; i++) {
                out.write(v >>> (8 * i));
            }
        }

        void i64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            out.writeBytes(b);
        }

        void value(GgufValueType type, Object v) {
            switch (type) {
                case UINT8, INT8 -> i8((int) (long) (Long) v);
                case UINT16, INT16 -> i16((int) (long) (Long) v);
                case UINT32, INT32 -> i32((int) (long) (Long) v);
                case UINT64, INT64 -> i64((Long) v);
                case FLOAT32 -> i32(Float.floatToRawIntBits((Float) v));
                case FLOAT64 -> i64(Double.doubleToRawLongBits((Double) v));
                case BOOL -> i8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> array((GgufArray) v);
            }
        }

        void array(GgufArray a) {
            i32(a.elementType().id());
            int n = a.length();
            i64(n);
            switch (a.elementType()) {
                case UINT8, INT8, BOOL -> out.writeBytes((byte[]) a.values());
                case UINT16, INT16 -> {
                    for (short s : (short[]) a.values()) i16(s);
                }
                case UINT32, INT32 -> {
                    for (int x : (int[]) a.values()) i32(x);
                }
                case UINT64, INT64 -> {
                    for (long x : (long[]) a.values()) i64(x);
                }
                case FLOAT32 -> {
                    for (float x : (float[]) a.values()) i32(Float.floatToRawIntBits(x));
                }
                case FLOAT64 -> {
                    for (double x : (double[]) a.values()) i64(Double.doubleToRawLongBits(x));
                }
                case STRING -> {
                    for (String s : (String[]) a.values()) string(s);
                }
                case ARRAY -> {
                    for (GgufArray x : (GgufArray[]) a.values()) array(x);
                }
            }
        }
    }
}
