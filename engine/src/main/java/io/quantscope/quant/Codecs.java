package io.quantscope.quant;

import io.quantscope.tensor.GgmlType;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/** The codec for each GGML type this engine can quantize to and dequantize from. */
public final class Codecs {
    private static final Map<GgmlType, BlockCodec> CODECS = new EnumMap<>(GgmlType.class);

    static {
        for (BlockCodec c : new BlockCodec[] {
            new F32(),
            new F16(),
            new BF16(),
            new Q4_0(),
            new Q4_1(),
            new Q5_0(),
            new Q5_1(),
            new Q8_0(),
            new Q2_K(),
            new Q3_K(),
            new Q4_K(),
            new Q5_K(),
            new Q6_K(),
            new IQ4_NL()
        }) {
            CODECS.put(c.type(), c);
        }
    }

    private Codecs() {}

    public static Optional<BlockCodec> find(GgmlType type) {
        return Optional.ofNullable(CODECS.get(type));
    }

    /** @throws IllegalArgumentException naming the type when there is no codec for it */
    public static BlockCodec of(GgmlType type) {
        return find(type)
                .orElseThrow(() -> new IllegalArgumentException("Quantscope cannot quantize to or dequantize " + type
                        + " (supported: " + CODECS.keySet() + ")"));
    }
}
