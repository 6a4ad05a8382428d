package io.quantscope.quant.dot;

/**
 * The form activations take before a dot product with a weight row, as ggml's CPU backend converts them
 * ({@code vec_dot_type}): F32 weights see F32 activations, F16 weights F16, K-quants see Q8_K, the 32-blocks Q8_0 or
 * Q8_1.
 */
public enum InputFormat {
    F32,
    F16,
    BF16,
    Q8_0,
    Q8_1,
    Q8_K
}
