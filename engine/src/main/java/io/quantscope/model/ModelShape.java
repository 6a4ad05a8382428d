package io.quantscope.model;

import io.quantscope.gguf.GgufLayout.TensorSpec;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufValue;
import io.quantscope.tensor.GgmlType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a llama-architecture model: enough to list its tensors (and so plan, size and synthesize it) without
 * any weights.
 *
 * @param tiedOutput true when the model has no output.weight and reuses token_embd.weight
 * @param vocabulary the kind of tokenizer a synthetic model of this shape carries
 * @param ropeTheta the RoPE frequency base ({@code llama.rope.freq_base})
 */
public record ModelShape(
        String name,
        int nLayer,
        int dim,
        int ffn,
        int nHead,
        int nHeadKv,
        int vocab,
        int contextLength,
        boolean tiedOutput,
        Vocab vocabulary,
        float ropeTheta) {

    /** The tokenizer of a synthetic model. */
    public enum Vocab {
        /** SentencePiece ({@code tokenizer.ggml.model = llama}) with byte fallback, as Llama 2 and TinyLlama. */
        SENTENCE_PIECE,
        /**
         * GPT-2 byte-level BPE as Llama 3 lays it out ({@code gpt2}, pre-tokenizer {@code llama-bpe}): 128,000
         * merged tokens, then 256 special tokens from {@code <|begin_of_text|>} (128000) on.
         */
        LLAMA3_BPE
    }

    /** A SentencePiece shape with RoPE base 10,000 (Llama 2's). */
    public ModelShape(
            String name,
            int nLayer,
            int dim,
            int ffn,
            int nHead,
            int nHeadKv,
            int vocab,
            int contextLength,
            boolean tiedOutput) {
        this(name, nLayer, dim, ffn, nHead, nHeadKv, vocab, contextLength, tiedOutput, Vocab.SENTENCE_PIECE, 10000f);
    }

    /** TinyLlama 1.1B: 22 layers, dim 2048, ffn 5632, 32 heads, 4 KV heads, vocabulary 32000. */
    public static ModelShape tinyllama() {
        return new ModelShape("TinyLlama-1.1B (synthetic)", 22, 2048, 5632, 32, 4, 32000, 2048, false);
    }

    /**
     * Llama-3-8B with {@code layers} layers (32 in the real model): dim 4096, ffn 14336, 8 KV heads, untied output,
     * Llama 3's byte-level BPE vocabulary and RoPE base 500,000.
     */
    public static ModelShape llama3_8b(int layers) {
        return new ModelShape(
                "Llama-3-8B (synthetic)", layers, 4096, 14336, 32, 8, 128256, 8192, false, Vocab.LLAMA3_BPE, 500000f);
    }

    /**
     * Llama-3.2-1B: 16 layers, dim 2048, ffn 8192, 32 heads, 8 KV heads, output tied to the token embeddings, Llama 3's
     * byte-level BPE vocabulary and RoPE base 500,000 (the long-context frequency factors are left out).
     */
    public static ModelShape llama32_1b() {
        return new ModelShape(
                "Llama-3.2-1B (synthetic)", 16, 2048, 8192, 32, 8, 128256, 131072, true, Vocab.LLAMA3_BPE, 500000f);
    }

    /**
     * Parses a shape name: {@code tinyllama}, {@code llama3.2-1b}, {@code llama3-8b}, {@code llama3-8b-layers=N}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static ModelShape parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        if (v.equals("tinyllama")) return tinyllama();
        if (v.equals("llama3.2-1b")) return llama32_1b();
        if (v.equals("llama3-8b")) return llama3_8b(32);
        if (v.startsWith("llama3-8b-layers=")) {
            try {
                int n = Integer.parseInt(v.substring("llama3-8b-layers=".length()));
                if (n >= 1 && n <= 1024) return llama3_8b(n);
            } catch (NumberFormatException e) {
                // fall through to the message
            }
        }
        throw new IllegalArgumentException(
                "unknown shape '" + s + "' (expected tinyllama, llama3.2-1b, llama3-8b or llama3-8b-layers=N)");
    }

    /**
     * A metadata builder holding the architecture, the name and this shape's {@code llama.*} hyperparameters, in the
     * order llama.cpp's converter writes them; the caller adds the file type and the vocabulary.
     */
    public GgufMetadata.Builder llamaMetadata(float rmsEps) {
        return GgufMetadata.builder()
                .put("general.architecture", GgufValue.ofString("llama"))
                .put("general.name", GgufValue.ofString(name))
                .put("llama.context_length", GgufValue.ofUint32(contextLength))
                .put("llama.embedding_length", GgufValue.ofUint32(dim))
                .put("llama.block_count", GgufValue.ofUint32(nLayer))
                .put("llama.feed_forward_length", GgufValue.ofUint32(ffn))
                .put("llama.rope.dimension_count", GgufValue.ofUint32(headDim()))
                .put("llama.attention.head_count", GgufValue.ofUint32(nHead))
                .put("llama.attention.head_count_kv", GgufValue.ofUint32(nHeadKv))
                .put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(rmsEps))
                .put("llama.rope.freq_base", GgufValue.ofFloat32(ropeTheta));
    }

    public int headDim() {
        return dim / nHead;
    }

    /** Tensors in the order llama.cpp's converter writes them; matrices in {@code matrixType}, norms F32. */
    public List<TensorSpec> tensors(GgmlType matrixType) {
        List<TensorSpec> t = new ArrayList<>();
        t.add(new TensorSpec("token_embd.weight", new long[] {dim, vocab}, matrixType));
        int kvDim = headDim() * nHeadKv;
        for (int i = 0; i < nLayer; i++) {
            String p = "blk." + i + ".";
            t.add(new TensorSpec(p + "attn_norm.weight", new long[] {dim}, GgmlType.F32));
            t.add(new TensorSpec(p + "attn_q.weight", new long[] {dim, dim}, matrixType));
            t.add(new TensorSpec(p + "attn_k.weight", new long[] {dim, kvDim}, matrixType));
            t.add(new TensorSpec(p + "attn_v.weight", new long[] {dim, kvDim}, matrixType));
            t.add(new TensorSpec(p + "attn_output.weight", new long[] {dim, dim}, matrixType));
            t.add(new TensorSpec(p + "ffn_norm.weight", new long[] {dim}, GgmlType.F32));
            t.add(new TensorSpec(p + "ffn_gate.weight", new long[] {dim, ffn}, matrixType));
            t.add(new TensorSpec(p + "ffn_down.weight", new long[] {ffn, dim}, matrixType));
            t.add(new TensorSpec(p + "ffn_up.weight", new long[] {dim, ffn}, matrixType));
        }
        t.add(new TensorSpec("output_norm.weight", new long[] {dim}, GgmlType.F32));
        if (!tiedOutput) {
            t.add(new TensorSpec("output.weight", new long[] {dim, vocab}, matrixType));
        }
        return t;
    }

    /** Number of weights. */
    public long parameters() {
        return tensors(GgmlType.F32).stream()
                .mapToLong(s -> {
                    long n = 1;
                    for (long d : s.ne()) n *= d;
                    return n;
                })
                .sum();
    }
}
