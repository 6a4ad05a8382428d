package io.quantscope.recipe;

import io.quantscope.gguf.GgufHeader;
import io.quantscope.gguf.GgufLayout;
import io.quantscope.gguf.GgufLayout.TensorSpec;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufValueType;
import io.quantscope.gguf.LlamaFileType;
import io.quantscope.tensor.GgmlType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Preset × model → the exact output file before any work: each tensor's type, the output metadata and tensor order,
 * and so the exact size (a dry run). Follows llama-quantize (llama.cpp src/llama-quant.cpp): tensors sorted by block
 * then name, source metadata in order with {@code general.quantization_version} and {@code general.file_type}
 * re-appended, {@code split.*} dropped, imatrix keys last.
 */
public final class Plan {
    private static final List<String> NEVER_QUANTIZED = List.of(
            "_norm.weight",
            "ffn_gate_inp.weight",
            "ssm_conv1d.weight",
            "time_mix_first.weight",
            "time_mix_w1.weight",
            "time_mix_w2.weight",
            "time_mix_decay_w1.weight",
            "time_mix_decay_w2.weight",
            "time_mix_lerp_fused.weight",
            "attn_rel_b.weight");

    /**
     * One tensor of the output.
     *
     * @param source the tensor in the source file
     * @param target the tensor in the output (type, trimmed dims, data offset)
     * @param convert true when the data is converted; false when it is copied as it is
     * @param imatrix importance per column for this tensor, or null
     */
    public record Entry(GgufTensorInfo source, GgufTensorInfo target, boolean convert, float[] imatrix) {}

    private final GgufLayout layout;
    private final List<Entry> entries;
    private final QuantizeOptions options;

    private Plan(GgufLayout layout, List<Entry> entries, QuantizeOptions options) {
        this.layout = layout;
        this.entries = List.copyOf(entries);
        this.options = options;
    }

    /** The output layout: metadata, tensors with offsets, exact file size. */
    public GgufLayout layout() {
        return layout;
    }

    /** Tensors in output order. */
    public List<Entry> entries() {
        return entries;
    }

    public QuantizeOptions options() {
        return options;
    }

    /** Exact size of the output file in bytes. */
    public long fileBytes() {
        return layout.fileSize();
    }

    /** Bytes of tensor data (without header and padding). */
    public long tensorBytes() {
        return entries.stream().mapToLong(e -> e.target().byteSize()).sum();
    }

    /**
     * Plans quantizing a model with this header.
     *
     * @throws IllegalArgumentException with a message naming the tensor when the preset cannot apply
     */
    public static Plan of(GgufHeader source, QuantizeOptions opt) {
        Preset preset = opt.preset();
        if (preset.requiresImatrix() && opt.imatrix() == null) {
            throw new IllegalArgumentException(preset + " needs an importance matrix (--imatrix FILE)");
        }
        ModelHparams hp = ModelHparams.of(source.metadata());
        List<GgufTensorInfo> ordered = new ArrayList<>(source.tensors());
        ordered.sort(Comparator.comparingInt(GgufTensorInfo::blockIndex).thenComparing(GgufTensorInfo::name));

        boolean hasOutput = ordered.stream().anyMatch(t -> t.name().equals("output.weight"));
        int nAttentionWv = (int) ordered.stream()
                .filter(t -> t.name().contains("attn_v.weight")
                        || t.name().contains("attn_qkv.weight")
                        || t.name().contains("attn_kv_b.weight"))
                .count();
        TensorTypeRules rules = new TensorTypeRules(
                hp,
                preset.fileType(),
                hasOutput,
                opt.imatrix() != null,
                nAttentionWv,
                opt.outputTensorType(),
                opt.tokenEmbeddingType());

        List<TensorSpec> specs = new ArrayList<>();
        record Pending(GgufTensorInfo source, boolean convert, float[] imatrix) {}
        List<Pending> pending = new ArrayList<>();
        for (GgufTensorInfo t : ordered) {
            long[] ne = trimmedDims(t.ne());
            GgmlType type = t.type();
            boolean convert = isQuantizable(t.name(), ne.length, opt);
            if (convert) {
                GgmlType newType = preset.baseType();
                if (!opt.pure() && preset.baseType().isQuantized()) {
                    newType = rules.typeFor(t.name(), t.rowLength(), t.rows(), newType);
                }
                if (opt.tokenEmbeddingType() != null && t.name().equals("token_embd.weight")) {
                    newType = opt.tokenEmbeddingType();
                }
                if (opt.outputTensorType() != null && t.name().equals("output.weight")) {
                    newType = opt.outputTensorType();
                }
                for (QuantizeOptions.TypeOverride o : opt.overrides()) {
                    if (o.matches(t.name())) {
                        newType = o.type();
                        break;
                    }
                }
                checkRows(t, newType);
                convert = t.type() != newType;
                type = newType;
            }
            float[] im = convert ? imatrixFor(t, type, opt, preset) : null;
            if (convert && t.type().isQuantized() && !opt.allowRequantize()) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' is already " + t.type()
                        + "; requantizing loses quality twice (allow it with --allow-requantize)");
            }
            specs.add(new TensorSpec(t.name(), ne, type));
            pending.add(new Pending(t, convert, im));
        }
        GgufLayout layout = GgufLayout.of(3, metadata(source.metadata(), opt), specs);
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            entries.add(new Entry(p.source(), layout.tensors().get(i), p.convert(), p.imatrix()));
        }
        return new Plan(layout, entries, opt);
    }

    private static boolean isQuantizable(String name, int nDims, QuantizeOptions opt) {
        if (!name.endsWith("weight") || nDims < 2) return false;
        for (String s : NEVER_QUANTIZED) {
            if (name.contains(s)) return false;
        }
        if (opt.leaveOutputTensor() && name.equals("output.weight")) return false;
        return !name.equals("position_embd.weight") && !name.equals("token_types.weight");
    }

    private static void checkRows(GgufTensorInfo t, GgmlType type) {
        if (t.rowLength() % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' has rows of " + t.rowLength()
                    + " weights, not a multiple of " + type.blockSize() + " as " + type + " requires");
        }
    }

    private static float[] imatrixFor(GgufTensorInfo t, GgmlType type, QuantizeOptions opt, Preset preset) {
        float[] im = opt.imatrix() == null ? null : opt.imatrix().get(t.name()).orElse(null);
        if (im != null && im.length != t.rowLength() * t.ne(2)) {
            if (!t.name().equals("token_embd.weight")) {
                throw new IllegalArgumentException("the importance matrix has " + im.length + " values for tensor '"
                        + t.name() + "', which has " + t.rowLength() * t.ne(2) + " columns");
            }
            im = null;
        }
        if (im == null
                && type == GgmlType.Q2_K
                && preset == Preset.Q2_K_S
                && !t.name().equals("token_embd.weight")) {
            throw new IllegalArgumentException("the importance matrix has no entry for tensor '" + t.name()
                    + "', which Q2_K_S needs to quantize it");
        }
        return im;
    }

    /** ggml writes dims without trailing 1s ({@code ggml_n_dims}), at least one. */
    static long[] trimmedDims(long[] ne) {
        int n = ne.length;
        while (n > 1 && ne[n - 1] == 1) n--;
        return Arrays.copyOf(ne, Math.max(1, n));
    }

    static GgufMetadata metadata(GgufMetadata src, QuantizeOptions opt) {
        GgufMetadata.Builder b = src.toBuilder()
                .putLast("general.quantization_version", GgufValue.ofUint32(2))
                .putLast(
                        LlamaFileType.KEY,
                        GgufValue.ofUint32(opt.preset().fileType().id()))
                .remove("split.no")
                .remove("split.count")
                .remove("split.tensors.count");
        if (opt.imatrix() != null) {
            b.putLast("quantize.imatrix.file", GgufValue.ofString(truncate127(opt.imatrixName())));
            opt.imatrix()
                    .dataset()
                    .filter(d -> !d.isEmpty())
                    .ifPresent(d -> b.putLast("quantize.imatrix.dataset", GgufValue.ofString(truncate127(d))));
            b.putLast("quantize.imatrix.entries_count", new GgufValue(GgufValueType.INT32, (long)
                    opt.imatrix().entries().size()));
            if (opt.imatrix().chunks() > 0) {
                b.putLast("quantize.imatrix.chunks_count", new GgufValue(GgufValueType.INT32, (long)
                        opt.imatrix().chunks()));
            }
        }
        return b.build();
    }

    /** llama-quantize copies these strings into 128-byte buffers. */
    private static String truncate127(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return b.length <= 127 ? s : new String(b, 0, 127, StandardCharsets.UTF_8);
    }
}
