package io.quantscope.imatrix;

import io.quantscope.infer.ActivationObserver;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects Σx² per input column of every weight matrix product, as llama-imatrix does: products inside the blocks
 * ({@code blk.*}; {@code output.weight} only when asked), batches of at least 16 tokens, sums kept in float and added
 * row by row; each product of a batch counts as one call.
 */
public final class ImatrixCollector implements ActivationObserver {
    /** llama-imatrix ignores products of smaller batches. */
    public static final int MIN_BATCH = 16;

    private final boolean includeOutput;
    private final Map<String, Entry> entries = new TreeMap<>();
    private int lastCall;

    private static final class Entry {
        final float[] sums;
        long rows;
        int calls;

        Entry(int n) {
            sums = new float[n];
        }
    }

    public ImatrixCollector(boolean includeOutput) {
        this.includeOutput = includeOutput;
    }

    @Override
    public void input(String weight, float[] x, int tokens, int n) {
        if (tokens < MIN_BATCH || !(weight.startsWith("blk.") || (includeOutput && weight.equals("output.weight")))) {
            return;
        }
        Entry e = entries.computeIfAbsent(weight, k -> new Entry(n));
        if (e.sums.length != n) {
            throw new IllegalStateException(
                    "inconsistent size for " + weight + " (" + e.sums.length + " vs " + n + ")");
        }
        e.calls++;
        float[] s = e.sums;
        for (int t = 0; t < tokens; t++) {
            int off = t * n;
            for (int j = 0; j < n; j++) {
                float v = x[off + j];
                s[j] += v * v;
            }
        }
        for (int j = 0; j < n; j++) {
            if (!Float.isFinite(s[j])) {
                throw new ArithmeticException(s[j] + " detected in " + weight);
            }
        }
        e.rows += tokens;
        lastCall = Math.max(lastCall, e.calls);
    }

    /** Tensors collected so far. */
    public int size() {
        return entries.size();
    }

    /** The most calls any tensor has seen: llama-imatrix's chunk count. */
    public int calls() {
        return lastCall;
    }

    /** What has been collected, as {@code --imatrix} reads it (mean x² per column). */
    public ImportanceMatrix toMatrix(String dataset) {
        Map<String, float[]> m = new java.util.LinkedHashMap<>();
        for (var e : entries.entrySet()) {
            float[] v = stored(e.getValue());
            for (int j = 0; j < v.length; j++) {
                v[j] /= e.getValue().calls;
            }
            m.put(e.getKey(), v);
        }
        return new ImportanceMatrix(m, java.util.Optional.ofNullable(dataset), lastCall);
    }

    /** The values written for an entry: the per-row mean times the call count, as llama-imatrix stores them. */
    private static float[] stored(Entry e) {
        float[] v = new float[e.sums.length];
        float rows = e.rows;
        float calls = e.calls;
        for (int j = 0; j < v.length; j++) {
            v[j] = (e.sums[j] / rows) * calls;
        }
        return v;
    }

    /**
     * Writes llama-imatrix's .dat format: entry count; per entry name, call count, value count, values; then the
     * chunk count and the dataset name.
     */
    public void write(OutputStream sink, String dataset) throws IOException {
        DataOutputStream out = new DataOutputStream(sink);
        out.write(le(entries.size()));
        for (var e : entries.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
            out.write(le(name.length));
            out.write(name);
            out.write(le(e.getValue().calls));
            float[] v = stored(e.getValue());
            out.write(le(v.length));
            ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            out.write(b.array());
        }
        out.write(le(lastCall));
        byte[] ds = dataset.getBytes(StandardCharsets.UTF_8);
        out.write(le(ds.length));
        out.write(ds);
        out.flush();
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }
}
