package io.quantscope.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/** The base's and every variant's continuation of one prompt, with the variants judged along the base's text. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CompareReport(String prompt, List<Integer> promptTokens, ModelRun base, List<ModelRun> variants) {
    public CompareReport {
        promptTokens = List.copyOf(promptTokens);
        variants = List.copyOf(variants);
    }
}
