package io.quantscope.recipe;

import io.quantscope.gguf.LlamaFileType;
import io.quantscope.tensor.GgmlType;

/**
 * llama-quantize's choice of type per tensor ({@code llama_tensor_get_type} in llama.cpp's src/llama-quant.cpp) for
 * the presets Quantscope offers. Stateful like the original: it counts attention-V and FFN tensors in the order it is
 * asked about them, which must be the output file's tensor order.
 */
final class TensorTypeRules {
    private final ModelHparams hp;
    private final LlamaFileType ftype;
    private final boolean hasOutput;
    private final boolean hasImatrix;
    private final GgmlType outputTensorType;
    private final GgmlType tokenEmbeddingType;
    private final int nAttentionWv;
    private int iAttentionWv;
    private int iFfnDown;

    TensorTypeRules(
            ModelHparams hp,
            LlamaFileType ftype,
            boolean hasOutput,
            boolean hasImatrix,
            int nAttentionWv,
            GgmlType outputTensorType,
            GgmlType tokenEmbeddingType) {
        this.hp = hp;
        this.ftype = ftype;
        this.hasOutput = hasOutput;
        this.hasImatrix = hasImatrix;
        this.nAttentionWv = nAttentionWv;
        this.outputTensorType = outputTensorType;
        this.tokenEmbeddingType = tokenEmbeddingType;
    }

    static boolean useMoreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /**
     * The type for tensor {@code name} with rows of {@code rowLength} weights, starting from the preset's base type.
     *
     * @throws IllegalArgumentException when no type fits the row length (legacy types need multiples of 32)
     */
    GgmlType typeFor(String name, long rowLength, long rows, GgmlType newType) {
        LlamaFileType f = ftype;
        int nLayer = hp.nLayer();
        if (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"))) {
            if (outputTensorType != null) {
                newType = outputTensorType;
            } else if (hp.isFalcon() || rowLength % newType.blockSize() != 0) {
                newType = GgmlType.Q8_0;
            } else if (newType != GgmlType.Q8_0) {
                newType = GgmlType.Q6_K;
            }
        } else if (name.equals("token_embd.weight")) {
            if (tokenEmbeddingType != null) newType = tokenEmbeddingType;
        } else if (name.contains("attn_v.weight")) {
            if (f == LlamaFileType.MOSTLY_Q2_K) {
                newType = hp.nGqa() >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (f == LlamaFileType.MOSTLY_Q2_K_S && hp.nGqa() >= 4) {
                newType = GgmlType.Q4_K;
            } else if (f == LlamaFileType.MOSTLY_Q3_K_M) {
                newType = iAttentionWv < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (f == LlamaFileType.MOSTLY_Q3_K_L) {
                newType = GgmlType.Q5_K;
            } else if (f == LlamaFileType.MOSTLY_IQ4_NL && hp.nGqa() >= 4) {
                newType = GgmlType.Q5_K;
            } else if ((f == LlamaFileType.MOSTLY_Q4_K_M || f == LlamaFileType.MOSTLY_Q5_K_M)
                    && useMoreBits(iAttentionWv, nAttentionWv)) {
                newType = GgmlType.Q6_K;
            } else if (f == LlamaFileType.MOSTLY_Q4_K_S && iAttentionWv < 4) {
                newType = GgmlType.Q5_K;
            }
            if (hp.is70B() && (newType == GgmlType.Q3_K || newType == GgmlType.Q4_K)) newType = GgmlType.Q5_K;
            if (hp.nExpert() == 8) newType = GgmlType.Q8_0;
            ++iAttentionWv;
        } else if (name.contains("attn_k.weight")) {
            if (hp.nExpert() == 8) newType = GgmlType.Q8_0;
        } else if (name.contains("ffn_down")) {
            int iLayer = layerOf(name, iFfnDown, nLayer);
            if (f == LlamaFileType.MOSTLY_Q2_K) {
                newType = GgmlType.Q3_K;
            } else if (f == LlamaFileType.MOSTLY_Q2_K_S) {
                if (iLayer < nLayer / 8) newType = GgmlType.Q4_K;
            } else if (f == LlamaFileType.MOSTLY_Q3_K_M) {
                newType = iLayer < nLayer / 16
                        ? GgmlType.Q5_K
                        : !hp.isFalcon() || useMoreBits(iLayer, nLayer) ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (f == LlamaFileType.MOSTLY_Q3_K_L) {
                newType = hp.isFalcon() ? GgmlType.Q4_K : GgmlType.Q5_K;
            } else if (f == LlamaFileType.MOSTLY_Q4_K_M) {
                if (hp.isFalcon()) {
                    newType = iLayer < nLayer / 16
                            ? GgmlType.Q6_K
                            : useMoreBits(iLayer, nLayer) ? GgmlType.Q5_K : GgmlType.Q4_K;
                } else if (useMoreBits(iLayer, nLayer)) {
                    newType = GgmlType.Q6_K;
                }
            } else if (iLayer < nLayer / 8 && f == LlamaFileType.MOSTLY_IQ4_NL && !hasImatrix) {
                newType = GgmlType.Q5_K;
            } else if (f == LlamaFileType.MOSTLY_Q5_K_M && useMoreBits(iLayer, nLayer)) {
                newType = GgmlType.Q6_K;
            } else if (f == LlamaFileType.MOSTLY_Q4_K_S && !hp.isFalcon() && iLayer < nLayer / 8) {
                newType = GgmlType.Q5_K;
            } else if ((f == LlamaFileType.MOSTLY_Q4_0 || f == LlamaFileType.MOSTLY_Q5_0)
                    && hasImatrix
                    && iLayer < nLayer / 8) {
                newType = f == LlamaFileType.MOSTLY_Q4_0 ? GgmlType.Q4_1 : GgmlType.Q5_1;
            }
            ++iFfnDown;
        } else if (name.contains("attn_output.weight")) {
            if (!hp.isFalcon()) {
                if (hp.nExpert() == 8) {
                    if (f == LlamaFileType.MOSTLY_Q2_K
                            || f == LlamaFileType.MOSTLY_Q3_K_S
                            || f == LlamaFileType.MOSTLY_Q3_K_M
                            || f == LlamaFileType.MOSTLY_IQ4_NL
                            || f == LlamaFileType.MOSTLY_Q4_K_S
                            || f == LlamaFileType.MOSTLY_Q4_K_M) {
                        newType = GgmlType.Q5_K;
                    }
                } else if (f == LlamaFileType.MOSTLY_Q2_K) {
                    newType = GgmlType.Q3_K;
                } else if (f == LlamaFileType.MOSTLY_Q3_K_M) {
                    newType = GgmlType.Q4_K;
                } else if (f == LlamaFileType.MOSTLY_Q3_K_L) {
                    newType = GgmlType.Q5_K;
                }
            } else if (f == LlamaFileType.MOSTLY_Q3_K_L) {
                newType = GgmlType.Q4_K;
            }
        } else if (name.contains("attn_qkv.weight")) {
            if (f == LlamaFileType.MOSTLY_Q3_K_M || f == LlamaFileType.MOSTLY_Q3_K_L) {
                newType = GgmlType.Q4_K;
            } else if (f == LlamaFileType.MOSTLY_Q4_K_M) {
                newType = GgmlType.Q5_K;
            } else if (f == LlamaFileType.MOSTLY_Q5_K_M) {
                newType = GgmlType.Q6_K;
            }
        }
        return fallback(name, rowLength, rows, newType);
    }

    /** Rows that are not whole blocks of the chosen type fall back as llama.cpp does, or fail. */
    static GgmlType fallback(String name, long rowLength, long rows, GgmlType t) {
        if (rowLength % t.blockSize() == 0) return t;
        GgmlType f = switch (t) {
            case TQ1_0, TQ2_0 -> GgmlType.Q4_0;
            case Q2_K, Q3_K, IQ4_XS, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ1_S, IQ1_M -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default ->
                throw new IllegalArgumentException("tensor '" + name + "' has rows of " + rowLength
                        + " weights (" + rowLength + " x " + rows + "), not a multiple of " + t.blockSize()
                        + " as " + t + " requires; llama.cpp refuses this preset for this model too");
        };
        return rowLength % f.blockSize() == 0 ? f : GgmlType.F16;
    }

    /** The layer a per-layer tensor belongs to: its running index, or its {@code blk.N.} number for MoE models. */
    private int layerOf(String name, int running, int nLayer) {
        if (hp.nExpert() > 1) {
            int i = io.quantscope.gguf.GgufTensorInfo.blockIndexOf(name);
            if (i < 0 || i >= nLayer) {
                throw new IllegalArgumentException("cannot tell the layer of tensor '" + name + "'");
            }
            return i;
        }
        return running;
    }
}
