package io.hyphae.examples.demo;

import io.hyphae.examples.node.NodeServer;
import io.hyphae.testkit.ChildProcess;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One node process of the demo, as its {@code --events} lines describe it: who it is, where its
 * admin channel listens, whom it sees live, and the downs and casts it reported. Updated on the
 * process's reader thread; every read and write holds the driver's lock, which is notified on
 * each event so the driver can wait for a condition without polling.
 */
final class DemoNode {

    /** An event as a node reported it. */
    sealed interface Event {
        record Ready(String self, int adminPort) implements Event {
        }

        record Up(String member) implements Event {
        }

        record Down(String member, String reason) implements Event {
        }

        record Announce(String from, String text) implements Event {
        }
    }

    interface Listener {
        void event(DemoNode node, Event event);
    }

    final String name;
    private final Object lock;
    private ChildProcess process;
    private Optional<Event.Ready> ready = Optional.empty();
    private final Map<String, String> live = new LinkedHashMap<>(); // name -> id
    private final List<Event.Down> downs = new ArrayList<>();
    private final List<Event.Announce> announces = new ArrayList<>();

    DemoNode(String name, Object lock) {
        this.name = name;
        this.lock = lock;
    }

    void attach(ChildProcess process) {
        this.process = process;
    }

    ChildProcess process() {
        return process;
    }

    /** Parses one line of the process's output; lines that are not events are ignored. */
    void accept(String line, Listener listener) {
        if (!line.startsWith(NodeServer.EVENT)) {
            return;
        }
        String[] f = line.substring(NodeServer.EVENT.length()).split(" ", 3);
        Event event = switch (f[0]) {
            case "ready" -> new Event.Ready(f[1], Integer.parseInt(f[2].substring(f[2].indexOf("admin=") + 6)));
            case "up" -> new Event.Up(f[1]);
            case "down" -> new Event.Down(f[1], f[2]);
            case "announce" -> new Event.Announce(f[1], f.length > 2 ? f[2] : "");
            default -> null;
        };
        if (event == null) {
            return;
        }
        synchronized (lock) {
            if (event instanceof Event.Ready r) {
                ready = Optional.of(r);
            } else if (event instanceof Event.Up u) {
                live.put(nameOf(u.member()), u.member());
            } else if (event instanceof Event.Down d) {
                live.remove(nameOf(d.member()), d.member());
                downs.add(d);
            } else if (event instanceof Event.Announce a) {
                announces.add(a);
            }
            listener.event(this, event);
            lock.notifyAll();
        }
    }

    Optional<Event.Ready> ready() {
        synchronized (lock) {
            return ready;
        }
    }

    /** This node's identity now ({@code name@host:port#incarnation}); empty before it is ready. */
    Optional<String> self() {
        return ready().map(Event.Ready::self);
    }

    /** Members it sees live: name to identity. */
    Map<String, String> live() {
        synchronized (lock) {
            return Map.copyOf(live);
        }
    }

    List<Event.Down> downs() {
        synchronized (lock) {
            return List.copyOf(downs);
        }
    }

    List<Event.Announce> announces() {
        synchronized (lock) {
            return List.copyOf(announces);
        }
    }

    static String nameOf(String id) {
        return id.substring(0, id.indexOf('@'));
    }

    static String incarnationOf(String id) {
        return id.substring(id.lastIndexOf('#') + 1);
    }
}
