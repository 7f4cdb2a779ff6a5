package io.hyphae.benchmarks.rpc;

import io.hyphae.benchmarks.CastCounter;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.RpcConfig;
import io.hyphae.rpc.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One node of the W1-W4 clusters, in its own JVM ({@code Main W-node NAME PORT SEED_PORT...}):
 * serves {@link #ECHO}, counts {@link #COUNT} casts per sender, and talks to the benchmark
 * driver over stdin/stdout lines:
 * <ul>
 *   <li>out {@code READY} once its directory lists every seed as live;</li>
 *   <li>in {@code expect N}, out {@code DONE received=R lost=L reordered=O} when N casts from
 *       the driver arrived ({@link CastCounter});</li>
 *   <li>in {@code stats}, out {@code STATS heap=BYTES threads=N} ({@link JvmStats}, after a full GC);</li>
 *   <li>in {@code cpu}, out {@code CPU all=NS loop=NS jit=NS}: the CPU time this JVM's threads,
 *       its event loop alone and its JIT compilers alone have used so far ({@link JvmStats.Cpu});</li>
 *   <li>out {@code DOWN name} when a member goes down.</li>
 * </ul>
 */
public final class BenchNode {

    public static final String KEY = "W-node";
    public static final Endpoint<byte[], byte[]> ECHO = Endpoint.of("echo", RpcCodec.bytes());
    /** Casts carrying an 8-byte sequence number first, padded to 64 bytes. */
    public static final Topic<byte[]> COUNT = Topic.of("count", RpcCodec.bytes());
    public static final String SECRET = "hyphae benchmark secret, not for production";

    private BenchNode() {
    }

    /** The config every benchmark node uses: defaults, a secret, static seeds on 127.0.0.1. */
    public static HyphaeConfig config(String name, int port, List<Integer> seeds) {
        return HyphaeConfig.builder()
                .cluster(c -> c.name("bench").secret(SECRET))
                .node(n -> n.name(name).bind("127.0.0.1:" + port))
                .discovery("static", d -> d.set("seeds", seeds.stream().map(p -> "127.0.0.1:" + p).toList()))
                .build();
    }

    /**
     * The defaults; with {@code HYPHAE_BENCH_INLINE_HANDLERS=1} in the environment, handlers run
     * on the I/O thread that received the request (a direct executor), which measures what the
     * hand-off to the handler pool costs (docs/performance.md). Not a default: handlers must
     * not run on I/O threads unless they never block.
     */
    private static RpcConfig rpcConfig() {
        return System.getenv("HYPHAE_BENCH_INLINE_HANDLERS") != null
                ? RpcConfig.defaults().withHandlerExecutor(Runnable::run)
                : RpcConfig.defaults();
    }

    /** On stderr, the meters that count what was dropped, so a run that lost casts says where. */
    private static void reportLosses(String name, SimpleMeterRegistry meters) {
        meters.getMeters().stream()
                .filter(m -> !m.getId().getName().contains("latency"))
                .forEach(m -> m.measure().forEach(x -> {
                    if (x.getValue() > 0) {
                        System.err.println(name + " " + m.getId() + " " + x.getValue());
                    }
                }));
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        List<Integer> seeds = java.util.Arrays.stream(args, 2, args.length).map(Integer::valueOf).toList();
        PrintStream out = System.out;
        CastCounter counter = new CastCounter();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Rpc rpc = Rpc.start(config(name, port, seeds), rpcConfig(), meters, TransportResources.shared(), r -> {
            r.register(ECHO, (caller, req) -> req);
            r.subscribe(COUNT, (sender, msg) -> counter.count(sender, ByteBuffer.wrap(msg).getLong()));
            r.node().addListener(new MembershipListener() {
                @Override
                public void memberDown(NodeId member, DownReason reason) {
                    synchronized (out) {
                        out.println("DOWN " + member.name() + " " + reason);
                        out.flush();
                    }
                }
            });
        })) {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(90);
            while (rpc.node().liveMembers().size() < seeds.size()) {
                if (System.nanoTime() > deadline) {
                    System.err.println(name + " gave up waiting for the cluster: " + rpc.node().liveMembers());
                    return; // never outlive a driver that died before the cluster formed
                }
                Thread.sleep(20); // a benchmark main, not a test: polls the directory while the cluster forms
            }
            synchronized (out) {
                out.println("READY");
                out.flush();
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("expect ")) {
                    CastCounter.Round round = counter.await(Long.parseLong(line.substring(7).trim()));
                    synchronized (out) {
                        out.println(round.line());
                        out.flush();
                    }
                    if (round.lost() > 0) {
                        reportLosses(name, meters);
                    }
                } else if (line.equals("stats")) {
                    String stats = JvmStats.measure().line();
                    synchronized (out) {
                        out.println(stats);
                        out.flush();
                    }
                } else if (line.equals("cpu")) {
                    String cpu = JvmStats.Cpu.now().line();
                    synchronized (out) {
                        out.println(cpu);
                        out.flush();
                    }
                } else if (line.equals("leave")) {
                    break;
                }
            }
        }
    }
}
