package io.quantscope.samples.train;

import io.quantscope.gguf.GgufArray;
import io.quantscope.gguf.GgufMetadata;
import io.quantscope.gguf.GgufValue;
import io.quantscope.gguf.GgufValueType;
import io.quantscope.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns a SentencePiece-style vocabulary as llama.cpp's {@code llama} tokenizer uses it: {@code <unk>}, {@code <s>},
 * {@code </s>}, the 256 byte-fallback tokens {@code <0xNN>}, the characters seen in the text, then pieces learned by
 * byte-pair merging, each scored by its merge rank (earlier merge, higher score), so the tokenizer's
 * highest-score-first merging replays the learned merges.
 *
 * <p>Text is normalized as the tokenizer normalizes it (a leading space, spaces as {@code ▁}) and cut into chunks — a
 * {@code ▁} with the letters after it, or one other character — so no piece spans a word and its punctuation. Ties
 * between equally frequent pairs go to the smaller piece text, so the result depends only on the text.
 */
public final class VocabTrainer {
    static final String SPACE = "\u2581";
    static final int FIRST_LEARNED = 259;

    private VocabTrainer() {}

    /** A vocabulary: texts, scores and {@code tokenizer.ggml.token_type} types, index = token id. */
    public record Vocab(String[] tokens, float[] scores, int[] types) {
        public int size() {
            return tokens.length;
        }

        /** Puts the {@code tokenizer.ggml.*} keys for this vocabulary into {@code b}. */
        public GgufMetadata.Builder putInto(GgufMetadata.Builder b) {
            return b.put("tokenizer.ggml.model", GgufValue.ofString("llama"))
                    .put("tokenizer.ggml.tokens", GgufValue.ofArray(new GgufArray(GgufValueType.STRING, tokens)))
                    .put("tokenizer.ggml.scores", GgufValue.ofArray(new GgufArray(GgufValueType.FLOAT32, scores)))
                    .put("tokenizer.ggml.token_type", GgufValue.ofArray(new GgufArray(GgufValueType.INT32, types)))
                    .put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(1))
                    .put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(2))
                    .put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(0))
                    .put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true))
                    .put("tokenizer.ggml.add_eos_token", GgufValue.ofBool(false));
        }

        /** The engine's view of this vocabulary, for tokenizing with exactly the rules inference uses. */
        public Vocabulary vocabulary() {
            return Vocabulary.of(putInto(GgufMetadata.builder()).build());
        }
    }

    /**
     * Learns a vocabulary of {@code size} tokens from {@code text}. Characters seen fewer than {@code minCharCount}
     * times (and control characters) are left to byte fallback.
     *
     * @throws IllegalArgumentException if {@code size} leaves no room for the characters of the text
     */
    public static Vocab train(String text, int size, int minCharCount) {
        Map<String, Integer> chunkCounts = chunks(text);
        TreeMap<String, Integer> charCounts = new TreeMap<>();
        chunkCounts.forEach((chunk, n) ->
                chunk.codePoints().forEach(cp -> charCounts.merge(new String(Character.toChars(cp)), n, Integer::sum)));
        List<String> alphabet = new ArrayList<>();
        charCounts.forEach((c, n) -> {
            if (n >= minCharCount && !Character.isISOControl(c.codePointAt(0))) {
                alphabet.add(c);
            }
        });
        int merges = size - FIRST_LEARNED - alphabet.size();
        if (merges < 0) {
            throw new IllegalArgumentException("a vocabulary of " + size + " cannot hold the " + alphabet.size()
                    + " characters of the text after the 259 special and byte tokens");
        }
        List<String> learned = learnMerges(chunkCounts, alphabet, merges);

        String[] tokens = new String[FIRST_LEARNED + alphabet.size() + learned.size()];
        float[] scores = new float[tokens.length];
        int[] types = new int[tokens.length];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = Vocabulary.UNKNOWN;
        types[1] = Vocabulary.CONTROL;
        types[2] = Vocabulary.CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = Vocabulary.BYTE;
        }
        int id = FIRST_LEARNED;
        for (int i = 0; i < learned.size(); i++, id++) {
            tokens[id] = learned.get(i);
            scores[id] = -i;
            types[id] = Vocabulary.NORMAL;
        }
        for (int i = 0; i < alphabet.size(); i++, id++) {
            tokens[id] = alphabet.get(i);
            scores[id] = -(learned.size() + i);
            types[id] = Vocabulary.NORMAL;
        }
        return new Vocab(tokens, scores, types);
    }

    /** Chunk → count, after the tokenizer's normalization. */
    static Map<String, Integer> chunks(String text) {
        String norm = SPACE + text.replace(" ", SPACE);
        Map<String, Integer> counts = new HashMap<>();
        int i = 0;
        while (i < norm.length()) {
            int start = i;
            if (norm.startsWith(SPACE, i)) {
                i += SPACE.length();
            }
            int letters = i;
            while (i < norm.length() && Character.isLetter(norm.charAt(i))) {
                i++;
            }
            if (i == letters && i < norm.length() && start == letters) {
                i += Character.charCount(norm.codePointAt(i)); // one other character
            }
            counts.merge(norm.substring(start, i), 1, Integer::sum);
        }
        return counts;
    }

    private static List<String> learnMerges(Map<String, Integer> chunkCounts, List<String> alphabet, int merges) {
        java.util.Set<String> known = new java.util.HashSet<>(alphabet);
        // each distinct chunk as its current list of symbols; chunks with unknown characters keep them as barriers
        Map<List<String>, Integer> words = new LinkedHashMap<>();
        new TreeMap<>(chunkCounts).forEach((chunk, n) -> {
            List<String> symbols = new ArrayList<>();
            chunk.codePoints().forEach(cp -> symbols.add(new String(Character.toChars(cp))));
            words.merge(symbols, n, Integer::sum);
        });
        List<String> learned = new ArrayList<>();
        java.util.Set<String> vocab = new java.util.HashSet<>(alphabet);
        while (learned.size() < merges) {
            Map<String, long[]> pairs = new HashMap<>();
            Map<String, String[]> parts = new HashMap<>();
            for (var e : words.entrySet()) {
                List<String> w = e.getKey();
                for (int i = 0; i + 1 < w.size(); i++) {
                    String a = w.get(i);
                    String b = w.get(i + 1);
                    if (!known.contains(a) || !known.contains(b)) {
                        continue;
                    }
                    String key = a + "\u0000" + b;
                    pairs.computeIfAbsent(key, k -> new long[1])[0] += e.getValue();
                    parts.putIfAbsent(key, new String[] {a, b});
                }
            }
            String best = null;
            long bestCount = 0;
            for (var e : pairs.entrySet()) {
                long n = e.getValue()[0];
                String[] ab = parts.get(e.getKey());
                String joined = ab[0] + ab[1];
                if (vocab.contains(joined)) {
                    continue; // the same text made from another pair: already a token
                }
                if (n > bestCount
                        || (n == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = n;
                }
            }
            if (best == null || bestCount < 2) {
                break; // nothing left worth merging
            }
            String[] ab = parts.get(best);
            String joined = ab[0] + ab[1];
            learned.add(joined);
            vocab.add(joined);
            known.add(joined);
            Map<List<String>, Integer> next = new LinkedHashMap<>();
            for (var e : words.entrySet()) {
                List<String> w = e.getKey();
                List<String> out = new ArrayList<>(w.size());
                for (int i = 0; i < w.size(); i++) {
                    if (i + 1 < w.size()
                            && w.get(i).equals(ab[0])
                            && w.get(i + 1).equals(ab[1])) {
                        out.add(joined);
                        i++;
                    } else {
                        out.add(w.get(i));
                    }
                }
                next.merge(out, e.getValue(), Integer::sum);
            }
            words.clear();
            words.putAll(next);
        }
        return learned;
    }
}
