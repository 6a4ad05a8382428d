package io.quantscope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.app.concurrent.FxBackgroundRunner;
import io.quantscope.app.library.ModelCard;
import io.quantscope.samples.SampleModels;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.embed.swing.SwingFXUtils;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.DragEvent;
import javafx.scene.input.Dragboard;
import javafx.scene.input.TransferMode;
import javafx.stage.Stage;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** The window opens the sample model, opens a dropped file, and is saved as screenshots in target/screenshots. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    @TempDir
    static Path cache;

    private FxBackgroundRunner runner;
    private MainWindow window;
    private Scene scene;

    @Start
    void start(Stage stage) {
        runner = new FxBackgroundRunner();
        window = new MainWindow(runner, cache, runner.runningProperty(), cache.resolve("workspace"), runner.executor());
        scene = window.createScene(1280, 800);
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void stop() {
        runner.close();
    }

    @Test
    void opensTheSampleModelOnRequest(FxRobot robot) throws Exception {
        robot.interact(() -> window.openSample());
        waitForCard(robot, "Quantscope Stories");
        TableView<?> table = robot.lookup("#tensor-table").queryAs(TableView.class);
        assertEquals(39, table.getItems().size());
        snapshot("01-model-card-sample.png");
        robot.clickOn("#tensor-filter").write("ffn_down");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(4, table.getItems().size());
    }

    @Test
    void opensAFileDroppedOnTheWindow(FxRobot robot) throws Exception {
        Path model = SharedFiles.require("golden/stories260K-wide-Q4_K_M.gguf");
        robot.interact(() -> {
            var root = scene.getRoot();
            // a Dragboard as the toolkit makes one for a drop from another application
            Dragboard db = com.sun.javafx.scene.input.DragboardHelper.createDragboard(new ExternalDragPeer());
            ClipboardContent content = new ClipboardContent();
            content.putFiles(List.of(model.toFile()));
            db.setContent(content);
            root.fireEvent(dragEvent(DragEvent.DRAG_OVER, db, root));
            root.fireEvent(dragEvent(DragEvent.DRAG_DROPPED, db, root));
        });
        waitForCard(robot, "llama");
        ModelCard card = window.cardModel().cardProperty().get();
        assertEquals(model, card.path());
        Label status = robot.lookup("#status-file").queryAs(Label.class);
        assertEquals(model.toString(), status.getText());
        snapshot("02-model-card-dropped-q4_k_m.png");
        robot.interact(() -> Theme.DARK.apply(scene));
        snapshot("03-model-card-dark.png");
    }

    /**
     * Journeys 3–7 on the bundled sample model, as a newcomer meets them: the Levels tab with every preset on the chart
     * and ladder and the memory panel; two variants created from the ladder (through the Actions menu's shortcut);
     * measured on the built-in stories; compared side by side; one exported; the weights as Q2_K.
     */
    @Test
    void walksTheJourneysOnTheSampleModel(FxRobot robot) throws Exception {
        Path source = SampleModels.defaultModel(cache);
        robot.interact(() -> window.openSample());
        waitForCard(robot, "Quantscope Stories");
        robot.interact(() -> window.showTab("tab-levels")); // the ladder is computed when the tab is shown
        WaitForAsyncUtils.waitFor(
                20, TimeUnit.SECONDS, () -> window.levelsModel().rows().size() == 14);
        WaitForAsyncUtils.waitForFxEvents();
        TableView<?> table = robot.lookup("#levels-table").queryAs(TableView.class);
        assertEquals(14, table.getItems().size());
        assertEquals("Q4_K_M", window.levelsModel().selectedProperty().get(), "a sensible default");
        Label verdict = robot.lookup("#levels-verdict").queryAs(Label.class);
        assertTrue(verdict.getText().startsWith("Q4_K_M: fits"), verdict.getText());
        snapshot("04-levels.png");
        robot.interact(() -> {
            window.levelsModel().selectedProperty().set("Q8_0");
            window.levelsModel().ctxProperty().set(128);
        });
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(verdict.getText().startsWith("Q8_0: fits"), verdict.getText());
        assertEquals(
                128,
                robot.lookup("#levels-ctx")
                        .queryAs(javafx.scene.control.Slider.class)
                        .getValue(),
                "the slider follows the context");
        robot.interact(() -> Theme.DARK.apply(scene));
        snapshot("05-levels-dark.png");
        robot.interact(() -> Theme.LIGHT.apply(scene));

        // journey 4: create two variants from the ladder; they run as jobs and land in the workspace
        javafx.scene.control.Button create = robot.lookup("#levels-create").queryButton();
        assertEquals("Create Q8_0 variant", create.getText());
        TableView<?> ladder = robot.lookup("#levels-table").queryAs(TableView.class);
        robot.interact(() -> {
            ladder.getSelectionModel().clearSelection();
            ladder.getSelectionModel().select(13); // Q8_0
            ladder.getSelectionModel().select(7); // Q4_K_M
        });
        assertEquals("Create 2 variants (Q4_K_M, Q8_0)", create.getText());
        robot.interact(() -> menuItem("menu-levels-create").fire()); // Actions → Create selected variants (Ctrl+N)
        snapshot("06-variants-running.png");
        try {
            WaitForAsyncUtils.waitFor(
                    60,
                    TimeUnit.SECONDS,
                    () -> window.variantsModel().variants().size() == 2);
        } catch (TimeoutException e) {
            throw new AssertionError("jobs " + window.variantsModel().jobs().size() + ", error "
                    + window.variantsModel().lastErrorProperty().get());
        }
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(window.variantsModel().jobs().isEmpty());
        Path made = cache.resolve("workspace").resolve("quantscope-stories-Q8_0.gguf");
        assertTrue(Files.exists(made));
        // the two jobs run side by side, so either may finish first
        assertEquals(
                Files.size(made),
                window.variantsModel().variants().stream()
                        .filter(v -> v.preset().equals("Q8_0"))
                        .findFirst()
                        .orElseThrow()
                        .bytes());
        TableView<?> variants = robot.lookup("#variants-table").queryAs(TableView.class);
        assertEquals(2, variants.getItems().size());
        snapshot("07-variants-made.png");

        // journey 3, measured: both variants on a text; the ladder then shows their KLD
        var measure = WaitForAsyncUtils.asyncFx(() -> window.variantsModel()
                        .measureBuiltIn(
                                source, List.copyOf(window.variantsModel().variants()), 128))
                .get();
        measure.get(120, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitFor(
                20,
                TimeUnit.SECONDS,
                () -> window.levelsModel().rows().stream()
                        .anyMatch(
                                r -> r.preset().equals("Q4_K_M") && r.measured().isPresent()));
        robot.interact(() -> window.showTab("tab-levels"));
        WaitForAsyncUtils.waitForFxEvents();
        snapshot("07b-levels-measured.png");

        // journey 6: the base and both variants on one prompt, side by side
        robot.interact(() -> window.showTab("tab-compare"));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(2, window.compareModel().chosen().size());
        assertTrue(
                robot.lookup((javafx.scene.Node n) -> "compare-choice-quantscope-stories-Q4_K_M.gguf".equals(n.getId()))
                        .queryAs(javafx.scene.control.CheckBox.class)
                        .isSelected());
        robot.interact(() -> menuItem("menu-compare-run").fire()); // Actions → Run comparison (Ctrl+R)
        WaitForAsyncUtils.waitFor(
                60,
                TimeUnit.SECONDS,
                () -> !window.compareModel().runningProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        var cols = window.compareModel().columns();
        assertEquals(3, cols.size(), window.compareModel().statusProperty().get());
        assertEquals(48, cols.get(0).tokens().size());
        String baseText = cols.get(0).tokens().stream()
                .map(io.quantscope.app.compare.CompareViewModel.TokenCell::text)
                .collect(java.util.stream.Collectors.joining());
        assertTrue(baseText.contains(" named "), "the trained model tells a story: " + baseText);
        assertTrue(
                cols.stream().skip(1).allMatch(c -> c.run() != null && c.run().kld().length == 48));
        assertTrue(
                window.compareModel().statusProperty().get().startsWith("Done"),
                window.compareModel().statusProperty().get());
        snapshot("08-compare.png");

        // journey 7: export the chosen variant (the save dialog is the OS's; the test calls what it calls)
        robot.interact(() -> window.showTab("tab-variants"));
        TableView<?> made2 = robot.lookup("#variants-table").queryAs(TableView.class);
        var q4km = window.variantsModel().variants().stream()
                .filter(v -> v.preset().equals("Q4_K_M"))
                .findFirst()
                .orElseThrow();
        robot.interact(() -> made2.getSelectionModel().select(made2.getItems().indexOf(q4km)));
        Path exported = cache.resolve("exported").resolve("quantscope-stories-Q4_K_M.gguf");
        Files.createDirectories(exported.getParent());
        var export = WaitForAsyncUtils.asyncFx(() -> window.variantsModel().export(q4km, exported))
                .get();
        export.get(30, TimeUnit.SECONDS);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(
                Files.size(cache.resolve("workspace").resolve("quantscope-stories-Q4_K_M.gguf")), Files.size(exported));
        Label status2 = robot.lookup("#variants-export-status").queryAs(Label.class);
        assertTrue(status2.getText().endsWith("verified)"), status2.getText());
        snapshot("09-exported.png");

        // journey 5: inside the weights, as Q2_K
        robot.interact(() -> {
            window.showTab("tab-weights");
            window.weightsModel().typeProperty().set(io.quantscope.tensor.GgmlType.Q2_K);
        });
        WaitForAsyncUtils.waitFor(20, TimeUnit.SECONDS, () -> {
            var d = window.weightsModel().detailProperty().get();
            return d != null && d.type() == io.quantscope.tensor.GgmlType.Q2_K;
        });
        WaitForAsyncUtils.waitForFxEvents();
        var d = window.weightsModel().detailProperty().get();
        assertEquals("blk.0.ffn_down.weight", d.tensor());
        assertEquals(4, d.heat().length, "one heat-map row per layer");
        assertTrue(
                d.error().relErrPct() > 10,
                "Q2_K's error is visible: " + d.error().relErrPct());
        snapshot("10-weights.png");
    }

    @Test
    void remembersRecentFilesThemeAndWorkspace(FxRobot robot) throws Exception {
        Path cfg = Files.createTempDirectory("quantscope-settings").resolve("settings.json");
        var store = new io.quantscope.app.settings.SettingsStore(cfg);
        robot.interact(() -> window.useSettings(store));
        Path model = SharedFiles.require("golden/stories260K-wide-Q4_K_M.gguf");
        robot.interact(() -> window.open(model));
        waitForCard(robot, "llama");
        assertEquals(List.of(model.toString()), store.load().recentFiles());
        robot.interact(() -> window.variantsModel().workspaceProperty().set(cache.resolve("elsewhere")));
        assertEquals(cache.resolve("elsewhere").toString(), store.load().workspace());
        robot.interact(window::saveSettings);
        assertEquals(1280, store.load().windowWidth(), 1);
    }

    private javafx.scene.control.MenuItem menuItem(String id) {
        var bar = (javafx.scene.control.MenuBar) scene.lookup(".menu-bar");
        return bar.getMenus().stream()
                .flatMap(m -> m.getItems().stream())
                .filter(i -> id.equals(i.getId()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no menu item " + id));
    }

    private static DragEvent dragEvent(javafx.event.EventType<DragEvent> type, Dragboard db, javafx.scene.Node target) {
        return new DragEvent(target, target, type, db, 10, 10, 10, 10, TransferMode.COPY, target, target, null);
    }

    private void waitForCard(FxRobot robot, String title) throws TimeoutException {
        WaitForAsyncUtils.waitFor(
                10,
                TimeUnit.SECONDS,
                () -> title.equals(
                        robot.lookup("#model-title").queryAs(Label.class).getText()));
        WaitForAsyncUtils.waitForFxEvents();
    }

    private void snapshot(String name) throws IOException {
        Path dir = Path.of("target", "screenshots");
        Files.createDirectories(dir);
        var image = WaitForAsyncUtils.asyncFx(() -> scene.snapshot(null));
        try {
            ImageIO.write(
                    SwingFXUtils.fromFXImage(image.get(10, TimeUnit.SECONDS), null),
                    "png",
                    dir.resolve(name).toFile());
        } catch (Exception e) {
            throw new IOException("could not save " + name, e);
        }
        assertTrue(Files.size(dir.resolve(name)) > 1000);
    }
}
