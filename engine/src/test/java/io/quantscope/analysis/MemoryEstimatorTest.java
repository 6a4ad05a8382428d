package io.quantscope.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufHeader;
import io.quantscope.model.ModelShape;
import io.quantscope.model.SyntheticModel;
import io.quantscope.recipe.Preset;
import io.quantscope.tensor.GgmlType;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class MemoryEstimatorTest {
    private static final GgufHeader LLAMA3_8B = SyntheticModel.header(ModelShape.llama3_8b(32), GgmlType.F16);

    @Test
    void llama3At8kWithF16KvNeedsOneGibOfCache() {
        MemoryEstimate m =
                MemoryEstimator.estimate(LLAMA3_8B, Optional.empty(), 8192, KvType.F16, 0, OptionalLong.empty());
        assertEquals(1024L << 20, m.kvBytes());
        assertEquals(
                (544L << 20),
                MemoryEstimator.estimate(LLAMA3_8B, Optional.empty(), 8192, KvType.Q8_0, 0, OptionalLong.empty())
                        .kvBytes());
        assertEquals(
                (288L << 20),
                MemoryEstimator.estimate(LLAMA3_8B, Optional.empty(), 8192, KvType.Q4_0, 0, OptionalLong.empty())
                        .kvBytes());
        // 4·512·32·8192 attention scores + 4·512·(3·4096 + 2·14336) activations + 4·128256 logits
        assertEquals(4L * 512 * 32 * 8192 + 4L * 512 * (3 * 4096 + 2 * 14336) + 4L * 128256, m.computeBytes());
        assertEquals(m.weightsBytes() + m.kvBytes() + m.computeBytes() + m.overheadBytes(), m.totalBytes());
    }

    @Test
    void aPresetsWeightsAreTheDryRunsFromShapesAlone() {
        MemoryEstimate q4 = MemoryEstimator.estimate(
                LLAMA3_8B, Optional.of(Preset.Q4_K_M), 8192, KvType.F16, 0, OptionalLong.empty());
        assertEquals(4.58, q4.weightsBytes() / (double) (1L << 30), 0.005, "llama.cpp's published 4.58 GiB");
        assertEquals("Q4_K_M", q4.preset());
    }

    private static final Map<String, int[]> BLOCKS = Map.of(
            "F32", new int[] {4, 1},
            "F16", new int[] {2, 1},
            "Q4_0", new int[] {18, 32},
            "Q4_1", new int[] {20, 32},
            "Q5_0", new int[] {22, 32},
            "Q5_1", new int[] {24, 32},
            "Q8_0", new int[] {34, 32},
            "Q2_K", new int[] {84, 256},
            "Q3_K", new int[] {110, 256},
            "Q4_K", new int[] {144, 256});

    private static final Map<String, int[]> MORE_BLOCKS = Map.of(
            "Q5_K",
            new int[] {176, 256},
            "Q6_K",
            new int[] {210, 256},
            "IQ4_NL",
            new int[] {18, 32},
            "BF16",
            new int[] {2, 1});

    /** Every stories260K-wide golden: the estimate's weights equal its tensors' bytes from the manifest's shapes. */
    @Test
    void weightsOfEveryGoldenVariantAreItsTensorBytes() throws IOException {
        JsonNode manifest = new ObjectMapper()
                .readTree(SharedFiles.require("golden/manifest.json").toFile());
        GgufHeader f32;
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K-wide-f32.gguf"))) {
            f32 = f.header();
        }
        int checked = 0;
        for (JsonNode m : manifest.get("models")) {
            String file = m.get("file").asText();
            if (!file.startsWith("stories260K-wide-")
                    || file.contains("imx")
                    || file.equals("stories260K-wide-f32.gguf")) {
                continue;
            }
            long expected = 0;
            for (JsonNode t : m.get("tensors")) {
                String type = t.get("type").asText();
                int[] b = BLOCKS.containsKey(type) ? BLOCKS.get(type) : MORE_BLOCKS.get(type);
                long n = 1;
                for (JsonNode d : t.get("ne")) n *= d.asLong();
                expected += n / b[1] * b[0];
            }
            String preset = file.substring("stories260K-wide-".length(), file.length() - 5);
            MemoryEstimate planned =
                    MemoryEstimator.estimate(f32, Preset.parse(preset), 512, KvType.F16, 0, OptionalLong.empty());
            assertEquals(expected, planned.weightsBytes(), file + " planned from the F32 source");
            if (!preset.equals("BF16")) {
                try (GgufFile f = GgufFile.open(SharedFiles.require("golden/" + file))) {
                    MemoryEstimate asIs = MemoryEstimator.estimate(
                            f.header(), Optional.empty(), 512, KvType.F16, 0, OptionalLong.empty());
                    assertEquals(expected, asIs.weightsBytes(), file + " as it is");
                }
            }
            checked++;
        }
        assertTrue(checked >= 15, "checked " + checked);
    }

    @Test
    void verdictsAtTheThresholds() {
        assertEquals("fits", MemoryEstimate.Verdict.of("x", 1000, 900).verdict());
        assertEquals("tight", MemoryEstimate.Verdict.of("x", 1000, 901).verdict());
        assertEquals("tight", MemoryEstimate.Verdict.of("x", 1000, 1000).verdict());
        assertEquals("does not fit", MemoryEstimate.Verdict.of("x", 1000, 1001).verdict());
        MemoryEstimate m = MemoryEstimator.estimate(
                LLAMA3_8B, Optional.of(Preset.Q4_K_M), 8192, KvType.F16, 16L << 30, OptionalLong.of(6L << 30));
        assertEquals("this machine (RAM)", m.verdicts().getFirst().target());
        assertEquals("custom", m.verdicts().getLast().target());
        assertEquals(
                "does not fit", m.verdicts().getLast().verdict(), "4.6 GiB of weights + 1 GiB KV + buffers > 6 GiB");
        assertTrue(m.verdicts().stream()
                .anyMatch(v -> v.target().equals("8 GB GPU") && v.verdict().equals("fits")));
    }

    @Test
    void quantizedKvNeedsBlockAlignedHeads() {
        assertThrows(IllegalArgumentException.class, () -> KvType.Q8_0.bytes(48));
        assertEquals(KvType.Q4_0, KvType.parse("q4_0"));
        assertThrows(IllegalArgumentException.class, () -> KvType.parse("q5_1"));
    }
}
