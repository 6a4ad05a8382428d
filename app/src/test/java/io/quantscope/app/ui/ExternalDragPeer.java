package io.quantscope.app.ui;

import com.sun.javafx.tk.TKClipboard;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import javafx.scene.image.Image;
import javafx.scene.input.DataFormat;
import javafx.scene.input.TransferMode;
import javafx.util.Pair;

/**
 * The toolkit side of a drag that started in another application (a file manager), offering a copy: what a
 * Dragboard holds when a user drops a file on the window. Tests build Dragboards on it.
 */
final class ExternalDragPeer implements TKClipboard {
    private final Map<DataFormat, Object> content = new HashMap<>();

    @Override
    public Set<DataFormat> getContentTypes() {
        return content.keySet();
    }

    @SafeVarargs
    @Override
    public final boolean putContent(Pair<DataFormat, Object>... items) {
        content.clear();
        for (Pair<DataFormat, Object> p : items) {
            content.put(p.getKey(), p.getValue());
        }
        return true;
    }

    @Override
    public Object getContent(DataFormat format) {
        return content.get(format);
    }

    @Override
    public boolean hasContent(DataFormat format) {
        return content.containsKey(format);
    }

    @Override
    public Set<TransferMode> getTransferModes() {
        return Set.of(TransferMode.COPY);
    }

    @Override
    public void setDragView(Image image) {}

    @Override
    public void setDragViewOffsetX(double offsetX) {}

    @Override
    public void setDragViewOffsetY(double offsetY) {}

    @Override
    public Image getDragView() {
        return null;
    }

    @Override
    public double getDragViewOffsetX() {
        return 0;
    }

    @Override
    public double getDragViewOffsetY() {
        return 0;
    }
}
