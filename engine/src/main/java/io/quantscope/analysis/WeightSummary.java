package io.quantscope.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The shape of a set of weights.
 *
 * @param kurtosis excess kurtosis (0 for a Gaussian; large when a few weights are far out)
 * @param zeroPct share of weights that are exactly zero, 0–100
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record WeightSummary(
        long count, double min, double max, double mean, double std, double kurtosis, double zeroPct) {}
