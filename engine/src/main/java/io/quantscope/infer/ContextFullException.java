package io.quantscope.infer;

/** The tokens to run do not fit in the context the session was opened with. */
public final class ContextFullException extends RuntimeException {
    public ContextFullException(int position, int tokens, int capacity) {
        super("context is full: " + position + " tokens held + " + tokens + " new > " + capacity
                + " (open the session with a larger context)");
    }
}
