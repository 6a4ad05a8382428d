package io.quantscope.gguf;

import java.io.IOException;

/**
 * A file is not a GGUF file this engine can read. The message names the file, the byte offset or tensor, and what was
 * expected there, so it can be shown to a user as it is.
 */
public final class GgufFormatException extends IOException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
