package io.quantscope.tokenizer;

import io.quantscope.gguf.GgufArray;
import io.quantscope.gguf.GgufMetadata;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The token table a GGUF carries ({@code tokenizer.ggml.*}): texts, scores, types, special ids and the add-BOS/EOS
 * flags, with llama.cpp's defaults when a key is absent.
 */
public final class Vocabulary {
    /** Token types as {@code tokenizer.ggml.token_type} stores them. */
    public static final int NORMAL = 1;

    public static final int UNKNOWN = 2;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;
    public static final int BYTE = 6;

    private final String model;
    private final String pre;
    private final String[] tokens;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids;
    private final List<String> merges;
    private final int bos;
    private final int eos;
    private final int eot;
    private final int unknown;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;

    private Vocabulary(GgufMetadata m) {
        model = m.getString("tokenizer.ggml.model")
                .orElseThrow(() -> new IllegalArgumentException("the file has no tokenizer (tokenizer.ggml.model)"));
        pre = m.getString("tokenizer.ggml.pre").orElse("default");
        GgufArray t = m.getArray("tokenizer.ggml.tokens")
                .orElseThrow(() -> new IllegalArgumentException("the file has no token list (tokenizer.ggml.tokens)"));
        tokens = (String[]) t.values();
        scores = m.getArray("tokenizer.ggml.scores")
                .map(a -> (float[]) a.values())
                .orElse(new float[tokens.length]);
        int[] ty = m.getArray("tokenizer.ggml.token_type")
                .map(a -> {
                    int[] r = new int[a.length()];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = (int) a.getLong(i);
                    }
                    return r;
                })
                .orElse(null);
        if (ty == null) {
            ty = new int[tokens.length];
            java.util.Arrays.fill(ty, NORMAL);
        }
        types = ty;
        if (scores.length != tokens.length || types.length != tokens.length) {
            throw new IllegalArgumentException("tokenizer arrays differ in length: " + tokens.length + " tokens, "
                    + scores.length + " scores, " + types.length + " types");
        }
        ids = new HashMap<>(tokens.length * 2);
        for (int i = 0; i < tokens.length; i++) {
            ids.putIfAbsent(tokens[i], i);
        }
        merges = m.getArray("tokenizer.ggml.merges")
                .map(a -> List.of((String[]) a.values()))
                .orElse(List.of());
        boolean spm = model.equals("llama");
        bos = (int) m.getLong("tokenizer.ggml.bos_token_id").orElse(spm ? 1 : 11);
        eos = (int) m.getLong("tokenizer.ggml.eos_token_id").orElse(spm ? 2 : 11);
        unknown = (int) m.getLong("tokenizer.ggml.unknown_token_id").orElse(spm ? 0 : -1);
        eot = (int) m.getLong("tokenizer.ggml.eot_token_id").orElse(findEot());
        addBos = bool(m, "tokenizer.ggml.add_bos_token", spm || !pre.equals("qwen2"));
        addEos = bool(m, "tokenizer.ggml.add_eos_token", false);
        addSpacePrefix = bool(m, "tokenizer.ggml.add_space_prefix", spm);
    }

    private int findEot() {
        for (String s : new String[] {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>"}) {
            Integer id = ids.get(s);
            if (id != null) {
                return id;
            }
        }
        return -1;
    }

    private static boolean bool(GgufMetadata m, String key, boolean dflt) {
        return m.get(key).map(v -> v.asLong() != 0).orElse(dflt);
    }

    public static Vocabulary of(GgufMetadata m) {
        return new Vocabulary(m);
    }

    public String model() {
        return model;
    }

    public String pre() {
        return pre;
    }

    public int size() {
        return tokens.length;
    }

    public String text(int id) {
        return tokens[id];
    }

    public float score(int id) {
        return scores[id];
    }

    public int type(int id) {
        return types[id];
    }

    /** The id of a token's exact text, or -1. */
    public int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    public List<String> merges() {
        return merges;
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int unknown() {
        return unknown;
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** End of generation: EOS, EOT, or any control token named like an end marker. */
    public boolean isEndOfGeneration(int id) {
        return id == eos || id == eot;
    }

    public boolean isControl(int id) {
        return types[id] == CONTROL;
    }
}
