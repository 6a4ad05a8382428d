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
            try (var ch = java.nio.channels.FileChannel.open(
                            tmp,
                            java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING,
                            java.nio.file.StandardOpenOption.WRITE);
                    OutputStream o = java.nio.channels.Channels.newOutputStream(ch)) {
                content.writeTo(o);
                o.flush();
                ch.force(true);
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

    /**
     * Copies {@code source} to {@code target} through {@code target.partial} (flushed to disk, then renamed), re-reads
     * the copy and checks its SHA-256 against the source's. Returns the hash.
     *
     * @throws IOException on failure or a mismatch (the target is then removed)
     */
    public static String copyVerified(Path source, Path target) throws IOException {
        if (Files.exists(target) && Files.isSameFile(source, target)) {
            throw new IOException("cannot export " + source.getFileName() + " onto itself");
        }
        String want = sha256(source);
        write(target, out -> {
            try (var in = Files.newInputStream(source)) {
                in.transferTo(out);
            }
            out.flush();
        });
        String got = sha256(target);
        if (!want.equals(got)) {
            Files.deleteIfExists(target);
            throw new IOException("the copy of " + source.getFileName() + " at " + target + " does not match (sha256 "
                    + got + ", expected " + want + "); it was removed");
        }
        return got;
    }

    /** The SHA-256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return java.util.HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
