package io.hyphae.benchmarks.peers;

import io.hyphae.benchmarks.WorkloadKit;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.blocks.MethodCall;
import org.jgroups.blocks.RequestOptions;
import org.jgroups.util.Rsp;
import org.jgroups.util.RspList;

/**
 * W1-W4 of WORKLOADS.md run on JGroups 5 ({@code benchmarks/run W1 --peer jgroups}), so the
 * peer is measured with the same workloads, sizes and output as hyphae's RpcWorkloads, on the
 * same machine at the same time: five nodes on 127.0.0.1, each its own JVM (this one is the
 * caller), the shipped tcp.xml stack ({@link JGroupsStack}). A multicall is
 * {@code RpcDispatcher.callRemoteMethods} to the four others, synchronous, 5 s timeout; an
 * abcast is a multicast {@code channel.send(new BytesMessage(null, payload))}.
 */
public final class JGroupsWorkloads {

    private static final WorkloadKit KIT = new WorkloadKit();

    private static final long CALL_TIMEOUT_MS = 5_000;
    private static final int PAYLOAD = 64;
    private static final String PEER = "peer=jgroups";

    private JGroupsWorkloads() {
    }

    public static void run(String key, String[] args) throws Exception {
        CallerViews views = new CallerViews();
        try (JGroupsCluster cluster = JGroupsCluster.start(4, views)) {
            switch (key) {
                case "W1" -> w1(cluster, WorkloadKit.intOption(args, "--calls", 10_000), WorkloadKit.intOption(args, "--warmup", 2_000));
                case "W2" -> w2(cluster, WorkloadKit.intOption(args, "--calls", 20_000), WorkloadKit.intOption(args, "--callers", 32),
                        WorkloadKit.intOption(args, "--warmup", 2_000));
                case "W3" -> w3(cluster, WorkloadKit.intOption(args, "--msgs", 200_000), WorkloadKit.intOption(args, "--warmup", 200_000));
                case "W4" -> w4(cluster, views, WorkloadKit.intOption(args, "--warmup", 200));
                default -> throw new IllegalArgumentException(key);
            }
        }
    }

    private static void w1(JGroupsCluster cluster, int calls, int warmup) throws Exception {
        List<Address> targets = cluster.others();
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < warmup; i++) {
            check(multicall(cluster, targets, payload), targets.size());
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            check(multicall(cluster, targets, payload), targets.size());
            h.recordValue(System.nanoTime() - t0);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        KIT.print("W1 p50_us=%d p99_us=%d max_us=%d calls_per_s=%.0f %s warmup=%d", h.getValueAtPercentile(50) / 1000,
                h.getValueAtPercentile(99) / 1000, h.getMaxValue() / 1000, calls / secs, PEER, warmup);
    }

    private static void w2(JGroupsCluster cluster, int calls, int callers, int warmup) throws Exception {
        List<Address> targets = cluster.others();
        byte[] payload = new byte[PAYLOAD];
        WorkloadKit.Call echo = () -> check(multicall(cluster, targets, payload), targets.size());
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            KIT.callConcurrently(pool, callers, warmup, new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(10), 3), echo);
            ConcurrentHistogram h = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(10), 3);
            long start = System.nanoTime();
            KIT.callConcurrently(pool, callers, calls, h, echo);
            double secs = (System.nanoTime() - start) / 1e9;
            KIT.print("W2 multicalls_per_s=%.0f p99_us=%d %s warmup=%d", calls / secs, h.getValueAtPercentile(99) / 1000, PEER, warmup);
        } finally {
            pool.shutdownNow();
        }
    }

    private static RspList<byte[]> multicall(JGroupsCluster cluster, List<Address> targets, byte[] payload) throws Exception {
        return cluster.dispatcher.callRemoteMethods(targets, new MethodCall("echo", new Object[] {payload}, new Class<?>[] {byte[].class}),
                RequestOptions.SYNC().timeout(CALL_TIMEOUT_MS));
    }

    /**
     * msgs_per_s as hyphae's W3 means it: messages sent over the seconds from the first measured
     * send until the last receiver reported all of them (each receiver gets every message, so it
     * is the rate per receiver).
     */
    private static void w3(JGroupsCluster cluster, int msgs, int warmup) throws Exception {
        if (warmup > 0) {
            castAndCount(cluster, 0, warmup); // unmeasured, as hyphae's W3: the JIT compiles the path meanwhile
        }
        long dropsBefore = bundlerDrops(cluster);
        long start = System.nanoTime();
        long[] lostReorderedLast = castAndCount(cluster, warmup, msgs);
        double secs = (lostReorderedLast[2] - start) / 1e9;
        KIT.print("W3 msgs_per_s=%.0f lost=%d reordered=%d bundler_drops=%d %s warmup=%d", msgs / secs, lostReorderedLast[0],
                lostReorderedLast[1], bundlerDrops(cluster) - dropsBefore, PEER, warmup);
    }

    /**
     * Messages the caller's bundler dropped because its queue was full: JGroups 5 bundlers drop
     * then (drop_when_full, on by default) and leave them to NAKACK2's retransmission, which is
     * what W3's time mostly is when this is not 0. Not a public figure of JGroups, hence the
     * reflection; -1 if it is not there.
     */
    private static long bundlerDrops(JGroupsCluster cluster) {
        try {
            java.lang.reflect.Field f = org.jgroups.protocols.BaseBundler.class.getDeclaredField("num_drops_on_full_queue");
            f.setAccessible(true);
            return ((java.util.concurrent.atomic.LongAdder) f.get(cluster.channel.getProtocolStack().getTransport().getBundler())).sum();
        } catch (ReflectiveOperationException | ClassCastException e) {
            return -1;
        }
    }

    /**
     * kill -9 of the last node, then at once one multicall to the four. dead_reported: the
     * victim's {@link Rsp} in that call's result was suspected, unreachable or not received
     * (reason= says which). down_event_ms: from the signal until the last survivor, the caller
     * included, installed a view without the victim.
     */
    private static void w4(JGroupsCluster cluster, CallerViews views, int warmup) throws Exception {
        List<Address> targets = cluster.others();
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < warmup; i++) { // warm the call path so call_ms is not class loading
            check(multicall(cluster, targets, payload), targets.size());
        }
        JGroupsCluster.Child victimProcess = cluster.children.get(cluster.children.size() - 1);
        Address victim = targets.stream().filter(a -> a.toString().equals(victimProcess.name())).findFirst().orElseThrow();
        views.watch(victim);
        ProcessHandle victimHandle = ProcessHandle.of(victimProcess.process().pid()).orElseThrow();
        long killedAt = System.nanoTime();
        victimHandle.destroyForcibly();
        long t0 = System.nanoTime(); // as hyphae's W4: the call starts right after the signal
        RspList<byte[]> r = multicall(cluster, targets, payload);
        double callMs = (System.nanoTime() - t0) / 1e6;
        Rsp<byte[]> rsp = r.get(victim);
        String reason = rsp == null ? "absent" : rsp.wasSuspected() ? "suspected" : rsp.wasUnreachable() ? "unreachable"
                : !rsp.wasReceived() ? "not_received" : "received";
        victimProcess.process().killHard(); // gone already: waits for its output to end
        long lastView = 0;
        for (JGroupsCluster.Child c : cluster.children) {
            if (c != victimProcess) {
                lastView = Math.max(lastView, c.await("GONE " + victimProcess.name(), 120_000).atNanos());
            }
        }
        lastView = Math.max(lastView, views.awaitWithout(120_000));
        cluster.children.remove(victimProcess);
        KIT.print("W4 call_ms=%.2f dead_reported=%s down_event_ms=%d reason=%s %s warmup=%d", callMs,
                reason.equals("received") ? "no" : "yes", (lastView - killedAt) / 1_000_000, reason, PEER, warmup);
    }

    /** The caller's own view changes: when it first installed a view without the watched member. */
    private static final class CallerViews implements Receiver {
        private Address watched;
        private long withoutAt;

        synchronized void watch(Address member) {
            watched = member;
        }

        @Override
        public synchronized void viewAccepted(View view) {
            if (watched != null && withoutAt == 0 && !view.containsMember(watched)) {
                withoutAt = System.nanoTime();
                notifyAll();
            }
        }

        synchronized long awaitWithout(long timeoutMs) throws InterruptedException {
            long deadline = System.currentTimeMillis() + timeoutMs;
            while (withoutAt == 0 && System.currentTimeMillis() < deadline) {
                wait(100);
            }
            if (withoutAt == 0) {
                throw new IllegalStateException("the caller never installed a view without " + watched);
            }
            return withoutAt;
        }
    }

    private static void check(RspList<byte[]> r, int expected) {
        if (r.numReceived() != expected) {
            KIT.failed();
            System.err.println("multicall lost replies: " + r);
        }
    }

    private static long[] castAndCount(JGroupsCluster cluster, long first, int msgs) throws Exception {
        return WorkloadKit.castAndCount(cluster.children.stream().map(JGroupsCluster.Child::process).toList(), first, msgs, PAYLOAD,
                m -> cluster.channel.send(new BytesMessage(null, m)));
    }
}
