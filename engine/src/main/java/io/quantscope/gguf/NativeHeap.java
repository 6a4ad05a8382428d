package io.quantscope.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The C library's malloc and free, for native memory outside the JVM's direct-memory budget. */
final class NativeHeap {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MALLOC = LINKER.downcallHandle(
            LINKER.defaultLookup().find("malloc").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle FREE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("free").orElseThrow(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    private static final long ALIGN = 64;

    private NativeHeap() {}

    /** {@code bytes} aligned to 64, freed when {@code arena} closes. */
    static MemorySegment allocate(long bytes, Arena arena) {
        MemorySegment raw;
        try {
            raw = (MemorySegment) MALLOC.invokeExact(bytes + ALIGN - 1);
        } catch (Throwable t) {
            throw new IllegalStateException("malloc failed", t);
        }
        if (raw.address() == 0) {
            throw new OutOfMemoryError("cannot allocate " + bytes + " bytes of native memory");
        }
        long aligned = (raw.address() + ALIGN - 1) & -ALIGN;
        return MemorySegment.ofAddress(aligned).reinterpret(bytes, arena, s -> free(raw));
    }

    private static void free(MemorySegment raw) {
        try {
            FREE.invokeExact(raw);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }
}
