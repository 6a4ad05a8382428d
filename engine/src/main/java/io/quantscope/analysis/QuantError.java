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

    /** The types a user chooses between, lowest bits first (K-quants and the legacy 32-weight types). */
    public static final java.util.List<GgmlType> CANDIDATES = java.util.List.of(
            GgmlType.Q2_K,
            GgmlType.Q3_K,
            GgmlType.Q4_0,
            GgmlType.Q4_1,
            GgmlType.Q4_K,
            GgmlType.Q5_0,
            GgmlType.Q5_1,
            GgmlType.Q5_K,
            GgmlType.Q6_K,
            GgmlType.Q8_0);

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
        return measure(file, t, type, maxRows, imatrix, bins, null);
    }

    /**
     * As {@link #measure(GgufFile, GgufTensorInfo, GgmlType, int, float[], int)}, with the dequantized weights' histogram
     * over a fixed {@code range} ({@code {lo, hi}}, e.g. the source histogram's, so the two can be overlaid).
     */
    public static QuantError measure(
            GgufFile file, GgufTensorInfo t, GgmlType type, int maxRows, float[] imatrix, int bins, double[] range) {
        if (!applies(t, type)) {
            throw new IllegalArgumentException(t.name() + ": rows of " + t.rowLength() + " weights cannot be stored as "
                    + type + " (blocks of " + type.blockSize() + ")");
        }
        MemorySegment data = file.tensorData(t);
        int n = (int) t.rowLength();
        BlockCodec codec = Codecs.of(type);
        byte[] scratch = new byte[(int) t.type().rowBytes(n)];
        byte[] q = new byte[(int) type.rowBytes(n)];
        return accumulate(t, type, maxRows, bins, range, (r, x, y) -> {
            RowReader.read(data, t.type(), n, r, x, scratch);
            codec.quantizeRow(x, 0, n, imatrix, q, 0);
            codec.dequantizeRow(q, 0, n, y, 0);
        });
    }

    /**
     * What a variant's stored tensor differs from its source's: the same figures, from the variant's dequantized rows
     * against the source's.
     *
     * @throws IllegalArgumentException if the tensor is missing from either file or the shapes differ
     */
    public static QuantError compare(GgufFile source, GgufFile variant, String tensor, int maxRows, int bins) {
        GgufTensorInfo s = source.tensor(tensor)
                .orElseThrow(() -> new IllegalArgumentException("no tensor '" + tensor + "' in the source"));
        GgufTensorInfo v = variant.tensor(tensor)
                .orElseThrow(() -> new IllegalArgumentException("no tensor '" + tensor + "' in the variant"));
        if (!java.util.Arrays.equals(s.ne(), v.ne())) {
            throw new IllegalArgumentException(tensor + " has shape " + java.util.Arrays.toString(v.ne())
                    + " in the variant but " + java.util.Arrays.toString(s.ne()) + " in the source");
        }
        int n = (int) s.rowLength();
        MemorySegment sd = source.tensorData(s);
        MemorySegment vd = variant.tensorData(v);
        byte[] ss = new byte[(int) s.type().rowBytes(n)];
        byte[] vs = new byte[(int) v.type().rowBytes(n)];
        return accumulate(s, v.type(), maxRows, bins, null, (r, x, y) -> {
            RowReader.read(sd, s.type(), n, r, x, ss);
            RowReader.read(vd, v.type(), n, r, y, vs);
        });
    }

    /** Fills {@code x} with the original row {@code r} and {@code y} with what the type makes of it. */
    @FunctionalInterface
    private interface RowPair {
        void read(long r, float[] x, float[] y);
    }

    private static QuantError accumulate(
            GgufTensorInfo t, GgmlType type, int maxRows, int bins, double[] range, RowPair rowsOf) {
        int n = (int) t.rowLength();
        long rows = t.rows();
        int k = (int) Math.min(rows, Math.max(1, maxRows));
        float[] x = new float[n];
        float[] y = new float[n];
        float[] e = bins > 0 ? new float[n] : null;
        ValueCounts dq = bins > 0 ? new ValueCounts() : null;
        ValueCounts err = bins > 0 ? new ValueCounts() : null;
        double sx = 0;
        double se = 0;
        double max = 0;
        for (int i = 0; i < k; i++) {
            rowsOf.read(i * rows / k, x, y);
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
                dq == null
                        ? null
                        : range == null ? Histogram.symmetric(dq, bins) : Histogram.fixed(dq, range[0], range[1], bins),
                err == null ? null : Histogram.symmetric(err, bins));
    }
}
