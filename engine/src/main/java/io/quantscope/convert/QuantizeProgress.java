package io.quantscope.convert;

/**
 * Where a quantize job is.
 *
 * @param tensorIndex the tensor being written, 0-based
 * @param tensorCount tensors in the output
 * @param tensorName its name
 * @param bytesDone output bytes written so far
 * @param bytesTotal size of the finished file
 * @param etaSeconds estimated seconds left, or -1 before there is a rate to go by
 */
public record QuantizeProgress(
        int tensorIndex, int tensorCount, String tensorName, long bytesDone, long bytesTotal, double etaSeconds) {

    public double fraction() {
        return bytesTotal == 0 ? 1 : (double) bytesDone / bytesTotal;
    }

    /** Receives progress on the job's thread; must return quickly. */
    @FunctionalInterface
    public interface Listener {
        void onProgress(QuantizeProgress p);

        static Listener none() {
            return p -> {};
        }
    }
}
