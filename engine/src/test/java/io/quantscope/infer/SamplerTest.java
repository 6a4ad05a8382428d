package io.quantscope.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Test
    void topIndicesAreWhatAStableSortOfEveryIndexGives() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + rnd.nextInt(300);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextInt(20); // many ties
            }
            Integer[] all = new Integer[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            Arrays.sort(all, (a, b) -> Double.compare(v[b], v[a]));
            for (int k : new int[] {1, 5, 40, 100}) {
                int kk = Math.min(k, n);
                int[] expected =
                        Arrays.stream(all).limit(kk).mapToInt(Integer::intValue).toArray();
                assertArrayEquals(expected, Sampler.topIndices(n, i -> v[i], k), "n " + n + " k " + k);
            }
        }
    }
}
