package io.quantscope.app.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsStoreTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripsAndKeepsTheMostRecentFilesFirst() {
        SettingsStore store = new SettingsStore(tmp.resolve("cfg").resolve("settings.json"));
        assertEquals(Settings.defaults(), store.load(), "no file yet");
        Settings s = Settings.defaults();
        for (int i = 0; i < 10; i++) {
            s = s.withRecent("/m/" + i + ".gguf");
        }
        s = s.withRecent("/m/3.gguf").withDark(true).withWindow(1000, 700).withWorkspace("/ws");
        store.save(s);
        Settings back = store.load();
        assertEquals(s, back);
        assertEquals(Settings.RECENT, back.recentFiles().size());
        assertEquals(
                List.of("/m/3.gguf", "/m/9.gguf", "/m/8.gguf"),
                back.recentFiles().subList(0, 3));
    }

    @Test
    void anUnreadableFileGivesDefaults() throws Exception {
        Path f = Files.writeString(tmp.resolve("settings.json"), "{ broken");
        assertEquals(Settings.defaults(), new SettingsStore(f).load());
    }
}
