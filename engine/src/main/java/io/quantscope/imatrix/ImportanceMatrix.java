package io.quantscope.imatrix;

import io.quantscope.gguf.GgufFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An importance matrix in llama-imatrix's legacy {@code .dat} format: per tensor, the mean of x² per input column
 * over the calibration text. Layout: int32 entry count; per entry int32 name length, name, int32 call count, int32
 * value count, float32 values (sums; divided by the call count on reading, as llama-quantize does); then optionally
 * int32 chunk count and a length-prefixed dataset name.
 *
 * @param entries tensor name → importance per column (already divided by the call count)
 * @param chunks chunks the matrix was computed on, or -1 when the file does not say
 */
public record ImportanceMatrix(Map<String, float[]> entries, Optional<String> dataset, int chunks) {

    public ImportanceMatrix {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public Optional<float[]> get(String tensor) {
        return Optional.ofNullable(entries.get(tensor));
    }

    /** Reads a .dat file, checking every count against the bytes that are there. */
    public static ImportanceMatrix read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        String src = file.toString();
        int n = readInt(b, src, "the entry count");
        if (n < 1) {
            throw new GgufFormatException(src + ": importance matrix has " + n + " entries (expected at least 1)");
        }
        Map<String, float[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            int len = readInt(b, src, "the name length of entry " + i);
            if (len < 0 || len > b.remaining()) {
                throw new GgufFormatException(
                        src + ": at byte " + (b.position() - 4) + ": entry " + i + " has a name of " + len + " bytes");
            }
            String name = new String(all, b.position(), len, StandardCharsets.UTF_8);
            b.position(b.position() + len);
            int ncall = readInt(b, src, "the call count of '" + name + "'");
            int nval = readInt(b, src, "the value count of '" + name + "'");
            if (nval < 1 || (long) nval * 4 > b.remaining()) {
                throw new GgufFormatException(src + ": at byte " + (b.position() - 4) + ": '" + name + "' claims "
                        + nval + " values but " + b.remaining() + " bytes remain");
            }
            float[] v = new float[nval];
            b.asFloatBuffer().get(v);
            b.position(b.position() + 4 * nval);
            if (ncall > 0) {
                for (int j = 0; j < nval; j++) v[j] /= ncall;
            }
            for (float f : v) {
                if (!Float.isFinite(f)) {
                    throw new GgufFormatException(src + ": '" + name + "' holds a non-finite value " + f);
                }
            }
            entries.put(name, v);
        }
        int chunks = -1;
        Optional<String> dataset = Optional.empty();
        if (b.remaining() >= 8) {
            chunks = b.getInt();
            int len = b.getInt();
            if (len >= 0 && len <= b.remaining()) {
                dataset = Optional.of(new String(all, b.position(), len, StandardCharsets.UTF_8));
            }
        }
        return new ImportanceMatrix(entries, dataset, chunks);
    }

    private static int readInt(ByteBuffer b, String src, String what) throws GgufFormatException {
        if (b.remaining() < 4) {
            throw new GgufFormatException(src + ": at byte " + b.position() + ": truncated: expected " + what);
        }
        return b.getInt();
    }
}
