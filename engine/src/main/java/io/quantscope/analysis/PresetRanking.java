package io.quantscope.analysis;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.quantscope.convert.Cancellation;
import io.quantscope.convert.ComputePool;
import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.recipe.Plan;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import io.quantscope.tensor.GgmlType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Expected quality of each preset before any variant is built: the preset's per-tensor plan, and each planned type's
 * relative error Σe²/Σw² on sampled rows of its tensor ({@link QuantError}), averaged over the model's matrices weighted
 * by their parameter counts (so every weight's relative error counts alike, and large-magnitude tensors such as the
 * embeddings do not drown the rest). A matrix the plan keeps in its source type counts with no error.
 */
public final class PresetRanking {
    /** The presets a user chooses between, lowest bits first. */
    public static final List<Preset> PRESETS = List.of(
            Preset.Q2_K,
            Preset.Q3_K_S,
            Preset.Q3_K_M,
            Preset.Q3_K_L,
            Preset.Q4_0,
            Preset.Q4_1,
            Preset.Q4_K_S,
            Preset.Q4_K_M,
            Preset.Q5_0,
            Preset.Q5_1,
            Preset.Q5_K_S,
            Preset.Q5_K_M,
            Preset.Q6_K,
            Preset.Q8_0);

    /**
     * One preset's expected quality.
     *
     * @param bytes the variant's exact file size
     * @param tensorBytes its tensor data (the weights in memory)
     * @param snrDb −10·log10 of the parameter-weighted mean of Σe²/Σw² (estimated from the sampled rows)
     * @param relErrPct 100·√ of that mean
     * @param rank 1 for the best SNR
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Entry(
            String preset,
            long bytes,
            long tensorBytes,
            double bitsPerWeight,
            double snrDb,
            double relErrPct,
            int rank) {}

    /** Result: presets best first, and how many rows per tensor were sampled. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Ranking(int rowsPerTensor, List<Entry> presets) {}

    private PresetRanking() {}

    public static Ranking rank(
            GgufFile file,
            List<Preset> presets,
            int rowsPerTensor,
            int threads,
            Consumer<String> progress,
            Cancellation cancel) {
        for (GgufTensorInfo t : file.tensors()) {
            if (t.type().isQuantized()) {
                throw new IllegalArgumentException(
                        "ranking presets needs an F32, F16 or BF16 model; " + t.name() + " is already " + t.type());
            }
        }
        Map<String, Plan> plans = new LinkedHashMap<>();
        record Job(GgufTensorInfo tensor, GgmlType type) {}
        Map<String, Job> jobs = new LinkedHashMap<>();
        for (Preset p : presets) {
            Plan plan = Plan.of(file.header(), QuantizeOptions.of(p));
            plans.put(p.name(), plan);
            for (Plan.Entry e : plan.entries()) {
                if (e.source().nDims() >= 2
                        && QuantError.applies(e.source(), e.target().type())) {
                    jobs.putIfAbsent(
                            key(e.source(), e.target().type()),
                            new Job(e.source(), e.target().type()));
                }
            }
        }
        List<Job> todo = new ArrayList<>(jobs.values());
        Map<String, QuantError> errors = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        ComputePool.parallel(Math.max(1, Math.min(threads, todo.size())), part -> {
            int i;
            while ((i = next.getAndIncrement()) < todo.size() && !cancel.isCancelled()) {
                Job j = todo.get(i);
                errors.put(
                        key(j.tensor(), j.type()),
                        QuantError.measure(file, j.tensor(), j.type(), rowsPerTensor, null, 0));
                if (progress != null) {
                    progress.accept(j.tensor().name() + " as " + j.type());
                }
            }
        });
        cancel.check();
        long params = file.parameterCount();
        List<Entry> out = new ArrayList<>();
        for (Preset p : presets) {
            Plan plan = plans.get(p.name());
            double weights = 0;
            double relNoise = 0;
            for (Plan.Entry e : plan.entries()) {
                QuantError q = errors.get(key(e.source(), e.target().type()));
                if (q == null || q.sumSq() == 0) {
                    continue; // a norm or bias vector: kept in F32
                }
                double n = e.source().elementCount();
                weights += n;
                relNoise += n * q.sumErrSq() / q.sumSq();
            }
            relNoise /= weights;
            double snr = relNoise > 0 ? -10 * Math.log10(relNoise) : Double.POSITIVE_INFINITY;
            double rel = 100 * Math.sqrt(relNoise);
            out.add(new Entry(
                    p.name(), plan.fileBytes(), plan.tensorBytes(), plan.tensorBytes() * 8.0 / params, snr, rel, 0));
        }
        List<Entry> sorted = new ArrayList<>(out);
        sorted.sort(Comparator.comparingDouble(Entry::snrDb).reversed());
        List<Entry> ranked = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            Entry e = sorted.get(i);
            ranked.add(new Entry(
                    e.preset(), e.bytes(), e.tensorBytes(), e.bitsPerWeight(), e.snrDb(), e.relErrPct(), i + 1));
        }
        return new Ranking(rowsPerTensor, ranked);
    }

    private static String key(GgufTensorInfo t, GgmlType type) {
        return t.name() + "/" + type;
    }
}
