package io.quantscope.app.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.recipe.Preset;
import io.quantscope.tensor.GgmlType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GgufNamesTest {
    @Test
    void everyPresetAndTypeIsExplainedInWords() {
        for (Preset p : Preset.values()) {
            String s = GgufNames.preset(p);
            assertTrue(s.startsWith(p.name() + ": "), s);
            assertTrue(s.length() > p.name().length() + 20, s);
        }
        for (GgmlType t : GgmlType.values()) {
            assertTrue(GgufNames.type(t).contains("bits per weight"), t.name());
        }
    }

    @Test
    void theNamePartsAreSpelledOut() {
        String m = GgufNames.preset(Preset.Q4_K_M);
        assertTrue(m.contains("K = K-quant") && m.contains("M = medium mix"), m);
        assertTrue(GgufNames.preset(Preset.Q3_K_S).contains("S = small mix"));
        assertTrue(GgufNames.preset(Preset.Q5_1).contains("a scale and a minimum"));
        assertTrue(GgufNames.preset(Preset.Q2_K_S).contains("importance matrix"));
        assertTrue(
                GgufNames.type(GgmlType.Q6_K).startsWith("Q6_K: 6.56 bits per weight; 6-bit K-quant"),
                GgufNames.type(GgmlType.Q6_K));
        assertTrue(GgufNames.type(GgmlType.Q8_0).startsWith("Q8_0: 8.50 bits per weight; 8-bit, one scale"));
    }

    @Test
    void presetsAreFoundInVariantFileNames() {
        assertEquals(Optional.of(GgufNames.preset(Preset.Q4_K_M)), GgufNames.fromFileName("stories-Q4_K_M.gguf"));
        assertEquals(Optional.of(GgufNames.preset(Preset.Q8_0)), GgufNames.fromFileName("a-imx-q8_0.gguf"));
        assertEquals(Optional.of(GgufNames.preset(Preset.IQ4_NL)), GgufNames.fromFileName("m-IQ4_NL.gguf"));
        assertEquals(Optional.empty(), GgufNames.fromFileName("stories.gguf"));
        assertEquals(Optional.empty(), GgufNames.typeName("Q9_X"));
        assertTrue(GgufNames.typeName("q4_k").orElseThrow().startsWith("Q4_K"));
    }
}
