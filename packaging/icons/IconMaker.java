import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Draws the Quantscope icon — a ladder of bars from coarse to fine over a bell curve, on a dark rounded square — and
 * writes it as PNG (Linux), ICO (Windows) and ICNS (macOS), the last two holding PNGs as both formats allow.
 *
 * <p>Run from the repository root: {@code java packaging/icons/IconMaker.java packaging/icons}.
 */
public class IconMaker {
    static BufferedImage draw(int size) {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        double s = size / 512.0;
        double m = 24 * s;
        g.setPaint(new GradientPaint(0, 0, new Color(0x1f2937), 0, size, new Color(0x0b1220)));
        g.fill(new RoundRectangle2D.Double(m, m, size - 2 * m, size - 2 * m, 110 * s, 110 * s));
        // the quantization ladder: eight bars rising, coloured from warm (few bits) to cool (many bits)
        Color[] colours = {
            new Color(0xef4444), new Color(0xf97316), new Color(0xf59e0b), new Color(0xeab308),
            new Color(0x84cc16), new Color(0x22c55e), new Color(0x14b8a6), new Color(0x38bdf8)
        };
        double left = 92 * s;
        double bottom = 404 * s;
        double width = 328 * s / colours.length;
        for (int i = 0; i < colours.length; i++) {
            // each bar's height follows a bell curve, stepped more finely to the right
            double x = (i + 0.5) / colours.length;
            double h = (60 + 250 * Math.exp(-Math.pow((x - 0.55) / 0.28, 2))) * s;
            g.setColor(colours[i]);
            g.fill(new RoundRectangle2D.Double(left + i * width + 4 * s, bottom - h, width - 8 * s, h, 10 * s, 10 * s));
        }
        // the smooth curve the bars approximate
        g.setColor(new Color(255, 255, 255, 230));
        g.setStroke(new BasicStroke((float) (10 * s), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        java.awt.geom.Path2D.Double curve = new java.awt.geom.Path2D.Double();
        for (int i = 0; i <= 100; i++) {
            double x = i / 100.0;
            double h = (60 + 250 * Math.exp(-Math.pow((x - 0.55) / 0.28, 2))) * s;
            double px = left + x * 328 * s;
            double py = bottom - h - 18 * s;
            if (i == 0) {
                curve.moveTo(px, py);
            } else {
                curve.lineTo(px, py);
            }
        }
        g.draw(curve);
        g.dispose();
        return img;
    }

    static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    /** An ICO holding PNG images (Windows Vista and later read these). */
    static byte[] ico(int... sizes) throws IOException {
        byte[][] images = new byte[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            images[i] = png(draw(sizes[i]));
        }
        int header = 6 + 16 * sizes.length;
        int total = header;
        for (byte[] b : images) {
            total += b.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        buf.putShort((short) 0).putShort((short) 1).putShort((short) sizes.length);
        int offset = header;
        for (int i = 0; i < sizes.length; i++) {
            int sz = sizes[i] >= 256 ? 0 : sizes[i];
            buf.put((byte) sz).put((byte) sz).put((byte) 0).put((byte) 0);
            buf.putShort((short) 1).putShort((short) 32).putInt(images[i].length).putInt(offset);
            offset += images[i].length;
        }
        for (byte[] b : images) {
            buf.put(b);
        }
        return buf.array();
    }

    /** An ICNS holding PNG images: ic07 (128), ic08 (256), ic09 (512), ic10 (1024). */
    static byte[] icns() throws IOException {
        String[] types = {"ic07", "ic08", "ic09", "ic10"};
        int[] sizes = {128, 256, 512, 1024};
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        for (int i = 0; i < types.length; i++) {
            byte[] p = png(draw(sizes[i]));
            d.writeBytes(types[i]);
            d.writeInt(8 + p.length);
            d.write(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(out);
        o.writeBytes("icns");
        o.writeInt(8 + body.size());
        o.write(body.toByteArray());
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        Files.write(dir.resolve("quantscope.png"), png(draw(512)));
        Files.write(dir.resolve("quantscope.ico"), ico(16, 32, 48, 256));
        Files.write(dir.resolve("quantscope.icns"), icns());
    }
}
