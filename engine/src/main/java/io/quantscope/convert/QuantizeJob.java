package io.quantscope.convert;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufWriter;
import io.quantscope.quant.BlockCodec;
import io.quantscope.quant.Codecs;
import io.quantscope.recipe.Plan;
import io.quantscope.recipe.QuantizeOptions;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Quantizes a GGUF model into a new file, tensor by tensor, rows in parallel, streaming to {@code OUT.partial} and
 * renaming it when complete. The source is only read. Heap use is bounded by one slab of rows per tensor (about 16 MiB
 * of output) whatever the model's size. Cancelling or failing deletes the partial file.
 */
public final class QuantizeJob {
    static final int SLAB_BYTES = 16 << 20;

    /** A finished job: the file written, its size, how long it took, and the plan it followed. */
    public record Result(Path output, long bytes, Duration elapsed, Plan plan) {}

    private QuantizeJob() {}

    /**
     * Quantizes {@code in} to {@code out}.
     *
     * @param threads rows are split across this many tasks (1 or more)
     * @throws IllegalArgumentException if the preset cannot apply to this model (nothing is written)
     * @throws IOException on read or write failure, including a full disk (nothing is left behind)
     * @throws java.util.concurrent.CancellationException if cancelled (nothing is left behind)
     */
    public static Result run(
            Path in,
            Path out,
            QuantizeOptions options,
            int threads,
            QuantizeProgress.Listener listener,
            Cancellation cancel)
            throws IOException {
        long start = System.nanoTime();
        checkNotSameFile(in, out);
        try (GgufFile src = GgufFile.open(in)) {
            Plan plan = Plan.of(src.header(), options);
            checkDiskSpace(out, plan.fileBytes());
            try (GgufWriter w = GgufWriter.create(out, plan.layout())) {
                long done = plan.layout().dataOffset();
                int count = plan.entries().size();
                for (int i = 0; i < count; i++) {
                    cancel.check();
                    Plan.Entry e = plan.entries().get(i);
                    MemorySegment data = src.tensorData(e.source());
                    if (!e.convert()) {
                        w.write(data);
                        done += e.target().byteSize();
                    } else {
                        done = convert(e, data, w, Math.max(1, threads), cancel, listener, i, count, done, plan, start);
                    }
                    listener.onProgress(progress(i, count, e, done, plan, start));
                }
                cancel.check();
                w.commit();
            }
            return new Result(out, plan.fileBytes(), Duration.ofNanos(System.nanoTime() - start), plan);
        }
    }

    private static long convert(
            Plan.Entry e,
            MemorySegment data,
            GgufWriter w,
            int threads,
            Cancellation cancel,
            QuantizeProgress.Listener listener,
            int index,
            int count,
            long done,
            Plan plan,
            long start)
            throws IOException {
        BlockCodec codec = Codecs.of(e.target().type());
        int n = (int) e.source().rowLength();
        long rows = e.source().rows();
        int outRowBytes = (int) e.target().type().rowBytes(n);
        int slabRows = (int) Math.max(1, Math.min(rows, SLAB_BYTES / Math.max(1, outRowBytes)));
        byte[] slab = new byte[slabRows * outRowBytes];
        int srcRowBytes = (int) e.source().type().rowBytes(n);
        for (long first = 0; first < rows; first += slabRows) {
            cancel.check();
            long firstRow = first;
            int nRows = (int) Math.min(slabRows, rows - first);
            int parts = Math.min(threads, nRows);
            ComputePool.parallel(parts, part -> {
                float[] x = new float[n];
                byte[] scratch = new byte[srcRowBytes];
                int from = (int) ((long) nRows * part / parts);
                int to = (int) ((long) nRows * (part + 1) / parts);
                for (int r = from; r < to; r++) {
                    if ((r & 15) == 0) cancel.check();
                    RowReader.read(data, e.source().type(), n, firstRow + r, x, scratch);
                    codec.quantizeRow(x, 0, n, e.imatrix(), slab, r * outRowBytes);
                }
            });
            w.write(ByteBuffer.wrap(slab, 0, nRows * outRowBytes));
            done += (long) nRows * outRowBytes;
            listener.onProgress(progress(index, count, e, done, plan, start));
        }
        return done;
    }

    private static QuantizeProgress progress(int i, int count, Plan.Entry e, long done, Plan plan, long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done > 0 && elapsed > 0.2 ? elapsed * (plan.fileBytes() - done) / done : -1;
        return new QuantizeProgress(i, count, e.target().name(), done, plan.fileBytes(), eta);
    }

    private static void checkNotSameFile(Path in, Path out) throws IOException {
        boolean same =
                in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())
                        || (Files.exists(out) && Files.isSameFile(in, out));
        if (same) {
            throw new IllegalArgumentException("the output " + out + " is the input file; choose another name");
        }
    }

    private static void checkDiskSpace(Path out, long needed) throws IOException {
        Path dir = out.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException("the folder for " + out + " does not exist");
        }
        long free = Files.getFileStore(dir).getUsableSpace();
        if (free < needed) {
            throw new IOException("not enough disk space in " + dir + ": the output needs " + needed + " bytes, " + free
                    + " are free");
        }
    }
}
