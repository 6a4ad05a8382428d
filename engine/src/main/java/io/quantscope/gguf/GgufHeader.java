package io.quantscope.gguf;

import java.util.List;

/**
 * Everything before a GGUF file's tensor data: version, metadata, tensor table, and where the data section starts.
 *
 * @param version GGUF version (2 or 3)
 * @param dataOffset byte offset of the data section from the start of the file (aligned)
 */
public record GgufHeader(int version, GgufMetadata metadata, List<GgufTensorInfo> tensors, long dataOffset) {
    public GgufHeader {
        tensors = List.copyOf(tensors);
    }

    public int alignment() {
        return metadata.alignment();
    }
}
