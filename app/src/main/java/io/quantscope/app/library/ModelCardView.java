package io.quantscope.app.library;

import io.quantscope.app.cli.Format;
import io.quantscope.gguf.GgufSummary;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.chart.PieChart;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/** The model card: name, key facts, the mix of tensor types, and a searchable tensor table. */
public final class ModelCardView {
    private final ModelCardViewModel model;
    private Label title;
    private GridPane facts;
    private PieChart typeMix;
    private TableView<ModelCard.TensorRow> table;
    private TextField filter;

    public ModelCardView(ModelCardViewModel model) {
        this.model = model;
    }

    public Node createView() {
        title = new Label();
        title.setId("model-title");
        title.getStyleClass().add("library-title");

        facts = new GridPane();
        facts.setId("model-facts");
        facts.getStyleClass().add("library-facts");
        facts.setHgap(16);
        facts.setVgap(6);
        // names keep their width; values take the rest and wrap (the measured-quality line is long)
        javafx.scene.layout.ColumnConstraints names = new javafx.scene.layout.ColumnConstraints();
        names.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        javafx.scene.layout.ColumnConstraints values = new javafx.scene.layout.ColumnConstraints();
        values.setHgrow(Priority.ALWAYS);
        values.setMinWidth(120);
        facts.getColumnConstraints().setAll(names, values);

        typeMix = new PieChart();
        typeMix.setId("type-mix");
        typeMix.setTitle("Bytes by tensor type");
        typeMix.setLegendVisible(true);
        typeMix.setLabelsVisible(false);
        typeMix.setAnimated(false);
        typeMix.setPrefSize(340, 240);
        typeMix.setMinSize(260, 200);

        HBox top = new HBox(24, new VBox(12, title, facts), typeMix);
        HBox.setHgrow(top.getChildren().getFirst(), Priority.ALWAYS);
        top.setPadding(new Insets(16, 16, 8, 16));

        filter = new TextField();
        filter.setId("tensor-filter");
        filter.setPromptText("Filter tensors by name or type (e.g. ffn_down, F16)");
        filter.textProperty().bindBidirectional(model.filterProperty());

        table = createTable();
        VBox.setVgrow(table, Priority.ALWAYS);
        VBox center = new VBox(8, filter, table);
        center.setPadding(new Insets(8, 16, 16, 16));

        BorderPane root = new BorderPane(center);
        root.setTop(top);
        root.getStyleClass().add("library-card");
        initListeners();
        return root;
    }

    private TableView<ModelCard.TensorRow> createTable() {
        TableView<ModelCard.TensorRow> t = new TableView<>(model.tensors());
        t.setId("tensor-table");
        t.setPlaceholder(new Label("No tensors match."));
        t.getColumns().add(column("Group", 80, ModelCard.TensorRow::group));
        t.getColumns().add(column("Name", 260, ModelCard.TensorRow::name));
        TableColumn<ModelCard.TensorRow, String> type = column("Type", 80, ModelCard.TensorRow::type);
        type.setCellFactory(io.quantscope.app.ui.GgufNames.explainedCells(io.quantscope.app.ui.GgufNames::typeName));
        t.getColumns().add(type);
        t.getColumns().add(column("Shape", 140, ModelCard.TensorRow::shape));
        t.getColumns().add(column("Weights", 120, r -> Format.count(r.parameters())));
        t.getColumns().add(column("Size", 110, r -> Format.bytes(r.bytes())));
        t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        return t;
    }

    private static TableColumn<ModelCard.TensorRow, String> column(
            String name, double width, java.util.function.Function<ModelCard.TensorRow, String> value) {
        TableColumn<ModelCard.TensorRow, String> c = new TableColumn<>(name);
        c.setPrefWidth(width);
        c.setCellValueFactory(d -> new ReadOnlyObjectWrapper<>(value.apply(d.getValue())));
        return c;
    }

    private void initListeners() {
        title.textProperty().bind(model.titleProperty());
        model.cardProperty().addListener((obs, old, card) -> showCard(card));
        showCard(model.cardProperty().get());
    }

    private void showCard(ModelCard card) {
        facts.getChildren().clear();
        typeMix.getData().clear();
        if (card == null) {
            return;
        }
        int row = 0;
        for (String[] f : model.facts()) {
            Label k = new Label(f[0]);
            k.getStyleClass().add("library-fact-name");
            Label v = new Label(f[1]);
            v.getStyleClass().add("library-fact-value");
            v.setWrapText(true);
            facts.addRow(row++, k, v);
        }
        var data = FXCollections.<PieChart.Data>observableArrayList();
        for (GgufSummary.TypeTotal t : card.summary().totals()) {
            data.add(new PieChart.Data(t.type() + " · " + Format.bytes(t.bytes()), t.bytes()));
        }
        typeMix.setData(data);
    }
}
