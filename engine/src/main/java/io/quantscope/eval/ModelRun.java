package io.quantscope.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * What one model did with the prompt.
 *
 * @param file the model's file name
 * @param text the continuation (without the prompt)
 * @param tokens the generated token ids
 * @param stop why generation stopped ("eos", "length", "context", "cancelled")
 * @param tokensPerSecond generation speed
 * @param firstDivergence index of the first generated token that differs from the base's, -1 if none (always -1 for
 *     the base)
 * @param kld per base continuation token: KL divergence of this model's next-token distribution from the base's, both
 *     teacher-forced along the base's text (zeros for the base)
 * @param sameTop per base continuation token: whether this model's most likely token is the base's
 * @param meanKld mean of {@code kld}
 * @param sameTopPct share of {@code sameTop} that agree, 0–100
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ModelRun(
        String file,
        String text,
        List<Integer> tokens,
        String stop,
        double tokensPerSecond,
        int firstDivergence,
        double[] kld,
        boolean[] sameTop,
        double meanKld,
        double sameTopPct) {}
