package io.quantscope.app.variants;

import eu.hansolo.tilesfx.Tile;
import eu.hansolo.tilesfx.TileBuilder;
import io.quantscope.analysis.KvType;
import io.quantscope.analysis.MemoryEstimate;
import io.quantscope.app.cli.Format;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.ScatterChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;

/**
 * Pick a level: every preset on one chart of size against expected quality, the ladder with exact sizes, and a memory
 * panel (context, KV type, device) whose gauge shows what the selected preset needs. Clicking a point or a row selects
 * that preset.
 */
public final class LevelsView {
    private final LevelsViewModel model;
    private java.util.function.Consumer<java.util.List<String>> onCreate = p -> {};
    private ScatterChart<Number, Number> chart;
    private TableView<LevelRow> table;
    private Tile gauge;
    private Label verdict;
    private GridPane breakdown;
    private Label ctxLabel;

    public LevelsView(LevelsViewModel model) {
        this.model = model;
    }

    /** What "Create" does with the chosen presets (the ladder's selected rows, or the selected point). */
    public LevelsView onCreate(java.util.function.Consumer<java.util.List<String>> action) {
        this.onCreate = action;
        return this;
    }

    public Node createView() {
        Label title = new Label();
        title.setId("levels-title");
        title.getStyleClass().add("library-title");
        title.textProperty().bind(model.modelNameProperty().map(n -> n.isEmpty() ? "Levels" : "Levels of " + n));
        Label status = new Label();
        status.setId("levels-status");
        status.getStyleClass().add("levels-status");
        status.setWrapText(true);
        status.textProperty().bind(model.statusProperty());

        NumberAxis x = new NumberAxis();
        x.setLabel("File size (MiB)");
        x.setForceZeroInRange(false);
        NumberAxis y = new NumberAxis();
        y.setLabel("Weight SNR (dB) ↑ better");
        y.setForceZeroInRange(false);
        chart = new ScatterChart<>(x, y);
        chart.setId("levels-chart");
        chart.setLegendVisible(false);
        chart.setAnimated(false);
        chart.setMinHeight(260);

        table = createTable();
        VBox left = new VBox(8, title, status, chart, table);
        VBox.setVgrow(table, Priority.ALWAYS);
        VBox.setVgrow(chart, Priority.SOMETIMES);
        HBox.setHgrow(left, Priority.ALWAYS);

        HBox root = new HBox(16, left, createMemoryPanel());
        root.setPadding(new Insets(16));
        root.setId("levels-view");
        BorderPane pane = new BorderPane(root);
        initListeners();
        return pane;
    }

    private TableView<LevelRow> createTable() {
        TableView<LevelRow> t = new TableView<>(model.rows());
        t.setId("levels-table");
        t.setPlaceholder(new Label("No levels yet: open an F32, F16 or BF16 model."));
        t.getColumns().add(col("Preset", 80, LevelRow::preset));
        t.getColumns().add(col("Size", 90, r -> Format.bytes(r.bytes())));
        t.getColumns().add(col("Bits/weight", 85, r -> String.format(Locale.ROOT, "%.2f", r.bitsPerWeight())));
        t.getColumns().add(col("Est. SNR", 80, r -> String.format(Locale.ROOT, "%.1f dB", r.snrDb())));
        t.getColumns().add(col("Weight error", 95, r -> String.format(Locale.ROOT, "%.2f %%", r.relErrPct())));
        t.getColumns()
                .add(col(
                        "Measured KLD",
                        150,
                        r -> r.measured()
                                .map(m -> String.format(
                                        Locale.ROOT,
                                        "%.4f · top %.0f%%%s",
                                        m.kldMean(),
                                        m.sameTopPct(),
                                        m.current() ? "" : " (stale)"))
                                .orElse("—")));
        t.getColumns().add(col("Memory", 90, r -> Format.bytes(model.totalBytes(r))));
        t.getColumns().add(col("Fits", 90, model::verdict));
        t.setRowFactory(tv -> {
            var row = new javafx.scene.control.TableRow<LevelRow>() {
                @Override
                protected void updateItem(LevelRow item, boolean empty) {
                    super.updateItem(item, empty);
                    setTooltip(
                            empty || item == null
                                    ? null
                                    : io.quantscope.recipe.Preset.parse(item.preset())
                                            .map(p -> new Tooltip(io.quantscope.app.ui.GgufNames.preset(p)))
                                            .orElse(new Tooltip(item.preset() + ": " + item.description())));
                }
            };
            return row;
        });
        t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        t.getSelectionModel().setSelectionMode(javafx.scene.control.SelectionMode.MULTIPLE);
        t.setTooltip(new Tooltip("Shift- or Ctrl-click to choose several presets; they are made one job each"));
        return t;
    }

    /** The ladder's selected presets, in ladder order; the selected point when none. */
    private java.util.List<String> chosenPresets() {
        var rows = table.getSelectionModel().getSelectedItems();
        if (rows.size() > 1) {
            return model.rows().stream()
                    .filter(rows::contains)
                    .map(LevelRow::preset)
                    .toList();
        }
        return model.selectedProperty().get() == null
                ? java.util.List.of()
                : java.util.List.of(model.selectedProperty().get());
    }

    private static TableColumn<LevelRow, String> col(String name, double width, Function<LevelRow, String> f) {
        TableColumn<LevelRow, String> c = new TableColumn<>(name);
        c.setPrefWidth(width);
        c.setSortable(false);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(f.apply(d.getValue())));
        return c;
    }

    private Node createMemoryPanel() {
        Label head = new Label("Memory");
        head.getStyleClass().add("levels-panel-title");

        Slider ctx = new Slider(256, 4096, model.ctxProperty().get());
        ctx.setId("levels-ctx");
        ctx.setBlockIncrement(256);
        ctx.setMajorTickUnit(256);
        ctx.setSnapToTicks(true);
        ctx.valueProperty().addListener((o, a, b) -> model.ctxProperty().set((int) Math.round(b.doubleValue())));
        // and back: a context set elsewhere (a new model, a test, a saved setting) moves the thumb
        model.ctxProperty().addListener((o, a, b) -> {
            if (Math.round(ctx.getValue()) != b.intValue()) {
                ctx.setValue(b.intValue());
            }
        });
        model.rows().addListener((javafx.collections.ListChangeListener<LevelRow>) c -> {
            // a small model's context is small: step finer so the slider still has room to move
            int step = model.maxCtx() <= 1024 ? 32 : 256;
            ctx.setMin(step);
            ctx.setMax(Math.max(step, model.maxCtx()));
            ctx.setBlockIncrement(step);
            ctx.setMajorTickUnit(step);
            ctx.setValue(model.ctxProperty().get());
        });
        ctxLabel = new Label();
        ctxLabel.setId("levels-ctx-label");

        ChoiceBox<KvType> kv = new ChoiceBox<>();
        kv.setId("levels-kv");
        kv.getItems().setAll(KvType.values());
        kv.valueProperty().bindBidirectional(model.kvTypeProperty());
        ChoiceBox<LevelsViewModel.Budget> device = new ChoiceBox<>(model.budgets());
        device.setId("levels-device");
        device.valueProperty().bindBidirectional(model.budgetProperty());

        gauge = TileBuilder.create()
                .skinType(Tile.SkinType.GAUGE)
                .title("Selected preset")
                .unit("GiB")
                .decimals(2)
                .minValue(0)
                .maxValue(16)
                .animated(false)
                .prefSize(260, 240)
                .build();
        gauge.setId("levels-gauge");
        verdict = new Label();
        verdict.setId("levels-verdict");
        verdict.getStyleClass().add("levels-verdict");
        breakdown = new GridPane();
        breakdown.setHgap(12);
        breakdown.setVgap(4);
        breakdown.setId("levels-breakdown");

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(8);
        form.addRow(0, new Label("Context"), ctxLabel);
        form.add(ctx, 0, 1, 2, 1);
        form.addRow(2, new Label("KV cache"), kv);
        form.addRow(3, new Label("Device"), device);

        javafx.scene.control.Button create = new javafx.scene.control.Button("Create variant");
        create.setId("levels-create");
        create.getStyleClass().add("levels-create");
        create.setMaxWidth(Double.MAX_VALUE);
        create.setMnemonicParsing(false); // preset names have underscores
        create.setWrapText(true);
        create.disableProperty().bind(model.selectedProperty().isNull());
        create.textProperty()
                .bind(javafx.beans.binding.Bindings.createStringBinding(
                        () -> {
                            var chosen = chosenPresets();
                            return chosen.size() > 1
                                    ? "Create " + chosen.size() + " variants (" + String.join(", ", chosen) + ")"
                                    : chosen.isEmpty() ? "Create variant" : "Create " + chosen.getFirst() + " variant";
                        },
                        model.selectedProperty(),
                        table.getSelectionModel().getSelectedItems()));
        create.setOnAction(e -> onCreate.accept(chosenPresets()));

        VBox panel = new VBox(12, head, form, gauge, verdict, breakdown, create);
        panel.setAlignment(Pos.TOP_LEFT);
        panel.setPrefWidth(280);
        panel.setMinWidth(260);
        panel.getStyleClass().add("levels-panel");
        return panel;
    }

    private void initListeners() {
        model.rows().addListener((javafx.collections.ListChangeListener<LevelRow>) c -> refreshChart());
        model.selectedProperty().addListener((o, a, b) -> {
            refreshChart();
            model.selectedRow().ifPresent(r -> {
                if (table.getSelectionModel().getSelectedItem() != r) {
                    // chosen on the chart (or by default): it replaces the ladder's selection
                    table.getSelectionModel().clearAndSelect(table.getItems().indexOf(r));
                    table.scrollTo(r);
                }
            });
        });
        table.getSelectionModel().selectedItemProperty().addListener((o, a, r) -> {
            if (r != null) {
                model.selectedProperty().set(r.preset());
            }
        });
        model.memoryProperty().addListener((o, a, m) -> showMemory(m));
        model.ctxProperty().addListener((o, a, b) -> {
            ctxLabel.setText(String.format(Locale.ROOT, "%,d tokens", b.intValue()));
            table.refresh();
        });
        model.kvTypeProperty().addListener((o, a, b) -> table.refresh());
        model.budgetProperty().addListener((o, a, b) -> table.refresh());
        ctxLabel.setText(
                String.format(Locale.ROOT, "%,d tokens", model.ctxProperty().get()));
        showMemory(model.memoryProperty().get());
        refreshChart();
    }

    private void refreshChart() {
        XYChart.Series<Number, Number> series = new XYChart.Series<>();
        int[] slots = labelSlots(model.rows());
        for (int i = 0; i < model.rows().size(); i++) {
            LevelRow r = model.rows().get(i);
            XYChart.Data<Number, Number> d = new XYChart.Data<>(r.bytes() / (double) (1 << 20), r.snrDb());
            d.setNode(point(r, r.preset().equals(model.selectedProperty().get()), slots[i]));
            series.getData().add(d);
        }
        chart.getData().setAll(java.util.List.of(series));
        for (int i = 0; i < model.rows().size(); i++) {
            LevelRow r = model.rows().get(i);
            Node node = series.getData().get(i).getNode();
            Tooltip.install(
                    node,
                    new Tooltip(String.format(
                            Locale.ROOT,
                            "%s — %s, %.2f bits/weight, SNR %.1f dB%n%s",
                            r.preset(),
                            Format.bytes(r.bytes()),
                            r.bitsPerWeight(),
                            r.snrDb(),
                            r.description())));
            node.setOnMouseClicked(e -> model.selectedProperty().set(r.preset()));
        }
    }

    /**
     * A point: a dot centred on the value with the preset's name beside it (the label is shifted, not laid out, so the
     * chart still centres the dot).
     */
    /**
     * Where each point's name goes so names do not print over each other: 0 beside the dot, 1 above, -1 below, 2 and
     * -2 further out. Points closer than a label's size (about 7% of either axis' span) take different places.
     */
    static int[] labelSlots(java.util.List<LevelRow> rows) {
        int n = rows.size();
        int[] slots = new int[n];
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double minY = Double.MAX_VALUE;
        double maxY = -Double.MAX_VALUE;
        for (LevelRow r : rows) {
            minX = Math.min(minX, r.bytes());
            maxX = Math.max(maxX, r.bytes());
            minY = Math.min(minY, r.snrDb());
            maxY = Math.max(maxY, r.snrDb());
        }
        double spanX = Math.max(1e-9, maxX - minX);
        double spanY = Math.max(1e-9, maxY - minY);
        int[] order = {0, 1, -1, 2, -2};
        final double w = 0.09; // a label's width, as a share of the x span
        final double h = 0.07; // its height, as a share of the y span
        for (int i = 0; i < n; i++) {
            double xi = (rows.get(i).bytes() - minX) / spanX;
            double yi = (rows.get(i).snrDb() - minY) / spanY;
            for (int sl : order) {
                boolean free = true;
                for (int j = 0; j < i && free; j++) {
                    double xj = (rows.get(j).bytes() - minX) / spanX;
                    double yj = (rows.get(j).snrDb() - minY) / spanY + h * slots[j];
                    free = Math.abs(xi - xj) >= w || Math.abs(yi + h * sl - yj) >= h;
                }
                if (free) {
                    slots[i] = sl;
                    break;
                }
            }
        }
        return slots;
    }

    private static Node point(LevelRow r, boolean selected, int slot) {
        Region dot = new Region();
        dot.getStyleClass().add(selected ? "levels-point-selected" : "levels-point");
        Label name = new Label(r.preset());
        name.getStyleClass().add("levels-point-label");
        name.setManaged(false);
        name.setMouseTransparent(true);
        javafx.scene.layout.StackPane p = new javafx.scene.layout.StackPane(dot, name) {
            @Override
            protected void layoutChildren() {
                super.layoutChildren();
                name.autosize();
                name.relocate(
                        dot.getLayoutX() + dot.getWidth() + 4,
                        dot.getLayoutY() + (dot.getHeight() - name.getHeight()) / 2 - slot * name.getHeight() * 0.9);
            }
        };
        p.setId("levels-point-" + r.preset());
        return p;
    }

    private void showMemory(MemoryEstimate m) {
        breakdown.getChildren().clear();
        if (m == null) {
            verdict.setText("Pick a preset to see what it needs.");
            gauge.setValue(0);
            return;
        }
        MemoryEstimate.Verdict v = m.verdicts().getLast();
        double gib = 1L << 30;
        gauge.setMaxValue(Math.max(0.5, v.budgetBytes() / gib));
        gauge.setThreshold(0.9 * v.budgetBytes() / gib); // above it a preset is "tight"
        gauge.setThresholdVisible(true);
        gauge.setValue(m.totalBytes() / gib);
        gauge.setTitle(m.preset() + " on " + model.budgetProperty().get().label());
        verdict.setText(String.format(
                Locale.ROOT,
                "%s: %s (%.0f%% of %s)",
                m.preset(),
                v.verdict(),
                v.usedPct(),
                Format.bytes(v.budgetBytes())));
        verdict.getStyleClass().removeAll("levels-fits", "levels-tight", "levels-too-big");
        verdict.getStyleClass()
                .add(
                        switch (v.verdict()) {
                            case "fits" -> "levels-fits";
                            case "tight" -> "levels-tight";
                            default -> "levels-too-big";
                        });
        String[][] rows = {
            {"Weights", Format.bytes(m.weightsBytes())},
            {"KV cache (" + m.kvType() + ")", Format.bytes(m.kvBytes())},
            {"Compute buffers", Format.bytes(m.computeBytes())},
            {"Runtime", Format.bytes(m.overheadBytes())},
            {"Total", Format.bytes(m.totalBytes())}
        };
        for (int i = 0; i < rows.length; i++) {
            Label k = new Label(rows[i][0]);
            k.getStyleClass().add("library-fact-name");
            Label val = new Label(rows[i][1]);
            val.getStyleClass().add("library-fact-value");
            breakdown.addRow(i, k, val);
        }
    }
}
