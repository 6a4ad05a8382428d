package io.quantscope.samples;

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
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small, deterministic {@code llama}-shaped model with random weights (normal, with a few outlier input channels per
 * matrix) and a byte-fallback SentencePiece vocabulary. It has the shape of a real model, so every screen of the app has
 * something to show, but it has not been trained: its text is noise. The trained sample model replaces it (#8).
 *
 * <p>Shape: dim 256, ffn 768, 2 layers, 8 heads, 4 KV heads, vocabulary 512; matrices F16, norms F32 (as llama.cpp's
 * converter writes them). Every matrix row is a multiple of 256, so every K-quant applies.
 */
public final class SyntheticSampleModel {
    public static final String FILE_NAME = "quantscope-sample-synthetic.gguf";
    static final int DIM = 256;
    static final int FFN = 768;
    static final int LAYERS = 2;
    static final int HEADS = 8;
    static final int KV_HEADS = 4;
    static final int VOCAB = 512;
    static final long SEED = 20261123L;

    private SyntheticSampleModel() {}

    /** Returns the sample model in {@code dir}, writing it first if it is not there. */
    public static Path ensure(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            Files.createDirectories(dir);
            write(file);
        }
        return file;
    }

    /** Writes the model to {@code file} (atomically, through a partial file). */
    public static void write(Path file) throws IOException {
        List<TensorSpec> specs = tensors();
        GgufLayout layout = GgufLayout.of(3, metadata(), specs);
        SplittableRandom random = new SplittableRandom(SEED);
        try (GgufWriter w = GgufWriter.create(file, layout)) {
            for (GgufTensorInfo t : layout.tensors()) {
                w.write(data(t, random.split()));
            }
            w.commit();
        }
    }

    static List<TensorSpec> tensors() {
        List<TensorSpec> t = new ArrayList<>();
        t.add(new TensorSpec("token_embd.weight", new long[] {DIM, VOCAB}, GgmlType.F16));
        t.add(new TensorSpec("output_norm.weight", new long[] {DIM}, GgmlType.F32));
        t.add(new TensorSpec("output.weight", new long[] {DIM, VOCAB}, GgmlType.F16));
        int kvDim = DIM / HEADS * KV_HEADS;
        for (int i = 0; i < LAYERS; i++) {
            String p = "blk." + i + ".";
            t.add(new TensorSpec(p + "attn_norm.weight", new long[] {DIM}, GgmlType.F32));
            t.add(new TensorSpec(p + "attn_q.weight", new long[] {DIM, DIM}, GgmlType.F16));
            t.add(new TensorSpec(p + "attn_k.weight", new long[] {DIM, kvDim}, GgmlType.F16));
            t.add(new TensorSpec(p + "attn_v.weight", new long[] {DIM, kvDim}, GgmlType.F16));
            t.add(new TensorSpec(p + "attn_output.weight", new long[] {DIM, DIM}, GgmlType.F16));
            t.add(new TensorSpec(p + "ffn_norm.weight", new long[] {DIM}, GgmlType.F32));
            t.add(new TensorSpec(p + "ffn_gate.weight", new long[] {DIM, FFN}, GgmlType.F16));
            t.add(new TensorSpec(p + "ffn_down.weight", new long[] {FFN, DIM}, GgmlType.F16));
            t.add(new TensorSpec(p + "ffn_up.weight", new long[] {DIM, FFN}, GgmlType.F16));
        }
        return t;
    }

    static GgufMetadata metadata() {
        String[] tokens = new String[VOCAB];
        float[] scores = new float[VOCAB];
        int[] types = new int[VOCAB];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2; // unknown
        types[1] = 3; // control
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6; // byte
        }
        String letters = "abcdefghijklmnopqrstuvwxyz";
        int next = 259;
        for (int i = 0; next < VOCAB && i < letters.length(); i++) {
            tokens[next] = String.valueOf(letters.charAt(i));
            types[next] = 1;
            scores[next] = -next;
            next++;
        }
        for (int i = 0; next < VOCAB; i++) {
            char a = letters.charAt(i % 26);
            char b = letters.charAt((i / 26) % 26);
            tokens[next] = (i % 2 == 0 ? "\u2581" : "") + a + b;
            types[next] = 1;
            scores[next] = -next;
            next++;
        }
        return GgufMetadata.builder()
                .put("general.architecture", GgufValue.ofString("llama"))
                .put("general.name", GgufValue.ofString("Quantscope synthetic sample"))
                .put("llama.context_length", GgufValue.ofUint32(256))
                .put("llama.embedding_length", GgufValue.ofUint32(DIM))
                .put("llama.block_count", GgufValue.ofUint32(LAYERS))
                .put("llama.feed_forward_length", GgufValue.ofUint32(FFN))
                .put("llama.rope.dimension_count", GgufValue.ofUint32(DIM / HEADS))
                .put("llama.attention.head_count", GgufValue.ofUint32(HEADS))
                .put("llama.attention.head_count_kv", GgufValue.ofUint32(KV_HEADS))
                .put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-5f))
                .put("general.file_type", GgufValue.ofUint32(1))
                .put("tokenizer.ggml.model", GgufValue.ofString("llama"))
                .put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufValueType.STRING, tokens)))
                .put("tokenizer.ggml.scores", GgufValue.ofArray(new GgufArray(GgufValueType.FLOAT32, scores)))
                .put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufValueType.INT32, types)))
                .put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(1))
                .put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(2))
                .put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(0))
                .put("general.quantization_version", GgufValue.ofUint32(2))
                .build();
    }

    private static ByteBuffer data(GgufTensorInfo t, SplittableRandom random) {
        ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        long cols = t.rowLength();
        if (t.nDims() == 1) {
            for (long i = 0; i < cols; i++) {
                b.putFloat((float) (1.0 + 0.05 * random.nextDouble(-1, 1)));
            }
            return b.flip();
        }
        // a few input channels carry much larger weights, as real models' outlier channels do
        long outlierA = random.nextLong(cols);
        long outlierB = random.nextLong(cols);
        double sigma = 1.0 / Math.sqrt(cols);
        for (long r = 0; r < t.rows(); r++) {
            for (long c = 0; c < cols; c++) {
                double w = gaussian(random) * sigma;
                if (c == outlierA || c == outlierB) {
                    w *= 8;
                }
                b.putShort(Float.floatToFloat16((float) w));
            }
        }
        return b.flip();
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
