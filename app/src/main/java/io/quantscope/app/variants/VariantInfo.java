package io.quantscope.app.variants;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A variant in the workspace: where it is, what it is, how big and how long it took.
 *
 * @param source the model it was made from, or null when it was found in the workspace
 * @param elapsed how long it took, or null when it was found in the workspace
 */
public record VariantInfo(Path path, String preset, Path source, long bytes, Duration elapsed) {}
