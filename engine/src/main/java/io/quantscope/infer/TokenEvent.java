package io.quantscope.infer;

import java.util.List;

/**
 * One generated token as it streams out.
 *
 * @param index 0 for the first generated token
 * @param piece the token's bytes as text (may be part of a UTF-8 character)
 * @param probability the token's probability under the model's full distribution
 * @param alternatives the most probable tokens at this step, most probable first
 */
public record TokenEvent(int index, int id, byte[] piece, float probability, List<Sampler.Candidate> alternatives) {}
