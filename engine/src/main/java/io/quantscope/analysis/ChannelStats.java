package io.quantscope.analysis;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Per input channel of a matrix (ggml's {@code ne[0]} direction: column {@code j} of every row): the largest |w| and
 * the RMS over rows, the z-score of each channel's max |w| across the tensor's channels, and the channels that stand
 * out. With an importance matrix, each channel's mean x² and its activation-weighted magnitude RMS·√importance (what
 * imatrix quantization and AWQ weigh errors by).
 *
 * @param flagged channels whose max |w| has a z-score of at least {@value #Z_FLAG} and is at least
 *     {@value #RATIO_FLAG}× the median channel's (a Gaussian matrix flags none)
 * @param top the channels with the largest max |w|, largest first
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChannelStats(
        int channels,
        double meanMaxAbs,
        double medianMaxAbs,
        int flagged,
        List<Channel> top,
        List<Channel> topWeighted,
        @JsonIgnore float[] maxAbs,
        @JsonIgnore float[] rms) {
    public static final double Z_FLAG = 6;
    public static final double RATIO_FLAG = 2;

    /**
     * One channel.
     *
     * @param importance mean x² of the channel's activations (NaN without an importance matrix)
     * @param weighted RMS × √importance (NaN without an importance matrix)
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Channel(int index, double maxAbs, double rms, double z, double importance, double weighted) {}

    /** Builds the statistics from per-channel max |w| and Σw² over {@code rows} rows. */
    static ChannelStats of(float[] maxAbs, double[] sumSq, long rows, float[] importance, int topK) {
        int n = maxAbs.length;
        float[] rms = new float[n];
        for (int j = 0; j < n; j++) {
            rms[j] = (float) Math.sqrt(sumSq[j] / rows);
        }
        double mean = 0;
        for (float m : maxAbs) mean += m;
        mean /= n;
        double var = 0;
        for (float m : maxAbs) var += (m - mean) * (m - mean);
        double std = Math.sqrt(var / n);
        float[] sorted = maxAbs.clone();
        Arrays.sort(sorted);
        double median = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
        double[] z = new double[n];
        int flagged = 0;
        for (int j = 0; j < n; j++) {
            z[j] = std > 0 ? (maxAbs[j] - mean) / std : 0;
            if (z[j] >= Z_FLAG && maxAbs[j] >= RATIO_FLAG * median) {
                flagged++;
            }
        }
        java.util.function.IntFunction<Channel> channel = j -> new Channel(
                j,
                maxAbs[j],
                rms[j],
                z[j],
                importance == null ? Double.NaN : importance[j],
                importance == null ? Double.NaN : rms[j] * Math.sqrt(importance[j]));
        List<Channel> top = IntStream.range(0, n)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> -maxAbs[j]).thenComparingInt(j -> j))
                .limit(topK)
                .map(channel::apply)
                .toList();
        List<Channel> topWeighted = new ArrayList<>();
        if (importance != null) {
            topWeighted = IntStream.range(0, n)
                    .boxed()
                    .map(channel::apply)
                    .sorted(Comparator.comparingDouble((Channel c) -> -c.weighted())
                            .thenComparingInt(Channel::index))
                    .limit(topK)
                    .toList();
        }
        return new ChannelStats(n, mean, median, flagged, top, topWeighted, maxAbs, rms);
    }
}
