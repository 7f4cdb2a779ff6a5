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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

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
 * {@link #VIEW_PERIOD} (N, M: this process's abcasts sent and delivered so far).
 *
 * <p>A node declared down (after a partition or freeze longer than failure detection) hears
 * {@code memberDown(self)}, and the library rejoins in place as the node's next incarnation
 * (docs/directory.md, "A false DOWN heals by rejoining"); its {@link Rpc} follows (docs/rpc.md,
 * "After a rejoin in place"). This main does nothing about it, as a real service would not: it
 * records every event under the identity {@code Rpc.self()} gives at that moment, and when that
 * identity changes it records the old incarnation {@code Stopped} ({@value
 * HistoryChecker#DECLARED_DOWN}) and the new one {@code Started}, and prints {@code STARTED}.
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
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final AtomicLong castSeq = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private volatile boolean load;
    private volatile Rpc rpc;
    /** The incarnation last announced ({@code STARTED}); guarded by {@code this} for changes. */
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
        rpc = Rpc.start(config, meters, this::serve);
        say("STARTED " + self);
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
        Rpc leaving = rpc;
        rpc = null;
        leaving.close();
        history.record(new Stopped(System.currentTimeMillis(), id(leaving.self()), "left"));
        logLosses();
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
                // closed under us (leaving): nothing more to send
                System.err.println(name + " load tick failed: " + e);
            }
        }
    }

    /** The handlers and listeners, set up before the node joins: no peer calls it before they exist. */
    private void serve(Rpc started) {
        self = id(started.self());
        history.record(new Started(System.currentTimeMillis(), self));
        started.register(ECHO, (caller, request) -> request);
        started.subscribe(CASTS, (sender, seq) -> {
            history.record(new AbcastDelivered(System.currentTimeMillis(), id(started.self()), id(sender), Long.parseLong(seq)));
            delivered.incrementAndGet();
        });
        started.node().addListener(new MembershipListener() {
            @Override
            public void memberUp(NodeId member) {
                history.record(new MemberUp(System.currentTimeMillis(), id(started.self()), id(member)));
                if (member.sameNodeAs(started.self())) {
                    followIdentity(started);
                }
            }

            @Override
            public void memberDown(NodeId member, DownReason reason) {
                // The verdict on this node is heard by the incarnation it names, whether or not
                // the library has renewed the identity by the time listeners run.
                String hearer = member.sameNodeAs(started.self()) ? id(member) : id(started.self());
                history.record(new MemberDown(System.currentTimeMillis(), hearer, id(member), reason.name()));
            }
        });
        started.node().transport().addLinkListener(new LinkListener() {
            @Override
            public void linkUp(NodeId peer) {
                history.record(new LinkUp(System.currentTimeMillis(), id(started.self()), id(peer)));
            }

            @Override
            public void linkDown(NodeId peer, LinkDownReason reason) {
                history.record(new LinkDown(System.currentTimeMillis(), id(started.self()), id(peer), reason.name()));
            }
        });
    }

    /**
     * When the node has rejoined in place as its next incarnation, records the old one stopped
     * (declared down) and the new one started, and announces it. Called on the node's own
     * member-up and at every view, whichever sees the change first.
     */
    private synchronized void followIdentity(Rpc node) {
        String now = id(node.self());
        if (now.equals(self)) {
            return;
        }
        long t = System.currentTimeMillis();
        history.record(new Stopped(t, self, HistoryChecker.DECLARED_DOWN));
        history.record(new Started(t, now));
        self = now;
        say("STARTED " + now);
    }

    private void multicall() {
        Rpc now = rpc;
        String caller = id(now.self());
        Set<NodeId> targets = now.node().liveMembers();
        long start = System.currentTimeMillis();
        now.multicallAsync(targets, ECHO, "ping", MULTICALL_TIMEOUT).whenComplete((result, failure) -> {
            long end = System.currentTimeMillis();
            List<String> replies;
            List<Bad> bad;
            if (failure != null) {
                // the call was cut short by this node's own close (leaving): every target unanswered
                replies = List.of();
                bad = targets.stream().map(t -> new Bad(id(t), "CALLER_CLOSED")).toList();
            } else {
                replies = ids(result.replies().keySet());
                bad = result.badNodes().stream().map(b -> new Bad(id(b.node()), b.reason().name())).toList();
            }
            history.record(new Multicall(end, caller, start, MULTICALL_TIMEOUT.toMillis(), ids(targets), replies, bad));
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
        followIdentity(now);
        try {
            List<String> live = ids(now.node().liveMembers());
            List<String> active = ids(now.node().activeView());
            history.record(new View(System.currentTimeMillis(), id(now.self()), live, active));
            say("VIEW " + id(now.self()) + " live=" + String.join(",", live) + " active=" + String.join(",", active)
                    + " sent=" + castSeq.get() + " delivered=" + delivered.get());
        } catch (RuntimeException e) {
            // closed between the read and the query (leaving)
        }
    }

    /** For a failed run's post-mortem: in the node's log, every cast and frame this process did not deliver or send, by reason. */
    private void logLosses() {
        meters.getMeters().stream()
                .filter(m -> m.getId().getName().matches("hyphae\\.(rpc\\.abcast\\.(dropped|skipped)|transport\\.sends\\.dropped)"))
                .forEach(m -> m.measure().forEach(v -> {
                    if (v.getValue() > 0) {
                        System.err.println(name + " LOSSES " + m.getId().getName() + " " + m.getId().getTags() + " " + v.getValue());
                    }
                }));
    }

    private void say(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
