package io.quantscope.samples.train;

import io.quantscope.gguf.GgufLayout;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufWriter;
import io.quantscope.gguf.LlamaFileType;
import io.quantscope.model.ModelShape;
import io.quantscope.quant.Codecs;
import io.quantscope.tensor.GgmlType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Writes a {@link TrainableLlama} as a llama GGUF: matrices in F16 or F32, norms in F32, tensors in converter order. */
final class SampleGguf {
    private SampleGguf() {}

    static void write(Path out, TrainableLlama model, VocabTrainer.Vocab vocab, String name, GgmlType type)
            throws IOException {
        TrainSettings.Shape s = model.shape;
        ModelShape shape = new ModelShape(
                name,
                s.layers(),
                s.dim(),
                s.ffn(),
                s.heads(),
                s.kvHeads(),
                s.vocab(),
                s.seq(),
                false,
                ModelShape.Vocab.SENTENCE_PIECE,
                TrainableLlama.ROPE_BASE);
        GgufMetadata metadata = vocab.putInto(shape.llamaMetadata(TrainableLlama.EPS)
                        .put("llama.vocab_size", GgufValue.ofUint32(s.vocab()))
                        .put(
                                LlamaFileType.KEY,
                                GgufValue.ofUint32(
                                        (type == GgmlType.F16 ? LlamaFileType.MOSTLY_F16 : LlamaFileType.ALL_F32)
                                                .id())))
                .put("general.quantization_version", GgufValue.ofUint32(2))
                .build();
        Map<String, TrainableLlama.Tensor> byName = new HashMap<>();
        model.tensors.forEach(t -> byName.put(t.name, t));
        GgufLayout layout = GgufLayout.of(3, metadata, shape.tensors(type));
        try (GgufWriter w = GgufWriter.create(out, layout)) {
            for (GgufTensorInfo info : layout.tensors()) {
                TrainableLlama.Tensor t = byName.get(info.name());
                if (t == null || t.w.length != info.elementCount()) {
                    throw new IllegalStateException("no trained tensor matches " + info.name());
                }
                var codec = Codecs.of(info.type());
                int cols = (int) info.rowLength();
                int rowBytes = (int) info.type().rowBytes(cols);
                byte[] data = new byte[(int) info.byteSize()];
                for (int r = 0; r < t.w.length / cols; r++) {
                    codec.quantizeRow(t.w, r * cols, cols, null, data, r * rowBytes);
                }
                w.write(ByteBuffer.wrap(data));
            }
            w.commit();
        }
    }
}
