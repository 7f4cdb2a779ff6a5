package io.hyphae.benchmarks.rpc;

import io.hyphae.benchmarks.WorkloadKit;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.RpcConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * W1-W4 of WORKLOADS.md: five nodes, each its own JVM (this one is the caller), static
 * discovery on 127.0.0.1, default settings. Each prints its line plus {@code load1=} (the
 * one-minute load average when it finished), since the machine is shared.
 */
public final class RpcWorkloads {

    private static final WorkloadKit KIT = new WorkloadKit();

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    private static final int PAYLOAD = 64;

    private RpcWorkloads() {
    }

    public static void run(String key, String[] args) throws Exception {
        try (BenchCluster cluster = BenchCluster.start(4, RpcConfig.defaults())) {
            switch (key) {
                case "W1" -> w1(cluster, WorkloadKit.intOption(args, "--calls", 10_000), WorkloadKit.intOption(args, "--warmup", 2_000));
                case "W2" -> w2(cluster, WorkloadKit.intOption(args, "--calls", 20_000), WorkloadKit.intOption(args, "--callers", 32),
                        WorkloadKit.intOption(args, "--warmup", 2_000));
                case "W3" -> w3(cluster, WorkloadKit.intOption(args, "--msgs", 200_000), WorkloadKit.intOption(args, "--warmup", 200_000));
                case "W4" -> w4(cluster, WorkloadKit.intOption(args, "--warmup", 200));
                default -> throw new IllegalArgumentException(key);
            }
        }
    }

    private static void w1(BenchCluster cluster, int calls, int warmup) throws Exception {
        List<NodeId> targets = cluster.others();
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < warmup; i++) {
            check(cluster.caller.multicall(targets, BenchNode.ECHO, payload, CALL_TIMEOUT), targets.size());
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        JvmStats.Cpu cpuBefore = cpuOf(cluster.children);
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            check(cluster.caller.multicall(targets, BenchNode.ECHO, payload, CALL_TIMEOUT), targets.size());
            h.recordValue(System.nanoTime() - t0);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        JvmStats.Cpu cpu = cpuOf(cluster.children).minus(cpuBefore);
        KIT.print("W1 p50_us=%d p99_us=%d max_us=%d calls_per_s=%.0f %s warmup=%d", h.getValueAtPercentile(50) / 1000,
                h.getValueAtPercentile(99) / 1000, h.getMaxValue() / 1000, calls / secs, cpuPerCall(cpu, calls), warmup);
    }

    private static void w2(BenchCluster cluster, int calls, int callers, int warmup) throws Exception {
        List<NodeId> targets = cluster.others();
        byte[] payload = new byte[PAYLOAD];
        WorkloadKit.Call echo = () -> check(cluster.caller.multicall(targets, BenchNode.ECHO, payload, CALL_TIMEOUT), targets.size());
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            KIT.callConcurrently(pool, callers, warmup, new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(10), 3), echo);
            ConcurrentHistogram h = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(10), 3);
            JvmStats.Cpu cpuBefore = cpuOf(cluster.children);
            long start = System.nanoTime();
            KIT.callConcurrently(pool, callers, calls, h, echo);
            double secs = (System.nanoTime() - start) / 1e9;
            JvmStats.Cpu cpu = cpuOf(cluster.children).minus(cpuBefore);
            KIT.print("W2 multicalls_per_s=%.0f p99_us=%d %s warmup=%d", calls / secs, h.getValueAtPercentile(99) / 1000,
                    cpuPerCall(cpu, calls), warmup);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * CPU per multicall of the five JVMs together, and the share the JIT compilers took of it:
     * right after start-up, in the few seconds W1 and W2 measure, the compilers of five fresh JVMs
     * take half of the two cores here (docs/performance.md, "The I/O engine and the JIT"). Live
     * threads only: a compiler thread the JVM stops when idle takes its CPU with it, so the share
     * is a lower bound.
     */
    private static String cpuPerCall(JvmStats.Cpu cpu, int calls) {
        return String.format(Locale.ROOT, "cpu_us_per_call=%.1f loop_us_per_call=%.1f jit_pct=%.0f",
                cpu.allNanos() / 1e3 / calls, cpu.loopNanos() / 1e3 / calls, Math.max(0, 100.0 * cpu.jitNanos() / Math.max(1, cpu.allNanos())));
    }

    private static void w3(BenchCluster cluster, int msgs, int warmup) throws Exception {
        cluster.caller.subscribe(BenchNode.COUNT, (sender, m) -> { });
        if (warmup > 0) {
            // Unmeasured: the JIT compiles the cast path meanwhile (in a cold JVM it spent more
            // CPU compiling during 200,000 casts than the casts themselves took).
            castAndCount(cluster, 0, warmup);
        }
        long[] receiversBefore = processCpuNanos(cluster.children);
        List<JvmStats.Cpu> receiverThreadsBefore = cpuOfEach(cluster.children);
        long senderBefore = JvmStats.processCpuNanos(ProcessHandle.current().pid());
        JvmStats.Cpu senderThreadsBefore = JvmStats.Cpu.now();
        long start = System.nanoTime();
        long[] lostReorderedLast = castAndCount(cluster, warmup, msgs);
        long sender = JvmStats.processCpuNanos(ProcessHandle.current().pid()) - senderBefore;
        JvmStats.Cpu senderThreads = JvmStats.Cpu.now().minus(senderThreadsBefore);
        long[] receivers = processCpuNanos(cluster.children);
        List<JvmStats.Cpu> receiverThreadsAfter = cpuOfEach(cluster.children);
        long receiversSum = 0;
        long receiverMax = 0;
        JvmStats.Cpu receiverThreads = new JvmStats.Cpu(0, 0, 0);
        for (int i = 0; i < receivers.length; i++) {
            long used = receivers[i] - receiversBefore[i];
            receiversSum += used;
            receiverMax = Math.max(receiverMax, used);
            receiverThreads = receiverThreads.plus(receiverThreadsAfter.get(i).minus(receiverThreadsBefore.get(i)));
        }
        int n = receivers.length;
        double secs = (lostReorderedLast[2] - start) / 1e9;
        // CPU per cast, from the first measured send until every receiver reported: the whole
        // process (all threads, ended ones too: JIT and GC included), and of it the event loop
        // and the JIT compilers (live threads). Unlike msgs_per_s it hardly depends on how much
        // of the machine the other work on it leaves to the five JVMs.
        KIT.print("W3 msgs_per_s=%.0f lost=%d reordered=%d sender_cpu_us_per_msg=%.2f receiver_cpu_us_per_msg=%.2f receiver_cpu_us_per_msg_max=%.2f"
                        + " sender_loop_us_per_msg=%.2f sender_jit_us_per_msg=%.2f receiver_loop_us_per_msg=%.2f receiver_jit_us_per_msg=%.2f warmup=%d",
                msgs / secs, lostReorderedLast[0], lostReorderedLast[1], perMsg(sender, msgs), perMsg(receiversSum, msgs) / n, perMsg(receiverMax, msgs),
                perMsg(senderThreads.loopNanos(), msgs), perMsg(senderThreads.jitNanos(), msgs),
                perMsg(receiverThreads.loopNanos(), msgs) / n, perMsg(receiverThreads.jitNanos(), msgs) / n, warmup);
    }

    private static double perMsg(long nanos, int msgs) {
        return nanos / 1e3 / msgs;
    }

    private static long[] processCpuNanos(List<BenchCluster.Child> children) {
        return children.stream().mapToLong(c -> JvmStats.processCpuNanos(c.process().pid())).toArray();
    }

    /** The CPU time used so far by each of {@code children}, per thread group. */
    private static List<JvmStats.Cpu> cpuOfEach(List<BenchCluster.Child> children) throws InterruptedException {
        for (BenchCluster.Child c : children) {
            c.send("cpu");
        }
        List<JvmStats.Cpu> each = new ArrayList<>();
        for (BenchCluster.Child c : children) {
            each.add(JvmStats.Cpu.parse(c.await("CPU", 60_000).text()));
        }
        return each;
    }

    private static void w4(BenchCluster cluster, int warmup) throws Exception {
        List<NodeId> targets = cluster.others();
        byte[] payload = new byte[PAYLOAD];
        for (int i = 0; i < warmup; i++) { // warm the call path so call_ms is not class loading
            check(cluster.caller.multicall(targets, BenchNode.ECHO, payload, CALL_TIMEOUT), targets.size());
        }
        BenchCluster.Child victimProcess = cluster.children.get(cluster.children.size() - 1);
        NodeId victim = targets.stream().filter(n -> n.name().equals(victimProcess.name())).findFirst().orElseThrow();
        AtomicLong callerDown = new AtomicLong();
        cluster.caller.node().addListener(new MembershipListener() {
            @Override
            public void memberDown(NodeId member, DownReason reason) {
                if (member.equals(victim)) {
                    callerDown.set(System.nanoTime());
                }
            }
        });
        AtomicLong linkDown = new AtomicLong();
        cluster.caller.node().transport().addLinkListener(new io.hyphae.membership.transport.LinkListener() {
            @Override
            public void linkUp(NodeId peer) {
            }

            @Override
            public void linkDown(NodeId peer, io.hyphae.membership.transport.LinkDownReason reason) {
                if (peer.equals(victim)) {
                    linkDown.compareAndSet(0, System.nanoTime());
                }
            }
        });
        List<BenchCluster.Child> survivors = cluster.children.stream().filter(c -> c != victimProcess).toList();
        JvmStats.Cpu cpuBefore = cpuOf(survivors);
        // kill -9, then the call at once, as WORKLOADS.md says: the call does not wait until the
        // victim is reaped (its JVM takes milliseconds to tear down, more on a loaded machine,
        // and the cluster handles the death meanwhile), so kill_ms (signal to reaped) is timed
        // beside the call, not before it.
        ProcessHandle victimHandle = ProcessHandle.of(victimProcess.process().pid()).orElseThrow();
        AtomicLong reapedAt = new AtomicLong();
        CompletableFuture<ProcessHandle> reaped = victimHandle.onExit().whenComplete((p, e) -> reapedAt.set(System.nanoTime()));
        long killedAt = System.nanoTime();
        victimHandle.destroyForcibly();
        long t0 = System.nanoTime();
        MulticallResult<byte[]> r = cluster.caller.multicall(targets, BenchNode.ECHO, payload, CALL_TIMEOUT);
        double callMs = (System.nanoTime() - t0) / 1e6;
        boolean reported = r.badNode(victim).isPresent();
        reaped.get(10, TimeUnit.SECONDS);
        victimProcess.process().killHard(); // gone already: waits for its output to end
        // A second call to the victim alone, without the live nodes' replies in the figure: its
        // link is gone by now, and the directory has mostly declared it down too (a refused
        // redial confirms a death at once), so this times a NOT_A_MEMBER answer, or a refused
        // connect when the directory is slower; refused_reason says which.
        long t1 = System.nanoTime();
        MulticallResult<byte[]> refused = cluster.caller.multicall(List.of(victim), BenchNode.ECHO, payload, CALL_TIMEOUT);
        double refusedMs = (System.nanoTime() - t1) / 1e6;
        long lastDown = 0;
        for (BenchCluster.Child c : cluster.children) {
            if (c != victimProcess) {
                lastDown = Math.max(lastDown, c.await("DOWN " + victim.name(), 60_000).atNanos());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (callerDown.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        lastDown = Math.max(lastDown, callerDown.get());
        // What handling the death cost: the CPU the four surviving JVMs (the caller's included)
        // used in the second after the kill, all threads and the event loops alone, and in the
        // second after that for comparison (timers, JIT compiling what the warm-up calls heated).
        // On this shared machine it is steadier than call_ms, which mostly waits for that work
        // to get a core.
        sleepUntil(killedAt + TimeUnit.SECONDS.toNanos(1));
        JvmStats.Cpu cpuFirstSecond = cpuOf(survivors);
        sleepUntil(killedAt + TimeUnit.SECONDS.toNanos(2));
        JvmStats.Cpu cpuSecondSecond = cpuOf(survivors);
        cluster.children.remove(victimProcess);
        KIT.print("W4 call_ms=%.2f dead_reported=%s down_event_ms=%d reason=%s kill_ms=%.2f link_down_ms=%.2f refused_call_ms=%.2f refused_reason=%s"
                        + " failure_cpu_ms=%.1f next_cpu_ms=%.1f failure_loop_cpu_ms=%.1f next_loop_cpu_ms=%.1f warmup=" + warmup,
                callMs, reported ? "yes" : "no",
                (lastDown - killedAt) / 1_000_000, r.badNode(victim).map(b -> b.reason().toString()).orElse("none"),
                (reapedAt.get() - killedAt) / 1e6, linkDown.get() == 0 ? -1.0 : (linkDown.get() - killedAt) / 1e6,
                refusedMs, refused.badNode(victim).map(b -> b.reason().toString()).orElse("none"),
                cpuFirstSecond.minus(cpuBefore).allNanos() / 1e6, cpuSecondSecond.minus(cpuFirstSecond).allNanos() / 1e6,
                cpuFirstSecond.minus(cpuBefore).loopNanos() / 1e6, cpuSecondSecond.minus(cpuFirstSecond).loopNanos() / 1e6);
    }

    /** The CPU time used so far by this JVM and by each of {@code children}, summed. */
    private static JvmStats.Cpu cpuOf(List<BenchCluster.Child> children) throws InterruptedException {
        JvmStats.Cpu sum = JvmStats.Cpu.now();
        for (JvmStats.Cpu c : cpuOfEach(children)) {
            sum = sum.plus(c);
        }
        return sum;
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static void check(MulticallResult<byte[]> r, int expected) {
        if (r.replies().size() != expected) {
            KIT.failed();
            System.err.println("multicall lost replies: " + r.badNodes());
        }
    }

    private static long[] castAndCount(BenchCluster cluster, long first, int msgs) throws Exception {
        return WorkloadKit.castAndCount(cluster.children.stream().map(BenchCluster.Child::process).toList(), first, msgs, PAYLOAD,
                m -> cluster.caller.abcast(BenchNode.COUNT, m));
    }
}
