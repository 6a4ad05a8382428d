package io.quantscope.app.variants;

import io.quantscope.app.cli.Format;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import org.controlsfx.control.TaskProgressView;

/** The variants being made (progress, ETA, cancel) and those made, in the workspace folder. */
public final class VariantsView {
    private final VariantsViewModel model;

    public VariantsView(VariantsViewModel model) {
        this.model = model;
    }

    public Node createView() {
        Label title = new Label("Variants");
        title.getStyleClass().add("library-title");
        Label workspace = new Label();
        workspace.setId("variants-workspace");
        workspace.getStyleClass().add("levels-status");
        workspace.textProperty().bind(model.workspaceProperty().map(p -> "Workspace: " + p));
        Button change = new Button("Change…");
        change.setId("variants-change-workspace");
        change.setOnAction(e -> {
            DirectoryChooser dc = new DirectoryChooser();
            dc.setTitle("Workspace for variants");
            var dir = dc.showDialog(change.getScene().getWindow());
            if (dir != null) {
                model.workspaceProperty().set(dir.toPath());
            }
        });
        javafx.scene.control.ChoiceBox<VariantsViewModel.ImatrixMode> imx = new javafx.scene.control.ChoiceBox<>();
        imx.setId("variants-imatrix");
        imx.getItems().setAll(VariantsViewModel.ImatrixMode.values());
        imx.valueProperty().bindBidirectional(model.imatrixModeProperty());
        imx.setTooltip(new javafx.scene.control.Tooltip(
                "An importance matrix tells the quantizer which input channels matter most (llama-imatrix's Σx²);"
                        + " it helps most at 2–4 bits"));
        imx.valueProperty().addListener((o, a, mode) -> {
            if (mode == VariantsViewModel.ImatrixMode.FILE) {
                javafx.stage.FileChooser fc = new javafx.stage.FileChooser();
                fc.setTitle("An importance matrix (.dat from llama-imatrix or quantscope imatrix)");
                var f = fc.showOpenDialog(imx.getScene().getWindow());
                if (f == null) {
                    imx.setValue(VariantsViewModel.ImatrixMode.NONE);
                } else {
                    model.imatrixFileProperty().set(f.toPath());
                }
            }
        });
        HBox ws = new HBox(8, workspace, change, imx);
        ws.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        TaskProgressView<javafx.concurrent.Task<VariantInfo>> jobs = new TaskProgressView<>();
        jobs.setId("variants-jobs");
        Bindings.bindContent(jobs.getTasks(), model.jobs());
        jobs.setPrefHeight(200);

        Label error = new Label();
        error.setId("variants-error");
        error.getStyleClass().add("levels-too-big");
        error.textProperty().bind(model.lastErrorProperty());

        TableView<VariantInfo> done = new TableView<>(model.variants());
        done.setId("variants-table");
        done.setPlaceholder(new Label("No variants yet. Pick a level in the Levels tab and press “Create variant”."));
        done.getColumns().add(col("File", 280, v -> v.path().getFileName().toString()));
        TableColumn<VariantInfo, String> preset = col("Preset", 80, VariantInfo::preset);
        preset.setCellFactory(
                io.quantscope.app.ui.GgufNames.explainedCells(io.quantscope.app.ui.GgufNames::presetName));
        done.getColumns().add(preset);
        done.getColumns().add(col("Size", 100, v -> Format.bytes(v.bytes())));
        done.getColumns().add(col("Time", 80, VariantsView::time));
        done.getColumns().add(col("Measured", 170, v -> model.quality().getOrDefault(v.path(), "—")));
        model.quality()
                .addListener((javafx.collections.MapChangeListener<java.nio.file.Path, String>) c -> done.refresh());
        done.getColumns().add(col("From", 220, VariantsView::from));
        done.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        VBox.setVgrow(done, Priority.ALWAYS);

        Label made = new Label("Made");
        made.getStyleClass().add("levels-panel-title");
        Label running = new Label("Running");
        running.getStyleClass().add("levels-panel-title");
        Button export = new Button("Export…");
        export.setId("variants-export");
        export.disableProperty()
                .bind(done.getSelectionModel().selectedItemProperty().isNull());
        export.setOnAction(e -> {
            VariantInfo v = done.getSelectionModel().getSelectedItem();
            javafx.stage.FileChooser fc = new javafx.stage.FileChooser();
            fc.setTitle("Export " + v.path().getFileName());
            fc.setInitialFileName(v.path().getFileName().toString());
            fc.getExtensionFilters().add(new javafx.stage.FileChooser.ExtensionFilter("GGUF model", "*.gguf"));
            var f = fc.showSaveDialog(export.getScene().getWindow());
            if (f != null) {
                model.export(v, f.toPath());
            }
        });
        Label exported = new Label();
        exported.setId("variants-export-status");
        exported.getStyleClass().add("levels-status");
        exported.textProperty().bind(model.exportStatusProperty());
        Button measure = new Button("Measure quality…");
        measure.setId("variants-measure");
        measure.setTooltip(new javafx.scene.control.Tooltip(
                "Perplexity and KL divergence of the selected variants against the model they were made from, on the"
                        + " built-in stories (as llama-perplexity measures them)"));
        measure.disableProperty()
                .bind(Bindings.isEmpty(done.getSelectionModel().getSelectedItems())
                        .or(sourceMissing(done)));
        done.getSelectionModel().setSelectionMode(javafx.scene.control.SelectionMode.MULTIPLE);
        measure.setText("Measure quality");
        measure.setOnAction(e -> {
            var chosen = List.copyOf(done.getSelectionModel().getSelectedItems());
            model.measureBuiltIn(chosen.getFirst().source(), chosen, 128);
        });
        Button measureOn = new Button("Measure on a text…");
        measureOn.setId("variants-measure-text");
        measureOn.disableProperty().bind(measure.disableProperty());
        measureOn.setOnAction(e -> {
            var chosen = List.copyOf(done.getSelectionModel().getSelectedItems());
            javafx.stage.FileChooser fc = new javafx.stage.FileChooser();
            fc.setTitle("A text to measure on (UTF-8, at least two contexts of 128 tokens)");
            var f = fc.showOpenDialog(measure.getScene().getWindow());
            if (f != null) {
                model.measure(chosen.getFirst().source(), chosen, f.toPath(), 128);
            }
        });
        HBox exportRow = new HBox(8, export, measure, measureOn, exported);
        exportRow.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        VBox root = new VBox(10, title, ws, running, jobs, error, made, done, exportRow);
        root.setPadding(new Insets(16));
        root.setId("variants-view");
        return root;
    }

    /** Measuring needs the source each variant was made from (known for variants made this session). */
    private static javafx.beans.binding.BooleanBinding sourceMissing(TableView<VariantInfo> t) {
        return Bindings.createBooleanBinding(
                () -> t.getSelectionModel().getSelectedItems().stream().anyMatch(v -> v.source() == null),
                t.getSelectionModel().getSelectedItems());
    }

    private static String time(VariantInfo v) {
        return v.elapsed() == null
                ? "—"
                : String.format(Locale.ROOT, "%.1f s", v.elapsed().toMillis() / 1000.0);
    }

    private static String from(VariantInfo v) {
        return v.source() == null
                ? "(found in the workspace)"
                : v.source().getFileName().toString();
    }

    private static TableColumn<VariantInfo, String> col(String name, double width, Function<VariantInfo, String> f) {
        TableColumn<VariantInfo, String> c = new TableColumn<>(name);
        c.setPrefWidth(width);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        return c;
    }
}
