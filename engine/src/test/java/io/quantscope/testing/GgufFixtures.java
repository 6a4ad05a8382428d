package io.quantscope.testing;

import io.quantscope.gguf.GgufArray;
import io.quantscope.gguf.GgufLayout;
import io.quantscope.gguf.GgufLayout.TensorSpec;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufValueType;
import io.quantscope.gguf.GgufWriter;
import io.quantscope.tensor.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/** Small GGUF files built in a test's temporary folder. */
public final class GgufFixtures {
    private GgufFixtures() {}

    /** Metadata with one value of every type, including an array of arrays and an empty array. */
    public static GgufMetadata everyValueType() {
        return GgufMetadata.builder()
                .put("general.architecture", GgufValue.ofString("llama"))
                .put("t.u8", new GgufValue(GgufValueType.UINT8, 200L))
                .put("t.i8", new GgufValue(GgufValueType.INT8, -5L))
                .put("t.u16", new GgufValue(GgufValueType.UINT16, 65535L))
                .put("t.i16", new GgufValue(GgufValueType.INT16, -32768L))
                .put("t.u32", GgufValue.ofUint32(4_000_000_000L))
                .put("t.i32", GgufValue.ofInt32(-7))
                .put("t.f32", GgufValue.ofFloat32(1e-5f))
                .put("t.bool", GgufValue.ofBool(true))
                .put("t.string", GgufValue.ofString("héllo ▁wörld 🦙"))
                .put("t.u64", new GgufValue(GgufValueType.UINT64, -1L))
                .put("t.i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE))
                .put("t.f64", new GgufValue(GgufValueType.FLOAT64, Math.PI))
                .put("t.arr.u8", arr(GgufValueType.UINT8, new byte[] {1, 2, (byte) 255}))
                .put("t.arr.bool", arr(GgufValueType.BOOL, new byte[] {0, 1}))
                .put("t.arr.i16", arr(GgufValueType.INT16, new short[] {-1, 300}))
                .put("t.arr.i32", arr(GgufValueType.INT32, new int[] {1, -2, 3}))
                .put("t.arr.u64", arr(GgufValueType.UINT64, new long[] {Long.MAX_VALUE, -1}))
                .put("t.arr.f32", arr(GgufValueType.FLOAT32, new float[] {0.5f, -0.25f}))
                .put("t.arr.f64", arr(GgufValueType.FLOAT64, new double[] {1e300}))
                .put("t.arr.string", arr(GgufValueType.STRING, new String[] {"a", "", "<0x0A>"}))
                .put("t.arr.empty", arr(GgufValueType.INT32, new int[0]))
                .put("t.arr.nested", arr(GgufValueType.ARRAY, new GgufArray[] {
                    new GgufArray(GgufValueType.INT32, new int[] {1, 2}),
                    new GgufArray(GgufValueType.STRING, new String[] {"x"}),
                    new GgufArray(
                            GgufValueType.ARRAY,
                            new GgufArray[] {new GgufArray(GgufValueType.FLOAT32, new float[] {3f})})
                }))
                .build();
    }

    private static GgufValue arr(GgufValueType type, Object values) {
        return GgufValue.ofArray(new GgufArray(type, values));
    }

    /** Tensors of several types and shapes, including a 1-D norm and a block-quantized matrix. */
    public static List<TensorSpec> someTensors() {
        return List.of(
                new TensorSpec("token_embd.weight", new long[] {64, 10}, GgmlType.F32),
                new TensorSpec("output_norm.weight", new long[] {64}, GgmlType.F32),
                new TensorSpec("blk.0.attn_q.weight", new long[] {256, 3}, GgmlType.Q4_K),
                new TensorSpec("blk.0.ffn_down.weight", new long[] {32, 5, 2}, GgmlType.Q8_0),
                new TensorSpec("blk.1.attn_k.weight", new long[] {7, 3}, GgmlType.F16));
    }

    /** Writes a file with this metadata and tensors; tensor {@code i}'s bytes are {@code (i + 1 + j) & 0xFF}. */
    public static Path write(Path file, GgufMetadata md, List<TensorSpec> tensors) throws IOException {
        GgufLayout layout = GgufLayout.of(3, md, tensors);
        try (GgufWriter w = GgufWriter.create(file, layout)) {
            int i = 0;
            for (GgufTensorInfo t : layout.tensors()) {
                w.write(pattern(t.byteSize(), i++));
            }
            w.commit();
        }
        return file;
    }

    public static ByteBuffer pattern(long size, int seed) {
        ByteBuffer b = ByteBuffer.allocate((int) size);
        for (int j = 0; j < size; j++) {
            b.put((byte) (seed + 1 + j));
        }
        return b.flip();
    }
}
