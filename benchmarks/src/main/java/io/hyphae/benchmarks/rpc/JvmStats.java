package io.hyphae.benchmarks.rpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * CPU time the live threads of this JVM have used so far, in nanoseconds: {@code all} of them
     * (event loops, handlers, JIT compilers, GC), the node's event-loop threads alone
     * ({@code loop}) and the JIT compiler threads alone ({@code jit}). Read from {@code /proc/self/task/}*{@code /schedstat}, which counts
     * nanoseconds where the JDK's process CPU time counts 10 ms ticks; zeros where there is no
     * such file (not Linux). A thread that ended is no longer counted.
     */
    record Cpu(long allNanos, long loopNanos, long jitNanos) {

        // Linux keeps the first 15 bytes of a thread's name: "hyphae-transport-1-1" reads so.
        private static final String LOOP_THREAD = "hyphae-transpor";
        // HotSpot's "C2 CompilerThread0", "C1 CompilerThread1", …
        private static final String JIT_THREAD = " CompilerThre";

        static Cpu now() {
            Path tasks = Path.of("/proc/self/task");
            if (!Files.isDirectory(tasks)) {
                return new Cpu(0, 0, 0);
            }
            long all = 0;
            long loop = 0;
            long jit = 0;
            try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
                for (Path t : threads) {
                    try {
                        long ns = Long.parseLong(Files.readString(t.resolve("schedstat")).split(" ")[0]);
                        all += ns;
                        String name = Files.readString(t.resolve("comm"));
                        if (name.startsWith(LOOP_THREAD)) {
                            loop += ns;
                        } else if (name.startsWith(JIT_THREAD, 2)) {
                            jit += ns;
                        }
                    } catch (IOException | RuntimeException gone) {
                        // The thread ended while we read.
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Cpu(all, loop, jit);
        }

        Cpu plus(Cpu o) {
            return new Cpu(allNanos + o.allNanos, loopNanos + o.loopNanos, jitNanos + o.jitNanos);
        }

        Cpu minus(Cpu o) {
            return new Cpu(allNanos - o.allNanos, loopNanos - o.loopNanos, jitNanos - o.jitNanos);
        }

        /** The line a node prints for {@code cpu}. */
        String line() {
            return String.format(Locale.ROOT, "CPU all=%d loop=%d jit=%d", allNanos, loopNanos, jitNanos);
        }

        static Cpu parse(String line) {
            String[] f = line.split(" ");
            return new Cpu(Long.parseLong(f[1].substring("all=".length())), Long.parseLong(f[2].substring("loop=".length())),
                    Long.parseLong(f[3].substring("jit=".length())));
        }
    }

    /**
     * CPU time process {@code pid} has used so far, all its threads, ended ones included, in
     * nanoseconds (the kernel's {@code utime + stime}: 10 ms ticks on Linux, fine for a phase
     * that takes seconds of CPU).
     */
    static long processCpuNanos(long pid) {
        return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException("no CPU time for process " + pid)).toNanos();
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
