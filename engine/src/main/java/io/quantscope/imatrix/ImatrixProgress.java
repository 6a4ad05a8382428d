package io.quantscope.imatrix;

/** One chunk of the calibration text done, with the model's perplexity so far. */
public record ImatrixProgress(int chunk, int chunks, double ppl) {}
