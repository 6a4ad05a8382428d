package io.quantscope.model;

import io.quantscope.convert.Cancellation;
import io.quantscope.convert.ComputePool;
import io.quantscope.gguf.GgufArray;
import io.quantscope.gguf.GgufLayout;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufValueType;
import io.quantscope.gguf.GgufWriter;
import io.quantscope.gguf.LlamaFileType;
import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import io.quantscope.tokenizer.BpeTokenizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a deterministic random-weight llama model of a given shape: matrices normal with σ = 1/√(row length) and
 * two outlier input channels per matrix at 8×, norms near 1, and a byte-fallback SentencePiece vocabulary. Same seed,
 * same bytes, whatever the thread count. For benchmarks, tests and the placeholder sample model — its text is noise.
 */
public final class SyntheticModel {
    private static final int ROWS_PER_SLAB = 256;

    private SyntheticModel() {}

    /** Writes {@code shape} to {@code out} with matrices in {@code type} (F32, F16 or BF16). */
    public static void write(Path out, ModelShape shape, GgmlType type, long seed, Cancellation cancel)
            throws IOException {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) {
            throw new IllegalArgumentException("synthetic models are written as F32, F16 or BF16, not " + type);
        }
        GgufLayout layout = GgufLayout.of(3, metadata(shape, type), shape.tensors(type));
        try (GgufWriter w = GgufWriter.create(out, layout)) {
            int index = 0;
            for (GgufTensorInfo t : layout.tensors()) {
                cancel.check();
                writeTensor(w, t, seed * 1_000_003L + index++);
            }
            w.commit();
        }
    }

    private static void writeTensor(GgufWriter w, GgufTensorInfo t, long seed) throws IOException {
        int cols = (int) t.rowLength();
        long rows = t.rows();
        var codec = Codecs.of(t.type());
        int rowBytes = (int) t.type().rowBytes(cols);
        SplittableRandom tensorRandom = new SplittableRandom(seed);
        long outlierA = tensorRandom.nextLong(cols);
        long outlierB = tensorRandom.nextLong(cols);
        double sigma = 1.0 / Math.sqrt(cols);
        for (long first = 0; first < rows; first += ROWS_PER_SLAB) {
            int n = (int) Math.min(ROWS_PER_SLAB, rows - first);
            byte[] slab = new byte[n * rowBytes];
            long firstRow = first;
            int parts = Math.min(n, Runtime.getRuntime().availableProcessors());
            ComputePool.parallel(parts, part -> {
                float[] x = new float[cols];
                for (int r = n * part / parts; r < n * (part + 1) / parts; r++) {
                    SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (firstRow + r + 1)));
                    for (int c = 0; c < cols; c++) {
                        if (t.nDims() == 1) {
                            x[c] = (float) (1.0 + 0.05 * rnd.nextDouble(-1, 1));
                        } else {
                            double v = gaussian(rnd) * sigma;
                            x[c] = (float) (c == outlierA || c == outlierB ? v * 8 : v);
                        }
                    }
                    codec.quantizeRow(x, 0, cols, null, slab, r * rowBytes);
                }
            });
            w.write(ByteBuffer.wrap(slab));
        }
    }

    private static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static GgufMetadata metadata(ModelShape s, GgmlType type) {
        LlamaFileType ftype = switch (type) {
            case F16 -> LlamaFileType.MOSTLY_F16;
            case BF16 -> LlamaFileType.MOSTLY_BF16;
            default -> LlamaFileType.ALL_F32;
        };
        GgufMetadata.Builder b = s.llamaMetadata(1e-5f).put(LlamaFileType.KEY, GgufValue.ofUint32(ftype.id()));
        if (s.vocabulary() == ModelShape.Vocab.LLAMA3_BPE) {
            llama3Vocabulary(b, s.vocab());
        } else {
            sentencePieceVocabulary(b, s.vocab());
        }
        return b.put("general.quantization_version", GgufValue.ofUint32(2)).build();
    }

    /** Byte fallback tokens, then letter pieces (half with a leading {@code ▁}) scored by rank; ids 0–2 unk/BOS/EOS. */
    private static void sentencePieceVocabulary(GgufMetadata.Builder b, int vocab) {
        String[] tokens = new String[vocab];
        float[] scores = new float[vocab];
        int[] types = new int[vocab];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2;
        types[1] = 3;
        types[2] = 3;
        for (int c = 0; c < 256 && 3 + c < vocab; c++) {
            tokens[3 + c] = String.format("<0x%02X>", c);
            types[3 + c] = 6;
        }
        String letters = "abcdefghijklmnopqrstuvwxyz";
        for (int i = 259; i < vocab; i++) {
            int k = i - 259;
            StringBuilder piece = new StringBuilder(k % 2 == 0 ? "\u2581" : "");
            do {
                piece.append(letters.charAt(k % 26));
                k /= 26;
            } while (k > 0);
            tokens[i] = piece.toString();
            types[i] = 1;
            scores[i] = -i;
        }
        // pieces can repeat for large vocabularies; make them unique as a real vocabulary is
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < vocab; i++) {
            if (!seen.add(tokens[i])) {
                tokens[i] = tokens[i] + "#" + i;
                seen.add(tokens[i]);
            }
        }
        b.put("tokenizer.ggml.model", GgufValue.ofString("llama"))
                .put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufValueType.STRING, tokens)))
                .put("tokenizer.ggml.scores", GgufValue.ofArray(new GgufArray(GgufValueType.FLOAT32, scores)))
                .put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufValueType.INT32, types)))
                .put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(1))
                .put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(2))
                .put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(0));
    }

    /** Llama 3's special tokens below the reserved ones, by offset from 128000. */
    private static final String[] LLAMA3_SPECIAL = {
        "<|begin_of_text|>",
        "<|end_of_text|>",
        null,
        null,
        null,
        null,
        "<|start_header_id|>",
        "<|end_header_id|>",
        null,
        "<|eot_id|>"
    };

    /**
     * A byte-level BPE vocabulary laid out as Llama 3's: the 256 byte characters, then pieces of letters (with and
     * without a leading {@code Ġ}, GPT-2's space) each made by one merge of an earlier piece and a letter, in merge
     * order, up to id {@code vocab − 256}; then the 256 special tokens.
     */
    private static void llama3Vocabulary(GgufMetadata.Builder b, int vocab) {
        int base = vocab - 256;
        String[] tokens = new String[vocab];
        int[] types = new int[vocab];
        Arrays.fill(types, 1);
        List<String> merges = new ArrayList<>();
        for (int c = 0; c < 256; c++) {
            tokens[c] = String.valueOf(BpeTokenizer.byteChar(c));
        }
        List<String> prefixes = new ArrayList<>();
        prefixes.add(tokens[' ']);
        for (char c = 'a'; c <= 'z'; c++) {
            prefixes.add(String.valueOf(c));
        }
        int id = 256;
        while (id < base) {
            List<String> next = new ArrayList<>();
            for (int p = 0; p < prefixes.size() && id < base; p++) {
                for (char c = 'a'; c <= 'z' && id < base; c++) {
                    String left = prefixes.get(p);
                    tokens[id++] = left + c;
                    merges.add(left + " " + c);
                    next.add(left + c);
                }
            }
            prefixes = next;
        }
        for (int i = 0; i < 256; i++) {
            String named = i < LLAMA3_SPECIAL.length ? LLAMA3_SPECIAL[i] : null;
            int reserved = i < 2 ? -1 : i < 6 ? i - 2 : i == 8 ? 4 : i - 5;
            tokens[base + i] = named != null ? named : "<|reserved_special_token_" + reserved + "|>";
            types[base + i] = 3;
        }
        b.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"))
                .put("tokenizer.ggml.pre", GgufValue.ofString("llama-bpe"))
                .put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufValueType.STRING, tokens)))
                .put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufValueType.INT32, types)))
                .put(
                        "tokenizer.ggml.merges",
                        GgufValue.ofArray(new GgufArray(GgufValueType.STRING, merges.toArray(String[]::new))))
                .put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(base))
                .put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(base + 1));
    }

    /** The header of a model of this shape (no data): for planning and sizing without a file. */
    public static io.quantscope.gguf.GgufHeader header(ModelShape shape, GgmlType type) {
        GgufLayout layout = GgufLayout.of(3, metadata(shape, type), shape.tensors(type));
        return new io.quantscope.gguf.GgufHeader(3, layout.metadata(), layout.tensors(), layout.dataOffset());
    }
}
