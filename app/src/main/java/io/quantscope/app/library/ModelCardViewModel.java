package io.quantscope.app.library;

import io.quantscope.app.cli.Format;
import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufSummary;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Predicate;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

/**
 * The open model: loads a file off the FX thread and exposes its card as read-only properties. Opening another file
 * replaces the card; a bad file leaves the previous one and sets {@link #errorProperty()} to the engine's one-line
 * reason.
 */
public final class ModelCardViewModel {
    private final BackgroundRunner runner;
    private final ReadOnlyObjectWrapper<ModelCard> card = new ReadOnlyObjectWrapper<>();
    private final ReadOnlyStringWrapper title = new ReadOnlyStringWrapper("No model open");
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper();
    private final ReadOnlyBooleanWrapper loading = new ReadOnlyBooleanWrapper();
    private final ObservableList<ModelCard.TensorRow> allTensors = FXCollections.observableArrayList();
    private final FilteredList<ModelCard.TensorRow> tensors = new FilteredList<>(allTensors);
    private final StringProperty filter = new SimpleStringProperty("");

    /** @param runner runs engine work off the FX thread ({@link BackgroundRunner#sameThread()} in tests) */
    public ModelCardViewModel(BackgroundRunner runner) {
        this.runner = runner;
        filter.addListener((obs, old, text) -> tensors.setPredicate(matching(text)));
    }

    /** Opens a GGUF file in the background; the card updates when it is read. */
    public void open(Path path) {
        loading.set(true);
        error.set(null); // so the same failure twice is reported twice
        runner.run(
                "Opening " + path.getFileName(),
                () -> {
                    try (GgufFile f = GgufFile.open(path)) {
                        return ModelCard.of(f);
                    }
                },
                c -> {
                    loading.set(false);
                    show(c);
                },
                ex -> {
                    loading.set(false);
                    error.set(ex.getMessage() == null ? ex.toString() : ex.getMessage());
                });
    }

    private void show(ModelCard c) {
        card.set(c);
        error.set(null);
        GgufSummary s = c.summary();
        title.set(s.name().orElse(c.path().getFileName().toString()));
        allTensors.setAll(c.tensors());
    }

    private static Predicate<ModelCard.TensorRow> matching(String text) {
        if (text == null || text.isBlank()) {
            return r -> true;
        }
        String needle = text.strip().toLowerCase(Locale.ROOT);
        return r -> r.name().toLowerCase(Locale.ROOT).contains(needle)
                || r.type().toLowerCase(Locale.ROOT).equals(needle);
    }

    /** Label/value pairs for the card's summary grid. */
    public java.util.List<String[]> facts() {
        ModelCard c = card.get();
        if (c == null) {
            return java.util.List.of();
        }
        GgufSummary s = c.summary();
        String ftype = s.fileType().map(t -> t.shortName()).orElse("not recorded");
        java.util.List<String[]> facts = new java.util.ArrayList<>(java.util.List.of(
                new String[] {"Architecture", s.architecture()},
                new String[] {"Parameters", Format.count(s.parameters())},
                new String[] {"File size", Format.bytes(c.fileBytes()) + "  (GGUF v" + c.version() + ")"},
                new String[] {"File type", ftype},
                new String[] {"Bits per weight", String.format(Locale.ROOT, "%.2f", s.bitsPerWeight())},
                new String[] {
                    "Context length",
                    s.contextLength().isPresent()
                            ? Format.count(s.contextLength().getAsLong())
                            : "not recorded"
                },
                new String[] {
                    "Tokenizer", s.tokenizerDescription() + ", " + Format.count(s.vocabularySize()) + " tokens"
                },
                new String[] {"Tensors", Integer.toString(c.tensors().size())}));
        c.quality().ifPresent(q -> facts.add(new String[] {"Measured quality", describe(q)}));
        return facts;
    }

    /** One line on a reloaded quality record: the figures a user chooses by, against what, and whether it still holds. */
    static String describe(ModelCard.Quality q) {
        if (q.record().isEmpty()) {
            return "record unreadable: " + q.problem().orElse("unknown reason");
        }
        var r = q.record().get();
        var v = r.quality();
        String line = String.format(
                Locale.ROOT,
                "PPL %.4f (×%.4f vs %s), KLD %.4f, same top token %.1f%% — %s, ctx %d",
                v.ppl(),
                v.pplRatio(),
                r.base(),
                v.kldMean(),
                v.sameTopPPct(),
                r.text(),
                r.ctx());
        return q.current() ? line : line + " (stale: the file changed since it was measured)";
    }

    public ReadOnlyObjectProperty<ModelCard> cardProperty() {
        return card.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty titleProperty() {
        return title.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty errorProperty() {
        return error.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty loadingProperty() {
        return loading.getReadOnlyProperty();
    }

    /** Tensors matching {@link #filterProperty()}. */
    public ObservableList<ModelCard.TensorRow> tensors() {
        return tensors;
    }

    /** Text that filters the tensor table by name (substring) or type (exact, e.g. "F16"). */
    public StringProperty filterProperty() {
        return filter;
    }
}
