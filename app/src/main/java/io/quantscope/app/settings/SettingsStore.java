package io.quantscope.app.settings;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.quantscope.convert.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads and writes {@link Settings} as a JSON file (written whole through a partial file). An unreadable file is
 * reported once and replaced by defaults, never a reason not to start.
 */
public final class SettingsStore {
    private static final System.Logger LOG = System.getLogger(SettingsStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;

    public SettingsStore(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    public Settings load() {
        if (!Files.exists(file)) {
            return Settings.defaults();
        }
        try {
            return JSON.readValue(file.toFile(), Settings.class);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring unreadable settings " + file + ": " + e.getMessage());
            return Settings.defaults();
        }
    }

    public void save(Settings s) {
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.write(file, o -> o.write(JSON.writeValueAsBytes(s)));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not save settings to " + file + ": " + e.getMessage());
        }
    }
}
