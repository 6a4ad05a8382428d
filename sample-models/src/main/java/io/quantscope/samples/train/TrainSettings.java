package io.quantscope.samples.train;

/**
 * Everything that decides the trained sample model: its shape, the vocabulary size, and the optimizer's schedule.
 *
 * @param seed seeds the weights, the vocabulary text and the training stories (the built-in evaluation text uses
 *     another seed, so it is held out)
 */
public record TrainSettings(
        Shape shape,
        int batch,
        int steps,
        float learningRate,
        float minLearningRate,
        int warmup,
        float weightDecay,
        float beta1,
        float beta2,
        float clip,
        long seed) {

    /**
     * The model's shape.
     *
     * @param seq the training sequence length, which is also the context length the file declares
     */
    public record Shape(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int seq) {
        public Shape {
            if (dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("heads must divide dim evenly into even head sizes and kvHeads"
                        + " must divide heads: dim " + dim + ", heads " + heads + ", kvHeads " + kvHeads);
            }
        }

        public int headDim() {
            return dim / heads;
        }

        public int kvDim() {
            return headDim() * kvHeads;
        }

        public Shape withVocab(int v) {
            return new Shape(dim, layers, heads, kvHeads, ffn, v, seq);
        }
    }

    /** The sample model that ships with the app. */
    public static TrainSettings sample() {
        return new TrainSettings(
                new Shape(256, 4, 8, 4, 768, 1024, 256), 8, 2000, 2e-3f, 2e-4f, 100, 0.1f, 0.9f, 0.95f, 1f, 1L);
    }

    public TrainSettings withSteps(int n) {
        return new TrainSettings(
                shape, batch, n, learningRate, minLearningRate, warmup, weightDecay, beta1, beta2, clip, seed);
    }

    public TrainSettings withShape(Shape s) {
        return new TrainSettings(
                s, batch, steps, learningRate, minLearningRate, warmup, weightDecay, beta1, beta2, clip, seed);
    }

    public TrainSettings withBatch(int b) {
        return new TrainSettings(
                shape, b, steps, learningRate, minLearningRate, warmup, weightDecay, beta1, beta2, clip, seed);
    }

    /** The learning rate at {@code step} (0-based): linear warm-up, then cosine decay to the minimum. */
    public float learningRate(int step) {
        if (step < warmup) {
            return learningRate * (step + 1) / warmup;
        }
        double progress = Math.min(1.0, (step - warmup) / (double) Math.max(1, steps - warmup));
        return (float) (minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress)));
    }
}
