package io.quantscope.app.settings;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.ArrayList;
import java.util.List;

/**
 * What the app remembers between runs.
 *
 * @param recentFiles most recent first, at most {@value #RECENT}
 * @param workspace where variants are written (null: the default)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Settings(
        double windowWidth, double windowHeight, boolean dark, String workspace, List<String> recentFiles) {
    public static final int RECENT = 8;

    public Settings {
        recentFiles = recentFiles == null ? List.of() : List.copyOf(recentFiles);
    }

    public static Settings defaults() {
        return new Settings(1280, 820, false, null, List.of());
    }

    /** These settings with {@code file} first among the recent files. */
    public Settings withRecent(String file) {
        List<String> r = new ArrayList<>(recentFiles);
        r.remove(file);
        r.addFirst(file);
        while (r.size() > RECENT) {
            r.removeLast();
        }
        return new Settings(windowWidth, windowHeight, dark, workspace, r);
    }

    public Settings withWindow(double width, double height) {
        return new Settings(width, height, dark, workspace, recentFiles);
    }

    public Settings withDark(boolean on) {
        return new Settings(windowWidth, windowHeight, on, workspace, recentFiles);
    }

    public Settings withWorkspace(String dir) {
        return new Settings(windowWidth, windowHeight, dark, dir, recentFiles);
    }
}
