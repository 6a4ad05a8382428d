package io.quantscope.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.convert.Cancellation;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class EvaluatorTest {
    private static final Path BASE = SharedFiles.require("models/stories260K-wide-f32.gguf");

    private static String text() throws IOException {
        return Files.readString(SharedFiles.require("data/tiny-stories-eval.txt"));
    }

    private static List<Path> variants() {
        return List.of(
                SharedFiles.require("golden/stories260K-wide-Q8_0.gguf"),
                SharedFiles.require("golden/stories260K-wide-Q4_0.gguf"));
    }

    @Test
    void recomputingTheBaseGivesTheSameFiguresAsKeepingIt() throws IOException {
        List<EvalProgress> events = new ArrayList<>();
        EvalReport kept = new Evaluator(EvalSettings.of(128, 2))
                .run(BASE, variants(), text(), "t", events::add, Cancellation.none());
        EvalReport recomputed = new Evaluator(new EvalSettings(128, 2, 0))
                .run(BASE, variants(), text(), "t", null, Cancellation.none());
        assertEquals(kept.variants(), recomputed.variants());
        assertEquals(kept.base(), recomputed.base());

        assertEquals(16, events.size(), "one event per chunk per variant");
        double last = 0;
        for (EvalProgress e : events) {
            assertTrue(e.fraction() > last, "progress moves forward");
            last = e.fraction();
        }
        assertEquals(1.0, last, 1e-12);
        assertEquals(kept.variants().get(1).kldMean(), events.getLast().kldMean(), 1e-12);
    }

    @Test
    void theBaseAloneGivesItsPerplexity() throws IOException {
        EvalReport r =
                new Evaluator(EvalSettings.of(128, 2)).run(BASE, List.of(), text(), "t", null, Cancellation.none());
        assertTrue(r.variants().isEmpty());
        assertEquals(4.396283, r.base().ppl(), 0.005 * 4.396283, "llama-perplexity's figure for the F32 model");
    }

    @Test
    void cancelStopsWithinAChunk() {
        Cancellation c = new Cancellation();
        List<EvalProgress> events = new ArrayList<>();
        assertThrows(
                CancellationException.class,
                () -> new Evaluator(EvalSettings.of(128, 2))
                        .run(
                                BASE,
                                variants(),
                                text(),
                                "t",
                                e -> {
                                    events.add(e);
                                    c.cancel();
                                },
                                c));
        assertEquals(1, events.size());
    }

    @Test
    void aVariantThatIsNotAModelIsNamedInTheError() {
        Path notModel = SharedFiles.require("golden/stories260K-wide.imatrix");
        Exception e = assertThrows(
                IOException.class,
                () -> new Evaluator(EvalSettings.of(128, 2))
                        .run(BASE, List.of(notModel), text(), "t", null, Cancellation.none()));
        assertTrue(e.getMessage().contains("stories260K-wide.imatrix"), e.getMessage());
    }
}
