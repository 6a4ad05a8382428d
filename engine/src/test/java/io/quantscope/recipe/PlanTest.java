package io.quantscope.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufHeader;
import io.quantscope.model.ModelShape;
import io.quantscope.model.SyntheticModel;
import io.quantscope.tensor.GgmlType;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PlanTest {
    /** llama.cpp's published model sizes for Llama-3-8B (GiB of tensor data), from shapes alone. */
    @ParameterizedTest
    @CsvSource({"Q2_K, 2.95", "Q3_K_M, 3.74", "Q4_K_M, 4.58", "Q5_K_M, 5.33", "Q6_K, 6.14", "Q8_0, 7.95"})
    void reproducesLlamaCppsPublishedSizesForLlama3_8B(String preset, double gib) {
        GgufHeader shapes = SyntheticModel.header(ModelShape.llama3_8b(32), GgmlType.F16);
        Plan plan = Plan.of(shapes, QuantizeOptions.of(Preset.parse(preset).orElseThrow()));
        double actual = plan.tensorBytes() / (double) (1L << 30);
        assertEquals(gib, Math.round(actual * 100) / 100.0, 1e-9, preset + " is " + actual + " GiB");
    }

    @Test
    void choosesTheTypesLlamaQuantizeChoosesForQ4_K_M() {
        GgufHeader shapes = SyntheticModel.header(ModelShape.llama3_8b(32), GgmlType.F16);
        Map<String, GgmlType> types = Plan.of(shapes, QuantizeOptions.of(Preset.Q4_K_M)).entries().stream()
                .collect(
                        Collectors.toMap(e -> e.target().name(), e -> e.target().type()));
        assertEquals(GgmlType.Q6_K, types.get("output.weight"));
        assertEquals(GgmlType.Q4_K, types.get("token_embd.weight"));
        assertEquals(GgmlType.F32, types.get("blk.0.attn_norm.weight"));
        // use_more_bits(i, 32): i < 4, i >= 28, or (i - 4) % 3 == 2
        assertEquals(GgmlType.Q6_K, types.get("blk.0.attn_v.weight"));
        assertEquals(GgmlType.Q6_K, types.get("blk.6.ffn_down.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.7.ffn_down.weight"));
        assertEquals(GgmlType.Q6_K, types.get("blk.31.attn_v.weight"));
        assertEquals(GgmlType.Q4_K, types.get("blk.10.attn_q.weight"));
    }

    @Test
    void ordersTensorsAsLlamaQuantize() {
        GgufHeader shapes = SyntheticModel.header(ModelShape.llama3_8b(12), GgmlType.F16);
        List<String> names = Plan.of(shapes, QuantizeOptions.of(Preset.Q8_0)).entries().stream()
                .map(e -> e.target().name())
                .toList();
        assertEquals(
                List.of("output.weight", "output_norm.weight", "token_embd.weight", "blk.0.attn_k.weight"),
                names.subList(0, 4));
        assertTrue(names.indexOf("blk.2.attn_k.weight") < names.indexOf("blk.10.attn_k.weight"), "numeric blocks");
    }

    @Test
    void refusesLegacyTypesOnRowsThatAreNotWholeBlocks() throws IOException {
        try (GgufFile f = GgufFile.open(SharedFiles.require("models/stories260K.gguf"))) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> Plan.of(f.header(), QuantizeOptions.of(Preset.Q4_0)));
            assertTrue(e.getMessage().contains("'blk.0.ffn_down.weight' has rows of 172 weights"), e.getMessage());
        }
    }

    @Test
    void appliesOverridesAndTheOutputTypeOption() {
        GgufHeader shapes = SyntheticModel.header(ModelShape.llama3_8b(4), GgmlType.F16);
        QuantizeOptions opt = new QuantizeOptions(
                Preset.Q4_K_M,
                null,
                null,
                false,
                GgmlType.Q8_0,
                null,
                false,
                false,
                List.of(QuantizeOptions.TypeOverride.parse("ffn_down=Q5_K")));
        Map<String, GgmlType> types = Plan.of(shapes, opt).entries().stream()
                .collect(
                        Collectors.toMap(e -> e.target().name(), e -> e.target().type()));
        assertEquals(GgmlType.Q8_0, types.get("output.weight"));
        assertEquals(GgmlType.Q5_K, types.get("blk.0.ffn_down.weight"));
        assertThrows(IllegalArgumentException.class, () -> QuantizeOptions.TypeOverride.parse("ffn_down=Q9_K"));
    }

    @Test
    void q2_K_SNeedsAnImportanceMatrix() {
        GgufHeader shapes = SyntheticModel.header(ModelShape.llama3_8b(2), GgmlType.F16);
        assertThrows(IllegalArgumentException.class, () -> Plan.of(shapes, QuantizeOptions.of(Preset.Q2_K_S)));
    }
}
