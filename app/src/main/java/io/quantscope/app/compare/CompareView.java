package io.quantscope.app.compare;

import java.nio.file.Path;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Spinner;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;

/**
 * One prompt, the base and the chosen variants as columns; tokens stream into every column at once, each variant's
 * tokens are coloured by their teacher-forced KLD against the base, and the first token that leaves the base's text is
 * marked.
 */
public final class CompareView {
    private final CompareViewModel model;
    private HBox columns;
    private VBox choices;

    public CompareView(CompareViewModel model) {
        this.model = model;
    }

    public Node createView() {
        Label title = new Label("Compare");
        title.getStyleClass().add("library-title");
        TextField prompt = new TextField();
        prompt.setId("compare-prompt");
        prompt.textProperty().bindBidirectional(model.promptProperty());
        HBox.setHgrow(prompt, Priority.ALWAYS);
        Spinner<Integer> n = new Spinner<>(1, 512, model.tokensProperty().get(), 8);
        n.setId("compare-tokens");
        n.setEditable(true);
        n.setPrefWidth(90);
        n.valueProperty().addListener((o, a, b) -> model.tokensProperty().set(b));
        Spinner<Double> temp =
                new Spinner<>(0.0, 2.0, model.temperatureProperty().get(), 0.1);
        temp.setId("compare-temp");
        temp.setPrefWidth(80);
        temp.valueProperty()
                .addListener((o, a, b) -> model.temperatureProperty().set(b));
        TextField seed = new TextField(Long.toString(model.seedProperty().get()));
        seed.setId("compare-seed");
        seed.setPrefColumnCount(6);
        seed.setTooltip(new javafx.scene.control.Tooltip(
                "The same seed for every model, so sampling differs only by the weights"));
        seed.textProperty().addListener((o, a, b) -> {
            try {
                model.seedProperty().set(Long.parseLong(b.strip()));
                seed.getStyleClass().remove("compare-bad-input");
            } catch (NumberFormatException e) {
                if (!seed.getStyleClass().contains("compare-bad-input")) {
                    seed.getStyleClass().add("compare-bad-input");
                }
            }
        });
        seed.disableProperty().bind(model.temperatureProperty().isEqualTo(0, 1e-9));
        Button run = new Button("Run");
        run.setId("compare-run");
        run.setDefaultButton(true);
        run.disableProperty().bind(model.runningProperty());
        run.setOnAction(e -> model.run());
        Button stop = new Button("Stop");
        stop.setId("compare-stop");
        stop.disableProperty().bind(model.runningProperty().not());
        stop.setOnAction(e -> model.stop());
        HBox bar = new HBox(
                8,
                new Label("Prompt"),
                prompt,
                new Label("Tokens"),
                n,
                new Label("Temp."),
                temp,
                new Label("Seed"),
                seed,
                run,
                stop);
        bar.setAlignment(Pos.CENTER_LEFT);

        Label status = new Label();
        status.setId("compare-status");
        status.getStyleClass().add("levels-status");
        status.textProperty().bind(model.statusProperty());

        choices = new VBox(6);
        choices.setId("compare-choices");
        Label pick = new Label("Variants");
        pick.getStyleClass().add("levels-panel-title");
        VBox left = new VBox(8, pick, choices, legend());
        left.setPrefWidth(240);
        left.setMinWidth(200);

        columns = new HBox(12);
        columns.setId("compare-columns");
        columns.setFillHeight(true);
        ScrollPane scroll = new ScrollPane(columns);
        scroll.setFitToHeight(true);
        scroll.setId("compare-scroll");
        HBox.setHgrow(scroll, Priority.ALWAYS);

        HBox body = new HBox(16, left, scroll);
        VBox.setVgrow(body, Priority.ALWAYS);
        VBox root = new VBox(10, title, bar, status, body);
        root.setPadding(new Insets(16));
        root.setId("compare-view");
        initListeners();
        return new BorderPane(root);
    }

    private static Node legend() {
        Label head = new Label("Token colour: KLD against the base");
        head.getStyleClass().add("library-fact-name");
        head.setWrapText(true);
        VBox box = new VBox(4, head);
        String[][] rows = {
            {"compare-kld-low", "< 0.01 nats"},
            {"compare-kld-mid", "0.01 – 0.1"},
            {"compare-kld-high", "0.1 – 0.5"},
            {"compare-kld-max", "≥ 0.5"}
        };
        for (String[] r : rows) {
            Text t = new Text("token " + r[1]);
            t.getStyleClass().addAll("compare-token", r[0]);
            box.getChildren().add(new TextFlow(t));
        }
        Text first = new Text("first token off the base's text");
        first.getStyleClass().addAll("compare-token", "compare-first-divergent");
        box.getChildren().add(new TextFlow(first));
        return box;
    }

    private void initListeners() {
        model.available().addListener((ListChangeListener<Path>) c -> refreshChoices());
        model.chosen().addListener((ListChangeListener<Path>) c -> refreshChoices());
        model.columns().addListener((ListChangeListener<CompareViewModel.Column>) c -> refreshColumns());
        refreshChoices();
    }

    private void refreshChoices() {
        choices.getChildren().clear();
        if (model.available().isEmpty()) {
            Label none = new Label("No variants yet: create some in the Levels tab.");
            none.setWrapText(true);
            none.getStyleClass().add("levels-status");
            choices.getChildren().add(none);
            return;
        }
        for (Path p : model.available()) {
            CheckBox box = new CheckBox(p.getFileName().toString());
            io.quantscope.app.ui.GgufNames.fromFileName(p.getFileName().toString())
                    .ifPresent(text -> box.setTooltip(new javafx.scene.control.Tooltip(text)));
            box.setMnemonicParsing(false);
            box.setSelected(model.chosen().contains(p));
            box.setId("compare-choice-" + p.getFileName());
            box.selectedProperty().addListener((o, a, on) -> {
                if (on && !model.chosen().contains(p)) {
                    model.chosen().add(p);
                } else if (!on) {
                    model.chosen().remove(p);
                }
            });
            choices.getChildren().add(box);
        }
    }

    private void refreshColumns() {
        columns.getChildren().clear();
        for (CompareViewModel.Column col : model.columns()) {
            Label head = new Label(col.title());
            head.getStyleClass().add("compare-column-title");
            Label summary = new Label();
            summary.getStyleClass().add("library-fact-name");
            summary.setWrapText(true);
            summary.textProperty().bind(col.summaryProperty());
            // two lines for every column, so the texts start level and read across
            summary.setMinHeight(2.6 * summary.getFont().getSize() + 4);
            summary.setAlignment(javafx.geometry.Pos.TOP_LEFT);
            TextFlow text = new TextFlow();
            text.getStyleClass().add("compare-text");
            col.tokens().addListener((ListChangeListener<CompareViewModel.TokenCell>) c -> {
                // streaming appends one token at a time: add its node; anything else (the KLD colours) rebuilds
                boolean appended = true;
                while (c.next()) {
                    if (c.wasAdded()
                            && !c.wasRemoved()
                            && c.getFrom() == text.getChildren().size() - 1) {
                        c.getAddedSubList().forEach(t -> text.getChildren().add(token(t)));
                    } else {
                        appended = false;
                    }
                }
                if (!appended) {
                    fill(text, col);
                }
            });
            fill(text, col);
            VBox box = new VBox(6, head, summary, text);
            box.getStyleClass().add(col.isBase() ? "compare-column-base" : "compare-column");
            box.setPrefWidth(300);
            box.setMinWidth(260);
            box.setPadding(new Insets(10));
            columns.getChildren().add(box);
        }
    }

    private void fill(TextFlow flow, CompareViewModel.Column col) {
        flow.getChildren().clear();
        Text prompt = new Text(model.promptProperty().get());
        prompt.getStyleClass().addAll("compare-token", "compare-prompt-text");
        flow.getChildren().add(prompt);
        for (CompareViewModel.TokenCell t : col.tokens()) {
            flow.getChildren().add(token(t));
        }
    }

    private static Text token(CompareViewModel.TokenCell t) {
        Text node = new Text(t.text());
        node.getStyleClass().addAll("compare-token", kldClass(t.kld()));
        if (t.firstDivergent()) {
            node.getStyleClass().add("compare-first-divergent");
        }
        return node;
    }

    static String kldClass(double kld) {
        if (Double.isNaN(kld) || kld < 0.01) {
            return "compare-kld-low";
        }
        return kld < 0.1 ? "compare-kld-mid" : kld < 0.5 ? "compare-kld-high" : "compare-kld-max";
    }
}
