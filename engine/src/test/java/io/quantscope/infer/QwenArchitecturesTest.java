package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufLayout;
import io.quantscope.gguf.GgufLayout.TensorSpec;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufWriter;
import io.quantscope.tensor.GgmlType;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * qwen2 (Q/K/V biases, NeoX RoPE) and qwen3 (per-head Q/K RMS norms, NeoX RoPE): stories260K's weights re-labelled as
 * each architecture, with random biases or norm weights added, run by the engine and by {@link PlainForward}.
 */
class QwenArchitecturesTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"qwen2", "qwen3"})
    void logitsMatchAPlainForwardPass(String arch) throws IOException {
        Path model = relabel(SharedFiles.require("models/stories260K.gguf"), arch, tmp.resolve(arch + ".gguf"));
        try (GgufFile f = GgufFile.open(model)) {
            int[] tokens = ForwardPassTest.TOKENS;
            double[][] plain = new PlainForward(f).logits(tokens);
            Transformer t = Transformer.of(f);
            float[] ours = t.session(32, 2, false).decode(tokens, true);
            int vocab = t.vocabSize();
            double worst = 0;
            for (int i = 0; i < tokens.length; i++) {
                for (int v = 0; v < vocab; v++) {
                    worst = Math.max(worst, Math.abs(plain[i][v] - ours[i * vocab + v]));
                }
            }
            assertTrue(worst < 1e-4, arch + ": largest logit difference " + worst);
        }
    }

    static Path relabel(Path src, String arch, Path out) throws IOException {
        try (GgufFile f = GgufFile.open(src)) {
            GgufMetadata.Builder md = GgufMetadata.builder();
            f.metadata().entries().forEach((k, v) -> md.put(k.startsWith("llama.") ? arch + k.substring(5) : k, v));
            md.put("general.architecture", io.quantscope.gguf.GgufValue.ofString(arch));
            int headDim = 8;
            List<TensorSpec> specs = new ArrayList<>();
            List<ByteBuffer> data = new ArrayList<>();
            Random rnd = new Random(arch.hashCode());
            for (GgufTensorInfo t : f.tensors()) {
                specs.add(TensorSpec.of(t));
                data.add(f.tensorData(t).asByteBuffer());
                String p = t.name().replace("attn_norm.weight", "");
                if (t.name().endsWith("attn_norm.weight")) {
                    if (arch.equals("qwen2")) {
                        for (String n : new String[] {"attn_q.bias", "attn_k.bias", "attn_v.bias"}) {
                            int len = n.startsWith("attn_q") ? 64 : 32;
                            specs.add(new TensorSpec(p + n, new long[] {len}, GgmlType.F32));
                            data.add(floats(rnd, len, 0.0, 0.3));
                        }
                    } else {
                        for (String n : new String[] {"attn_q_norm.weight", "attn_k_norm.weight"}) {
                            specs.add(new TensorSpec(p + n, new long[] {headDim}, GgmlType.F32));
                            data.add(floats(rnd, headDim, 1.0, 0.2));
                        }
                    }
                }
            }
            GgufLayout layout = GgufLayout.of(3, md.build(), specs);
            try (GgufWriter w = GgufWriter.create(out, layout)) {
                for (ByteBuffer b : data) {
                    w.write(b);
                }
                w.commit();
            }
        }
        return out;
    }

    private static ByteBuffer floats(Random rnd, int n, double mean, double sd) {
        ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            b.putFloat((float) (mean + sd * rnd.nextGaussian()));
        }
        return b.flip();
    }
}
