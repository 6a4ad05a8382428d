package io.quantscope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufLayout;
import io.quantscope.gguf.GgufLayout.TensorSpec;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufWriter;
import io.quantscope.recipe.Preset;
import io.quantscope.tensor.GgmlType;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightAnalysisTest {
    @TempDir
    Path tmp;

    private static final int COLS = 512;
    private static final int ROWS = 300;

    /** A Gaussian matrix (std 0.02) with {@code planted} channels scaled by the given factors. */
    private static float[] matrix(long seed, Map<Integer, Float> planted) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < w.length; i++) {
            int col = i % COLS;
            w[i] = (float) (r.nextGaussian() * 0.02 * planted.getOrDefault(col, 1f));
        }
        return w;
    }

    private Path write(String file, GgmlType type, Map<String, float[]> tensors) throws IOException {
        List<TensorSpec> specs = tensors.keySet().stream()
                .map(n -> new TensorSpec(n, new long[] {COLS, ROWS}, type))
                .toList();
        GgufLayout layout = GgufLayout.of(3, GgufMetadata.empty(), specs);
        Path p = tmp.resolve(file);
        try (GgufWriter w = GgufWriter.create(p, layout)) {
            for (GgufTensorInfo t : layout.tensors()) {
                float[] v = tensors.get(t.name());
                ByteBuffer b = ByteBuffer.allocate((int) t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                for (float x : v) {
                    if (type == GgmlType.F16) b.putShort(Float.floatToFloat16(x));
                    else b.putFloat(x);
                }
                w.write(b.flip());
            }
            w.commit();
        }
        return p;
    }

    @Test
    void plantedOutlierChannelsAreFoundAndRankedAndAGaussianFlagsNone() throws IOException {
        Map<String, float[]> t = new java.util.LinkedHashMap<>();
        t.put("blk.0.ffn_down.weight", matrix(1, Map.of(37, 20f, 400, 12f, 9, 8f)));
        t.put("blk.0.attn_q.weight", matrix(2, Map.of()));
        for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16)) {
            try (GgufFile f = GgufFile.open(write("m-" + type + ".gguf", type, t))) {
                WeightScan.ModelStats s =
                        WeightScan.scan(f, WeightScan.Options.defaults(), 2, null, Cancellation.none());
                WeightScan.TensorStats down = s.tensors().stream()
                        .filter(x -> x.name().equals("blk.0.ffn_down.weight"))
                        .findFirst()
                        .orElseThrow();
                ChannelStats c = down.channels();
                assertEquals(3, c.flagged(), type + ": the three planted channels");
                assertEquals(
                        List.of(37, 400, 9),
                        c.top().subList(0, 3).stream()
                                .map(ChannelStats.Channel::index)
                                .toList());
                assertTrue(c.top().get(0).z() > c.top().get(1).z());
                WeightScan.TensorStats q = s.tensors().stream()
                        .filter(x -> x.name().equals("blk.0.attn_q.weight"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(0, q.channels().flagged(), type + ": a clean Gaussian has no outliers");
                assertEquals(
                        3,
                        s.kinds().stream()
                                .mapToInt(WeightScan.GroupStats::flaggedChannels)
                                .sum());
                assertEquals(3, s.layers().getFirst().flaggedChannels(), "they concentrate in blk.0");
                // the Gaussian's shape: std 0.02, excess kurtosis about 0, no zeros
                WeightSummary g = q.summary();
                assertEquals(ROWS * COLS, g.count());
                assertEquals(0.02, g.std(), 0.0005);
                assertEquals(0, g.kurtosis(), 0.1);
                assertEquals(0, g.mean(), 0.0005);
                assertEquals(ROWS * COLS, q.histogram().total());
                assertTrue(down.summary().kurtosis() > 5, "outlier channels make the tails heavy");
                assertEquals(2L * ROWS * COLS, s.model().summary().count());
            }
        }
    }

    @Test
    void histogramsBinExactlyRepresentableValues() {
        ValueCounts v = new ValueCounts();
        v.add(new float[] {-1f, -0.5f, 0f, 0f, 0.25f, 0.75f, 1f, 3f}, 8);
        Histogram h = Histogram.fixed(v, -1, 1, 4);
        assertEquals(
                List.of(1L, 1L, 3L, 2L),
                java.util.Arrays.stream(h.bins()).boxed().toList());
        assertEquals(1, h.above());
        assertEquals(0, h.below());
        WeightSummary s = v.summary();
        assertEquals(25.0, s.zeroPct(), 1e-12);
        assertEquals(3.5 / 8, s.mean(), 1e-12);
        assertEquals(-1f, s.min());
        assertEquals(3f, s.max());
        Histogram sym = Histogram.symmetric(v, 6);
        assertEquals(-3, sym.lo());
        assertEquals(3, sym.hi());
        assertEquals(8, sym.total());
    }

    /** The error our scan measures for Q4_0 equals what the golden Q4_0 file (llama-quantize's bytes) holds. */
    @Test
    void quantizationErrorMatchesTheGoldenFilesActualError() throws IOException {
        try (GgufFile src = GgufFile.open(SharedFiles.require("models/stories260K-wide-f32.gguf"));
                GgufFile q = GgufFile.open(SharedFiles.require("golden/stories260K-wide-Q4_0.gguf"))) {
            String name = "blk.2.ffn_down.weight";
            GgufTensorInfo t = src.tensor(name).orElseThrow();
            GgufTensorInfo tq = q.tensor(name).orElseThrow();
            assertEquals(GgmlType.Q4_0, tq.type());
            QuantError e = QuantError.measure(src, t, GgmlType.Q4_0, Integer.MAX_VALUE, null, 16);
            int n = (int) t.rowLength();
            float[] x = new float[n];
            float[] y = new float[n];
            double se = 0;
            double sx = 0;
            for (long r = 0; r < t.rows(); r++) {
                io.quantscope.convert.RowReader.read(src.tensorData(t), t.type(), n, r, x, new byte[0]);
                io.quantscope.convert.RowReader.read(
                        q.tensorData(tq),
                        tq.type(),
                        n,
                        r,
                        y,
                        new byte[(int) tq.type().rowBytes(n)]);
                for (int j = 0; j < n; j++) {
                    se += (x[j] - y[j]) * (double) (x[j] - y[j]);
                    sx += x[j] * (double) x[j];
                }
            }
            assertEquals(t.rows(), e.rowsSampled());
            assertEquals(se, e.sumErrSq(), 1e-9 * se);
            assertEquals(10 * Math.log10(sx / se), e.snrDb(), 1e-9);
            assertEquals(e.rowsSampled() * (long) n, e.error().total());
            QuantError stored = QuantError.compare(src, q, name, Integer.MAX_VALUE, 16);
            assertEquals("Q4_0", stored.type());
            assertEquals(e.sumErrSq(), stored.sumErrSq(), 0, "the variant's stored error is what our quantizer makes");
            assertEquals(e.maxErr(), stored.maxErr(), 0);
            QuantError q8 = QuantError.measure(src, t, GgmlType.Q8_0, 64, null, 0);
            QuantError q2 = QuantError.measure(src, t, GgmlType.Q2_K, 64, null, 0);
            assertTrue(q8.snrDb() > e.snrDb() && e.snrDb() > q2.snrDb(), "more bits, less error");
            assertEquals(64, q8.rowsSampled());
            GgufTensorInfo odd = new GgufTensorInfo("odd.weight", new long[] {100, 4}, GgmlType.F32, 0);
            assertTrue(!QuantError.applies(odd, GgmlType.Q4_K) && QuantError.applies(odd, GgmlType.F16));
            IllegalArgumentException ex = assertThrows(
                    IllegalArgumentException.class, () -> QuantError.measure(src, odd, GgmlType.Q4_K, 8, null, 0));
            assertTrue(ex.getMessage().contains("rows of 100 weights cannot be stored as Q4_K"), ex.getMessage());
        }
    }

    @Test
    void presetsRankByBitsBeforeAnyVariantIsBuilt() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K-wide-f32.gguf"))) {
            PresetRanking.Ranking r = PresetRanking.rank(
                    f,
                    List.of(Preset.Q2_K, Preset.Q3_K_M, Preset.Q4_K_M, Preset.Q6_K, Preset.Q8_0),
                    32,
                    2,
                    null,
                    Cancellation.none());
            assertEquals(
                    List.of("Q8_0", "Q6_K", "Q4_K_M", "Q3_K_M", "Q2_K"),
                    r.presets().stream().map(PresetRanking.Entry::preset).toList());
            assertEquals(1, r.presets().getFirst().rank());
            assertTrue(r.presets().getFirst().bytes() > r.presets().getLast().bytes());
        }
        try (GgufFile quantized = GgufFile.open(SharedFiles.require("golden/stories260K-wide-Q4_0.gguf"))) {
            assertThrows(
                    IllegalArgumentException.class,
                    () -> PresetRanking.rank(quantized, PresetRanking.PRESETS, 8, 1, null, Cancellation.none()));
        }
    }

    @Test
    void anImportanceMatrixWeighsChannelsByTheirActivations() {
        int n = 64;
        float[] maxAbs = new float[n];
        double[] sumSq = new double[n];
        float[] importance = new float[n];
        for (int j = 0; j < n; j++) {
            maxAbs[j] = 0.1f;
            sumSq[j] = 10 * 0.0025; // rms 0.05 over 10 rows
            importance[j] = 1;
        }
        maxAbs[3] = 0.9f; // the largest weight, but a quiet input
        importance[3] = 0.01f;
        importance[50] = 400; // an ordinary weight on a loud input
        ChannelStats c = ChannelStats.of(maxAbs, sumSq, 10, importance, 4);
        assertEquals(3, c.top().getFirst().index());
        assertEquals(50, c.topWeighted().getFirst().index());
        assertEquals(0.05 * 20, c.topWeighted().getFirst().weighted(), 1e-6);
        assertEquals(400, c.topWeighted().getFirst().importance(), 1e-6);
        assertTrue(ChannelStats.of(maxAbs, sumSq, 10, null, 4).topWeighted().isEmpty());
    }
}
