package io.quantscope.app.variants;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A variant in the workspace: where it is, what it is, how big and how long it took.
 *
 * @param source the model it was made from, or null when it was found in the workspace
 * @param elapsed how long it took, or null when it was found in the workspace
 */
public record VariantInfo(Path path, String preset, Path source, long bytes, Duration elapsed) {
    /**
     * The preset part of a variant's file name as the workspace names them ({@code <model>-[imx-]<PRESET>.gguf}):
     * what follows the last '-' before ".gguf" (the whole stem when there is no '-').
     */
    public static String presetPart(String fileName) {
        String stem = fileName.endsWith(".gguf") ? fileName.substring(0, fileName.length() - 5) : fileName;
        return stem.substring(stem.lastIndexOf('-') + 1);
    }
}
