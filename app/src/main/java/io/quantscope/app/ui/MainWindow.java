package io.quantscope.app.ui;

import io.quantscope.app.cli.Machine;
import io.quantscope.app.cli.Versions;
import io.quantscope.app.compare.CompareView;
import io.quantscope.app.compare.CompareViewModel;
import io.quantscope.app.concurrent.BackgroundRunner;
import io.quantscope.app.library.ModelCardView;
import io.quantscope.app.library.ModelCardViewModel;
import io.quantscope.app.settings.Settings;
import io.quantscope.app.settings.SettingsStore;
import io.quantscope.app.variants.LevelsView;
import io.quantscope.app.variants.LevelsViewModel;
import io.quantscope.app.variants.VariantsView;
import io.quantscope.app.variants.VariantsViewModel;
import io.quantscope.app.weights.WeightsView;
import io.quantscope.app.weights.WeightsViewModel;
import io.quantscope.samples.SampleModels;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.CheckMenuItem;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import javafx.util.Duration;

/** The main window's content: menu, the model card, a status bar; opens files chosen, dropped or bundled. */
public final class MainWindow {
    private final BackgroundRunner runner;
    private final ModelCardViewModel card;
    private final LevelsViewModel levels;
    private final VariantsViewModel variants;
    private final CompareViewModel compare;
    private final WeightsViewModel weights;
    private final Path cacheDir;
    private final ReadOnlyIntegerProperty runningJobs;
    private Scene scene;
    private SettingsStore settingsStore;
    private Settings settings = Settings.defaults();
    private final Menu recent = new Menu("Open recent");
    private CheckMenuItem darkItem;
    private TabPane tabs;

    /** @param runningJobs jobs in flight, for the status bar (may be null) */
    public MainWindow(BackgroundRunner runner, Path cacheDir, ReadOnlyIntegerProperty runningJobs) {
        this(runner, cacheDir, runningJobs, cacheDir.resolve("workspace"), Runnable::run);
    }

    /**
     * @param workspace where variants are written
     * @param jobs runs variant jobs (the app's executor)
     */
    public MainWindow(
            BackgroundRunner runner,
            Path cacheDir,
            ReadOnlyIntegerProperty runningJobs,
            Path workspace,
            java.util.concurrent.Executor jobs) {
        this.runner = runner;
        this.cacheDir = cacheDir;
        this.runningJobs = runningJobs;
        this.card = new ModelCardViewModel(runner);
        this.levels = new LevelsViewModel(runner, Machine.physicalMemory());
        this.variants = new VariantsViewModel(jobs, workspace);
        this.compare = new CompareViewModel(runner);
        this.weights = new WeightsViewModel(runner);
        levels.setWorkspace(() -> variants.workspaceProperty().get());
        // new measurements only change the ladder's measured column: re-read the records, not the whole ranking
        variants.measuredProperty().addListener((o, a, b) -> levels.refreshMeasured());
        variants.variants().addListener((javafx.collections.ListChangeListener<io.quantscope.app.variants.VariantInfo>)
                c -> {
                    var paths = variants.variants().stream()
                            .map(io.quantscope.app.variants.VariantInfo::path)
                            .toList();
                    compare.available().setAll(paths);
                    compare.chosen().retainAll(paths);
                    while (c.next()) {
                        for (var added : c.getAddedSubList()) {
                            // new variants join the comparison, up to three at a time
                            if (compare.chosen().size() < 3 && !compare.chosen().contains(added.path())) {
                                compare.chosen().add(added.path());
                            }
                        }
                    }
                });
        card.cardProperty().addListener((obs, old, c) -> {
            if (c != null && !c.path().startsWith(cacheDir)) {
                save(settings.withRecent(c.path().toString()));
                refreshRecent();
            }
            if (c != null) {
                compare.baseProperty().set(c.path());
                loadVisibleTab(); // Levels and Weights scan the model: only when a person looks at them
            }
        });
    }

    /** Loads the open model into the Levels or Weights tab if that tab is showing and holds another model. */
    private void loadVisibleTab() {
        var c = card.cardProperty().get();
        if (c == null || tabs == null) {
            return;
        }
        String id = tabs.getSelectionModel().getSelectedItem().getId();
        if ("tab-levels".equals(id) && !c.path().equals(levels.loadedModel())) {
            levels.load(c.path());
        } else if ("tab-weights".equals(id) && !c.path().equals(weights.loadedModel())) {
            weights.load(c.path());
        }
    }

    public VariantsViewModel variantsModel() {
        return variants;
    }

    public WeightsViewModel weightsModel() {
        return weights;
    }

    public CompareViewModel compareModel() {
        return compare;
    }

    public LevelsViewModel levelsModel() {
        return levels;
    }

    /** Shows the tab with this id ({@code tab-model}, {@code tab-levels}). */
    public void showTab(String id) {
        tabs.getTabs().stream()
                .filter(t -> id.equals(t.getId()))
                .findFirst()
                .ifPresent(t -> tabs.getSelectionModel().select(t));
    }

    /**
     * Remembers window size, theme, workspace and recent files in {@code store}, and applies what it holds now. Call
     * before {@link #createScene} is shown.
     */
    public void useSettings(SettingsStore store) {
        this.settingsStore = store;
        this.settings = store.load();
        if (settings.workspace() != null) {
            variants.workspaceProperty().set(Path.of(settings.workspace()));
        }
        variants.workspaceProperty().addListener((o, a, b) -> save(settings.withWorkspace(b.toString())));
        refreshRecent();
    }

    /** The settings as they are now (window size from the scene). */
    public Settings settings() {
        return scene == null ? settings : settings.withWindow(scene.getWidth(), scene.getHeight());
    }

    /** Saves the current settings (window size included). */
    public void saveSettings() {
        save(settings());
    }

    private void save(Settings s) {
        settings = s;
        if (settingsStore != null) {
            settingsStore.save(s);
        }
    }

    private void refreshRecent() {
        recent.getItems().clear();
        for (String f : settings.recentFiles()) {
            MenuItem item = new MenuItem(f);
            item.setMnemonicParsing(false);
            item.setOnAction(e -> open(Path.of(f)));
            recent.getItems().add(item);
        }
        recent.setDisable(recent.getItems().isEmpty());
    }

    public ModelCardViewModel cardModel() {
        return card;
    }

    public Scene createScene(double width, double height) {
        BorderPane root = new BorderPane();
        root.setId("main-window");
        root.setTop(createMenu());
        Tab model = new Tab("Model", new ModelCardView(card).createView());
        model.setId("tab-model");
        Tab levelsTab = new Tab(
                "Levels",
                new LevelsView(levels)
                        .onCreate(presets -> {
                            var c = card.cardProperty().get();
                            if (c != null && !presets.isEmpty()) {
                                variants.create(c.path(), presets);
                                showTab("tab-variants");
                            }
                        })
                        .createView());
        levelsTab.setId("tab-levels");
        Tab variantsTab = new Tab("Variants", new VariantsView(variants).createView());
        variantsTab.setId("tab-variants");
        Tab compareTab = new Tab("Compare", new CompareView(compare).createView());
        compareTab.setId("tab-compare");
        Tab weightsTab = new Tab("Weights", new WeightsView(weights).createView());
        weightsTab.setId("tab-weights");
        tabs = new TabPane(model, levelsTab, variantsTab, weightsTab, compareTab);
        tabs.setId("main-tabs");
        tabs.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> loadVisibleTab());
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        root.setCenter(tabs);
        root.setBottom(createStatusBar());
        scene = new Scene(root, width, height);
        Theme.LIGHT.apply(scene);
        if (settings.dark()) {
            darkItem.setSelected(true);
        }
        initDragAndDrop(root);
        card.errorProperty().addListener((obs, old, msg) -> {
            if (msg != null) {
                showError(msg);
            }
        });
        return scene;
    }

    /** Opens the bundled sample model (created in the cache folder on first use). */
    public void openSample() {
        runner.run("Preparing the sample model", () -> SampleModels.defaultModel(cacheDir), card::open, ex -> {
            showError("The sample model could not be prepared: " + ex.getMessage());
        });
    }

    public void open(Path path) {
        card.open(path);
    }

    private MenuBar createMenu() {
        MenuItem open = new MenuItem("Open…");
        open.setId("menu-open");
        open.setAccelerator(KeyCombination.keyCombination("Shortcut+O"));
        open.setOnAction(e -> chooseFile());
        MenuItem sample = new MenuItem("Open sample model");
        sample.setOnAction(e -> openSample());
        MenuItem quit = new MenuItem("Quit");
        quit.setAccelerator(KeyCombination.keyCombination("Shortcut+Q"));
        quit.setOnAction(e -> scene.getWindow().hide());
        recent.setId("menu-recent");
        Menu file = new Menu("File", null, open, recent, sample, quit);

        CheckMenuItem dark = new CheckMenuItem("Dark theme");
        darkItem = dark;
        dark.setId("menu-dark");
        dark.setAccelerator(KeyCombination.keyCombination("Shortcut+D"));
        dark.selectedProperty().addListener((obs, old, on) -> {
            (on ? Theme.DARK : Theme.LIGHT).apply(scene);
            save(settings.withDark(on));
        });
        Menu view = new Menu("View", null, dark, new javafx.scene.control.SeparatorMenuItem());
        String[][] tabItems = {
            {"tab-model", "Model"},
            {"tab-levels", "Levels"},
            {"tab-variants", "Variants"},
            {"tab-weights", "Weights"},
            {"tab-compare", "Compare"}
        };
        for (int i = 0; i < tabItems.length; i++) {
            String id = tabItems[i][0];
            MenuItem go = new MenuItem(tabItems[i][1]);
            go.setAccelerator(KeyCombination.keyCombination("Shortcut+" + (i + 1)));
            go.setOnAction(e -> showTab(id));
            view.getItems().add(go);
        }

        Menu actions = new Menu("Actions");
        String[][] actionItems = {
            // text, accelerator, tab, button
            {"Create selected variants", "Shortcut+N", "tab-levels", "levels-create"},
            {"Measure quality of selected variants", "Shortcut+M", "tab-variants", "variants-measure"},
            {"Export selected variant…", "Shortcut+E", "tab-variants", "variants-export"},
            {"Run comparison", "Shortcut+R", "tab-compare", "compare-run"}
        };
        for (String[] a : actionItems) {
            MenuItem item = new MenuItem(a[0]);
            item.setId("menu-" + a[3]);
            item.setAccelerator(KeyCombination.keyCombination(a[1]));
            item.setOnAction(e -> runAction(a[2], a[3]));
            actions.getItems().add(item);
        }

        MenuItem about = new MenuItem("About Quantscope");
        about.setOnAction(e -> {
            Alert a = new Alert(Alert.AlertType.INFORMATION, String.join("\n", new Versions().getVersion()));
            a.setHeaderText("Quantscope");
            a.initOwner(scene.getWindow());
            a.show();
        });
        Menu help = new Menu("Help", null, about);
        return new MenuBar(file, view, actions, help);
    }

    /**
     * Shows the tab an action lives on and presses its button, if the button can be pressed now (the same rules as a
     * click: nothing selected, nothing happens).
     */
    private void runAction(String tabId, String buttonId) {
        showTab(tabId);
        if (scene.lookup("#" + buttonId) instanceof javafx.scene.control.ButtonBase b && !b.isDisabled()) {
            b.fire();
        }
    }

    private HBox createStatusBar() {
        Label path = new Label();
        path.setId("status-file");
        path.textProperty()
                .bind(Bindings.createStringBinding(
                        () -> {
                            if (card.loadingProperty().get()) {
                                return "Opening…";
                            }
                            var c = card.cardProperty().get();
                            return c == null
                                    ? "Drop a .gguf file here, or use File → Open"
                                    : c.path().toString();
                        },
                        card.cardProperty(),
                        card.loadingProperty()));
        Label jobs = new Label();
        jobs.setId("status-jobs");
        if (runningJobs != null) {
            // background work plus variant and measurement jobs
            jobs.textProperty().bind(Bindings.format("%d running", runningJobs.add(Bindings.size(variants.jobs()))));
        }
        Label memory = new Label(memoryInUse());
        memory.setId("status-memory");
        Timeline refresh = new Timeline(new KeyFrame(Duration.seconds(2), e -> memory.setText(memoryInUse())));
        refresh.setCycleCount(Animation.INDEFINITE);
        refresh.play();
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        HBox bar = new HBox(16, path, spacer, jobs, memory);
        bar.getStyleClass().add("shell-status-bar");
        return bar;
    }

    private static String memoryInUse() {
        Runtime rt = Runtime.getRuntime();
        return (rt.totalMemory() - rt.freeMemory()) / (1 << 20) + " MiB heap";
    }

    private void initDragAndDrop(BorderPane root) {
        root.setOnDragOver(e -> {
            if (ggufIn(e.getDragboard().getFiles()) != null) {
                e.acceptTransferModes(TransferMode.COPY);
                if (!root.getStyleClass().contains("shell-drop-target")) {
                    root.getStyleClass().add("shell-drop-target");
                }
            }
            e.consume();
        });
        root.setOnDragExited(e -> root.getStyleClass().remove("shell-drop-target"));
        root.setOnDragDropped(e -> {
            File f = ggufIn(e.getDragboard().getFiles());
            if (f != null) {
                open(f.toPath());
            }
            e.setDropCompleted(f != null);
            e.consume();
        });
    }

    private static File ggufIn(List<File> files) {
        return files.stream()
                .filter(f -> f.getName().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf"))
                .findFirst()
                .orElse(null);
    }

    private void chooseFile() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a GGUF model");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("GGUF models", "*.gguf"));
        Window w = scene.getWindow();
        File f = chooser.showOpenDialog(w);
        if (f != null) {
            open(f.toPath());
        }
    }

    private void showError(String message) {
        Alert a = new Alert(Alert.AlertType.ERROR, message);
        a.setHeaderText("This file cannot be opened");
        a.getDialogPane().setId("error-dialog");
        if (scene.getWindow() != null) {
            a.initOwner(scene.getWindow());
        }
        a.show();
    }
}
