package io.quantscope.quant;

/**
 * The scale searches of ggml's K-quants and their importance-matrix variants, ported operation for operation from
 * ggml-quants.c ({@code make_qx_quants}, {@code make_q3_quants}, {@code make_qkx2_quants}, {@code make_qkx3_quants},
 * {@code make_qp_quants}). Arrays are addressed with explicit offsets so callers work in place on a row.
 */
final class QuantSearch {
    static final float GROUP_MAX_EPS = 1e-15f;

    private QuantSearch() {}

    /** Σ x² over {@code x[xo .. xo+n)}, summed left to right. */
    static float sumSquares(float[] x, int xo, int n) {
        float s = 0;
        for (int j = 0; j < n; ++j) s += x[xo + j] * x[xo + j];
        return s;
    }

    /** Importance-matrix weights as ggml's {@code _impl} quantizers form them: {@code qw · √(σ² + x²)}. */
    static void importanceWeights(float[] qw, int qwo, float[] x, int xo, float sigma2, float[] w, int n) {
        for (int j = 0; j < n; ++j) {
            float xv = x[xo + j];
            w[j] = qw[qwo + j] * (float) Math.sqrt(sigma2 + xv * xv);
        }
    }

    private static float weightOf(int rmseType, float xi, float[] qw, int qwOff, int i) {
        if (qw != null) return qw[qwOff + i];
        return switch (rmseType) {
            case 1 -> xi * xi;
            case 2 -> 1;
            case 3 -> Math.abs(xi);
            default -> (float) Math.sqrt(Math.abs(xi));
        };
    }

    /** As ggml {@code make_qx_quants}: symmetric levels in [-nmax, nmax-1], stored as L + nmax. */
    static float makeQxQuants(int n, int nmax, float[] x, int xo, byte[] L, int lo, int rmseType, float[] qw, int qwo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; ++i) {
                int l = QuantMath.nearestInt(iscale * x[xo + i]);
                L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
            }
            return 1 / iscale;
        }
        boolean returnEarly = false;
        if (rmseType < 0) {
            rmseType = -rmseType;
            returnEarly = true;
        }
        // the weights are the same floats on every pass; computing them once keeps the results and drops the branches
        float[] w = new float[n];
        for (int i = 0; i < n; ++i) w[i] = weightOf(rmseType, x[xo + i], qw, qwo, i);
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xo + i];
            int l = QuantMath.nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) (l + nmax);
            sumlx += w[i] * xi * l;
            suml2 += w[i] * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        if (returnEarly) return suml2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; ++is) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                int l = QuantMath.nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                sumlx += w[i] * xi * l;
                suml2 += w[i] * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; ++i) {
                    int l = QuantMath.nearestInt(iscale * x[xo + i]);
                    L[lo + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /** As ggml {@code make_q3_quants} (Q3_K reference path). */
    static float makeQ3Quants(int n, int nmax, float[] x, int xo, byte[] L, int lo, boolean doRmse) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; ++i) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        if (doRmse) {
            float sumlx = 0;
            float suml2 = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                int l = QuantMath.nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                L[lo + i] = (byte) l;
                float w = xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            for (int itry = 0; itry < 5; ++itry) {
                int nChanged = 0;
                for (int i = 0; i < n; ++i) {
                    float xi = x[xo + i];
                    float w = xi * xi;
                    int li = L[lo + i];
                    float slx = sumlx - w * xi * li;
                    if (slx > 0) {
                        float sl2 = suml2 - w * li * li;
                        int newL = QuantMath.nearestInt(xi * sl2 / slx);
                        newL = Math.max(-nmax, Math.min(nmax - 1, newL));
                        if (newL != li) {
                            slx += w * xi * newL;
                            sl2 += w * newL * newL;
                            if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                                L[lo + i] = (byte) newL;
                                sumlx = slx;
                                suml2 = sl2;
                                ++nChanged;
                            }
                        }
                    }
                }
                if (nChanged == 0) break;
            }
            for (int i = 0; i < n; ++i) L[lo + i] += (byte) nmax;
            return sumlx / suml2;
        }
        for (int i = 0; i < n; ++i) {
            int l = QuantMath.nearestInt(iscale * x[xo + i]);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lo + i] = (byte) (l + nmax);
        }
        return 1 / iscale;
    }

    /**
     * As ggml {@code make_qkx2_quants} ({@code weights} given) and {@code make_qkx3_quants} ({@code x3}: weights may
     * be null, meaning x²; an all-equal block uses {@code max <= min}). Levels in [0, nmax]; returns the scale and
     * stores -min in {@code theMin[tmo]}.
     */
    static float makeQkxQuants(
            boolean x3,
            int n,
            int nmax,
            float[] x,
            int xo,
            float[] weights,
            int wo,
            byte[] L,
            int lo,
            float[] theMin,
            int tmo,
            byte[] Laux,
            float rmin,
            float rdelta,
            int nstep,
            boolean useMad) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights != null ? weights[wo] : x[xo] * x[xo];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; ++i) {
            float xi = x[xo + i];
            if (xi < min) min = xi;
            if (xi > max) max = xi;
            float w = weights != null ? weights[wo + i] : xi * xi;
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) min = 0;
        if (x3 ? max <= min : max == min) {
            for (int i = 0; i < n; ++i) L[lo + i] = 0;
            theMin[tmo] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; ++i) {
            float xi = x[xo + i];
            int l = QuantMath.nearestInt(iscale * (xi - min));
            int li = Math.max(0, Math.min(nmax, l));
            L[lo + i] = (byte) li;
            float diff = scale * li + min - xi;
            diff = useMad ? Math.abs(diff) : diff * diff;
            float w = weights != null ? weights[wo + i] : xi * xi;
            bestMad += w * diff;
        }
        if (nstep < 1) {
            theMin[tmo] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; ++is) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXl = 0;
            for (int i = 0; i < n; ++i) {
                float xi = x[xo + i];
                int l = QuantMath.nearestInt(iscale * (xi - min));
                l = Math.max(0, Math.min(nmax, l));
                Laux[i] = (byte) l;
                float w = weights != null ? weights[wo + i] : xi * xi;
                sumL += w * l;
                sumL2 += w * l * l;
                sumXl += w * l * xi;
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; ++i) {
                    float xi = x[xo + i];
                    float diff = thisScale * (Laux[i] & 0xFF) + thisMin - xi;
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    float w = weights != null ? weights[wo + i] : xi * xi;
                    mad += w * diff;
                }
                if (mad < bestMad) {
                    System.arraycopy(Laux, 0, L, lo, n);
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[tmo] = -min;
        return scale;
    }

    /** As ggml {@code make_qp_quants}: non-negative levels in [0, nmax] for block scales, weighted. */
    static float makeQpQuants(int n, int nmax, float[] x, byte[] L, float[] quantWeights) {
        float max = 0;
        for (int i = 0; i < n; ++i) max = Math.max(max, x[i]);
        if (max == 0) {
            for (int i = 0; i < n; ++i) L[i] = 0;
            return 0.f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; ++i) L[i] = (byte) QuantMath.nearestInt(iscale * x[i]);
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; ++i) {
            float diff = x[i] - scale * (L[i] & 0xFF);
            float w = quantWeights[i];
            bestMse += w * diff * diff;
        }
        for (int is = -4; is <= 4; ++is) {
            if (is == 0) continue;
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; ++i) {
                int l = QuantMath.nearestInt(iscaleIs * x[i]);
                l = Math.min(nmax, l);
                float diff = x[i] - scaleIs * l;
                float w = quantWeights[i];
                mse += w * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; ++i) {
            int l = QuantMath.nearestInt(iscale * x[i]);
            l = Math.min(nmax, l);
            L[i] = (byte) l;
            float w = quantWeights[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; ++itry) {
            int nChanged = 0;
            for (int i = 0; i < n; ++i) {
                float w = quantWeights[i];
                int li = L[i] & 0xFF;
                float slx = sumlx - w * x[i] * li;
                float sl2 = suml2 - w * li * li;
                if (slx > 0 && sl2 > 0) {
                    int newL = QuantMath.nearestInt(x[i] * sl2 / slx);
                    newL = Math.min(nmax, newL);
                    if (newL != li) {
                        slx += w * x[i] * newL;
                        sl2 += w * newL * newL;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[i] = (byte) newL;
                            sumlx = slx;
                            suml2 = sl2;
                            ++nChanged;
                        }
                    }
                }
            }
            if (nChanged == 0) break;
        }
        return sumlx / suml2;
    }
}
