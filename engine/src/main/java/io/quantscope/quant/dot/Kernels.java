package io.quantscope.quant.dot;

import io.quantscope.tensor.GgmlType;
import java.util.EnumMap;
import java.util.Map;

/** The dot-product kernel for each weight type the inference engine runs. */
public final class Kernels {
    static final DotKernel Q4_0 = new Q4_0Dot();
    static final DotKernel Q8_0 = new Q8_0Dot();
    static final DotKernel Q2_K = new Q2_KDot();
    static final DotKernel Q4_K = new KQuant45Dot(false);
    static final DotKernel Q6_K = new Q6_KDot();

    private static final Map<GgmlType, DotKernel> KERNELS = new EnumMap<>(GgmlType.class);

    static {
        for (DotKernel k : new DotKernel[] {
            FloatDots.F32,
            FloatDots.F16,
            FloatDots.BF16,
            Q4_0,
            new Q4_1Dot(),
            new Q5_0Dot(),
            new Q5_1Dot(),
            Q8_0,
            Q2_K,
            new Q3_KDot(),
            Q4_K,
            new KQuant45Dot(true),
            Q6_K,
            new IQ4_NLDot()
        }) {
            KERNELS.put(k.type(), k);
        }
    }

    private Kernels() {}

    /** @throws IllegalArgumentException naming the type when no kernel runs it */
    public static DotKernel of(GgmlType type) {
        DotKernel k = KERNELS.get(type);
        if (k == null) {
            throw new IllegalArgumentException(
                    "Quantscope cannot run " + type + " weights (it runs " + KERNELS.keySet() + ")");
        }
        return k;
    }

    public static boolean supports(GgmlType type) {
        return KERNELS.containsKey(type);
    }

    /** Whether the Vector API paths are in use on this machine. */
    public static boolean vectorized() {
        return VectorDots.ENABLED;
    }
}
