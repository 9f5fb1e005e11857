package io.csrflow.testsupport;

import java.lang.management.ManagementFactory;

/** Heap in use after collections, for the benchmarks that print what a structure retains. */
public final class HeapUse {
    private HeapUse() {
    }

    /** Bytes of heap in use after a few full collections (one may leave work for the next). */
    public static long afterGc() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
