package io.quantscope.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * The result of an evaluation: the base's perplexity and each variant's distance from it over one text.
 *
 * @param text the text's label (its file name)
 * @param textSha256 SHA-256 of the text's UTF-8 bytes, so results on different texts are never mixed
 * @param tokens tokens in the whole text
 * @param ctx tokens per chunk
 * @param chunks chunks evaluated
 * @param seconds wall time
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EvalReport(
        String text,
        String textSha256,
        int tokens,
        int ctx,
        int chunks,
        BaseQuality base,
        List<VariantQuality> variants,
        double seconds) {
    public EvalReport {
        variants = List.copyOf(variants);
    }
}
