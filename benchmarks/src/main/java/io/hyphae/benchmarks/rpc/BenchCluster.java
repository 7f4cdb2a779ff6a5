package io.hyphae.benchmarks.rpc;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Five nodes on 127.0.0.1, static discovery: this JVM is the caller, the four others each run
 * {@link BenchNode} in their own JVM. Lines the children print are queued with the
 * {@link System#nanoTime()} they were read at.
 */
final class BenchCluster implements AutoCloseable {

    record Line(String text, long atNanos) {
    }

    static final class Child {
        final String name;
        final Process process;
        final PrintWriter in;
        final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();

        Child(String name, Process process) {
            this.name = name;
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(new Line(l, System.nanoTime()));
                    }
                } catch (IOException e) {
                    // the child died: its stream ended
                }
            }, "bench-" + name + "-out");
            reader.setDaemon(true);
            reader.start();
        }

        Line await(String prefix, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (true) {
                Line l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    throw new IllegalStateException(name + ": no '" + prefix + "' within " + timeoutMs + " ms");
                }
                if (l.text().startsWith(prefix)) {
                    return l;
                }
            }
        }
    }

    final Rpc caller;
    final List<Child> children = new ArrayList<>();

    private BenchCluster(Rpc caller) {
        this.caller = caller;
    }

    static BenchCluster start(int others, RpcConfig rpcConfig) throws Exception {
        List<Integer> ports = freePorts(others + 1);
        List<Child> started = new ArrayList<>();
        Rpc caller = null;
        try {
            for (int i = 1; i <= others; i++) {
                started.add(startChild("node-" + i, ports.get(i), ports));
            }
            caller = Rpc.start(BenchNode.config("node-0", ports.get(0), ports), rpcConfig, new SimpleMeterRegistry(), TransportResources.shared());
            BenchCluster cluster = new BenchCluster(caller);
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
            started.forEach(c -> c.process.destroyForcibly());
            if (caller != null) {
                caller.close();
            }
            throw e;
        }
    }

    List<NodeId> others() {
        return caller.node().liveMembers().stream().filter(n -> !n.equals(caller.self())).sorted().toList();
    }

    private static Child startChild(String name, int port, List<Integer> seeds) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
        // Extra JVM options for the four nodes, for profiling: HYPHAE_BENCH_NODE_OPTS="-XX:StartFlightRecording=..."
        String extra = System.getenv().getOrDefault("HYPHAE_BENCH_NODE_OPTS", "").replace("{name}", name);
        for (String o : extra.split(" ")) {
            if (!o.isBlank()) {
                command.add(o);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.hyphae.benchmarks.Main", BenchNode.KEY, name, String.valueOf(port)));
        seeds.forEach(p -> command.add(String.valueOf(p)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new Child(name, p);
    }

    private static List<Integer> freePorts(int n) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                sockets.add(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // only held to reserve the number
                }
            }
        }
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.in.println("leave");
        }
        caller.close();
        for (Child c : children) {
            try {
                if (!c.process.waitFor(5, TimeUnit.SECONDS)) {
                    c.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                c.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
