package io.hyphae.rpc.process;

import static io.hyphae.rpc.process.ClusterNodeMain.WHOAMI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcConfig;
import io.hyphae.testkit.FreePorts;
import io.hyphae.testkit.ListeningPorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Rpc.start(config, setup)} over real sockets in one JVM: the handlers registered in
 * {@code setup} exist before any peer can call the node, because the node joins only after
 * {@code setup} returns.
 */
class RegisterBeforeJoinTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * Multicall rounds the setup of the late node lets pass before it registers its handler:
     * far longer than a join takes, so a node that joined without waiting for its setup would
     * be a member, and be called, by then.
     */
    private static final int ROUNDS_DURING_SETUP = 500;

    private final List<Rpc> nodes = new ArrayList<>();
    private TransportResources resources;
    private ExecutorService callerThread;

    @BeforeEach
    void loops() {
        resources = TransportResources.create(1);
        callerThread = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void stop() {
        callerThread.shutdownNow();
        nodes.forEach(Rpc::close);
        resources.close();
    }

    @Test
    void aNodeThatRegistersInSetupIsNeverCalledBeforeItsHandlersExist() {
        // Given two members, one of them multicalling every live member in a tight loop
        List<Integer> ports = FreePorts.tcp(3);
        Rpc a = start("a", ports.get(0), ports, r -> r.register(WHOAMI, (caller, q) -> "a"));
        Rpc b = start("b", ports.get(1), ports, r -> r.register(WHOAMI, (caller, q) -> "b"));
        await().atMost(WAIT).until(() -> a.node().liveMembers().size() == 2);
        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicLong rounds = new AtomicLong();
        AtomicLong repliesFromLate = new AtomicLong();
        Queue<BadNode> badFromLate = new ConcurrentLinkedQueue<>();
        CompletableFuture<Void> caller = CompletableFuture.runAsync(() -> {
            while (calling.get()) {
                MulticallResult<String> r = a.multicall(WHOAMI, "?", WAIT);
                r.badNodes().stream().filter(bad -> bad.node().name().equals("late")).forEach(badFromLate::add);
                repliesFromLate.addAndGet(r.replies().keySet().stream().filter(n -> n.name().equals("late")).count());
                rounds.incrementAndGet();
            }
        }, callerThread);

        // When a third node starts, and its setup takes a long while before it registers
        Set<String> knownDuringSetup = new TreeSet<>();
        Rpc late = start("late", ports.get(2), ports, r -> {
            long from = rounds.get();
            await().atMost(WAIT).until(() -> names(a.node().liveMembers().stream()).contains("late")
                    || rounds.get() >= from + ROUNDS_DURING_SETUP);
            knownDuringSetup.addAll(names(Stream.concat(a.node().members().stream(), b.node().members().stream()).map(Member::id)));
            r.register(WHOAMI, (c, q) -> "late");
        });

        // Then no peer knew it while its setup ran; once started it is called and answers, and
        // it never answered NO_SUCH_HANDLER (nor anything else but a reply)
        assertThat(knownDuringSetup).containsExactly("a", "b");
        await().atMost(WAIT).until(() -> repliesFromLate.get() > 0 || caller.isDone());
        calling.set(false);
        caller.join();
        assertThat(repliesFromLate).hasPositiveValue();
        assertThat(badFromLate).isEmpty();
        assertThat(late.node().liveMembers()).hasSize(3);
    }

    @Test
    void aSetupThatThrowsStopsTheNodeAndTheCallerGetsTheException() {
        // Given a setup that fails after registering a handler
        int port = FreePorts.tcp(1).get(0);
        IllegalStateException failure = new IllegalStateException("setup failed");

        // When a node starts with it, the caller gets that very exception
        AtomicBoolean listenedDuringSetup = new AtomicBoolean();
        AtomicReference<Rpc> failed = new AtomicReference<>();
        assertThatThrownBy(() -> start("failing", port, List.of(port), r -> {
            r.register(WHOAMI, (caller, q) -> "failing");
            listenedDuringSetup.set(ListeningPorts.thisProcessListensOn(port));
            failed.set(r);
            throw failure;
        })).isSameAs(failure);

        // Then the node was stopped: it listened while the setup ran and does not any more, and
        // its RPC layer refuses calls. (Asked of /proc, not by connecting: another process may
        // bind the number meanwhile, since FreePorts picks from the ephemeral range.)
        assertThat(listenedDuringSetup).isTrue();
        assertThat(ListeningPorts.thisProcessListensOn(port)).isFalse();
        assertThat(failed.get().callAsync(failed.get().self(), WHOAMI, "", Duration.ofSeconds(1)))
                .failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
                .withMessageContaining("RPC is closed");
    }

    private Rpc start(String name, int port, List<Integer> seeds, Consumer<Rpc> setup) {
        Rpc rpc = Rpc.start(ClusterNodeMain.config(name, port, seeds), RpcConfig.defaults(), new SimpleMeterRegistry(),
                resources, setup);
        nodes.add(rpc);
        return rpc;
    }

    private static Set<String> names(Stream<NodeId> nodes) {
        return nodes.map(NodeId::name).collect(Collectors.toSet());
    }
}
