package io.quantscope.convert;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Small files written whole: to {@code NAME.partial} first, renamed over {@code NAME} only when complete. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** What writes the file's content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} through {@code target.partial}; on failure nothing is left and the old file stays. */
    public static Path write(Path target, Content content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                content.writeTo(o);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return target;
    }
}
