package io.quantscope.eval;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The base model's perplexity over the scored positions, from its full-precision logits (what llama-perplexity prints
 * for it alone).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record BaseQuality(String file, int positions, double ppl, double pplUnc) {}
