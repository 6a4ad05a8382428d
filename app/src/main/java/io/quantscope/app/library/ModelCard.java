package io.quantscope.app.library;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufSummary;
import io.quantscope.gguf.GgufTensorInfo;
import java.nio.file.Path;
import java.util.List;

/**
 * What the model card shows, read off an open file's header in one go (so the FX thread never touches the file).
 *
 * @param tensors one row per tensor, in file order
 */
public record ModelCard(Path path, long fileBytes, int version, GgufSummary summary, List<TensorRow> tensors) {

    /** One tensor as the table shows it. */
    public record TensorRow(String group, String name, String type, String shape, long parameters, long bytes) {}

    public static ModelCard of(GgufFile f) {
        List<TensorRow> rows = f.tensors().stream().map(ModelCard::row).toList();
        return new ModelCard(f.path(), f.fileSize(), f.version(), GgufSummary.of(f.header()), rows);
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
