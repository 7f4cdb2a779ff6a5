package io.hyphae.benchmarks.rpc;

import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.RpcConfig;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak run ({@code benchmarks/run SOAK --minutes 3}): the five-node cluster of W1-W4 under
 * steady multicall and abcast load while two of its nodes are killed with SIGKILL and started
 * again, in turn, for the whole run. The three long-lived nodes (the driver node-0, node-1 and
 * node-2) are measured after a warm-up (a fifth of the run, at least 30 s) and again at the end,
 * each time with the load paused, every node back, and after a full GC ({@link JvmStats}); a
 * node whose retained heap or thread count grew beyond the tolerance fails the run (exit
 * status 1). Minutes, not hours: a leak per restart or per message shows within a
 * few dozen restarts and a few hundred thousand messages.
 */
public final class Soak {

    /** Retained heap may grow this much (fraction of the warm-up figure) plus {@link #HEAP_SLACK_BYTES}. */
    static final double HEAP_GROWTH = 0.15;
    /** Absolute slack on heap: JIT-compiled code's metadata, interned strings, pools warmed late. */
    static final long HEAP_SLACK_BYTES = 2L << 20;
    /** Threads may grow by this many: an event-loop thread first used late in the run. */
    static final int THREAD_SLACK = 2;

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);
    private static final int PAYLOAD = 64;
    private static final List<String> CHURNED = List.of("node-3", "node-4");

    private Soak() {
    }

    /** Runs the soak; false when a long-lived node grew beyond the tolerance. */
    public static boolean run(String[] args) throws Exception {
        double minutes = doubleOption(args, "--minutes", 3);
        long churnMs = (long) (doubleOption(args, "--churn-seconds", 15) * 1000);
        long runMs = (long) (minutes * 60_000);
        long warmupMs = Math.max(30_000, runMs / 5);
        try (BenchCluster cluster = BenchCluster.start(4, RpcConfig.defaults())) {
            cluster.caller.register(BenchNode.ECHO, (from, request) -> request); // the multicall reaches node-0 too
            cluster.caller.subscribe(BenchNode.COUNT, (sender, m) -> { });
            Load load = new Load();
            long start = System.nanoTime();
            int restarts = churn(cluster, load, start, warmupMs, churnMs, 0);
            // Both measurements with the load paused and every node back, so in-flight messages
            // and a node half-way through a restart count in neither.
            Map<String, JvmStats> before = measure(cluster);
            restarts = churn(cluster, load, start, runMs, churnMs, restarts);
            Map<String, JvmStats> after = measure(cluster);
            return report(minutes, restarts, load, before, after);
        }
    }

    /** Steady multicall and abcast load from node-0, and a restart every {@code churnMs}, until {@code untilMs} into the run. */
    private static int churn(BenchCluster cluster, Load load, long start, long untilMs, long churnMs, int restarts)
            throws Exception {
        load.start(cluster);
        while (elapsedMs(start) + churnMs <= untilMs) {
            Thread.sleep(churnMs); // the driver's pace, not a test
            String victim = CHURNED.get(restarts % CHURNED.size());
            cluster.restart(cluster.children.stream().filter(c -> c.name().equals(victim)).findFirst().orElseThrow());
            restarts++;
        }
        Thread.sleep(Math.max(0, untilMs - elapsedMs(start)));
        load.stop();
        awaitWholeCluster(cluster);
        return restarts;
    }

    /** The load threads and what they did. */
    private static final class Load {
        final AtomicLong calls = new AtomicLong();
        final AtomicLong callsComplete = new AtomicLong();
        final AtomicLong casts = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean();
        private Thread caller;
        private Thread caster;

        void start(BenchCluster cluster) {
            running.set(true);
            caller = load("soak-multicall", running, () -> {
                MulticallResult<byte[]> r = cluster.caller.multicall(BenchNode.ECHO, new byte[PAYLOAD], CALL_TIMEOUT);
                calls.incrementAndGet();
                if (r.allReplied()) {
                    callsComplete.incrementAndGet();
                }
            }, 10);
            caster = load("soak-abcast", running, () -> {
                byte[] m = new byte[PAYLOAD];
                ByteBuffer.wrap(m).putLong(casts.incrementAndGet());
                cluster.caller.abcast(BenchNode.COUNT, m);
            }, 2);
        }

        void stop() throws InterruptedException {
            running.set(false);
            caller.join();
            caster.join();
        }
    }

    private static Thread load(String name, AtomicBoolean running, Runnable step, long pauseMs) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                try {
                    step.run();
                    Thread.sleep(pauseMs); // steady load, well below capacity: the soak looks for leaks, not limits
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    System.err.println(name + ": " + e); // a call refused while a node restarts; the load goes on
                }
            }
        }, name);
        t.start();
        return t;
    }

    /** The long-lived nodes, each after a full GC: node-0 (this JVM) and the children that are never restarted. */
    private static Map<String, JvmStats> measure(BenchCluster cluster) throws InterruptedException {
        Map<String, JvmStats> stats = new LinkedHashMap<>();
        stats.put("node-0", JvmStats.measure());
        for (BenchCluster.Child c : cluster.children) {
            if (!CHURNED.contains(c.name())) {
                c.send("stats");
                stats.put(c.name(), JvmStats.parse(c.await(JvmStats.PREFIX, 60_000).text()));
            }
        }
        return stats;
    }

    private static void awaitWholeCluster(BenchCluster cluster) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (cluster.caller.node().liveMembers().size() < cluster.children.size() + 1 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    private static boolean report(double minutes, int restarts, Load load, Map<String, JvmStats> before,
                                  Map<String, JvmStats> after) throws Exception {
        boolean ok = true;
        for (String node : before.keySet()) {
            JvmStats b = before.get(node);
            JvmStats a = after.get(node);
            boolean heapOk = a.heapBytes() <= b.heapBytes() * (1 + HEAP_GROWTH) + HEAP_SLACK_BYTES;
            boolean threadsOk = a.threads() <= b.threads() + THREAD_SLACK;
            ok &= heapOk && threadsOk;
            System.out.printf(Locale.ROOT, "SOAK node=%s heap_before_mib=%.1f heap_after_mib=%.1f threads_before=%d threads_after=%d%s%n",
                    node, mib(b.heapBytes()), mib(a.heapBytes()), b.threads(), a.threads(),
                    heapOk && threadsOk ? "" : " GREW");
        }
        String load1 = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        System.out.printf(Locale.ROOT, "SOAK minutes=%.1f restarts=%d multicalls=%d multicalls_all_replied=%d abcasts=%d"
                        + " tolerance=heap+%.0f%%+%dMiB,threads+%d result=%s load1=%s%n",
                minutes, restarts, load.calls.get(), load.callsComplete.get(), load.casts.get(), HEAP_GROWTH * 100, HEAP_SLACK_BYTES >> 20, THREAD_SLACK,
                ok ? "ok" : "GREW", load1);
        return ok;
    }

    private static double mib(long bytes) {
        return bytes / (double) (1 << 20);
    }

    private static long elapsedMs(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static double doubleOption(String[] args, String name, double fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Double.parseDouble(args[i + 1]);
            }
        }
        return fallback;
    }
}
