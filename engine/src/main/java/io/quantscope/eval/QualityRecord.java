package io.quantscope.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A variant's measured quality as saved beside it ({@code NAME.quality.json}), so it survives a restart. The file's
 * size and modification time are recorded: a record whose variant has changed since is stale.
 *
 * @param variant the variant's file name
 * @param variantBytes its size when measured
 * @param variantModifiedMillis its modification time when measured
 * @param base the base's file name
 * @param text the evaluation text's name
 * @param textSha256 the text's SHA-256
 * @param ctx tokens per chunk
 * @param chunks chunks evaluated
 * @param basePpl the base's perplexity on the same text
 * @param quality the figures
 * @param measuredAt ISO-8601 instant
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record QualityRecord(
        String variant,
        long variantBytes,
        long variantModifiedMillis,
        String base,
        String text,
        String textSha256,
        int ctx,
        int chunks,
        double basePpl,
        VariantQuality quality,
        String measuredAt) {}
