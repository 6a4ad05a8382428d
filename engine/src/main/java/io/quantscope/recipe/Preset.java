package io.quantscope.recipe;

import io.quantscope.gguf.LlamaFileType;
import io.quantscope.tensor.GgmlType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A llama-quantize preset: the file type it records and the base tensor type its per-tensor rules start from, with a
 * plain-words description for people choosing one.
 */
public enum Preset {
    Q2_K(LlamaFileType.MOSTLY_Q2_K, GgmlType.Q2_K, "2-bit K-quant mix; smallest usable, visibly worse"),
    Q2_K_S(LlamaFileType.MOSTLY_Q2_K_S, GgmlType.Q2_K, "2-bit K-quant, small mix; needs an importance matrix"),
    Q3_K_S(LlamaFileType.MOSTLY_Q3_K_S, GgmlType.Q3_K, "3-bit K-quant, small mix"),
    Q3_K_M(LlamaFileType.MOSTLY_Q3_K_M, GgmlType.Q3_K, "3-bit K-quant, medium mix (more bits for attention V)"),
    Q3_K_L(LlamaFileType.MOSTLY_Q3_K_L, GgmlType.Q3_K, "3-bit K-quant, large mix (5-bit attention V and FFN down)"),
    Q4_0(LlamaFileType.MOSTLY_Q4_0, GgmlType.Q4_0, "legacy 4-bit, one scale per 32 weights"),
    Q4_1(LlamaFileType.MOSTLY_Q4_1, GgmlType.Q4_1, "legacy 4-bit with a minimum per 32 weights"),
    Q4_K_S(LlamaFileType.MOSTLY_Q4_K_S, GgmlType.Q4_K, "4-bit K-quant, small mix"),
    Q4_K_M(LlamaFileType.MOSTLY_Q4_K_M, GgmlType.Q4_K, "4-bit K-quant, medium mix; the usual default"),
    Q5_0(LlamaFileType.MOSTLY_Q5_0, GgmlType.Q5_0, "legacy 5-bit, one scale per 32 weights"),
    Q5_1(LlamaFileType.MOSTLY_Q5_1, GgmlType.Q5_1, "legacy 5-bit with a minimum per 32 weights"),
    Q5_K_S(LlamaFileType.MOSTLY_Q5_K_S, GgmlType.Q5_K, "5-bit K-quant, small mix"),
    Q5_K_M(LlamaFileType.MOSTLY_Q5_K_M, GgmlType.Q5_K, "5-bit K-quant, medium mix"),
    Q6_K(LlamaFileType.MOSTLY_Q6_K, GgmlType.Q6_K, "6-bit K-quant; nearly lossless"),
    Q8_0(LlamaFileType.MOSTLY_Q8_0, GgmlType.Q8_0, "8-bit; practically lossless, half of F16"),
    IQ4_NL(LlamaFileType.MOSTLY_IQ4_NL, GgmlType.IQ4_NL, "4-bit non-linear grid per 32 weights"),
    F16(LlamaFileType.MOSTLY_F16, GgmlType.F16, "16-bit float; no quantization"),
    BF16(LlamaFileType.MOSTLY_BF16, GgmlType.BF16, "16-bit brain float; no quantization"),
    F32(LlamaFileType.ALL_F32, GgmlType.F32, "32-bit float; no quantization");

    private final LlamaFileType fileType;
    private final GgmlType baseType;
    private final String description;

    Preset(LlamaFileType fileType, GgmlType baseType, String description) {
        this.fileType = fileType;
        this.baseType = baseType;
        this.description = description;
    }

    public LlamaFileType fileType() {
        return fileType;
    }

    public GgmlType baseType() {
        return baseType;
    }

    public String description() {
        return description;
    }

    public boolean requiresImatrix() {
        return this == Q2_K_S;
    }

    /** The preset named like llama-quantize's argument (case-insensitive), e.g. "q4_k_m". */
    public static Optional<Preset> parse(String name) {
        return Arrays.stream(values())
                .filter(p -> p.name().equals(name.toUpperCase(Locale.ROOT)))
                .findFirst();
    }
}
