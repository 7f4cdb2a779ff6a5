package io.hyphae.membership.transport;

import io.hyphae.membership.NodeId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A started transport with the chat protocol registered, recording everything it hears. */
final class Node implements AutoCloseable {

    record Received(NodeId from, Chat message, boolean onExecutorThread) {
    }

    record Event(String kind, NodeId peer, LinkDownReason reason, boolean onExecutorThread) {
    }

    final Transport transport;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final List<Received> received = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    private volatile Thread executorThread;

    Node(String name, TransportConfig config, TransportResources resources) {
        transport = Transport.start(config, name, meters, resources);
        transport.executor().execute(() -> executorThread = Thread.currentThread());
        transport.register(Chat.Codec.INSTANCE, (from, m) -> {
            received.add(new Received(from, m, Thread.currentThread() == executorThread));
            synchronized (received) {
                received.notifyAll(); // for awaitReceivedAtLeast
            }
        });
        transport.addLinkListener(new LinkListener() {
            @Override
            public void linkUp(NodeId peer) {
                events.add(new Event("up", peer, null, Thread.currentThread() == executorThread));
            }

            @Override
            public void linkDown(NodeId peer, LinkDownReason reason) {
                events.add(new Event("down", peer, reason, Thread.currentThread() == executorThread));
            }
        });
    }

    /** Blocks until at least {@code n} messages arrived, or {@code stop} says to give up; returns whether they did. */
    boolean awaitReceivedAtLeast(int n, java.util.function.BooleanSupplier stop) throws InterruptedException {
        synchronized (received) {
            while (received.size() < n) {
                if (stop.getAsBoolean()) {
                    return false;
                }
                received.wait(100); // woken by every arrival; the timeout only rechecks stop
            }
        }
        return true;
    }

        NodeId id() {
        return transport.self();
    }

    List<String> texts() {
        return received.stream().filter(r -> r.message() instanceof Chat.Text)
                .map(r -> ((Chat.Text) r.message()).text()).toList();
    }

    List<Event> events(String kind) {
        return events.stream().filter(e -> e.kind().equals(kind)).toList();
    }

    double count(String name, String... tags) {
        Counter c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    double handshakesFailed(HandshakeFailure reason) {
        return count("hyphae.transport.handshakes", "result", "failed", "reason", reason.tag());
    }

    double openLinks() {
        return meters.get("hyphae.transport.links").gauge().value();
    }

    @Override
    public void close() {
        transport.close();
    }
}
