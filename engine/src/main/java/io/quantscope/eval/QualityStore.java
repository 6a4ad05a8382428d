package io.quantscope.eval;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quantscope.convert.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Saves and reloads {@link QualityRecord}s beside the variants they describe: {@code X.gguf} → {@code X.quality.json},
 * written to a temporary name and renamed when complete.
 */
public final class QualityStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private QualityStore() {}

    /** Where the record of {@code variant} lives. */
    public static Path recordPath(Path variant) {
        String name = variant.getFileName().toString();
        String stem =
                name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
        return variant.resolveSibling(stem + ".quality.json");
    }

    /** Saves one record per variant of {@code report}; returns the files written. */
    public static List<Path> save(EvalReport report, List<Path> variants) throws IOException {
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            Path v = variants.get(i);
            QualityRecord r = new QualityRecord(
                    v.getFileName().toString(),
                    Files.size(v),
                    Files.getLastModifiedTime(v).toMillis(),
                    report.base().file(),
                    report.text(),
                    report.textSha256(),
                    report.ctx(),
                    report.chunks(),
                    report.base().ppl(),
                    report.variants().get(i),
                    Instant.now().toString());
            written.add(write(v, r));
        }
        return written;
    }

    static Path write(Path variant, QualityRecord r) throws IOException {
        return AtomicFiles.write(recordPath(variant), o -> o.write(JSON.writeValueAsBytes(r)));
    }

    /**
     * Writes {@code from}'s quality record (if it has one) beside {@code to}, a byte-identical copy, so the measurement
     * travels with an exported file. Returns the record file written, if any.
     */
    public static Optional<Path> copy(Path from, Path to) throws IOException {
        Optional<QualityRecord> r = load(from);
        if (r.isEmpty()) {
            return Optional.empty();
        }
        QualityRecord o = r.get();
        QualityRecord moved = new QualityRecord(
                to.getFileName().toString(),
                Files.size(to),
                Files.getLastModifiedTime(to).toMillis(),
                o.base(),
                o.text(),
                o.textSha256(),
                o.ctx(),
                o.chunks(),
                o.basePpl(),
                o.quality(),
                o.measuredAt());
        return Optional.of(write(to, moved));
    }

    /**
     * The saved record of {@code variant}, if there is one that can be read.
     *
     * @throws IOException if the record exists but cannot be read or parsed
     */
    public static Optional<QualityRecord> load(Path variant) throws IOException {
        Path p = recordPath(variant);
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(p.toFile(), QualityRecord.class));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(p.getFileName() + " is not a quality record: " + e.getOriginalMessage(), e);
        }
    }

    /** Whether {@code r} still describes {@code variant} as it is on disk (same size and modification time). */
    public static boolean isCurrent(QualityRecord r, Path variant) throws IOException {
        return Files.exists(variant)
                && r.variantBytes() == Files.size(variant)
                && r.variantModifiedMillis()
                        == Files.getLastModifiedTime(variant).toMillis();
    }
}
