package io.quantscope.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Counts over equal-width bins from {@code lo} to {@code hi}; values outside fall in {@code below}/{@code above}.
 * Counts are 64-bit; a bin's share can be plotted on a log scale (empty bins are 0).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Histogram(double lo, double hi, long[] bins, long below, long above) {

    /** Bins spanning ±max|w| (symmetric around zero, so the zero point sits on a bin edge for even counts). */
    public static Histogram symmetric(ValueCounts v, int nBins) {
        double a = Math.max(Math.abs(v.min()), Math.abs(v.max()));
        if (!(a > 0) || !Double.isFinite(a)) {
            a = 1;
        }
        return fixed(v, -a, a, nBins);
    }

    /** Bins over {@code [lo, hi]}. */
    public static Histogram fixed(ValueCounts v, double lo, double hi, int nBins) {
        if (nBins < 1 || !(hi > lo)) {
            throw new IllegalArgumentException("need at least one bin and lo < hi");
        }
        long[] bins = new long[nBins];
        long below = 0;
        long above = 0;
        double width = (hi - lo) / nBins;
        for (int c = 0; c < 65536; c++) {
            long k = v.counts[c];
            if (k == 0) {
                continue;
            }
            double x = ValueCounts.value(c);
            if (Double.isNaN(x)) {
                continue;
            }
            if (x < lo) {
                below += k;
            } else if (x > hi) {
                above += k;
            } else {
                int b = (int) Math.min(nBins - 1, Math.floor((x - lo) / width));
                bins[b] += k;
            }
        }
        return new Histogram(lo, hi, bins, below, above);
    }

    public double binWidth() {
        return (hi - lo) / bins.length;
    }

    public long total() {
        long t = below + above;
        for (long b : bins) t += b;
        return t;
    }
}
