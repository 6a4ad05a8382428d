package io.quantscope.app.compare;

import io.quantscope.app.cli.Machine;
import io.quantscope.app.cli.Utf8Pieces;
import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.app.concurrent.FxQueue;
import io.quantscope.convert.Cancellation;
import io.quantscope.eval.CompareListener;
import io.quantscope.eval.CompareReport;
import io.quantscope.eval.CompareSettings;
import io.quantscope.eval.Comparer;
import io.quantscope.eval.ModelRun;
import io.quantscope.infer.SamplerSettings;
import io.quantscope.infer.TokenEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * Side by side: one prompt through the base (the open model) and the chosen variants. Tokens stream into every column
 * as they come (through an {@link FxQueue}); when a variant finishes, its column learns where it left the base's text
 * and each token's teacher-forced KLD against the base.
 */
public final class CompareViewModel {
    /** One model's column. */
    public static final class Column {
        private final String title;
        private final boolean base;
        private final ObservableList<TokenCell> tokens = FXCollections.observableArrayList();
        private final ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("waiting…");
        private final Utf8Pieces pieces = new Utf8Pieces();
        private ModelRun run;

        Column(String title, boolean base) {
            this.title = title;
            this.base = base;
        }

        public String title() {
            return title;
        }

        public boolean isBase() {
            return base;
        }

        public ObservableList<TokenCell> tokens() {
            return tokens;
        }

        public ReadOnlyStringProperty summaryProperty() {
            return summary.getReadOnlyProperty();
        }

        /** The finished run, or null while generating. */
        public ModelRun run() {
            return run;
        }
    }

    /**
     * One token as shown.
     *
     * @param kld teacher-forced KLD at this position (NaN until the model has finished, 0 for the base)
     * @param firstDivergent the first token that differs from the base's text
     */
    public record TokenCell(String text, double kld, boolean firstDivergent) {}

    private final BackgroundRunner runner;
    private final FxQueue queue = new FxQueue();
    private final ObjectProperty<Path> base = new SimpleObjectProperty<>();
    private final ObservableList<Path> available = FXCollections.observableArrayList();
    private final ObservableList<Path> chosen = FXCollections.observableArrayList();
    private final StringProperty prompt = new SimpleStringProperty("Once upon a time");
    private final IntegerProperty tokens = new SimpleIntegerProperty(48);
    private final DoubleProperty temperature = new SimpleDoubleProperty(0);
    private final LongProperty seed = new SimpleLongProperty(1);
    private final ObservableList<Column> columns = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper();
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper("Pick variants and press Run.");
    private Cancellation cancel;

    public CompareViewModel(BackgroundRunner runner) {
        this.runner = runner;
    }

    /** Runs the comparison in the background; tokens stream into {@link #columns()}. */
    public void run() {
        Path b = base.get();
        if (b == null || chosen.isEmpty() || running.get()) {
            status.set(b == null ? "Open a model first." : "Pick at least one variant.");
            return;
        }
        List<Path> variants = List.copyOf(chosen);
        List<Column> cols = new ArrayList<>();
        cols.add(new Column(b.getFileName() + " (base)", true));
        for (Path v : variants) {
            cols.add(new Column(v.getFileName().toString(), false));
        }
        columns.setAll(cols);
        running.set(true);
        status.set("Generating…");
        cancel = new Cancellation();
        Cancellation c = cancel;
        CompareSettings s = new CompareSettings(
                Math.max(1, tokens.get()),
                SamplerSettings.of((float) temperature.get(), seed.get()),
                Runtime.getRuntime().availableProcessors(),
                Machine.physicalMemory() / 2);
        String text = prompt.get();
        CompareListener listener = new CompareListener() {
            @Override
            public void token(int model, TokenEvent event) {
                queue.post(() -> {
                    Column col = cols.get(model);
                    String piece = col.pieces.add(event.piece());
                    col.tokens.add(new TokenCell(piece, model == 0 ? 0 : Double.NaN, false));
                    col.summary.set(col.tokens.size() + " tokens…");
                });
            }

            @Override
            public void finished(int model, ModelRun run) {
                queue.post(() -> finish(cols.get(model), run));
            }
        };
        runner.run(
                "Comparing " + variants.size() + " variants",
                () -> new Comparer(s).run(b, variants, text, listener, c),
                (CompareReport r) -> {
                    running.set(false);
                    status.set("Done: the base and " + r.variants().size() + " variants on the same prompt.");
                },
                ex -> {
                    running.set(false);
                    status.set(
                            ex instanceof java.util.concurrent.CancellationException
                                    ? "Stopped."
                                    : (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
                });
    }

    private static void finish(Column col, ModelRun run) {
        col.run = run;
        List<TokenCell> cells = new ArrayList<>(col.tokens);
        for (int i = 0; i < cells.size(); i++) {
            double kld = col.base ? 0 : (i < run.kld().length ? run.kld()[i] : Double.NaN);
            cells.set(i, new TokenCell(cells.get(i).text(), kld, i == run.firstDivergence()));
        }
        col.tokens.setAll(cells);
        col.summary.set(
                col.base
                        ? String.format(
                                java.util.Locale.ROOT,
                                "%d tokens · %.1f tok/s",
                                run.tokens().size(),
                                run.tokensPerSecond())
                        : String.format(
                                java.util.Locale.ROOT,
                                "%.1f tok/s · %s · mean KLD %.4f · top-1 %.0f%%",
                                run.tokensPerSecond(),
                                run.firstDivergence() < 0
                                        ? "same text"
                                        : "leaves at token " + (run.firstDivergence() + 1),
                                run.meanKld(),
                                run.sameTopPct()));
    }

    /** Stops a running comparison after the current token. */
    public void stop() {
        if (cancel != null) {
            cancel.cancel();
        }
    }

    public ObjectProperty<Path> baseProperty() {
        return base;
    }

    /** Variants that can be compared (the workspace's). */
    public ObservableList<Path> available() {
        return available;
    }

    /** Variants to compare. */
    public ObservableList<Path> chosen() {
        return chosen;
    }

    public StringProperty promptProperty() {
        return prompt;
    }

    public IntegerProperty tokensProperty() {
        return tokens;
    }

    public DoubleProperty temperatureProperty() {
        return temperature;
    }

    public LongProperty seedProperty() {
        return seed;
    }

    public ObservableList<Column> columns() {
        return columns;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }
}
