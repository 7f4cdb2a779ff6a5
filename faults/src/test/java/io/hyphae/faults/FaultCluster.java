package io.hyphae.faults;

import static org.awaitility.Awaitility.await;

import io.hyphae.faults.HistoryEvent.View;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * One node process ({@link FaultNodeMain}) per host of a {@link NamespaceNetwork}, the faults
 * made on them, and the harness's own log of each fault's start and end
 * ({@code faults.jsonl}, beside the nodes' histories in the scenario's directory).
 */
final class FaultCluster implements AutoCloseable {

    static final String SECRET = "faults-scenario-secret-0123456789";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** One node process and what it last printed. */
    static final class Node {
        final int host;
        final String name;
        final Process process;
        private final PrintWriter in;
        volatile String incarnation = "";
        volatile View view = new View(0, "", List.of(), List.of());
        /** The abcasts this incarnation sent and delivered, as of its last view line. */
        volatile long sent;
        volatile long delivered;

        Node(int host, Process process) {
            this.host = host;
            this.name = "n" + host;
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "out-" + name + "-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    String[] words = line.split(" ");
                    if (words[0].equals("STARTED")) {
                        incarnation = words[1];
                    } else if (words[0].equals("VIEW") && words[1].equals(incarnation)) {
                        Map<String, String> fields = Arrays.stream(words).skip(2).map(w -> w.split("=", 2))
                                .collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
                        view = new View(System.currentTimeMillis(), words[1], list(fields.get("live")), list(fields.get("active")));
                        sent = Long.parseLong(fields.get("sent"));
                        delivered = Long.parseLong(fields.get("delivered"));
                    }
                }
            } catch (IOException e) {
                // the process ended, and with it its output
            }
        }

        private static List<String> list(String csv) {
            return csv.isEmpty() ? List.of() : List.of(csv.split(","));
        }

        void tell(String command) {
            in.println(command);
        }
    }

    private final NamespaceNetwork net;
    private final String ip;
    private final Path dir;
    private final String strategy;
    private final int size;
    private final Map<Integer, Node> nodes = new TreeMap<>();
    private final Map<Integer, Integer> starts = new HashMap<>();
    private final List<Fault> faults = new ArrayList<>();
    private final HistoryFile faultLog;
    private boolean load;

    private FaultCluster(NamespaceNetwork net, String ip, Path dir, String strategy, int size) throws IOException {
        this.net = net;
        this.ip = ip;
        this.dir = dir;
        this.strategy = strategy;
        this.size = size;
        this.faultLog = new HistoryFile(dir.resolve("faults.jsonl"));
    }

    /** Starts a node on each of the network's {@code size} hosts and waits until they form one cluster. */
    static FaultCluster start(NamespaceNetwork net, String ip, Path dir, String strategy, int size) throws IOException {
        deleteRecursively(dir);
        FaultCluster cluster = new FaultCluster(net, ip, dir, strategy, size);
        try {
            for (int i = 1; i <= size; i++) {
                cluster.startNode(i);
            }
            cluster.awaitConverged(START_TIMEOUT);
        } catch (IOException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    Path dir() {
        return dir;
    }

    Node node(int host) {
        return nodes.get(host);
    }

    Set<String> names() {
        return IntStream.rangeClosed(1, size).mapToObj(i -> "n" + i).collect(Collectors.toSet());
    }

    /** Starts host {@code i}'s node in its namespace; its history goes to a file of its own. */
    void startNode(int host) throws IOException {
        int n = starts.merge(host, 1, Integer::sum);
        String seeds = IntStream.rangeClosed(1, size).mapToObj(NamespaceNetwork::address).collect(Collectors.joining(","));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(ip, "netns", "exec", net.namespace(host), java,
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.log.io.hyphae.membership.transport=debug",
                "-Dorg.slf4j.simpleLogger.log.io.hyphae.membership.node.internal.NodeDriver=debug",
                "-Dorg.slf4j.simpleLogger.log.io.hyphae.rpc.internal.NodeMessaging=debug",
                "-cp", System.getProperty("java.class.path"), FaultNodeMain.class.getName(),
                "n" + host, NamespaceNetwork.address(host), seeds, dir.resolve("n" + host + "-" + n + ".jsonl").toString(), strategy)
                .redirectError(dir.resolve("n" + host + "-" + n + ".log").toFile());
        pb.environment().put("HYPHAE_SECRET", SECRET);
        Node node = new Node(host, pb.start());
        nodes.put(host, node);
        if (load) {
            node.tell("load on");
        }
    }

    /** Turns the steady load on or off on every node (and on nodes started later). */
    void load(boolean on) {
        load = on;
        nodes.values().forEach(n -> n.tell(on ? "load on" : "load off"));
    }

    /** Waits until every node's current incarnation has sent at least {@code casts} more abcasts than now. */
    void awaitLoad(long casts) {
        Map<Integer, Long> from = new HashMap<>();
        nodes.forEach((h, n) -> from.put(h, n.sent));
        await().atMost(Duration.ofSeconds(30)).until(() -> nodes.entrySet().stream()
                .allMatch(e -> {
                    long now = e.getValue().sent;
                    long base = from.get(e.getKey()) > now ? 0 : from.get(e.getKey()); // restarted: counts again from 0
                    return now >= base + casts;
                }));
    }

    /** Waits until no node was handed an abcast between two of its view lines. */
    void awaitQuiet() {
        Map<Integer, Long> before = new HashMap<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(600)).until(() -> {
            boolean same = nodes.entrySet().stream().allMatch(e -> before.getOrDefault(e.getKey(), -1L) == e.getValue().delivered);
            nodes.forEach((h, n) -> before.put(h, n.delivered));
            return same;
        });
    }

    /** Waits (at most {@code bound}) until every node lists exactly the current incarnations as live and the active views connect them all. */
    void awaitConverged(Duration bound) {
        await().atMost(bound).pollInterval(Duration.ofMillis(100)).until(this::converged);
    }

    boolean converged() {
        Map<String, String> current = new TreeMap<>();
        Map<String, View> latest = new HashMap<>();
        for (Node n : nodes.values()) {
            if (n.incarnation.isEmpty() || !n.process.isAlive()) {
                return false;
            }
            current.put(n.name, n.incarnation);
            latest.put(n.incarnation, n.view);
        }
        return current.size() == size && HistoryChecker.converged(current, latest);
    }

    /** Waits until every node on the far side of {@code hosts} has dropped them all from its live members. */
    void awaitDroppedBy(Set<Integer> hosts, Predicate<Node> observer) {
        Set<String> gone = hosts.stream().map(h -> nodes.get(h).incarnation).collect(Collectors.toSet());
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> nodes.values().stream()
                .filter(n -> !hosts.contains(n.host) && observer.test(n))
                .allMatch(n -> n.view.live().stream().noneMatch(gone::contains)));
    }

    /** Waits until host {@code i}'s node has a new incarnation and every other node lists it live. */
    void awaitUpEverywhere(int host, Duration bound) {
        await().atMost(bound).pollInterval(Duration.ofMillis(100)).until(() -> {
            String self = nodes.get(host).incarnation;
            return !self.isEmpty() && nodes.values().stream().allMatch(n -> n.view.live().contains(self));
        });
    }

    /** A fault begun and not yet healed. */
    final class Open {
        private final String kind;
        private final List<String> side;
        private final long start = System.currentTimeMillis();

        private Open(String kind, List<String> side) {
            this.kind = kind;
            this.side = side;
        }

        Fault healed() {
            Fault f = new Fault(kind, side, start, System.currentTimeMillis());
            faults.add(f);
            faultLog.record(f);
            return f;
        }
    }

    Open begin(String kind, Integer... hosts) {
        return new Open(kind, Stream.of(hosts).map(h -> "n" + h).toList());
    }

    Open pullCable(int host) throws IOException, InterruptedException {
        Open fault = begin("link-down", host);
        net.cable(host, false);
        return fault;
    }

    Fault plugCable(int host, Open fault) throws IOException, InterruptedException {
        net.cable(host, true);
        return fault.healed();
    }

    Open split(Set<Integer> side) throws IOException, InterruptedException {
        Open fault = begin("blackhole", side.toArray(Integer[]::new));
        for (int a : side) {
            for (int b = 1; b <= size; b++) {
                if (!side.contains(b)) {
                    net.blackhole(a, b, true);
                }
            }
        }
        return fault;
    }

    Fault join(Set<Integer> side, Open fault) throws IOException, InterruptedException {
        for (int a : side) {
            for (int b = 1; b <= size; b++) {
                if (!side.contains(b)) {
                    net.blackhole(a, b, false);
                }
            }
        }
        return fault.healed();
    }

    Open freeze(int host) throws IOException, InterruptedException {
        Open fault = begin("sigstop", host);
        signal(host, "STOP");
        return fault;
    }

    Fault thaw(int host, Open fault) throws IOException, InterruptedException {
        signal(host, "CONT");
        return fault.healed();
    }

    /** Through the shell's built-in kill: a minimal Debian has /bin/sh but not always procps' kill. */
    private void signal(int host, String signal) throws IOException, InterruptedException {
        NamespaceNetwork.run("/bin/sh", "-c", "kill -" + signal + " " + nodes.get(host).process.pid());
    }

    /** SIGKILL (the process is {@code ip netns exec}'s exec of java, so the pid is the JVM's). */
    Open kill(int host) throws InterruptedException {
        Open fault = begin("kill", host);
        Process p = nodes.get(host).process;
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        return fault;
    }

    /** Graceful: the node leaves the cluster and exits. */
    Open leave(int host) throws InterruptedException {
        Open fault = begin("leave", host);
        Node n = nodes.get(host);
        n.tell("leave");
        if (!n.process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException(n.name + " did not exit within 30 s of leave");
        }
        return fault;
    }

    List<Fault> faults() {
        return List.copyOf(faults);
    }

    /** Every node's history, merged (call after {@link #close}). */
    List<HistoryEvent> histories() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> histories = files.filter(p -> p.getFileName().toString().matches("n\\d+-\\d+\\.jsonl")).sorted().toList();
            return HistoryFile.read(histories, HistoryEvent.class);
        }
    }

    /** Every node leaves and exits; one that does not within 10 s (or is frozen) is killed. */
    @Override
    public void close() throws IOException {
        for (Node n : nodes.values()) {
            n.tell("leave");
            n.in.close();
        }
        for (Node n : nodes.values()) {
            try {
                if (!n.process.waitFor(10, TimeUnit.SECONDS)) {
                    n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                n.process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        faultLog.close();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
    }
}
