package io.hyphae.rpc.process;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
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
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One node of {@link RpcClusterProcessTest}, in its own JVM:
 * {@code ClusterNodeMain NAME PORT SEED_PORT...}. Serves the test's endpoints and topic, and
 * talks to the test over lines: out {@code READY} once every seed is a live member,
 * {@code SLOW-STARTED} when the slow handler begins, {@code SEQ sender count bad} per sender
 * on {@code report}; in {@code abcast N} (answers {@code SENT}), {@code leave} (answers
 * {@code LEFT}), {@code report}.
 */
public final class ClusterNodeMain {

    static final String SECRET = "rpc-process-test-secret-0123456789";
    static final Endpoint<String, String> WHOAMI = Endpoint.of("whoami", RpcCodec.utf8());
    static final Endpoint<String, String> BOOM = Endpoint.of("boom", RpcCodec.utf8());
    /** Waits the number of milliseconds in its request (or until the node stops), then answers. */
    static final Endpoint<String, String> SLOW = Endpoint.of("slow", RpcCodec.utf8());
    static final Endpoint<String, String> NOBODY = Endpoint.of("nobody", RpcCodec.utf8());
    /** Casts carrying "sequence" as text; receivers check each sender's are 0, 1, 2, ... */
    static final Topic<String> SEQ = Topic.of("seq", RpcCodec.utf8());

    private ClusterNodeMain() {
    }

    static HyphaeConfig config(String name, int port, List<Integer> seeds) {
        return HyphaeConfig.builder()
                .cluster(c -> c.name("rpc-process-test").secret(SECRET).insecureDevMode(false))
                .node(n -> n.name(name).bind("127.0.0.1:" + port))
                .discovery("static", d -> d.set("seeds", seeds.stream().map(p -> "127.0.0.1:" + p).toList()))
                .build();
    }

    /**
     * Per sender: casts received, casts that came at or below one already seen (a duplicate or
     * a reordering), and the highest sequence seen. All n casts of a sender arrived exactly once
     * and in order when that reads "n 0 n-1".
     */
    static final class SequenceCheck {
        final Map<NodeId, long[]> bySender = new ConcurrentHashMap<>(); // {received, backwards, highest}

        void accept(NodeId sender, String message) {
            long seq = Long.parseLong(message);
            long[] s = bySender.computeIfAbsent(sender, x -> new long[] {0, 0, -1});
            synchronized (s) {
                s[0]++;
                if (seq <= s[2]) {
                    s[1]++;
                }
                s[2] = Math.max(s[2], seq);
            }
        }

        /** "received backwards highest" of each sender, by name. */
        Map<String, String> summary() {
            Map<String, String> m = new java.util.TreeMap<>();
            bySender.forEach((sender, s) -> {
                synchronized (s) {
                    m.put(sender.name(), s[0] + " " + s[1] + " " + s[2]);
                }
            });
            return m;
        }
    }

    static void registerAll(Rpc rpc, String name, SequenceCheck check, CountDownLatch stopping, PrintStream out) {
        rpc.register(WHOAMI, (caller, req) -> name);
        rpc.register(BOOM, (caller, req) -> {
            throw new IllegalStateException("boom from " + name);
        });
        rpc.register(SLOW, (caller, req) -> {
            say(out, "SLOW-STARTED");
            stopping.await(Long.parseLong(req), TimeUnit.MILLISECONDS);
            return name;
        });
        rpc.subscribe(SEQ, check::accept);
    }

    static void say(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        List<Integer> seeds = Arrays.stream(args, 2, args.length).map(Integer::valueOf).toList();
        PrintStream out = System.out;
        CountDownLatch stopping = new CountDownLatch(1);
        SequenceCheck check = new SequenceCheck();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (Rpc rpc = Rpc.start(config(name, port, seeds), RpcConfig.defaults(), meters, TransportResources.shared(),
                r -> registerAll(r, name, check, stopping, out))) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            // Polls the directory while the cluster forms; gives up (and exits) after a minute so
            // an orphaned node never outlives a test JVM that died before reading READY.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rpc.node().liveMembers().size() < seeds.size()) {
                if (System.nanoTime() > deadline) {
                    say(out, "GAVE-UP " + rpc.node().liveMembers());
                    return;
                }
                stopping.await(20, TimeUnit.MILLISECONDS);
            }
            say(out, "READY");
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("abcast ")) {
                    long n = Long.parseLong(line.substring(7).trim());
                    for (long i = 0; i < n; i++) {
                        rpc.abcast(SEQ, Long.toString(i));
                    }
                    say(out, "SENT");
                } else if (line.equals("leave")) {
                    rpc.node().leave();
                    say(out, "LEFT");
                } else if (line.equals("report")) {
                    check.summary().forEach((sender, summary) -> say(out, "SEQ " + sender + " " + summary));
                    say(out, "END");
                    // What was lost and why, on stderr (the test's log), for a failing run.
                    meters.getMeters().stream()
                            .filter(m -> m.getId().getName().matches(".*(links.down|dropped|skipped|handshakes).*"))
                            .forEach(m -> m.measure().forEach(x -> System.err.println(name + " " + m.getId() + " " + x.getValue())));
                }
            }
        } finally {
            stopping.countDown();
        }
    }
}
