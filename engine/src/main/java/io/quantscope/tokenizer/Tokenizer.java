package io.quantscope.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Text ↔ token ids as llama.cpp does it: special (control and user-defined) tokens written in the text are matched
 * first, the rest goes to the model's algorithm ({@link SpmTokenizer} or {@link BpeTokenizer}); BOS/EOS are added
 * as the vocabulary's flags say.
 */
public abstract class Tokenizer {
    protected final Vocabulary vocab;
    private final List<Integer> specials;

    protected Tokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        List<Integer> sp = new ArrayList<>();
        for (int i = 0; i < vocab.size(); i++) {
            int t = vocab.type(i);
            if ((t == Vocabulary.CONTROL || t == Vocabulary.USER_DEFINED)
                    && !vocab.text(i).isEmpty()) {
                sp.add(i);
            }
        }
        // longest first, as llama.cpp's cache_special_tokens sorts them
        sp.sort(Comparator.comparingInt((Integer i) -> vocab.text(i).length()).reversed());
        specials = List.copyOf(sp);
    }

    /** The tokenizer the vocabulary's {@code tokenizer.ggml.model} names. */
    public static Tokenizer of(Vocabulary vocab) {
        return switch (vocab.model()) {
            case "llama" -> new SpmTokenizer(vocab);
            case "gpt2" -> new BpeTokenizer(vocab);
            default ->
                throw new IllegalArgumentException(
                        "unsupported tokenizer '" + vocab.model() + "' (Quantscope reads 'llama' and 'gpt2')");
        };
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    /**
     * Encodes {@code text}; with {@code addSpecial} BOS (and EOS) are added when the vocabulary asks for them; with
     * {@code parseSpecial} special tokens written in the text become their ids.
     */
    public List<Integer> encode(String text, boolean addSpecial, boolean parseSpecial) {
        List<Integer> out = new ArrayList<>();
        if (addSpecial && vocab.addBos()) {
            out.add(vocab.bos());
        }
        boolean prevSpecial = true;
        for (Object frag : fragments(text, parseSpecial)) {
            if (frag instanceof Integer id) {
                out.add(id);
                prevSpecial = true;
            } else {
                encodeRaw((String) frag, prevSpecial, out);
                prevSpecial = false;
            }
        }
        if (addSpecial && vocab.addEos()) {
            out.add(vocab.eos());
        }
        return out;
    }

    /** Encodes a fragment without special tokens; {@code afterSpecial} is true at the start or after one. */
    protected abstract void encodeRaw(String text, boolean afterSpecial, List<Integer> out);

    /** The bytes of one token as text (special tokens rendered when {@code special}). */
    public abstract byte[] piece(int id, boolean special);

    /** The text of a token sequence (bytes joined, then decoded as UTF-8). */
    public String decode(List<Integer> ids, boolean special) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int id : ids) {
            b.writeBytes(piece(id, special));
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private List<Object> fragments(String text, boolean parseSpecial) {
        List<Object> frags = new ArrayList<>();
        if (!parseSpecial || specials.isEmpty()) {
            if (!text.isEmpty()) {
                frags.add(text);
            }
            return frags;
        }
        frags.add(text);
        for (int id : specials) {
            String s = vocab.text(id);
            List<Object> next = new ArrayList<>();
            for (Object f : frags) {
                if (!(f instanceof String str)) {
                    next.add(f);
                    continue;
                }
                int from = 0;
                int at;
                while ((at = str.indexOf(s, from)) >= 0) {
                    if (at > from) {
                        next.add(str.substring(from, at));
                    }
                    next.add(id);
                    from = at + s.length();
                }
                if (from < str.length()) {
                    next.add(str.substring(from));
                }
            }
            frags = next;
        }
        return frags;
    }
}
