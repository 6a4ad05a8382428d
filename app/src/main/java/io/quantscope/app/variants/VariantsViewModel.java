package io.quantscope.app.variants;

import io.quantscope.convert.Cancellation;
import io.quantscope.convert.QuantizeJob;
import io.quantscope.convert.QuantizeProgress;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * Making variants: one job per preset, each a {@link Task} with progress (tensor i of n, bytes, ETA) and cancel, run
 * on the app's executor. Variants are written to the workspace folder as {@code <model>-<PRESET>.gguf} (through a
 * {@code .partial} file, so a cancelled or failed job leaves nothing); finished ones are listed with their real size
 * and time.
 */
public final class VariantsViewModel {
    private final Executor executor;
    private final ObjectProperty<Path> workspace = new SimpleObjectProperty<>();
    private final ObservableList<Task<VariantInfo>> jobs = FXCollections.observableArrayList();
    private final ObservableList<VariantInfo> variants = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper lastError = new ReadOnlyStringWrapper();
    private final ReadOnlyStringWrapper exportStatus = new ReadOnlyStringWrapper();
    private final javafx.beans.property.ReadOnlyIntegerWrapper measured =
            new javafx.beans.property.ReadOnlyIntegerWrapper();

    private final javafx.collections.ObservableMap<Path, String> quality =
            javafx.collections.FXCollections.observableHashMap();

    public VariantsViewModel(Executor executor, Path workspace) {
        this.executor = executor;
        this.workspace.set(workspace);
        this.workspace.addListener((o, a, b) -> refresh());
        refresh();
    }

    /** Lists the variants already in the workspace (off the FX thread), so a restart loses none. */
    public void refresh() {
        Path dir = workspace.get();
        java.util.Map<Path, String> loaded = new java.util.concurrent.ConcurrentHashMap<>();
        Task<List<VariantInfo>> scan = new Task<>() {
            @Override
            protected List<VariantInfo> call() throws IOException {
                List<VariantInfo> found = new ArrayList<>();
                if (dir == null || !Files.isDirectory(dir)) {
                    return found;
                }
                try (var files = Files.list(dir)) {
                    for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".gguf"))
                            .sorted()
                            .toList()) {
                        String n = p.getFileName().toString();
                        String preset = VariantInfo.presetPart(n);
                        found.add(new VariantInfo(p, preset, null, Files.size(p), null));
                        measuredSummary(p).ifPresent(q -> loaded.put(p, q));
                    }
                }
                return found;
            }
        };
        scan.setOnSucceeded(e -> {
            quality.putAll(loaded);
            variants.setAll(scan.getValue());
        });
        executor.execute(scan);
    }

    /** Where variants are written. */
    public ObjectProperty<Path> workspaceProperty() {
        return workspace;
    }

    /** Jobs queued or running (a finished job leaves this list). */
    public ObservableList<Task<VariantInfo>> jobs() {
        return jobs;
    }

    /** Variants finished in this session, newest last. */
    public ObservableList<VariantInfo> variants() {
        return variants;
    }

    /** The last failure's one-line reason (null after a success). */
    public ReadOnlyStringProperty lastErrorProperty() {
        return lastError.getReadOnlyProperty();
    }

    /** Where the last export went and how it was checked (null before one). */
    public ReadOnlyStringProperty exportStatusProperty() {
        return exportStatus.getReadOnlyProperty();
    }

    /**
     * Exports {@code v} to {@code target}: copied through a partial file, re-read and checked by SHA-256; its quality
     * record, if it has one, goes beside it. Runs on the executor; the returned task reports the hash.
     */
    public Task<String> export(VariantInfo v, Path target) {
        Task<String> task = new Task<>() {
            @Override
            protected String call() throws IOException {
                String sha = io.quantscope.convert.AtomicFiles.copyVerified(v.path(), target);
                io.quantscope.eval.QualityStore.copy(v.path(), target);
                return sha;
            }
        };
        task.setOnSucceeded(e -> exportStatus.set(
                "Exported " + target + " (sha256 " + task.getValue().substring(0, 12) + "…, verified)"));
        task.setOnFailed(
                e -> exportStatus.set("Export failed: " + task.getException().getMessage()));
        exportStatus.set("Exporting " + v.path().getFileName() + " …");
        executor.execute(task);
        return task;
    }

    /**
     * Measures {@code chosen} against {@code source} on {@code text} (perplexity, KLD, same-top-p, as llama-perplexity
     * does) and saves each variant's quality record beside it, so the Levels ladder shows measured figures. The task
     * reports progress per chunk and can be cancelled.
     */
    public Task<io.quantscope.eval.EvalReport> measure(Path source, List<VariantInfo> chosen, Path text, int ctx) {
        return measure(source, chosen, text.getFileName().toString(), () -> Files.readString(text), ctx);
    }

    /** Measures on the built-in stories (the same text every time, so results compare across sessions). */
    public Task<io.quantscope.eval.EvalReport> measureBuiltIn(Path source, List<VariantInfo> chosen, int ctx) {
        return measure(source, chosen, "built-in stories", io.quantscope.samples.StoryGenerator::builtInEvalText, ctx);
    }

    /** Supplies a text (read in the background). */
    @FunctionalInterface
    private interface TextSource {
        String read() throws IOException;
    }

    private Task<io.quantscope.eval.EvalReport> measure(
            Path source, List<VariantInfo> chosen, String label, TextSource text, int ctx) {
        List<Path> files = chosen.stream().map(VariantInfo::path).toList();
        Task<io.quantscope.eval.EvalReport> task = new Task<>() {
            {
                updateTitle("Measure " + files.size() + " variant(s) on " + label);
            }

            @Override
            protected io.quantscope.eval.EvalReport call() throws IOException {
                Cancellation cancel = new Cancellation();
                String content = text.read();
                io.quantscope.eval.EvalReport r = new io.quantscope.eval.Evaluator(io.quantscope.eval.EvalSettings.of(
                                ctx, Runtime.getRuntime().availableProcessors()))
                        .run(
                                source,
                                files,
                                content,
                                label,
                                p -> {
                                    if (isCancelled()) {
                                        cancel.cancel();
                                    }
                                    updateProgress(p.fraction(), 1);
                                    updateMessage(String.format(
                                            Locale.ROOT,
                                            "%s: chunk %d of %d, PPL %.3f",
                                            p.file(),
                                            p.chunk(),
                                            p.chunks(),
                                            p.ppl()));
                                },
                                cancel);
                io.quantscope.eval.QualityStore.save(r, files);
                return r;
            }
        };
        task.setOnSucceeded(e -> {
            jobs.remove(task);
            lastError.set(null);
            var qs = task.getValue().variants();
            for (int i = 0; i < qs.size() && i < files.size(); i++) {
                quality.put(files.get(i), summary(qs.get(i), true));
            }

            exportStatus.set("Measured " + files.size() + " variant(s); the Levels tab shows the figures.");
            measured.set(measured.get() + 1);
        });
        task.setOnFailed(e -> {
            jobs.remove(task);
            lastError.set("Measuring: " + task.getException().getMessage());
        });
        task.setOnCancelled(e -> jobs.remove(task));
        @SuppressWarnings("unchecked")
        Task<VariantInfo> asJob = (Task<VariantInfo>) (Task<?>) task;
        jobs.add(asJob);
        executor.execute(task);
        return task;
    }

    /**
     * The measured quality of each variant that has a record (read in the background): "KLD 0.0012 · top 99.2%",
     * marked stale when the file changed since.
     */
    public javafx.collections.ObservableMap<Path, String> quality() {
        return quality;
    }

    /** A variant's quality record in words, if it has one; never throws (an unreadable record is no record). */
    static java.util.Optional<String> measuredSummary(Path variant) {
        try {
            var record = io.quantscope.eval.QualityStore.load(variant);
            if (record.isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(
                    summary(record.get().quality(), io.quantscope.eval.QualityStore.isCurrent(record.get(), variant)));
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** "KLD 0.0012 · top 99.2%", with " (stale)" when the variant changed since it was measured. */
    static String summary(io.quantscope.eval.VariantQuality q, boolean current) {
        return String.format(
                Locale.ROOT, "KLD %.4f · top %.1f%%%s", q.kldMean(), q.sameTopPPct(), current ? "" : " (stale)");
    }

    /** Counts finished measurements, so views showing measured figures can reload. */
    public javafx.beans.property.ReadOnlyIntegerProperty measuredProperty() {
        return measured.getReadOnlyProperty();
    }

    /** Whether variants are made with an importance matrix, and which. */
    public enum ImatrixMode {
        NONE("No importance matrix"),
        BUILT_IN("Importance matrix from the built-in stories"),
        FILE("Importance matrix from a file");

        private final String label;

        ImatrixMode(String label) {
            this.label = label;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final ObjectProperty<ImatrixMode> imatrixMode = new SimpleObjectProperty<>(ImatrixMode.NONE);
    private final ObjectProperty<Path> imatrixFile = new SimpleObjectProperty<>();

    public ObjectProperty<ImatrixMode> imatrixModeProperty() {
        return imatrixMode;
    }

    /** The .dat file used in {@link ImatrixMode#FILE} mode. */
    public ObjectProperty<Path> imatrixFileProperty() {
        return imatrixFile;
    }

    private static String stem(Path source) {
        String name = source.getFileName().toString();
        return name.toLowerCase(Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }

    /** The importance matrix new variants of {@code source} use, or null. */
    private Path imatrixFor(Path source) {
        return switch (imatrixMode.get()) {
            case NONE -> null;
            case BUILT_IN -> workspace.get().resolve(stem(source) + ".imatrix");
            case FILE -> imatrixFile.get();
        };
    }

    /** The file a preset's variant of {@code source} is written to ({@code -imx-} in the name with a matrix). */
    public Path target(Path source, String preset) {
        String imx = imatrixMode.get() == ImatrixMode.NONE ? "" : "imx-";
        return workspace.get().resolve(stem(source) + "-" + imx + preset + ".gguf");
    }

    /** Queues one job per preset; returns them. */
    public List<Task<VariantInfo>> create(Path source, List<String> presets) {
        List<Task<VariantInfo>> made = new ArrayList<>();
        for (String p : presets) {
            Preset preset = Preset.parse(p).orElseThrow(() -> new IllegalArgumentException("unknown preset " + p));
            Path out = target(source, preset.name());
            Path imx = imatrixFor(source);
            Task<VariantInfo> task =
                    new VariantTask(source, preset, out, imx, imatrixMode.get() == ImatrixMode.BUILT_IN);
            task.setOnSucceeded(e -> {
                jobs.remove(task);
                variants.removeIf(v -> v.path().equals(task.getValue().path()));
                variants.add(task.getValue());
                lastError.set(null);
            });
            task.setOnFailed(e -> {
                jobs.remove(task);
                Throwable ex = task.getException();
                lastError.set(preset.name() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            });
            task.setOnCancelled(e -> jobs.remove(task));
            jobs.add(task);
            made.add(task);
            executor.execute(task);
        }
        return made;
    }

    /** One variant being made. */
    private static final class VariantTask extends Task<VariantInfo> {
        private final Path source;
        private final Preset preset;
        private final Path out;
        private final Path imatrix;
        private final boolean computeImatrix;

        VariantTask(Path source, Preset preset, Path out, Path imatrix, boolean computeImatrix) {
            this.source = source;
            this.preset = preset;
            this.out = out;
            this.imatrix = imatrix;
            this.computeImatrix = computeImatrix;
            updateTitle(preset.name() + " → " + out.getFileName());
            updateMessage("Waiting to start");
        }

        @Override
        protected VariantInfo call() throws IOException {
            Files.createDirectories(out.getParent());
            Cancellation cancel = new Cancellation();
            QuantizeOptions opt = QuantizeOptions.of(preset);
            if (imatrix != null) {
                if (computeImatrix && !Files.exists(imatrix)) {
                    updateMessage("Computing the importance matrix on the built-in stories");
                    var r = io.quantscope.imatrix.ImatrixJob.run(
                            source,
                            io.quantscope.samples.StoryGenerator.builtInEvalText(),
                            128,
                            Runtime.getRuntime().availableProcessors(),
                            false,
                            p -> {
                                if (isCancelled()) {
                                    cancel.cancel();
                                }
                                updateMessage(String.format(
                                        Locale.ROOT, "Importance matrix: chunk %d of %d", p.chunk(), p.chunks()));
                            },
                            cancel);
                    io.quantscope.imatrix.ImatrixJob.write(r.collector(), imatrix, "built-in stories");
                }
                opt = opt.withImatrix(
                        io.quantscope.imatrix.ImportanceMatrix.read(imatrix),
                        imatrix.getFileName().toString());
            }
            QuantizeJob.Result r = QuantizeJob.run(
                    source, out, opt, Runtime.getRuntime().availableProcessors(), pr -> report(pr, cancel), cancel);
            return new VariantInfo(r.output(), preset.name(), source, r.bytes(), r.elapsed());
        }

        private void report(QuantizeProgress pr, Cancellation cancel) {
            if (isCancelled()) {
                cancel.cancel();
            }
            updateProgress(pr.bytesDone(), pr.bytesTotal());
            updateMessage(String.format(
                    Locale.ROOT,
                    "tensor %d of %d · %s%s",
                    pr.tensorIndex() + 1,
                    pr.tensorCount(),
                    io.quantscope.app.cli.Format.bytes(pr.bytesDone()),
                    pr.etaSeconds() < 0 ? "" : String.format(Locale.ROOT, " · %.0f s left", pr.etaSeconds())));
        }
    }
}
