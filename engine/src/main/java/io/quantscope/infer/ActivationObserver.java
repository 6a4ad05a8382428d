package io.quantscope.infer;

/**
 * Sees the activations each weight matrix is multiplied with, before they are converted to the weight type's input
 * format: what llama-imatrix collects through ggml's evaluation callback.
 */
@FunctionalInterface
public interface ActivationObserver {
    /**
     * @param weight the weight tensor's name ({@code blk.3.ffn_down.weight}, {@code output.weight})
     * @param x {@code tokens} rows of {@code n} floats, row-major from offset 0 (read only, valid during the call)
     */
    void input(String weight, float[] x, int tokens, int n);
}
