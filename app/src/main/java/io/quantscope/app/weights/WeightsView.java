package io.quantscope.app.weights;

import io.quantscope.analysis.ChannelStats;
import io.quantscope.analysis.Histogram;
import io.quantscope.tensor.GgmlType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.chart.BarChart;
import javafx.scene.chart.CategoryAxis;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;

/**
 * A tensor tree; for the chosen tensor and type: the histogram (log counts) of the weights with the type's dequantized
 * weights over it, the error histogram, statistics, the largest channels as bars, and a layer × channel map of max |w|
 * for the tensor's kind.
 */
public final class WeightsView {
    private static final List<GgmlType> TYPES = io.quantscope.analysis.QuantError.CANDIDATES;

    private final WeightsViewModel model;
    private TreeView<String> tree;
    private LineChart<Number, Number> histogram;
    private LineChart<Number, Number> errors;
    private BarChart<String, Number> channels;
    private Canvas heat;
    private Label stats;
    private Label heatTitle;

    public WeightsView(WeightsViewModel model) {
        this.model = model;
    }

    public Node createView() {
        tree = new TreeView<>(new TreeItem<>("model"));
        tree.setId("weights-tree");
        tree.setShowRoot(false);
        tree.setPrefWidth(240);
        tree.getSelectionModel().selectedItemProperty().addListener((o, a, item) -> {
            if (item != null && item.isLeaf() && model.tensors().contains(item.getValue())) {
                model.selectedProperty().set(item.getValue());
            }
        });
        ChoiceBox<GgmlType> type = new ChoiceBox<>();
        type.setId("weights-type");
        type.getItems().setAll(TYPES);
        type.valueProperty().bindBidirectional(model.typeProperty());
        type.tooltipProperty()
                .bind(javafx.beans.binding.Bindings.createObjectBinding(
                        () -> type.getValue() == null
                                ? null
                                : new javafx.scene.control.Tooltip(
                                        io.quantscope.app.ui.GgufNames.type(type.getValue())),
                        type.valueProperty()));
        Label status = new Label();
        status.setId("weights-status");
        status.getStyleClass().add("levels-status");
        status.textProperty().bind(model.statusProperty());
        HBox bar = new HBox(8, new Label("Quantize as"), type, status);
        bar.setAlignment(javafx.geometry.Pos.CENTER_LEFT);

        histogram = lineChart("Weights (log₁₀ count)", "weight");
        histogram.setId("weights-histogram");
        errors = lineChart("Error w − dequant(quant(w)) (log₁₀ count)", "error");
        errors.setId("weights-errors");
        CategoryAxis cx = new CategoryAxis();
        cx.setLabel("input channel");
        NumberAxis cy = new NumberAxis();
        cy.setLabel("max |w|");
        channels = new BarChart<>(cx, cy);
        channels.setId("weights-channels");
        channels.setTitle("Largest channels");
        channels.setLegendVisible(false);
        channels.setAnimated(false);
        heat = new Canvas(400, 200);
        heat.setId("weights-heat");
        heatTitle = new Label("max |w| per layer × channel");
        heatTitle.getStyleClass().add("chart-title");
        StackPane heatBox = new StackPane(heat);
        heatBox.setMinSize(200, 120);
        heat.widthProperty().bind(heatBox.widthProperty().subtract(10));
        heat.heightProperty().bind(heatBox.heightProperty().subtract(10));
        heat.widthProperty().addListener((o, a, b) -> drawHeat());
        heat.heightProperty().addListener((o, a, b) -> drawHeat());
        VBox heatPane = new VBox(4, heatTitle, heatBox);
        VBox.setVgrow(heatBox, Priority.ALWAYS);

        stats = new Label();
        stats.setId("weights-stats");
        stats.setWrapText(true);
        stats.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);

        GridPane grid = new GridPane();
        grid.setHgap(12);
        grid.setVgap(12);
        grid.add(histogram, 0, 0);
        grid.add(errors, 1, 0);
        grid.add(channels, 0, 1);
        grid.add(heatPane, 1, 1);
        for (Node n : List.of(histogram, errors, channels, heatPane)) {
            GridPane.setHgrow(n, Priority.ALWAYS);
            GridPane.setVgrow(n, Priority.ALWAYS);
        }
        VBox right = new VBox(10, bar, stats, grid);
        VBox.setVgrow(grid, Priority.ALWAYS);
        HBox.setHgrow(right, Priority.ALWAYS);
        HBox root = new HBox(16, tree, right);
        root.setPadding(new Insets(16));
        root.setId("weights-view");
        initListeners();
        return root;
    }

    private static LineChart<Number, Number> lineChart(String title, String xLabel) {
        NumberAxis x = new NumberAxis();
        x.setLabel(xLabel);
        x.setForceZeroInRange(false);
        NumberAxis y = new NumberAxis();
        LineChart<Number, Number> c = new LineChart<>(x, y);
        c.setTitle(title);
        c.setCreateSymbols(false);
        c.setAnimated(false);
        return c;
    }

    private void initListeners() {
        model.tensors().addListener((ListChangeListener<String>) c -> rebuildTree());
        model.detailProperty().addListener((o, a, d) -> show(d));
    }

    private void rebuildTree() {
        Map<String, TreeItem<String>> groups = new LinkedHashMap<>();
        for (String n : model.tensors()) {
            String g = n.startsWith("blk.") ? n.substring(0, n.indexOf('.', 4)) : "model";
            groups.computeIfAbsent(g, k -> {
                        TreeItem<String> item = new TreeItem<>(k);
                        item.setExpanded(k.equals("blk.0") || k.equals("model"));
                        return item;
                    })
                    .getChildren()
                    .add(new TreeItem<>(n));
        }
        tree.getRoot().getChildren().setAll(groups.values());
    }

    /** A histogram as a line of log₁₀ counts; {@code scale} brings a sampled histogram to the whole tensor's counts. */
    private static XYChart.Series<Number, Number> series(String name, Histogram h, double scale) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        s.setName(name);
        for (int i = 0; i < h.bins().length; i++) {
            s.getData().add(new XYChart.Data<>(h.lo() + (i + 0.5) * h.binWidth(), Math.log10(1 + scale * h.bins()[i])));
        }
        return s;
    }

    private WeightsViewModel.Detail shown;

    private void show(WeightsViewModel.Detail d) {
        shown = d;
        if (d == null) {
            return;
        }
        histogram.getData().setAll(List.of(series(d.tensor() + " (" + d.sourceType() + ")", d.source(), 1)));
        errors.getData().clear();
        if (d.error() != null) {
            double scale = (double) d.error().rows() / d.error().rowsSampled();
            histogram
                    .getData()
                    .add(series(
                            d.type() + " dequantized (sampled rows, scaled)",
                            d.error().dequantized(),
                            scale));
            errors.getData()
                    .add(series(d.type() + " error (sampled rows)", d.error().error(), 1));
        }
        var s = d.summary();
        stats.setText(String.format(
                Locale.ROOT,
                "%,d weights · min %.4g · max %.4g · mean %.3g · std %.4g · excess kurtosis %.2f · zeros %.2f%%%s",
                s.count(),
                s.min(),
                s.max(),
                s.mean(),
                s.std(),
                s.kurtosis(),
                s.zeroPct(),
                d.error() == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "%nas %s: RMSE %.4g · max error %.4g · SNR %.1f dB · relative error %.2f%%",
                                d.type(),
                                d.error().rmse(),
                                d.error().maxErr(),
                                d.error().snrDb(),
                                d.error().relErrPct())));
        XYChart.Series<String, Number> bars = new XYChart.Series<>();
        ChannelStats c = d.channels();
        if (c != null) {
            for (ChannelStats.Channel ch : c.top()) {
                bars.getData().add(new XYChart.Data<>("#" + ch.index(), ch.maxAbs()));
            }
            channels.setTitle(String.format(
                    Locale.ROOT, "Largest channels (median %.3g, %d flagged)", c.medianMaxAbs(), c.flagged()));
        }
        channels.getData().setAll(List.of(bars));
        heatTitle.setText("max |w| of " + d.kind() + " per layer × channel ("
                + d.heatLayers().size() + " layers)");
        drawHeat();
    }

    private void drawHeat() {
        GraphicsContext g = heat.getGraphicsContext2D();
        double w = heat.getWidth();
        double h = heat.getHeight();
        g.clearRect(0, 0, w, h);
        if (shown == null || shown.heat().length == 0) {
            return;
        }
        float[][] m = shown.heat();
        float max = 0;
        for (float[] row : m) for (float v : row) max = Math.max(max, v);
        double labelW = 48;
        double cw = (w - labelW) / m[0].length;
        double ch = h / m.length;
        for (int r = 0; r < m.length; r++) {
            for (int c = 0; c < m[r].length; c++) {
                double t = max == 0 ? 0 : Math.sqrt(m[r][c] / max);
                g.setFill(Color.hsb(220 - 220 * t, 0.75, 0.35 + 0.6 * t));
                g.fillRect(labelW + c * cw, r * ch, Math.ceil(cw), Math.ceil(ch));
            }
            g.setFill(Color.GRAY);
            if (ch >= 10) {
                g.fillText(shown.heatLayers().get(r), 2, r * ch + ch / 2 + 4);
            }
        }
    }
}
