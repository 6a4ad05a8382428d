package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class BenchmarkTest {
    @Test
    void roundsAreSteadyOnlyWhenBothFiguresAgreeWithinTheTolerance() {
        assertFalse(Benchmark.steady(null, new double[] {100, 10}, 0.05), "no previous round");
        assertTrue(Benchmark.steady(new double[] {100, 10}, new double[] {96, 10.4}, 0.05));
        assertFalse(Benchmark.steady(new double[] {100, 10}, new double[] {94, 10}, 0.05), "pp 6% off");
        assertFalse(Benchmark.steady(new double[] {100, 10}, new double[] {100, 10.6}, 0.05), "tg 6% off");
        assertFalse(Benchmark.steady(new double[] {100, 10.6}, new double[] {100, 10}, 0.05), "either direction");
        assertTrue(Benchmark.steady(new double[] {0, 10}, new double[] {0, 10.2}, 0.05), "pp not measured");
    }

    @Test
    void runsTheWarmUpRoundsAskedForOrUntilSteady() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            Transformer t = Transformer.of(f);
            Benchmark.Result fixed = Benchmark.run(t, 8, 4, 1, 1, 3);
            assertEquals(3, fixed.warmupRounds());
            assertTrue(fixed.ppTokS() > 0 && fixed.tgTokS() > 0, fixed.toString());
            assertEquals(0, Benchmark.run(t, 8, 4, 1, 1, 0).warmupRounds());
            Benchmark.Result auto = Benchmark.run(t, 8, 4, 1, 2, Benchmark.AUTO_WARMUP);
            assertTrue(
                    auto.warmupRounds() >= Benchmark.MIN_AUTO_WARMUP
                            && auto.warmupRounds() <= Benchmark.MAX_AUTO_WARMUP,
                    auto.toString());
            Benchmark.Result genOnly = Benchmark.run(t, 0, 4, 1, 1, 1);
            assertEquals(0, genOnly.ppTokS());
            assertTrue(genOnly.tgTokS() > 0);
            assertThrows(IllegalArgumentException.class, () -> Benchmark.run(t, 8, 4, 1, 1, -2));
        }
    }
}
