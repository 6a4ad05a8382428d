package io.quantscope.app.cli;

import io.quantscope.analysis.ChannelStats;
import io.quantscope.analysis.Histogram;
import io.quantscope.analysis.PresetRanking;
import io.quantscope.analysis.QuantError;
import io.quantscope.analysis.WeightScan;
import io.quantscope.analysis.WeightSummary;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.tensor.GgmlType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quantscope stats MODEL [--tensor NAME] [--type T] [--rank] [--json]}: weight histograms and summaries per
 * kind, layer and model; outlier channels; with {@code --tensor}, one tensor in detail with its quantization error under
 * each type; with {@code --rank}, every preset's expected quality before any variant is built.
 */
@Command(name = "stats", description = "Weight histograms, outlier channels and quantization error.")
final class StatsCommand implements Callable<Integer> {
    private static final List<GgmlType> TYPES = QuantError.CANDIDATES;

    @Parameters(paramLabel = "MODEL", description = "A .gguf model.")
    Path model;

    @Option(names = "--tensor", description = "Show one tensor in detail.")
    String tensor;

    @Option(names = "--type", description = "With --tensor: only this type's error, with its histograms.")
    String type;

    @Option(
            names = "--source",
            description = "With --tensor on a variant: its error against this source model (what the file holds).")
    Path source;

    @Option(names = "--rank", description = "Rank the presets by expected quality (F32/F16/BF16 models).")
    boolean rank;

    @Option(names = "--rows", description = "Rows sampled per tensor for quantization error (default 64).")
    int rows = 64;

    @Option(names = "--bins", description = "Histogram bins (default 64).")
    int bins = 64;

    @Option(names = "--range", description = "Fixed histogram range LO:HI (default: symmetric, ±max|w|).")
    String range;

    @Option(names = "--top", description = "Outlier channels listed per tensor (default 8).")
    int top = 8;

    @Option(names = "--no-outliers", description = "Skip the per-channel outlier statistics (faster).")
    boolean noOutliers;

    @Option(names = "--imatrix", description = "Importance matrix for the activation-weighted channel view.")
    Path imatrix;

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ImportanceMatrix imx = imatrix == null ? null : ImportanceMatrix.read(imatrix);
        PrintWriter out = spec.commandLine().getOut();
        try (CtrlC ctrlC = new CtrlC();
                GgufFile f = GgufFile.open(model)) {
            Map<String, Object> doc = new LinkedHashMap<>();
            if (tensor != null) {
                GgufTensorInfo t = f.tensor(tensor)
                        .orElseThrow(() -> new IllegalArgumentException("no tensor '" + tensor + "' in " + model));
                WeightScan.ModelStats s = WeightScan.scan(
                        f,
                        new WeightScan.Options(bins, range(), t.nDims() >= 2, top, tensor::equals, imx),
                        threadsOption.get(),
                        null,
                        ctrlC.cancellation());
                List<QuantError> errors = new ArrayList<>();
                List<GgmlType> types = type == null ? TYPES : List.of(GgmlType.valueOf(type.toUpperCase(Locale.ROOT)));
                float[] imp = imx == null ? null : imx.get(tensor).orElse(null);
                if (source != null) {
                    try (GgufFile src = GgufFile.open(source)) {
                        errors.add(QuantError.compare(src, f, tensor, rows, bins));
                    }
                } else {
                    for (GgmlType ty : types) {
                        if (t.nDims() >= 2 && QuantError.applies(t, ty)) {
                            errors.add(QuantError.measure(f, t, ty, rows, imp, type == null ? 0 : bins));
                        }
                    }
                }
                doc.put("tensor", s.tensors().getFirst());
                doc.put("errors", errors);
                if (!json) {
                    printTensor(out, s.tensors().getFirst(), errors);
                }
            } else {
                WeightScan.ModelStats s = WeightScan.scan(
                        f,
                        new WeightScan.Options(bins, range(), !noOutliers, top, n -> true, imx),
                        threadsOption.get(),
                        null,
                        ctrlC.cancellation());
                doc.put("model", s.model());
                doc.put("kinds", s.kinds());
                doc.put("layers", s.layers());
                doc.put("tensors", s.tensors());
                doc.put("bytes_read", s.bytesRead());
                doc.put("seconds", s.seconds());
                if (!json) {
                    printModel(out, s);
                }
                if (rank) {
                    PresetRanking.Ranking r = PresetRanking.rank(
                            f, PresetRanking.PRESETS, rows, threadsOption.get(), null, ctrlC.cancellation());
                    doc.put("ranking", r);
                    if (!json) {
                        printRanking(out, r);
                    }
                }
            }
            if (json) {
                out.println(Json.mapper().writeValueAsString(doc));
            }
            out.flush();
            return 0;
        }
    }

    private double[] range() {
        if (range == null) {
            return null;
        }
        String[] p = range.split(":");
        try {
            double lo = Double.parseDouble(p[0]);
            double hi = Double.parseDouble(p[1]);
            if (p.length == 2 && hi > lo) {
                return new double[] {lo, hi};
            }
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            // reported below
        }
        throw new IllegalArgumentException("--range needs LO:HI with LO < HI, e.g. -0.1:0.1 (got '" + range + "')");
    }

    private static String summary(WeightSummary s) {
        return String.format(
                Locale.ROOT,
                "n %,d  min %.4g  max %.4g  mean %.3g  std %.4g  kurtosis %.2f  zeros %.2f%%",
                s.count(),
                s.min(),
                s.max(),
                s.mean(),
                s.std(),
                s.kurtosis(),
                s.zeroPct());
    }

    /** A histogram as text: one bar per group of bins, log-scaled so the tails show. */
    static void bars(PrintWriter out, Histogram h, int rowsShown) {
        if (h.below() > 0) {
            out.printf(Locale.ROOT, "  %11s  %,d below %.4g%n", "", h.below(), h.lo());
        }
        int per = Math.max(1, h.bins().length / rowsShown);
        double maxLog = 0;
        for (int i = 0; i < h.bins().length; i += per) {
            maxLog = Math.max(maxLog, Math.log1p(sum(h.bins(), i, per)));
        }
        for (int i = 0; i < h.bins().length; i += per) {
            long c = sum(h.bins(), i, per);
            int w = maxLog == 0 ? 0 : (int) Math.round(40 * Math.log1p(c) / maxLog);
            out.printf(Locale.ROOT, "  %+10.4g  %-40s %,d%n", h.lo() + i * h.binWidth(), "#".repeat(w), c);
        }
        if (h.above() > 0) {
            out.printf(Locale.ROOT, "  %11s  %,d above %.4g%n", "", h.above(), h.hi());
        }
    }

    private static long sum(long[] a, int from, int n) {
        long s = 0;
        for (int i = from; i < Math.min(a.length, from + n); i++) s += a[i];
        return s;
    }

    private void printModel(PrintWriter out, WeightScan.ModelStats s) {
        out.printf(
                Locale.ROOT,
                "%s: %d tensors, %s read in %.2f s%n",
                model.getFileName(),
                s.tensors().size(),
                Format.bytes(s.bytesRead()),
                s.seconds());
        out.println("model (matrices): " + summary(s.model().summary()));
        bars(out, s.model().histogram(), 16);
        out.println();
        groups(out, "kind", s.kinds());
        out.println();
        groups(out, "layer", s.layers());
        List<WeightScan.TensorStats> flagged = s.tensors().stream()
                .filter(t -> t.channels() != null && t.channels().flagged() > 0)
                .sorted((a, b) ->
                        Integer.compare(b.channels().flagged(), a.channels().flagged()))
                .limit(10)
                .toList();
        if (!flagged.isEmpty()) {
            out.println();
            out.println("tensors with outlier channels (max |w| z-score >= 6 and >= 2x the median channel):");
            for (WeightScan.TensorStats t : flagged) {
                ChannelStats c = t.channels();
                out.printf(
                        Locale.ROOT,
                        "  %-28s %3d of %,d channels; largest: channel %d, max|w| %.4g (z %.1f)%n",
                        t.name(),
                        c.flagged(),
                        c.channels(),
                        c.top().getFirst().index(),
                        c.top().getFirst().maxAbs(),
                        c.top().getFirst().z());
            }
        }
    }

    private static void groups(PrintWriter out, String what, List<WeightScan.GroupStats> groups) {
        out.printf(
                Locale.ROOT, "%-14s %8s %10s %10s %9s %9s%n", what, "tensors", "std", "max|w|", "kurtosis", "outliers");
        for (WeightScan.GroupStats g : groups) {
            out.printf(
                    Locale.ROOT,
                    "%-14s %8d %10.4g %10.4g %9.2f %9d%n",
                    g.group(),
                    g.tensors(),
                    g.summary().std(),
                    Math.max(Math.abs(g.summary().min()), Math.abs(g.summary().max())),
                    g.summary().kurtosis(),
                    g.flaggedChannels());
        }
    }

    private void printTensor(PrintWriter out, WeightScan.TensorStats t, List<QuantError> errors) {
        out.printf(Locale.ROOT, "%s (%s, %s)%n", t.name(), t.type(), java.util.Arrays.toString(t.ne()));
        out.println("  " + summary(t.summary()));
        bars(out, t.histogram(), 16);
        if (t.channels() != null) {
            ChannelStats c = t.channels();
            out.printf(
                    Locale.ROOT,
                    "channels: %d, median max|w| %.4g, %d flagged%n",
                    c.channels(),
                    c.medianMaxAbs(),
                    c.flagged());
            for (ChannelStats.Channel ch : c.top()) {
                out.printf(
                        Locale.ROOT,
                        "  channel %6d  max|w| %10.4g  rms %10.4g  z %6.1f%s%n",
                        ch.index(),
                        ch.maxAbs(),
                        ch.rms(),
                        ch.z(),
                        Double.isNaN(ch.importance())
                                ? ""
                                : String.format(Locale.ROOT, "  importance %.4g", ch.importance()));
            }
        }
        if (!errors.isEmpty()) {
            out.printf(
                    Locale.ROOT,
                    "quantization error (%d of %,d rows sampled):%n",
                    errors.getFirst().rowsSampled(),
                    errors.getFirst().rows());
            out.printf(Locale.ROOT, "  %-6s %12s %12s %9s %9s%n", "type", "RMSE", "max err", "SNR dB", "rel err");
            for (QuantError e : errors) {
                out.printf(
                        Locale.ROOT,
                        "  %-6s %12.5g %12.5g %9.2f %8.3f%%%n",
                        e.type(),
                        e.rmse(),
                        e.maxErr(),
                        e.snrDb(),
                        e.relErrPct());
            }
            QuantError one = errors.getFirst();
            if (one.error() != null) {
                out.println("error w - dequant(quant(w)):");
                bars(out, one.error(), 16);
                out.println("dequantized weights (the " + one.type() + " grid):");
                bars(out, one.dequantized(), 16);
            }
        }
    }

    private static void printRanking(PrintWriter out, PresetRanking.Ranking r) {
        out.println();
        out.printf(Locale.ROOT, "expected quality by preset (%d rows per tensor sampled):%n", r.rowsPerTensor());
        out.printf(Locale.ROOT, "  %4s  %-8s %12s %6s %9s %9s%n", "rank", "preset", "size", "bpw", "SNR dB", "rel err");
        for (PresetRanking.Entry e : r.presets()) {
            out.printf(
                    Locale.ROOT,
                    "  %4d  %-8s %12s %6.2f %9.2f %8.3f%%%n",
                    e.rank(),
                    e.preset(),
                    Format.bytes(e.bytes()),
                    e.bitsPerWeight(),
                    e.snrDb(),
                    e.relErrPct());
        }
    }
}
