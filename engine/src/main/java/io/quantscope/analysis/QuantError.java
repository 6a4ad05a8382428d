package io.quantscope.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quantscope.convert.RowReader;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.quant.BlockCodec;
import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * What a type does to one matrix, as llama.cpp's quantize-stats measures it: each sampled row is quantized with the real
 * quantizer and dequantized, and the error {@code w − dequant(quant(w))} is summed. Rows are sampled evenly through the
 * tensor; the sample size is reported.
 *
 * @param rowsSampled rows quantized
 * @param rows rows in the tensor
 * @param sumSq Σw² over the sampled rows
 * @param sumErrSq Σe² over the sampled rows
 * @param rmse √(Σe²/N)
 * @param maxErr largest |e|
 * @param snrDb 10·log10(Σw²/Σe²)
 * @param relErrPct 100·√(Σe²/Σw²)
 * @param dequantized histogram of the dequantized weights (the type's grid), or null
 * @param error histogram of the errors, or null
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QuantError(
        String tensor,
        String type,
        int rowsSampled,
        long rows,
        double sumSq,
        double sumErrSq,
        double rmse,
        double maxErr,
        double snrDb,
        double relErrPct,
        Histogram dequantized,
        Histogram error) {

    /** Whether {@code type} can hold rows of this tensor (its row length is a multiple of the type's block). */
    public static boolean applies(GgufTensorInfo t, GgmlType type) {
        return t.rowLength() % type.blockSize() == 0 && Codecs.find(type).isPresent();
    }

    /**
     * Measures {@code type} on up to {@code maxRows} rows of {@code t}.
     *
     * @param imatrix importance per column for the imatrix quantization path, or null
     * @param bins histogram bins, or 0 for no histograms
     */
    public static QuantError measure(
            GgufFile file, GgufTensorInfo t, GgmlType type, int maxRows, float[] imatrix, int bins) {
        if (!applies(t, type)) {
            throw new IllegalArgumentException(t.name() + ": rows of " + t.rowLength() + " weights cannot be stored as "
                    + type + " (blocks of " + type.blockSize() + ")");
        }
        MemorySegment data = file.tensorData(t);
        int n = (int) t.rowLength();
        long rows = t.rows();
        int k = (int) Math.min(rows, Math.max(1, maxRows));
        BlockCodec codec = Codecs.of(type);
        float[] x = new float[n];
        float[] y = new float[n];
        float[] e = bins > 0 ? new float[n] : null;
        byte[] scratch = new byte[(int) t.type().rowBytes(n)];
        byte[] q = new byte[(int) type.rowBytes(n)];
        ValueCounts dq = bins > 0 ? new ValueCounts() : null;
        ValueCounts err = bins > 0 ? new ValueCounts() : null;
        double sx = 0;
        double se = 0;
        double max = 0;
        for (int i = 0; i < k; i++) {
            long r = i * rows / k;
            RowReader.read(data, t.type(), n, r, x, scratch);
            codec.quantizeRow(x, 0, n, imatrix, q, 0);
            codec.dequantizeRow(q, 0, n, y, 0);
            for (int j = 0; j < n; j++) {
                double d = (double) x[j] - y[j];
                sx += (double) x[j] * x[j];
                se += d * d;
                max = Math.max(max, Math.abs(d));
                if (e != null) {
                    e[j] = (float) d;
                }
            }
            if (dq != null) {
                dq.add(y, n);
                err.add(e, n);
            }
        }
        long count = (long) k * n;
        return new QuantError(
                t.name(),
                type.name(),
                k,
                rows,
                sx,
                se,
                Math.sqrt(se / count),
                max,
                se > 0 ? 10 * Math.log10(sx / se) : Double.POSITIVE_INFINITY,
                sx > 0 ? 100 * Math.sqrt(se / sx) : 0,
                dq == null ? null : Histogram.symmetric(dq, bins),
                err == null ? null : Histogram.symmetric(err, bins));
    }
}
