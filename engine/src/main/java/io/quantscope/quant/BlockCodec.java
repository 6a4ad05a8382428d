package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;

/**
 * Quantizes and dequantizes rows of one GGML type. A row holds {@code n} weights, a multiple of the type's block size;
 * its bytes are {@code type().rowBytes(n)}. Implementations are stateless and safe to use from many threads.
 */
public interface BlockCodec {
    GgmlType type();

    /**
     * Quantizes {@code x[xo .. xo+n)} into {@code out[oo ..)} exactly as llama.cpp does for this row.
     *
     * @param imatrix importance per column ({@code n} values, already divided by the call count), or null for the
     *     reference path
     */
    void quantizeRow(float[] x, int xo, int n, float[] imatrix, byte[] out, int oo);

    /** Expands one row's bytes back to {@code n} floats. */
    void dequantizeRow(byte[] in, int io, int n, float[] y, int yo);
}
