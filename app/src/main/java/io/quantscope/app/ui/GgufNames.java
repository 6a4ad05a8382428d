package io.quantscope.app.ui;

import io.quantscope.recipe.Preset;
import io.quantscope.tensor.GgmlType;
import java.util.Locale;
import java.util.Optional;

/**
 * Plain words for the names GGUF files and llama-quantize use: presets (Q4_K_M) and tensor types (Q4_K, Q8_0, F16),
 * for tooltips wherever such a name is shown.
 */
public final class GgufNames {
    private GgufNames() {}

    /** Explains a llama-quantize preset, e.g. "Q4_K_M: 4-bit K-quant, medium mix; …". */
    public static String preset(Preset p) {
        StringBuilder b =
                new StringBuilder(p.name()).append(": ").append(p.description()).append('.');
        String n = p.name();
        if (n.contains("_K")) {
            b.append("\nK = K-quant: weights in blocks of 256, each cut into small groups with their own scales.");
            if (n.endsWith("_S")) {
                b.append("\nS = small mix: nearly every tensor at the base type.");
            } else if (n.endsWith("_M")) {
                b.append("\nM = medium mix: the most sensitive tensors (attention V, FFN down, output) get more bits.");
            } else if (n.endsWith("_L")) {
                b.append("\nL = large mix: more tensors at higher precision; bigger and better than M.");
            }
        } else if (n.endsWith("_0")) {
            b.append("\n_0 = one scale per block of 32 weights (an older, simpler format).");
        } else if (n.endsWith("_1")) {
            b.append("\n_1 = a scale and a minimum per block of 32 weights (an older, simpler format).");
        }
        if (p.requiresImatrix()) {
            b.append("\nNeeds an importance matrix.");
        }
        return b.toString();
    }

    /** Explains a tensor type, e.g. "Q6_K: 6.56 bits per weight; 6-bit K-quant …". */
    public static String type(GgmlType t) {
        String head = String.format(Locale.ROOT, "%s: %.2f bits per weight; ", t.name(), t.bitsPerWeight());
        String n = t.name();
        String what;
        if (n.equals("F32")) {
            what = "32-bit float, exact";
        } else if (n.equals("F16")) {
            what = "16-bit float; what models are usually published in";
        } else if (n.equals("BF16")) {
            what = "16-bit brain float: float32's range with fewer digits";
        } else if (n.equals("IQ4_NL")) {
            what = "4-bit, 16 values on a non-linear grid that fits bell-shaped weights, one scale per 32 weights";
        } else if (n.endsWith("_K")) {
            what = n.charAt(1) + "-bit K-quant: blocks of 256 weights in groups with their own quantized scales";
        } else if (n.endsWith("_0")) {
            what = n.charAt(1) + "-bit, one scale per block of 32 weights";
        } else if (n.endsWith("_1")) {
            what = n.charAt(1) + "-bit, a scale and a minimum per block of 32 weights";
        } else {
            what = "a GGML tensor type";
        }
        return head + what + ".";
    }

    /** Explains a type name as a GGUF header spells it, or says nothing for an unknown one. */
    public static Optional<String> typeName(String name) {
        try {
            return Optional.of(type(GgmlType.valueOf(name.toUpperCase(Locale.ROOT))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * A table cell factory showing the value as text with {@code explain}'s words as its tooltip (none when it has
     * nothing to say).
     */
    public static <S>
            javafx.util.Callback<javafx.scene.control.TableColumn<S, String>, javafx.scene.control.TableCell<S, String>>
                    explainedCells(java.util.function.Function<String, Optional<String>> explain) {
        return column -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(String item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty ? null : item);
                setTooltip(
                        empty || item == null
                                ? null
                                : explain.apply(item)
                                        .map(javafx.scene.control.Tooltip::new)
                                        .orElse(null));
            }
        };
    }

    /** Explains a preset name (Q4_K_M), or says nothing for another name. */
    public static Optional<String> presetName(String name) {
        return Preset.parse(name).map(GgufNames::preset);
    }

    /** The preset a variant's file name ends with ({@code model-Q4_K_M.gguf}), explained, if there is one. */
    public static Optional<String> fromFileName(String fileName) {
        return presetName(io.quantscope.app.variants.VariantInfo.presetPart(fileName));
    }
}
