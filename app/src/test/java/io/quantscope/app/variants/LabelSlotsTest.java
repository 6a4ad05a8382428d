package io.quantscope.app.variants;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LabelSlotsTest {
    private static LevelRow row(String name, long bytes, double snr) {
        return new LevelRow(name, "", bytes, bytes, 4, snr, 1, Optional.empty());
    }

    @Test
    void pointsFarApartKeepTheirNamesBesideThem() {
        List<LevelRow> rows = List.of(row("A", 100, 10), row("B", 200, 20), row("C", 300, 30));
        assertArrayEquals(new int[] {0, 0, 0}, LevelsView.labelSlots(rows));
    }

    @Test
    void coincidingPointsPutTheirNamesAboveAndBelow() {
        // three presets of almost the same size and quality (as Q5_0, Q5_K_S, Q5_K_M) among others
        List<LevelRow> rows = List.of(
                row("Q2", 100, 10),
                row("Q5_0", 250, 27.6),
                row("Q5_K_S", 250, 29.0),
                row("Q5_K_M", 256, 29.5),
                row("Q8", 400, 45));
        int[] slots = LevelsView.labelSlots(rows);
        assertNotEquals(slots[1], slots[2]);
        assertNotEquals(slots[2], slots[3]);
        assertNotEquals(slots[1], slots[3]);
        assertArrayEquals(new int[] {0, 0}, new int[] {slots[0], slots[4]});
    }
}
