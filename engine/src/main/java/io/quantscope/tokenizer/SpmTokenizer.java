package io.quantscope.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece-style tokenizer ({@code tokenizer.ggml.model = llama}) as llama.cpp's {@code llm_tokenizer_spm}:
 * spaces become {@code ▁} (with a leading one), the text starts as one symbol per UTF-8 character, the adjacent pair
 * whose merged text is a token with the highest score merges first (ties: leftmost), in n·log n with a priority
 * queue; symbols that are not tokens are split back along their merges and, at the bottom, into byte tokens
 * {@code <0xNN>}.
 */
public final class SpmTokenizer extends Tokenizer {
    private static final String SPACE = "\u2581";

    private final int[] byteTokens = new int[256];

    public SpmTokenizer(Vocabulary vocab) {
        super(vocab);
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocab.id(String.format("<0x%02X>", b));
        }
    }

    private record Bigram(int left, int right, float score, int size) {}

    @Override
    protected void encodeRaw(String fragment, boolean afterSpecial, List<Integer> out) {
        String text = (vocab.addSpacePrefix() && afterSpecial ? " " : "") + fragment;
        byte[] bytes = text.replace(" ", SPACE).getBytes(StandardCharsets.UTF_8);
        int n = 0;
        int[] start = new int[bytes.length];
        int[] len = new int[bytes.length];
        for (int offs = 0; offs < bytes.length; n++) {
            start[n] = offs;
            len[n] = Math.min(bytes.length - offs, utf8Len(bytes[offs]));
            offs += len[n];
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(
                (a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        Map<String, int[]> revMerge = new HashMap<>();
        for (int i = 1; i < n; i++) {
            tryAdd(bytes, start, len, i - 1, i, queue, revMerge);
        }
        while (!queue.isEmpty()) {
            Bigram bg = queue.poll();
            int l = bg.left;
            int r = bg.right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bg.size) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                tryAdd(bytes, start, len, prev[l], l, queue, revMerge);
            }
            if (next[l] >= 0) {
                tryAdd(bytes, start, len, l, next[l], queue, revMerge);
            }
        }
        for (int i = n > 0 ? 0 : -1; i >= 0; i = next[i]) {
            resegment(bytes, start[i], len[i], revMerge, out);
        }
    }

    private void tryAdd(
            byte[] bytes, int[] start, int[] len, int l, int r, PriorityQueue<Bigram> q, Map<String, int[]> rev) {
        String text = new String(bytes, start[l], len[l] + len[r], StandardCharsets.UTF_8);
        int id = vocab.id(text);
        if (id < 0) {
            return;
        }
        q.add(new Bigram(l, r, vocab.score(id), len[l] + len[r]));
        rev.put(text, new int[] {start[l], len[l], start[r], len[r]});
    }

    private void resegment(byte[] bytes, int start, int len, Map<String, int[]> rev, List<Integer> out) {
        String text = new String(bytes, start, len, StandardCharsets.UTF_8);
        int id = vocab.id(text);
        if (id >= 0) {
            out.add(id);
            return;
        }
        int[] m = rev.get(text);
        if (m == null) {
            for (int i = 0; i < len; i++) {
                int t = byteTokens[bytes[start + i] & 0xFF];
                out.add(t >= 0 ? t : vocab.unknown());
            }
            return;
        }
        resegment(bytes, m[0], m[1], rev, out);
        resegment(bytes, m[2], m[3], rev, out);
    }

    static int utf8Len(byte first) {
        int hi = (first & 0xFF) >>> 4;
        return hi < 8 ? 1 : hi < 12 ? 1 : hi < 14 ? 2 : hi == 14 ? 3 : 4;
    }

    @Override
    public byte[] piece(int id, boolean special) {
        String text = vocab.text(id);
        return switch (vocab.type(id)) {
            case Vocabulary.NORMAL -> text.replace(SPACE, " ").getBytes(StandardCharsets.UTF_8);
            case Vocabulary.UNKNOWN -> "\u2585".getBytes(StandardCharsets.UTF_8);
            case Vocabulary.BYTE -> new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            case Vocabulary.CONTROL -> special ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
            default -> text.getBytes(StandardCharsets.UTF_8);
        };
    }
}
