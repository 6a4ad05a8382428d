package io.quantscope.app.cli;

import io.quantscope.gguf.GgufArray;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufSummary;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufValueType;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON document {@code quantscope inspect --json} prints. Field names are a contract: other commands and the app
 * reuse them.
 */
public record InspectReport(
        String file,
        long fileBytes,
        int version,
        int alignment,
        long dataOffset,
        String architecture,
        String name,
        long parameters,
        String fileType,
        Long contextLength,
        Tokenizer tokenizer,
        Map<String, Metadata> metadata,
        List<Tensor> tensors,
        Totals totals) {

    /** Arrays longer than this are summarised (type and length) unless the full dump is asked for. */
    static final int SUMMARY_LIMIT = 16;

    public record Tokenizer(String model, int vocabSize) {}

    /** One metadata value: its GGUF type and value; long arrays carry only element type and length. */
    public record Metadata(String type, String elementType, Integer length, Object value) {}

    public record Tensor(String name, String type, long[] ne, long offset, long bytes) {}

    public record TypeTotal(String type, int tensors, long parameters, long bytes, double bpw) {}

    public record Totals(long parameters, long bytes, double bpw, List<TypeTotal> byType) {}

    public static InspectReport of(GgufFile f, boolean full) {
        GgufSummary s = GgufSummary.of(f.header());
        Map<String, Metadata> md = new LinkedHashMap<>();
        f.metadata().entries().forEach((k, v) -> md.put(k, metadata(v, full)));
        List<Tensor> tensors = f.tensors().stream()
                .map(t -> new Tensor(t.name(), t.type().name(), t.ne(), t.offset(), t.byteSize()))
                .toList();
        List<TypeTotal> byType = s.totals().stream()
                .map(t -> new TypeTotal(t.type().name(), t.tensors(), t.parameters(), t.bytes(), t.bitsPerWeight()))
                .toList();
        return new InspectReport(
                f.path().toString(),
                f.fileSize(),
                f.version(),
                f.alignment(),
                f.dataOffset(),
                s.architecture(),
                s.name().orElse(null),
                s.parameters(),
                fileTypeName(s),
                s.contextLength().isPresent() ? s.contextLength().getAsLong() : null,
                new Tokenizer(s.tokenizerModel().orElse(null), s.vocabularySize()),
                md,
                tensors,
                new Totals(s.parameters(), s.tensorBytes(), s.bitsPerWeight(), byType));
    }

    static String fileTypeName(GgufSummary s) {
        if (s.fileType().isPresent()) {
            return s.fileType().get().shortName();
        }
        return s.fileTypeId().isPresent() ? "unknown (" + s.fileTypeId().getAsLong() + ")" : null;
    }

    static Metadata metadata(GgufValue v, boolean full) {
        if (v.value() instanceof GgufArray a) {
            boolean summarise = !full && a.length() > SUMMARY_LIMIT;
            return new Metadata("ARRAY", a.elementType().name(), a.length(), summarise ? null : arrayValues(a));
        }
        return new Metadata(v.type().name(), null, null, scalar(v));
    }

    private static Object scalar(GgufValue v) {
        if (v.type() == GgufValueType.UINT64 && (Long) v.value() < 0) {
            return new BigInteger(Long.toUnsignedString((Long) v.value()));
        }
        return v.value();
    }

    private static List<Object> arrayValues(GgufArray a) {
        List<Object> out = new ArrayList<>(a.length());
        for (int i = 0; i < a.length(); i++) {
            out.add(
                    switch (a.elementType()) {
                        case STRING -> a.getString(i);
                        case ARRAY -> arrayValues(((GgufArray[]) a.values())[i]);
                        case BOOL -> a.getLong(i) != 0;
                        case FLOAT32 -> ((float[]) a.values())[i];
                        case FLOAT64 -> a.getDouble(i);
                        case UINT64 -> new BigInteger(Long.toUnsignedString(a.getLong(i)));
                        default -> a.getLong(i);
                    });
        }
        return out;
    }

    /** Tensors grouped as the text report shows them: non-block tensors first, then each block in order. */
    static Map<String, List<GgufTensorInfo>> groupByBlock(List<GgufTensorInfo> tensors) {
        Map<String, List<GgufTensorInfo>> groups = new LinkedHashMap<>();
        groups.put("model", new ArrayList<>());
        tensors.stream()
                .sorted(java.util.Comparator.comparingInt(GgufTensorInfo::blockIndex))
                .forEach(t -> groups.computeIfAbsent(
                                t.blockIndex() < 0 ? "model" : "blk." + t.blockIndex(), k -> new ArrayList<>())
                        .add(t));
        if (groups.get("model").isEmpty()) {
            groups.remove("model");
        }
        return groups;
    }
}
