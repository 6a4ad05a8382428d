package io.quantscope.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 style byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the text is split by the pre-tokenizer pattern of
 * {@code tokenizer.ggml.pre} (Llama 3, Qwen2, or GPT-2's), each piece's bytes are mapped to GPT-2's printable
 * characters, and adjacent pairs merge by merge rank (lowest first, leftmost on ties) with a priority queue.
 */
public final class BpeTokenizer extends Tokenizer {
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    static final String LLAMA3 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String QWEN2 = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + n++);
            CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
        }
    }

    /** The printable character GPT-2's byte-level vocabulary uses for byte {@code b} (space is {@code Ġ}). */
    public static char byteChar(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    private final Pattern pattern;
    private final Map<String, Integer> ranks = new HashMap<>();

    public BpeTokenizer(Vocabulary vocab) {
        super(vocab);
        String p = switch (vocab.pre()) {
            case "llama3", "llama-v3", "llama-bpe", "smaug-bpe", "falcon3" -> LLAMA3;
            case "qwen2", "deepseek-r1-qwen" -> QWEN2;
            default -> GPT2;
        };
        pattern = Pattern.compile(p, Pattern.UNICODE_CHARACTER_CLASS);
        List<String> merges = vocab.merges();
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
    }

    private record Pair(int left, int right, int rank) {}

    @Override
    protected void encodeRaw(String text, boolean afterSpecial, List<Integer> out) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            encodeWord(m.group(), out);
        }
    }

    private void encodeWord(String word, List<Integer> out) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        String[] sym = new String[n];
        for (int i = 0; i < n; i++) {
            sym[i] = String.valueOf(BYTE_TO_CHAR[bytes[i] & 0xFF]);
        }
        String whole = String.join("", sym);
        int direct = vocab.id(whole);
        if (direct >= 0) {
            out.add(direct);
            return;
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Pair> q = new PriorityQueue<>(
                (a, b) -> a.rank != b.rank ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            add(sym, i - 1, i, q);
        }
        while (!q.isEmpty()) {
            Pair p = q.poll();
            int l = p.left;
            int r = p.right;
            if (sym[l] == null || sym[r] == null || next[l] != r) {
                continue;
            }
            Integer rank = ranks.get(sym[l] + " " + sym[r]);
            if (rank == null || rank != p.rank) {
                continue;
            }
            sym[l] = sym[l] + sym[r];
            sym[r] = null;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                add(sym, prev[l], l, q);
            }
            if (next[l] >= 0) {
                add(sym, l, next[l], q);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            int id = vocab.id(sym[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                for (int c = 0; c < sym[i].length(); c++) {
                    int bid = vocab.id(String.valueOf(sym[i].charAt(c)));
                    out.add(bid >= 0 ? bid : vocab.unknown());
                }
            }
        }
    }

    private void add(String[] sym, int l, int r, PriorityQueue<Pair> q) {
        Integer rank = ranks.get(sym[l] + " " + sym[r]);
        if (rank != null) {
            q.add(new Pair(l, r, rank));
        }
    }

    @Override
    public byte[] piece(int id, boolean special) {
        String text = vocab.text(id);
        int type = vocab.type(id);
        if (type == Vocabulary.CONTROL) {
            return special ? text.getBytes(StandardCharsets.UTF_8) : new byte[0];
        }
        if (type == Vocabulary.USER_DEFINED) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            Integer v = CHAR_TO_BYTE.get(text.charAt(i));
            if (v != null) {
                b.write(v);
            } else {
                b.writeBytes(String.valueOf(text.charAt(i)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return b.toByteArray();
    }
}
