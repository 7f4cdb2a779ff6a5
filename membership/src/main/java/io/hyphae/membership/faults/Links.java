package io.hyphae.membership.faults;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which frames a link fault acts on: those sent by a node in {@link #from} to a node in
 * {@link #to}, and back when {@link #bothWays}, optionally of one protocol only. Nodes are named
 * by {@link io.hyphae.membership.NodeId#name()}, so a rule outlives a restart of the node it names.
 *
 * @param from senders; empty for any node
 * @param to receivers; empty for any node
 * @param bothWays also the frames from {@code to} back to {@code from}
 * @param protocol the frame's protocol id (0 transport control: handshakes and heartbeats,
 *     1 HyParView, 2 Plumtree, 3 directory, 16 RPC); empty for every protocol
 */
public record Links(Set<String> from, Set<String> to, boolean bothWays, OptionalInt protocol) {

    /** Every frame on every link. */
    public static final Links ANY = new Links(Set.of(), Set.of(), false, OptionalInt.empty());

    public Links {
        from = names(from, "from");
        to = names(to, "to");
        Objects.requireNonNull(protocol, "protocol");
        if (protocol.isPresent() && (protocol.getAsInt() < 0 || protocol.getAsInt() > 255)) {
            throw new IllegalArgumentException("protocol must be an id 0-255, was " + protocol.getAsInt());
        }
    }

    /** The frames {@code from} sends to {@code to}. */
    public static Links from(String from, String to) {
        return new Links(Set.of(from), Set.of(to), false, OptionalInt.empty());
    }

    /** The frames between {@code a} and {@code b}, both ways. */
    public static Links between(String a, String b) {
        return new Links(Set.of(a), Set.of(b), true, OptionalInt.empty());
    }

    /** Every frame {@code node} sends or receives. */
    public static Links of(String node) {
        return new Links(Set.of(node), Set.of(), true, OptionalInt.empty());
    }

    /** These links, narrowed to frames of {@code protocolId}. */
    public Links protocol(int protocolId) {
        return new Links(from, to, bothWays, OptionalInt.of(protocolId));
    }

    /** True for a frame of {@code protocolId} (-1 when unknown) from {@code sender} to {@code receiver}. */
    public boolean matches(String sender, String receiver, int protocolId) {
        if (protocol.isPresent() && protocol.getAsInt() != protocolId) {
            return false;
        }
        return oneWay(sender, receiver) || (bothWays && oneWay(receiver, sender));
    }

    /** True if some frame between {@code a} and {@code b}, either way, of some protocol may match. */
    boolean touches(String a, String b) {
        return oneWay(a, b) || oneWay(b, a);
    }

    private boolean oneWay(String sender, String receiver) {
        return (from.isEmpty() || from.contains(sender)) && (to.isEmpty() || to.contains(receiver));
    }

    static Set<String> names(Set<String> names, String what) {
        Objects.requireNonNull(names, what);
        for (String n : names) {
            if (n == null || n.isBlank()) {
                throw new IllegalArgumentException(what + ": a node name must not be blank");
            }
        }
        return Set.copyOf(names);
    }
}
