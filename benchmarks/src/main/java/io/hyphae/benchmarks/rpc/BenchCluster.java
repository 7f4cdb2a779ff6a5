package io.hyphae.benchmarks.rpc;

import io.hyphae.benchmarks.WorkloadKit;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcConfig;
import io.hyphae.testkit.ChildProcess;
import io.hyphae.testkit.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Five nodes on 127.0.0.1, static discovery: this JVM is the caller, the four others each run
 * {@link BenchNode} in their own JVM ({@link ChildProcess}, which queues the lines they print
 * with the {@link System#nanoTime()} they were read at).
 */
final class BenchCluster implements AutoCloseable {

    /** One {@link BenchNode} JVM and the port it listens on. */
    record Child(String name, int port, ChildProcess process) {

        void send(String line) {
            process.send(line);
        }

        ChildProcess.Line await(String prefix, long timeoutMs) throws InterruptedException {
            return process.await(prefix, Duration.ofMillis(timeoutMs));
        }
    }

    final Rpc caller;
    final List<Child> children = new ArrayList<>();
    private final List<Integer> ports;

    private BenchCluster(Rpc caller, List<Integer> ports) {
        this.caller = caller;
        this.ports = ports;
    }

    static BenchCluster start(int others, RpcConfig rpcConfig) throws Exception {
        List<Integer> ports = FreePorts.tcp(others + 1);
        List<Child> started = new ArrayList<>();
        Rpc caller = null;
        try {
            for (int i = 1; i <= others; i++) {
                started.add(startChild("node-" + i, ports.get(i), ports));
            }
            caller = Rpc.start(BenchNode.config("node-0", ports.get(0), ports), rpcConfig, new SimpleMeterRegistry(), TransportResources.shared());
            BenchCluster cluster = new BenchCluster(caller, ports);
            cluster.children.addAll(started);
            for (Child c : started) {
                c.await("READY", 60_000);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (caller.node().liveMembers().size() < others + 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster did not form: " + caller.node().liveMembers());
                }
                Thread.sleep(20);
            }
            return cluster;
        } catch (Exception | Error e) {
            started.forEach(c -> c.process().killHard());
            if (caller != null) {
                caller.close();
            }
            throw e;
        }
    }

    List<NodeId> others() {
        return caller.node().liveMembers().stream().filter(n -> !n.equals(caller.self())).sorted().toList();
    }

    /**
     * Kills {@code child} with SIGKILL (no goodbye: its peers find out by themselves) and starts
     * it again on the same port, as a new incarnation; returns once it sees the whole cluster.
     */
    Child restart(Child child) throws Exception {
        child.process().killHard();
        Child again = startChild(child.name(), child.port(), ports);
        children.set(children.indexOf(child), again);
        again.await("READY", 60_000);
        return again;
    }

    private static Child startChild(String name, int port, List<Integer> seeds) {
        List<String> args = new ArrayList<>(List.of(BenchNode.KEY, name, String.valueOf(port)));
        seeds.forEach(p -> args.add(String.valueOf(p)));
        return new Child(name, port, WorkloadKit.startNodeJvm(name, args, List.of()));
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.send("leave");
        }
        caller.close();
        for (Child c : children) {
            if (c.process().waitFor(Duration.ofSeconds(5)).isEmpty()) { // told to leave: give it time to
                c.process().killHard();
            }
        }
    }
}
