package io.quantscope.recipe;

import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.tensor.GgmlType;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What to make, as llama-quantize's options say it.
 *
 * @param imatrix importance matrix, or null
 * @param imatrixName how the matrix is named in the output's {@code quantize.imatrix.file} (llama-quantize records
 *     the path exactly as given)
 * @param pure every quantizable tensor gets the preset's base type (no per-tensor rules)
 * @param outputTensorType type for output.weight, or null for the rules' choice
 * @param tokenEmbeddingType type for token_embd.weight, or null for the rules' choice
 * @param leaveOutputTensor keep output.weight in its source type
 * @param allowRequantize accept an already quantized source (dequantized first; quality suffers)
 * @param overrides per-tensor types by pattern, applied last (first match wins)
 */
public record QuantizeOptions(
        Preset preset,
        ImportanceMatrix imatrix,
        String imatrixName,
        boolean pure,
        GgmlType outputTensorType,
        GgmlType tokenEmbeddingType,
        boolean leaveOutputTensor,
        boolean allowRequantize,
        List<TypeOverride> overrides) {

    public QuantizeOptions {
        overrides = List.copyOf(overrides);
    }

    public static QuantizeOptions of(Preset preset) {
        return new QuantizeOptions(preset, null, null, false, null, null, false, false, List.of());
    }

    public QuantizeOptions withImatrix(ImportanceMatrix m, String name) {
        return new QuantizeOptions(
                preset,
                m,
                name,
                pure,
                outputTensorType,
                tokenEmbeddingType,
                leaveOutputTensor,
                allowRequantize,
                overrides);
    }

    /** A tensor-name pattern (regular expression, found anywhere in the name) and the type it forces. */
    public record TypeOverride(Pattern pattern, GgmlType type) {
        /** Parses {@code PATTERN=TYPE}, e.g. {@code ffn_down=Q6_K} or {@code blk\.[0-3]\.attn_v=Q8_0}. */
        public static TypeOverride parse(String spec) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("tensor type override '" + spec + "' is not PATTERN=TYPE");
            }
            String typeName = spec.substring(eq + 1).toUpperCase(Locale.ROOT);
            GgmlType type = GgmlType.fromName(typeName)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "unknown tensor type '" + spec.substring(eq + 1) + "' in '" + spec + "'"));
            try {
                return new TypeOverride(Pattern.compile(spec.substring(0, eq)), type);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("bad tensor pattern in '" + spec + "': " + e.getDescription());
            }
        }

        boolean matches(String tensorName) {
            return pattern.matcher(tensorName).find();
        }
    }
}
