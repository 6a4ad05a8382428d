package io.quantscope.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quantscope.convert.Cancellation;
import io.quantscope.convert.ComputePool;
import io.quantscope.convert.RowReader;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One streaming, parallel pass over a model's weights (any source type, dequantized on the fly): per tensor a summary
 * and histogram, optionally per-channel outlier statistics; summed per tensor kind ({@code attn_q}, {@code ffn_down},
 * …), per layer and for the whole model (matrices only, so norm vectors do not skew the picture).
 */
public final class WeightScan {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * What to compute.
     *
     * @param bins histogram bins
     * @param range fixed {@code {lo, hi}} for every histogram, or null for bins symmetric around zero spanning ±max|w|
     *     of each tensor or group
     * @param channels also compute per-channel outlier statistics for matrices
     * @param topK channels listed per tensor
     * @param tensors which tensors to scan (by name)
     * @param imatrix importance per channel for the weighted outlier view, or null
     */
    public record Options(
            int bins, double[] range, boolean channels, int topK, Predicate<String> tensors, ImportanceMatrix imatrix) {
        public static Options defaults() {
            return new Options(64, null, true, 8, n -> true, null);
        }

        Histogram histogram(ValueCounts v) {
            return range == null ? Histogram.symmetric(v, bins) : Histogram.fixed(v, range[0], range[1], bins);
        }
    }

    /** One tensor's statistics. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record TensorStats(
            String name,
            String kind,
            int layer,
            String type,
            long[] ne,
            WeightSummary summary,
            Histogram histogram,
            ChannelStats channels) {}

    /** A group's statistics (a kind, a layer, or the whole model). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record GroupStats(
            String group, int tensors, WeightSummary summary, Histogram histogram, int flaggedChannels) {}

    /** The whole scan. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record ModelStats(
            List<TensorStats> tensors,
            List<GroupStats> kinds,
            List<GroupStats> layers,
            GroupStats model,
            long bytesRead,
            double seconds) {}

    /** Progress: tensors done of all. */
    public record Progress(int done, int total, String tensor) {}

    private WeightScan() {}

    /** {@code blk.3.ffn_down.weight} → {@code ffn_down}; {@code token_embd.weight} → {@code token_embd}. */
    public static String kind(String name) {
        String k = name.replaceFirst("^blk\\.\\d+\\.", "");
        return k.endsWith(".weight") ? k.substring(0, k.length() - 7) : k;
    }

    public static ModelStats scan(
            GgufFile file, Options opt, int threads, Consumer<Progress> listener, Cancellation cancel) {
        long t0 = System.nanoTime();
        List<GgufTensorInfo> chosen = file.tensors().stream()
                .filter(t -> opt.tensors().test(t.name()))
                .toList();
        List<TensorStats> out = new ArrayList<>();
        Map<String, ValueCounts> kinds = new LinkedHashMap<>();
        Map<Integer, ValueCounts> layers = new TreeMap<>();
        Map<String, int[]> kindTensors = new LinkedHashMap<>();
        Map<String, Integer> kindFlags = new LinkedHashMap<>();
        Map<Integer, int[]> layerTensors = new TreeMap<>();
        Map<Integer, Integer> layerFlags = new TreeMap<>();
        ValueCounts model = new ValueCounts();
        int modelTensors = 0;
        int modelFlags = 0;
        long bytes = 0;
        for (int i = 0; i < chosen.size(); i++) {
            cancel.check();
            GgufTensorInfo t = chosen.get(i);
            boolean matrix = t.nDims() >= 2;
            float[] imp =
                    opt.imatrix() == null ? null : opt.imatrix().get(t.name()).orElse(null);
            if (imp != null && imp.length != t.rowLength()) {
                imp = null;
            }
            Scanned s = scanTensor(file, t, matrix && opt.channels(), threads, cancel);
            bytes += t.byteSize();
            ChannelStats ch = s.maxAbs == null ? null : ChannelStats.of(s.maxAbs, s.sumSq, t.rows(), imp, opt.topK());
            String kind = kind(t.name());
            int layer = t.blockIndex();
            out.add(new TensorStats(
                    t.name(), kind, layer, t.type().name(), t.ne(), s.counts.summary(), opt.histogram(s.counts), ch));
            if (matrix) {
                int flags = ch == null ? 0 : ch.flagged();
                kinds.computeIfAbsent(kind, k -> new ValueCounts()).merge(s.counts);
                kindTensors.computeIfAbsent(kind, k -> new int[1])[0]++;
                kindFlags.merge(kind, flags, Integer::sum);
                if (layer >= 0) {
                    layers.computeIfAbsent(layer, k -> new ValueCounts()).merge(s.counts);
                    layerTensors.computeIfAbsent(layer, k -> new int[1])[0]++;
                    layerFlags.merge(layer, flags, Integer::sum);
                }
                model.merge(s.counts);
                modelTensors++;
                modelFlags += flags;
            }
            if (listener != null) {
                listener.accept(new Progress(i + 1, chosen.size(), t.name()));
            }
        }
        List<GroupStats> kindStats = new ArrayList<>();
        kinds.forEach((k, v) -> kindStats.add(group(k, kindTensors.get(k)[0], v, opt, kindFlags.get(k))));
        List<GroupStats> layerStats = new ArrayList<>();
        layers.forEach((l, v) -> layerStats.add(group("blk." + l, layerTensors.get(l)[0], v, opt, layerFlags.get(l))));
        return new ModelStats(
                out,
                kindStats,
                layerStats,
                group("model", modelTensors, model, opt, modelFlags),
                bytes,
                (System.nanoTime() - t0) / 1e9);
    }

    private static GroupStats group(String name, int tensors, ValueCounts v, Options opt, int flags) {
        return new GroupStats(name, tensors, v.summary(), opt.histogram(v), flags);
    }

    private record Scanned(ValueCounts counts, float[] maxAbs, double[] sumSq) {}

    /** Counts one tensor's values (and channel statistics) over row slabs in parallel. */
    private static Scanned scanTensor(GgufFile file, GgufTensorInfo t, boolean channels, int threads, Cancellation c) {
        MemorySegment data = file.tensorData(t);
        int n = (int) t.rowLength();
        long rows = t.rows();
        int parts = (int) Math.max(1, Math.min(threads, t.elementCount() / (1 << 16)));
        AtomicInteger next = new AtomicInteger();
        long slab = Math.max(1, Math.min(rows, (1 << 20) / Math.max(1, n)));
        long slabs = (rows + slab - 1) / slab;
        ValueCounts total = new ValueCounts();
        float[] maxAbs = channels ? new float[n] : null;
        double[] sumSq = channels ? new double[n] : null;
        ComputePool.parallel(parts, part -> {
            ValueCounts counts = new ValueCounts();
            long[] f16 = t.type() == GgmlType.F16 ? new long[65536] : null;
            short[] bits = f16 != null ? new short[n] : null;
            double[] sqTotal = channels ? new double[n] : null;
            float[] x = new float[n];
            byte[] scratch = f16 != null ? null : new byte[(int) t.type().rowBytes(n)];
            float[] mx = channels ? new float[n] : null;
            float[] sq = channels ? new float[n] : null; // per slab, then added in double
            long s;
            while ((s = next.getAndIncrement()) < slabs) {
                if (c.isCancelled()) {
                    return;
                }
                long r0 = s * slab;
                long r1 = Math.min(rows, r0 + slab);
                if (channels) {
                    java.util.Arrays.fill(sq, 0f);
                }
                for (long r = r0; r < r1; r++) {
                    if (f16 != null) {
                        MemorySegment.copy(data, I16, r * 2L * n, bits, 0, n);
                        for (int j = 0; j < n; j++) {
                            f16[bits[j] & 0xFFFF]++;
                        }
                        if (channels) {
                            for (int j = 0; j < n; j++) {
                                x[j] = Float.float16ToFloat(bits[j]);
                            }
                        }
                    } else {
                        RowReader.read(data, t.type(), n, r, x, scratch);
                        counts.add(x, n);
                    }
                    if (channels) {
                        for (int j = 0; j < n; j++) {
                            float v = x[j];
                            mx[j] = Math.max(mx[j], Math.abs(v));
                            sq[j] += v * v;
                        }
                    }
                }
                if (channels) {
                    for (int j = 0; j < n; j++) {
                        sqTotal[j] += sq[j];
                    }
                }
            }
            if (f16 != null) {
                counts.addF16Counts(f16);
            }
            synchronized (total) {
                total.merge(counts);
                if (channels) {
                    for (int j = 0; j < n; j++) {
                        maxAbs[j] = Math.max(maxAbs[j], mx[j]);
                        sumSq[j] += sqTotal[j];
                    }
                }
            }
        });
        c.check();
        return new Scanned(total, maxAbs, sumSq);
    }
}
