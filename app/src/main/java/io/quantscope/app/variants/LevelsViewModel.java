package io.quantscope.app.variants;

import io.quantscope.analysis.KvType;
import io.quantscope.analysis.MemoryEstimate;
import io.quantscope.analysis.MemoryEstimator;
import io.quantscope.analysis.PresetRanking;
import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.convert.Cancellation;
import io.quantscope.eval.QualityRecord;
import io.quantscope.eval.QualityStore;
import io.quantscope.gguf.GgufFile;
import io.quantscope.model.ModelConfig;
import io.quantscope.recipe.Preset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Picking a level: every preset's exact size and expected quality (estimated from the real quantizers on sampled rows
 * before any variant exists; measured once a variant with a quality record sits beside the model), and what the
 * selected one needs in memory at a context length, KV type and device budget.
 */
public final class LevelsViewModel {
    /** Rows sampled per tensor for the estimate. */
    static final int SAMPLE_ROWS = 32;

    /** A memory budget to judge against. */
    public record Budget(String label, long bytes) {
        @Override
        public String toString() {
            return label;
        }
    }

    private final BackgroundRunner runner;
    private final long ramBytes;
    private final ObservableList<LevelRow> rows = FXCollections.observableArrayList();
    private final ObservableList<Budget> budgets = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("Open a model to see its levels.");
    private final ObjectProperty<String> selected = new SimpleObjectProperty<>();
    private final IntegerProperty ctx = new SimpleIntegerProperty(4096);
    private final ObjectProperty<KvType> kvType = new SimpleObjectProperty<>(KvType.F16);
    private final ObjectProperty<Budget> budget = new SimpleObjectProperty<>();
    private final ReadOnlyObjectWrapper<MemoryEstimate> memory = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper modelName = new ReadOnlyStringWrapper("");
    private java.util.function.Supplier<Path> workspace = () -> null;
    private Path loadedModel;
    private ModelConfig config;
    private long vocab;
    private int maxCtx = 4096;

    /** @param ramBytes this machine's memory (the first budget) */
    public LevelsViewModel(BackgroundRunner runner, long ramBytes) {
        this.runner = runner;
        this.ramBytes = ramBytes;
        budgets.add(new Budget(
                String.format(Locale.ROOT, "This machine (%.1f GB)", ramBytes / (double) (1L << 30)), ramBytes));
        for (int g : MemoryEstimator.GPU_GIB) {
            budgets.add(new Budget(g + " GB GPU", (long) g << 30));
        }
        budget.set(budgets.getFirst());
        selected.addListener((o, a, b) -> updateMemory());
        ctx.addListener((o, a, b) -> updateMemory());
        kvType.addListener((o, a, b) -> updateMemory());
        budget.addListener((o, a, b) -> updateMemory());
    }

    private record Loaded(String name, ModelConfig config, long vocab, List<LevelRow> rows, String status) {}

    /** Where made variants live, searched for measured quality besides the model's own folder. */
    public void setWorkspace(java.util.function.Supplier<Path> workspace) {
        this.workspace = workspace;
    }

    /** Loads the ladder for {@code model} in the background. */
    public void load(Path model) {
        loadedModel = model;
        Path ws = workspace.get();
        loading.set(true);
        status.set("Estimating the quality of every preset on " + model.getFileName() + " …");
        runner.run(
                "Estimating levels of " + model.getFileName(),
                () -> compute(model, ws),
                l -> {
                    loading.set(false);
                    config = l.config();
                    vocab = l.vocab();
                    maxCtx = config.contextLength();
                    ctx.set(Math.min(ctx.get(), maxCtx));
                    modelName.set(l.name());
                    rows.setAll(l.rows());
                    status.set(l.status());
                    if (!rows.isEmpty()
                            && (selected.get() == null
                                    || rows.stream().noneMatch(r -> r.preset().equals(selected.get())))) {
                        selected.set(rows.stream()
                                .filter(r -> r.preset().equals("Q4_K_M"))
                                .findFirst()
                                .orElse(rows.getFirst())
                                .preset());
                    }
                    updateMemory();
                },
                ex -> {
                    loading.set(false);
                    rows.clear();
                    status.set(ex.getMessage() == null ? ex.toString() : ex.getMessage());
                });
    }

    private static Loaded compute(Path model, Path workspace) throws IOException {
        try (GgufFile f = GgufFile.open(model)) {
            ModelConfig c = ModelConfig.of(f.metadata());
            long vocab = MemoryEstimator.vocabulary(f.header());
            PresetRanking.Ranking r = PresetRanking.rank(
                    f,
                    PresetRanking.PRESETS,
                    SAMPLE_ROWS,
                    Runtime.getRuntime().availableProcessors(),
                    null,
                    Cancellation.none());
            List<LevelRow> rows = new ArrayList<>();
            for (PresetRanking.Entry e : PresetRanking.PRESETS.stream()
                    .map(p -> r.presets().stream()
                            .filter(x -> x.preset().equals(p.name()))
                            .findFirst()
                            .orElseThrow())
                    .toList()) {
                rows.add(new LevelRow(
                        e.preset(),
                        Preset.parse(e.preset()).map(Preset::description).orElse(""),
                        e.bytes(),
                        e.tensorBytes(),
                        e.bitsPerWeight(),
                        e.snrDb(),
                        e.relErrPct(),
                        measured(model, e.preset(), workspace)));
            }
            String name = f.metadata()
                    .getString("general.name")
                    .orElse(model.getFileName().toString());
            return new Loaded(
                    name,
                    c,
                    vocab,
                    rows,
                    "Quality estimated from " + SAMPLE_ROWS
                            + " sampled rows per tensor; measured where a variant has been evaluated.");
        }
    }

    /**
     * A variant {@code <stem>-<PRESET>.gguf} with a quality record, in the workspace (when given) or beside the model.
     */
    static Optional<LevelRow.Measured> measured(Path model, String preset, Path workspace) {
        String name = model.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
        String file = stem + "-" + preset + ".gguf";
        if (workspace != null) {
            Optional<LevelRow.Measured> m = measuredAt(workspace.resolve(file));
            if (m.isPresent()) {
                return m;
            }
        }
        return measuredAt(model.resolveSibling(file));
    }

    private static Optional<LevelRow.Measured> measuredAt(Path variant) {
        try {
            Optional<QualityRecord> r = QualityStore.load(variant);
            if (r.isEmpty()) {
                return Optional.empty();
            }
            var q = r.get().quality();
            return Optional.of(new LevelRow.Measured(
                    variant.getFileName().toString(),
                    q.kldMean(),
                    q.sameTopPPct(),
                    q.pplRatio(),
                    QualityStore.isCurrent(r.get(), variant)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void updateMemory() {
        LevelRow row = selectedRow().orElse(null);
        if (row == null || config == null || budget.get() == null) {
            memory.set(null);
            return;
        }
        memory.set(estimate(row, OptionalLong.of(budget.get().bytes())));
    }

    /** The memory estimate of {@code row} at the current context and KV type, judged against {@code budget}. */
    private MemoryEstimate estimate(LevelRow row, OptionalLong budget) {
        return MemoryEstimator.estimate(
                config, vocab, row.weightsBytes(), row.preset(), Math.max(1, ctx.get()), kvType.get(), 0, budget);
    }

    /** The selected preset's row. */
    public Optional<LevelRow> selectedRow() {
        return rows.stream().filter(r -> r.preset().equals(selected.get())).findFirst();
    }

    /** Total memory of {@code row} at the current context and KV type. */
    public long totalBytes(LevelRow row) {
        if (config == null) {
            return 0;
        }
        return estimate(row, OptionalLong.empty()).totalBytes();
    }

    /** "fits", "tight" or "does not fit" for {@code row} against the chosen budget. */
    public String verdict(LevelRow row) {
        Budget b = budget.get();
        return b == null
                ? ""
                : MemoryEstimate.Verdict.of(b.label(), b.bytes(), totalBytes(row))
                        .verdict();
    }

    public ObservableList<LevelRow> rows() {
        return rows;
    }

    public ObservableList<Budget> budgets() {
        return budgets;
    }

    public ObjectProperty<String> selectedProperty() {
        return selected;
    }

    public IntegerProperty ctxProperty() {
        return ctx;
    }

    public int maxCtx() {
        return maxCtx;
    }

    public ObjectProperty<KvType> kvTypeProperty() {
        return kvType;
    }

    public ObjectProperty<Budget> budgetProperty() {
        return budget;
    }

    public ReadOnlyObjectProperty<MemoryEstimate> memoryProperty() {
        return memory.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty modelNameProperty() {
        return modelName.getReadOnlyProperty();
    }

    /** The model the ladder was last loaded for, or null. */
    public Path loadedModel() {
        return loadedModel;
    }

    /** Re-reads the quality records beside the variants (in the background), keeping the estimates. */
    public void refreshMeasured() {
        Path model = loadedModel;
        Path ws = workspace.get();
        List<LevelRow> current = List.copyOf(rows);
        if (model == null || current.isEmpty()) {
            return;
        }
        runner.run(
                "Reading measured quality",
                () -> current.stream()
                        .map(r -> new LevelRow(
                                r.preset(),
                                r.description(),
                                r.bytes(),
                                r.weightsBytes(),
                                r.bitsPerWeight(),
                                r.snrDb(),
                                r.relErrPct(),
                                measured(model, r.preset(), ws)))
                        .toList(),
                fresh -> {
                    if (model.equals(loadedModel)) {
                        rows.setAll(fresh);
                    }
                },
                ex -> status.set(ex.getMessage()));
    }
}
