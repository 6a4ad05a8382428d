package io.quantscope.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import io.quantscope.testing.SharedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance with llama-quantize: for every stories260K file in the golden manifest, quantizing its source with the
 * same preset (and the same importance matrix for {@code imx-} files) gives a file with the manifest's sha256.
 */
class GoldenQuantizeTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyGoldenFileIsReproducedByteForByte() throws IOException {
        JsonNode manifest = new ObjectMapper()
                .readTree(SharedFiles.require("golden/manifest.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode m : manifest.get("models")) {
            String file = m.get("file").asText();
            if (!file.startsWith("stories260K") || !m.path("file_type").isNumber())
                continue; // sources have no file_type
            tests.add(DynamicTest.dynamicTest(
                    file,
                    () -> reproduce(
                            file, m.get("sha256").asText(), m.get("bytes").asLong())));
        }
        return tests.stream();
    }

    private void reproduce(String file, String sha256, long bytes) throws IOException {
        boolean wide = file.startsWith("stories260K-wide-");
        boolean imx = file.contains("-imx-");
        String presetName = file.substring(0, file.length() - ".gguf".length())
                .replace("stories260K-wide-", "")
                .replace("stories260K-", "")
                .replace("imx-", "");
        Preset preset = Preset.parse(presetName).orElseThrow();
        Path src = SharedFiles.require(wide ? "models/stories260K-wide-f32.gguf" : "models/stories260K.gguf");
        QuantizeOptions opt = QuantizeOptions.of(preset);
        if (imx) {
            // the goldens were made from inside golden/ with the bare file name, which the output records
            opt = opt.withImatrix(
                    ImportanceMatrix.read(SharedFiles.require("golden/stories260K-wide.imatrix")),
                    "stories260K-wide.imatrix");
        }
        Path out = tmp.resolve(file);
        QuantizeJob.Result r = QuantizeJob.run(src, out, opt, 2, QuantizeProgress.Listener.none(), Cancellation.none());
        assertEquals(bytes, Files.size(out), "size");
        assertEquals(bytes, r.plan().fileBytes(), "planned size");
        assertEquals(sha256, sha256(out), "sha256 (compare with ../shared/tools/gguf_diff.py)");
        assertFalse(Files.exists(out.resolveSibling(file + ".partial")));
        Files.delete(out);
    }

    static String sha256(Path p) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(p), MessageDigest.getInstance("SHA-256"))) {
            DigestInputStream d = (DigestInputStream) in;
            d.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
