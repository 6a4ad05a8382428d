package io.quantscope.app.weights;

import io.quantscope.analysis.ChannelStats;
import io.quantscope.analysis.Histogram;
import io.quantscope.analysis.QuantError;
import io.quantscope.analysis.WeightScan;
import io.quantscope.analysis.WeightSummary;
import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.tensor.GgmlType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Looking inside: pick a tensor and a type; see the tensor's histogram with the type's dequantized weights over it,
 * the error histogram, the statistics, its largest channels, and a layer × channel map of max |w| for its kind.
 */
public final class WeightsViewModel {
    static final int BINS = 80;
    static final int SAMPLE_ROWS = 64;
    static final int HEAT_COLUMNS = 128;

    /**
     * What the view shows for one tensor and type.
     *
     * @param heat per layer (rows) the max |w| of each channel bucket (columns: channels folded into
     *     {@link #HEAT_COLUMNS} buckets by max) for the tensor's kind
     */
    public record Detail(
            String tensor,
            String kind,
            String sourceType,
            GgmlType type,
            WeightSummary summary,
            Histogram source,
            QuantError error,
            ChannelStats channels,
            List<String> heatLayers,
            float[][] heat) {}

    private final BackgroundRunner runner;
    private final ObservableList<String> tensors = FXCollections.observableArrayList();
    private final ObjectProperty<String> selected = new SimpleObjectProperty<>();
    private final ObjectProperty<GgmlType> type = new SimpleObjectProperty<>(GgmlType.Q4_K);
    private final ReadOnlyObjectWrapper<Detail> detail = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("Open a model to look inside.");
    private Path model;

    public WeightsViewModel(BackgroundRunner runner) {
        this.runner = runner;
        selected.addListener((o, a, b) -> refresh());
        type.addListener((o, a, b) -> refresh());
    }

    /** The model last loaded, or null. */
    public Path loadedModel() {
        return model;
    }

    /** Lists the model's matrices (in the background) and selects the first feed-forward one. */
    public void load(Path file) {
        this.model = file;
        runner.run(
                "Listing tensors of " + file.getFileName(),
                () -> {
                    try (GgufFile f = GgufFile.open(file)) {
                        return f.tensors().stream()
                                .filter(t -> t.nDims() >= 2)
                                .map(GgufTensorInfo::name)
                                .toList();
                    }
                },
                names -> {
                    tensors.setAll(names);
                    selected.set(names.stream()
                            .filter(n -> n.endsWith("ffn_down.weight"))
                            .findFirst()
                            .orElse(names.isEmpty() ? null : names.getFirst()));
                    refresh();
                },
                ex -> status.set(ex.getMessage()));
    }

    private void refresh() {
        Path file = model;
        String name = selected.get();
        GgmlType ty = type.get();
        if (file == null || name == null || ty == null) {
            return;
        }
        status.set("Measuring " + name + " as " + ty + " …");
        runner.run(
                "Weights of " + name,
                () -> compute(file, name, ty),
                d -> {
                    if (name.equals(selected.get()) && ty == type.get()) {
                        detail.set(d);
                        status.set(String.format(
                                java.util.Locale.ROOT,
                                "%s as %s: %d of %,d rows sampled for the error.",
                                name,
                                ty,
                                d.error() == null ? 0 : d.error().rowsSampled(),
                                d.error() == null ? 0 : d.error().rows()));
                    }
                },
                ex -> status.set(ex.getMessage()));
    }

    static Detail compute(Path file, String name, GgmlType ty) throws IOException {
        try (GgufFile f = GgufFile.open(file)) {
            GgufTensorInfo t = f.tensor(name).orElseThrow(() -> new IllegalArgumentException("no tensor " + name));
            String kind = WeightScan.kind(name);
            WeightScan.ModelStats kindStats = WeightScan.scan(
                    f,
                    new WeightScan.Options(
                            BINS, null, true, 10, n -> WeightScan.kind(n).equals(kind), null),
                    Runtime.getRuntime().availableProcessors(),
                    null,
                    Cancellation.none());
            WeightScan.TensorStats own = kindStats.tensors().stream()
                    .filter(s -> s.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            double[] range = {own.histogram().lo(), own.histogram().hi()};
            QuantError err =
                    QuantError.applies(t, ty) ? QuantError.measure(f, t, ty, SAMPLE_ROWS, null, BINS, range) : null;
            Map<Integer, float[]> byLayer = new TreeMap<>();
            for (WeightScan.TensorStats s : kindStats.tensors()) {
                if (s.channels() != null) {
                    byLayer.put(s.layer(), fold(s.channels().maxAbs(), HEAT_COLUMNS));
                }
            }
            List<String> layers = new ArrayList<>();
            List<float[]> rows = new ArrayList<>();
            byLayer.forEach((l, v) -> {
                layers.add(l < 0 ? "—" : "blk." + l);
                rows.add(v);
            });
            return new Detail(
                    name,
                    kind,
                    t.type().name(),
                    ty,
                    own.summary(),
                    own.histogram(),
                    err,
                    own.channels(),
                    layers,
                    rows.toArray(float[][]::new));
        }
    }

    /** Channels folded into {@code columns} buckets, each the largest of its channels. */
    static float[] fold(float[] channels, int columns) {
        int c = Math.min(columns, channels.length);
        float[] out = new float[c];
        for (int j = 0; j < channels.length; j++) {
            int b = (int) ((long) j * c / channels.length);
            out[b] = Math.max(out[b], channels[j]);
        }
        return out;
    }

    public ObservableList<String> tensors() {
        return tensors;
    }

    public ObjectProperty<String> selectedProperty() {
        return selected;
    }

    public ObjectProperty<GgmlType> typeProperty() {
        return type;
    }

    public ReadOnlyObjectProperty<Detail> detailProperty() {
        return detail.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }
}
