package io.quantscope.gguf;

import io.quantscope.tensor.GgmlType;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a person wants to know about a GGUF file at a glance: architecture, size, file type, context length,
 * hyperparameters, tokenizer, and how many weights and bytes each tensor type holds. Computed from the header only.
 */
public record GgufSummary(
        String architecture,
        Optional<String> name,
        long parameters,
        long tensorBytes,
        Optional<LlamaFileType> fileType,
        OptionalLong fileTypeId,
        OptionalLong contextLength,
        Map<String, GgufValue> hyperparameters,
        Optional<String> tokenizerModel,
        int vocabularySize,
        List<TypeTotal> totals) {

    /** Weights, bytes and tensor count of one tensor type. */
    public record TypeTotal(GgmlType type, int tensors, long parameters, long bytes) {
        public double bitsPerWeight() {
            return parameters == 0 ? 0 : bytes * 8.0 / parameters;
        }
    }

    public static GgufSummary of(GgufHeader header) {
        GgufMetadata md = header.metadata();
        String arch = md.architecture().orElse("unknown");
        Map<String, GgufValue> hyper = new java.util.LinkedHashMap<>();
        md.entries().forEach((k, v) -> {
            if (k.startsWith(arch + ".") && v.type() != GgufValueType.ARRAY) {
                hyper.put(k, v);
            }
        });
        EnumMap<GgmlType, long[]> byType = new EnumMap<>(GgmlType.class);
        long params = 0;
        long bytes = 0;
        for (GgufTensorInfo t : header.tensors()) {
            long[] acc = byType.computeIfAbsent(t.type(), k -> new long[3]);
            acc[0]++;
            acc[1] += t.elementCount();
            acc[2] += t.byteSize();
            params += t.elementCount();
            bytes += t.byteSize();
        }
        List<TypeTotal> totals = new ArrayList<>();
        byType.forEach((type, acc) -> totals.add(new TypeTotal(type, (int) acc[0], acc[1], acc[2])));
        OptionalLong ftype = md.getLong(LlamaFileType.KEY);
        return new GgufSummary(
                arch,
                md.getString("general.name"),
                params,
                bytes,
                ftype.isPresent() ? LlamaFileType.fromId(ftype.getAsLong()) : Optional.empty(),
                ftype,
                md.getLong(arch + ".context_length"),
                hyper,
                md.getString("tokenizer.ggml.model"),
                md.getArray("tokenizer.ggml.tokens").map(GgufArray::length).orElse(0),
                totals);
    }

    /** Average bits per weight over all tensors. */
    public double bitsPerWeight() {
        return parameters == 0 ? 0 : tensorBytes * 8.0 / parameters;
    }

    /** A plain-words name for the tokenizer kind, e.g. "SentencePiece (llama)". */
    public String tokenizerDescription() {
        return tokenizerModel
                .map(m -> switch (m) {
                    case "llama" -> "SentencePiece (llama)";
                    case "gpt2" -> "byte-level BPE (gpt2)";
                    default -> m;
                })
                .orElse("none");
    }
}
