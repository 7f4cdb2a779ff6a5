package io.hyphae.faults;

import io.hyphae.faults.HistoryEvent.AbcastDelivered;
import io.hyphae.faults.HistoryEvent.AbcastSent;
import io.hyphae.faults.HistoryEvent.Bad;
import io.hyphae.faults.HistoryEvent.LinkDown;
import io.hyphae.faults.HistoryEvent.LinkUp;
import io.hyphae.faults.HistoryEvent.MemberDown;
import io.hyphae.faults.HistoryEvent.MemberUp;
import io.hyphae.faults.HistoryEvent.Multicall;
import io.hyphae.faults.HistoryEvent.Stall;
import io.hyphae.faults.HistoryEvent.Started;
import io.hyphae.faults.HistoryEvent.Stopped;
import io.hyphae.faults.HistoryEvent.View;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.transport.LinkDownReason;
import io.hyphae.membership.transport.LinkListener;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.Topic;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One node of the fault scenarios, in its own JVM inside a network namespace:
 * {@code FaultNodeMain NAME HOST PORT SEED_HOSTS(comma) HISTORY_FILE STRATEGY(static|gossip)},
 * the secret in {@code HYPHAE_SECRET}. Serves {@link #ECHO} and subscribes to {@link #CASTS},
 * and records its history ({@link HistoryEvent}) in HISTORY_FILE.
 *
 * <p>Standard input: {@code load on} starts the steady load (a multicall of ECHO to every live
 * member every {@link #MULTICALL_PERIOD}, timeout {@link #MULTICALL_TIMEOUT}; an abcast to
 * CASTS every {@link #ABCAST_PERIOD}); {@code load off} stops it; {@code leave} (or end of
 * input) leaves the cluster gracefully and exits. Standard output: {@code STARTED id} for each
 * incarnation and {@code VIEW id live=a,b active=c,d sent=N delivered=M} every
 * {@link #VIEW_PERIOD} (N, M: this incarnation's abcasts sent and delivered so far).
 *
 * <p>A node declared down (after a partition or freeze longer than failure detection) hears
 * {@code memberDown(self)}. The library then rejoins in place as the node's next incarnation
 * (docs/directory.md, "A false DOWN heals by rejoining"), but {@link Rpc} keeps the identity it
 * read at start: after an in-place rejoin, a multicall to the node's own new incarnation answers
 * {@code UNREACHABLE}, it delivers no abcast any more (its own included), and the others get its
 * casts under the old incarnation with the sequence numbers starting again (docs/faults.md, known
 * problems). Until RPC reads its identity again after a rejoin, this main therefore still closes
 * its {@code Rpc} and starts a new one, as it did before the library rejoined by itself.
 */
public final class FaultNodeMain {

    static final Endpoint<String, String> ECHO = Endpoint.of("echo", RpcCodec.utf8());
    static final Topic<String> CASTS = Topic.of("casts", RpcCodec.utf8());
    static final Duration MULTICALL_PERIOD = Duration.ofMillis(100);
    static final Duration MULTICALL_TIMEOUT = Duration.ofSeconds(1);
    static final Duration ABCAST_PERIOD = Duration.ofMillis(50);
    static final Duration VIEW_PERIOD = Duration.ofMillis(250);
    static final int PORT = 7400;
    static final Duration STALL_TICK = Duration.ofMillis(20);
    static final Duration STALL_RECORDED = Duration.ofMillis(100);
    /** Failure detection of the scenarios: a silent link closes after 2 s, a suspicion stands 3 s. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(500);
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration SUSPICION_TIMEOUT = Duration.ofSeconds(3);

    private final String name;
    private final HyphaeConfig config;
    private final HistoryFile history;
    private final PrintStream out = System.out;
    private final ExecutorService restarter = Executors.newSingleThreadExecutor();
    private final AtomicLong castSeq = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean load;
    private volatile Rpc rpc;
    /** The current incarnation's id, for records made outside it (stalls). */
    private volatile String self = "";

    private FaultNodeMain(String name, HyphaeConfig config, HistoryFile history) {
        this.name = name;
        this.config = config;
        this.history = history;
    }

    static String id(NodeId node) {
        return node.name() + "#" + node.incarnation();
    }

    static List<String> ids(Collection<NodeId> nodes) {
        return nodes.stream().map(FaultNodeMain::id).sorted().toList();
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        String host = args[1];
        List<String> seeds = Arrays.stream(args[2].split(",")).map(h -> h + ":" + PORT).toList();
        Path file = Path.of(args[3]);
        String strategy = args[4];
        var builder = HyphaeConfig.builder()
                .cluster(c -> c.name("faults").secret(System.getenv("HYPHAE_SECRET")))
                .node(n -> n.name(name).bind(host + ":" + PORT))
                .transport(t -> t.heartbeatInterval(HEARTBEAT_INTERVAL).heartbeatTimeout(HEARTBEAT_TIMEOUT))
                .directory(d -> d.suspicionTimeout(SUSPICION_TIMEOUT));
        builder = strategy.equals("gossip")
                ? builder.discovery("gossip", d -> d.set("interval", "200ms").set("expiry", "2s"))
                : builder.discovery("static", d -> d.set("seeds", seeds));
        try (HistoryFile history = new HistoryFile(file)) {
            new FaultNodeMain(name, builder.build(), history).run();
        }
    }

    private void run() throws Exception {
        Thread stallWatch = new Thread(this::watchStalls, "stall-watch");
        stallWatch.setDaemon(true);
        stallWatch.start();
        startIncarnation();
        ScheduledExecutorService load = Executors.newScheduledThreadPool(2);
        ScheduledExecutorService views = Executors.newSingleThreadScheduledExecutor();
        load.scheduleAtFixedRate(() -> whenLoaded(this::multicall), 0, MULTICALL_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        load.scheduleAtFixedRate(() -> whenLoaded(this::abcast), 0, ABCAST_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        views.scheduleAtFixedRate(this::view, 0, VIEW_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("leave"); line = in.readLine()) {
            if (line.equals("load on")) {
                this.load = true;
            } else if (line.equals("load off")) {
                this.load = false;
            }
        }
        this.load = false;
        load.shutdown();
        load.awaitTermination(5, TimeUnit.SECONDS);
        views.shutdownNow();
        restarter.submit(() -> stopIncarnation("left")).get(30, TimeUnit.SECONDS);
        restarter.shutdown();
        say("LEFT");
        System.exit(0); // the shared event loops are not daemons
    }

    /** Records every time this process ran nothing for {@link #STALL_RECORDED} or longer (jHiccup's idea). */
    private void watchStalls() {
        long tick = STALL_TICK.toNanos();
        while (true) {
            long before = System.nanoTime();
            LockSupport.parkNanos(tick);
            long lateMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before - tick);
            if (lateMs >= STALL_RECORDED.toMillis() && !self.isEmpty()) {
                history.record(new Stall(System.currentTimeMillis(), self, lateMs));
            }
        }
    }

    private void whenLoaded(Runnable task) {
        if (load && rpc != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                // the incarnation closed under us (a restart): the next tick uses the new one
                System.err.println(name + " load tick failed: " + e);
            }
        }
    }

    private void startIncarnation() {
        Rpc started = startRetryingBind(this::serve);
        rpc = started;
        this.self = id(started.self());
        say("STARTED " + self);
    }

    /** Each incarnation's handlers and listeners, set up before it joins: no peer calls it before they exist. */
    private void serve(Rpc started) {
        String self = id(started.self());
        history.record(new Started(System.currentTimeMillis(), self));
        castSeq.set(0);
        delivered.set(0);
        started.register(ECHO, (caller, request) -> request);
        started.subscribe(CASTS, (sender, seq) -> {
            history.record(new AbcastDelivered(System.currentTimeMillis(), self, id(sender), Long.parseLong(seq)));
            delivered.incrementAndGet();
        });
        started.node().addListener(new MembershipListener() {
            @Override
            public void memberUp(NodeId member) {
                history.record(new MemberUp(System.currentTimeMillis(), self, id(member)));
            }

            @Override
            public void memberDown(NodeId member, DownReason reason) {
                history.record(new MemberDown(System.currentTimeMillis(), self, id(member), reason.name()));
                if (member.equals(started.self())) {
                    // not needed once Rpc follows an in-place rejoin (see the class comment);
                    // never block the event loop: the restart closes this node
                    restarter.execute(() -> {
                        if (rpc == started) {
                            stopIncarnation(HistoryChecker.DECLARED_DOWN);
                            startIncarnation();
                        }
                    });
                }
            }
        });
        started.node().transport().addLinkListener(new LinkListener() {
            @Override
            public void linkUp(NodeId peer) {
                history.record(new LinkUp(System.currentTimeMillis(), self, id(peer)));
            }

            @Override
            public void linkDown(NodeId peer, LinkDownReason reason) {
                history.record(new LinkDown(System.currentTimeMillis(), self, id(peer), reason.name()));
            }
        });
    }

    /**
     * Starts a node, trying again while its address is still taken. Seen in the split scenario:
     * right after {@code close()} of the incarnation declared down returned, binding the same
     * address failed with "Address already in use" (docs/faults.md, known problems).
     */
    private Rpc startRetryingBind(Consumer<Rpc> setup) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int attempt = 1; ; attempt++) {
            try {
                Rpc started = Rpc.start(config, new SimpleMeterRegistry(), setup);
                if (attempt > 1) {
                    System.err.println(name + " BIND-RETRY bound at attempt " + attempt);
                }
                return started;
            } catch (IllegalStateException e) {
                if (!String.valueOf(e.getMessage()).startsWith("cannot listen") || System.nanoTime() > deadline) {
                    throw e;
                }
                System.err.println(name + " BIND-RETRY attempt " + attempt + ": " + e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a node main, not a test: waits out the old socket
            }
        }
    }

    private void stopIncarnation(String how) {
        Rpc stopping = rpc;
        rpc = null;
        stopping.close();
        history.record(new Stopped(System.currentTimeMillis(), id(stopping.self()), how));
    }

    private void multicall() {
        Rpc now = rpc;
        Set<NodeId> targets = now.node().liveMembers();
        long start = System.currentTimeMillis();
        now.multicallAsync(targets, ECHO, "ping", MULTICALL_TIMEOUT).whenComplete((result, failure) -> {
            long end = System.currentTimeMillis();
            List<String> replies;
            List<Bad> bad;
            if (failure != null) {
                // the call was cut short by this node's own close (a restart or leave): every target unanswered
                replies = List.of();
                bad = targets.stream().map(t -> new Bad(id(t), "CALLER_CLOSED")).toList();
            } else {
                replies = ids(result.replies().keySet());
                bad = result.badNodes().stream().map(b -> new Bad(id(b.node()), b.reason().name())).toList();
            }
            history.record(new Multicall(end, id(now.self()), start, MULTICALL_TIMEOUT.toMillis(), ids(targets), replies, bad));
        });
    }

    private void abcast() {
        Rpc now = rpc;
        long seq = castSeq.incrementAndGet();
        // recorded before it is sent, so no delivery is ever recorded before its send
        history.record(new AbcastSent(System.currentTimeMillis(), id(now.self()), seq, ids(now.node().liveMembers())));
        now.abcast(CASTS, Long.toString(seq));
    }

    private void view() {
        Rpc now = rpc;
        if (now == null) {
            return;
        }
        try {
            List<String> live = ids(now.node().liveMembers());
            List<String> active = ids(now.node().activeView());
            history.record(new View(System.currentTimeMillis(), id(now.self()), live, active));
            say("VIEW " + id(now.self()) + " live=" + String.join(",", live) + " active=" + String.join(",", active)
                    + " sent=" + castSeq.get() + " delivered=" + delivered.get());
        } catch (RuntimeException e) {
            // closed between the read and the query: the next snapshot is of the new incarnation
        }
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
