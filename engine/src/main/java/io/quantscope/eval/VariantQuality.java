package io.quantscope.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * How far one variant's predictions are from the base's over the scored positions of a text, computed as
 * {@code llama-perplexity --kl-divergence} computes them. Percentages are 0–100. Uncertainties are standard errors.
 *
 * @param file the variant's file name
 * @param positions scored positions (second half of every chunk)
 * @param ppl the variant's perplexity
 * @param pplBase the base's perplexity from its packed log-probabilities, the denominator of the ratio
 * @param pplRatio exp(mean ln(PPL_q / PPL_base))
 * @param kldMean mean KL divergence base → variant (nats)
 * @param kldMax largest KLD at any position
 * @param sameTopPct share of positions where the variant's most likely token is the base's
 * @param meanDpPct mean change of the probability of the text's next token (variant − base)
 * @param rmsDpPct root mean square of that change
 * @param maxDpPct largest absolute change
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record VariantQuality(
        String file,
        int positions,
        double ppl,
        double pplUnc,
        double pplBase,
        double pplRatio,
        double pplRatioUnc,
        double lnPplRatio,
        double kldMean,
        double kldUnc,
        double kldMax,
        double kldP999,
        double kldP99,
        double kldP95,
        double kldP90,
        double kldMedian,
        @JsonProperty("same_top_p_pct") double sameTopPPct,
        @JsonProperty("same_top_p_unc") double sameTopPUnc,
        double meanDpPct,
        double meanDpUnc,
        double rmsDpPct,
        double rmsDpUnc,
        double maxDpPct) {}
