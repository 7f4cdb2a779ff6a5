package io.hyphae.benchmarks.rpc;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * What a soak run compares on each long-lived node: heap in use right after a full collection
 * (what the node really retains, not garbage waiting for the next GC) and live threads.
 *
 * @param heapBytes heap used after {@link System#gc()}; with the serial collector the nodes run,
 *     that is a full, stop-the-world collection
 * @param threads live threads, daemon ones included
 */
record JvmStats(long heapBytes, int threads) {

    static final String PREFIX = "STATS";

    static JvmStats measure() {
        // Twice: objects with finalizers or cleaners are only freed by the collection after the one that found them.
        System.gc();
        System.gc();
        return new JvmStats(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                ManagementFactory.getThreadMXBean().getThreadCount());
    }

    /** The line a node prints for {@code stats}. */
    String line() {
        return String.format(Locale.ROOT, "%s heap=%d threads=%d", PREFIX, heapBytes, threads);
    }

    static JvmStats parse(String line) {
        String[] f = line.split(" ");
        return new JvmStats(Long.parseLong(f[1].substring("heap=".length())), Integer.parseInt(f[2].substring("threads=".length())));
    }
}
