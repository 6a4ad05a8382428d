package io.quantscope.app.cli;

import java.lang.management.ManagementFactory;

/** Facts about this machine the commands and the app judge against. */
public final class Machine {
    private Machine() {}

    /** Physical memory as the OS reports it (8 GiB if it cannot be read). */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 8L << 30;
    }
}
