package io.hyphae.benchmarks;

import io.hyphae.testkit.ChildProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What the W1-W4 drivers share, hyphae's and the peers': their options, how a result line ends,
 * and W3's round of casts counted by the receivers. One per run.
 */
public final class WorkloadKit {

    // Multicalls that missed a reply from a live node: printed as failed= rather than aborting
    // the run, so a run on a starved machine still reports its figures.
    private final AtomicLong failed = new AtomicLong();

    public void failed() {
        failed.incrementAndGet();
    }

    /** The line, then {@code failed=} and {@code load1=} (the one-minute load average now: the machine is shared). */
    public void print(String format, Object... args) throws IOException {
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        System.out.println(String.format(Locale.ROOT, format, args) + " failed=" + failed.get() + " load1=" + load);
    }

    /** The value after {@code name} in {@code args}, or {@code fallback}. */
    public static int intOption(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    /** The number of {@code name=} in a node's {@code KEY name=value ...} line. */
    public static long field(String line, String name) {
        for (String part : line.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new IllegalArgumentException("no " + name + " in " + line);
    }

    /** How a W3 driver casts one message to the four others. */
    @FunctionalInterface
    public interface Cast {
        void send(byte[] message) throws Exception;
    }

    /**
     * One W3 round: tells each receiver to expect {@code msgs}, casts them ({@code payload}
     * bytes, the sequence number first) and waits until each receiver has counted them; returns
     * the most lost at one receiver, the reordered at all, and when the last receiver reported
     * ({@link System#nanoTime()}).
     */
    public static long[] castAndCount(List<ChildProcess> receivers, long first, int msgs, int payload, Cast cast) throws Exception {
        for (ChildProcess r : receivers) {
            r.send("expect " + msgs);
        }
        long last = System.nanoTime();
        for (long i = first; i < first + msgs; i++) {
            byte[] m = new byte[payload];
            ByteBuffer.wrap(m).putLong(i);
            cast.send(m);
        }
        long lost = 0;
        long reordered = 0;
        for (ChildProcess r : receivers) {
            ChildProcess.Line done = r.await("DONE", Duration.ofMinutes(5));
            last = Math.max(last, done.atNanos());
            lost = Math.max(lost, field(done.text(), "lost"));
            reordered += field(done.text(), "reordered");
        }
        return new long[] {lost, reordered, last};
    }

    /** One multicall of a W1/W2 driver, to the four others, checked. */
    @FunctionalInterface
    public interface Call {
        void run() throws Exception;
    }

    /**
     * W2's load: {@code calls} calls from {@code callers} threads of {@code pool} at once, each
     * timed into {@code h}; a call that throws counts as failed.
     */
    public void callConcurrently(ExecutorService pool, int callers, int calls, Histogram h, Call call) throws Exception {
        AtomicInteger left = new AtomicInteger(calls);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            done.add(CompletableFuture.runAsync(() -> {
                while (left.getAndDecrement() > 0) {
                    long t0 = System.nanoTime();
                    try {
                        call.run();
                    } catch (Exception e) {
                        failed();
                        System.err.println("multicall failed: " + e);
                    }
                    h.recordValue(System.nanoTime() - t0);
                }
            }, pool));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
    }

    /**
     * Starts a node of a W1-W4 cluster in its own JVM, running {@code Main args}: the options
     * every node gets, then {@code extra}, then those in {@code HYPHAE_BENCH_NODE_OPTS}, for
     * profiling ({@code {name}} becomes the node's name). Its output lines are queued with the
     * {@link System#nanoTime()} they were read at.
     */
    public static ChildProcess startNodeJvm(String name, List<String> args, List<String> extra) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        jvm.addAll(extra);
        for (String o : System.getenv().getOrDefault("HYPHAE_BENCH_NODE_OPTS", "").replace("{name}", name).split(" ")) {
            if (!o.isBlank()) {
                jvm.add(o);
            }
        }
        return ChildProcess.startJava(name, System.getProperty("java.class.path"), jvm, "io.hyphae.benchmarks.Main", args,
                Map.of(), ProcessBuilder.Redirect.INHERIT, line -> { });
    }
}
