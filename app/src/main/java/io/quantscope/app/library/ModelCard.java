package io.quantscope.app.library;

import io.quantscope.eval.QualityRecord;
import io.quantscope.eval.QualityStore;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufSummary;
import io.quantscope.gguf.GgufTensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the model card shows, read off an open file's header in one go (so the FX thread never touches the file).
 *
 * @param tensors one row per tensor, in file order
 */
public record ModelCard(
        Path path,
        long fileBytes,
        int version,
        GgufSummary summary,
        List<TensorRow> tensors,
        Optional<Quality> quality) {

    /**
     * The quality measured for this file by {@code eval}, reloaded from {@code NAME.quality.json} beside it.
     *
     * @param current false when the file has changed since it was measured
     * @param problem why a record that exists could not be read, if so
     */
    public record Quality(Optional<QualityRecord> record, boolean current, Optional<String> problem) {}

    /** One tensor as the table shows it. */
    public record TensorRow(String group, String name, String type, String shape, long parameters, long bytes) {}

    public static ModelCard of(GgufFile f) {
        List<TensorRow> rows = f.tensors().stream().map(ModelCard::row).toList();
        return new ModelCard(f.path(), f.fileSize(), f.version(), GgufSummary.of(f.header()), rows, quality(f.path()));
    }

    private static Optional<Quality> quality(Path file) {
        try {
            Optional<QualityRecord> r = QualityStore.load(file);
            if (r.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Quality(r, QualityStore.isCurrent(r.get(), file), Optional.empty()));
        } catch (IOException e) {
            return Optional.of(new Quality(Optional.empty(), false, Optional.of(e.getMessage())));
        }
    }

    private static TensorRow row(GgufTensorInfo t) {
        StringBuilder shape = new StringBuilder();
        for (long d : t.ne()) {
            shape.append(shape.isEmpty() ? "" : " × ").append(d);
        }
        String group = t.blockIndex() < 0 ? "model" : "blk." + t.blockIndex();
        return new TensorRow(group, t.name(), t.type().name(), shape.toString(), t.elementCount(), t.byteSize());
    }
}
