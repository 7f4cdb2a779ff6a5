package io.hyphae.membership.transport.internal;

import io.hyphae.membership.transport.HandshakeFailure;
import io.hyphae.membership.transport.LinkDownReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The transport's Micrometer meters (listed in docs/transport.md), every one tagged with the
 * node's name so transports sharing a registry keep theirs apart. Counters are looked up once
 * per tag combination and cached; the per-frame lookup ({@link #type}) is two map reads on
 * keys that exist already, with no key built per frame (W3's profile showed the concatenated
 * key of the old cache at 7 % of the sender's samples).
 *
 * <p>The four counters of a message type share one {@link Tags} (node, protocol, type), and the
 * types of a protocol share its node and protocol tags: a node has some twenty types in use, and
 * tags built for every counter were a third of the transport's meter memory, which every node
 * keeps for itself (many nodes in one JVM, each with its own).
 */
final class TransportMeters {

    /** The four counters of one protocol's message type. */
    record TypeMeters(Counter framesIn, Counter bytesIn, Counter framesOut, Counter bytesOut) {
    }

    /** One protocol's tags (node and protocol) and its types' meters, by type name. */
    private record ProtocolMeters(Tags tags, Map<String, TypeMeters> types) {
    }

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, ProtocolMeters> protocols = new ConcurrentHashMap<>();
    private final String nodeName;
    private final Gauge links;
    private final Gauge faultRules;

    TransportMeters(MeterRegistry registry, String nodeName, Supplier<Number> openLinks, Supplier<Number> faultRules) {
        this.registry = registry;
        this.nodeName = nodeName;
        // Tagged by node: several transports may share one registry, and a gauge, unlike a counter, cannot be summed.
        this.links = Gauge.builder("hyphae.transport.links", openLinks).tag("node", nodeName)
                .description("links with a finished handshake").strongReference(true).register(registry);
        this.faultRules = Gauge.builder("hyphae.transport.fault.rules", faultRules).tag("node", nodeName)
                .description("fault injection rules in force: anything but 0 is a test, or a rule left behind")
                .strongReference(true).register(registry);
    }

    /**
     * Frames the fault injector acted on, by {@code action}: {@code dropped}, {@code duplicated},
     * {@code delayed}, {@code held} (reordered).
     */
    Counter faultApplied(String action) {
        return counter("hyphae.transport.faults", "action", action);
    }

    void handshakeOk() {
        counter("hyphae.transport.handshakes", "result", "ok", "reason", "none").increment();
    }

    void handshakeFailed(HandshakeFailure reason) {
        counter("hyphae.transport.handshakes", "result", "failed", "reason", reason.tag()).increment();
    }

    /** A handshake that succeeded but lost the one-link-per-pair tie-break. */
    void handshakeDuplicate() {
        counter("hyphae.transport.handshakes", "result", "duplicate", "reason", "none").increment();
    }

    /** A frame on an established link that was not delivered: {@code malformed}, {@code too_large}, {@code unknown_protocol}. */
    void frameRejected(String reason) {
        counter("hyphae.transport.frames.rejected", "reason", reason).increment();
    }

    /** A send that was not queued: {@code backpressure} or {@code too_large}. */
    void sendDropped(String reason) {
        counter("hyphae.transport.sends.dropped", "reason", reason).increment();
    }

    /**
     * A dial by {@code result}: {@code started} (a socket connect went out), {@code failed} (a
     * started one failed, in the connect or the handshake), {@code backing_off} (not attempted:
     * the address failed a moment ago, see DialBackoff).
     */
    void dial(String result) {
        counter("hyphae.transport.dials", "result", result).increment();
    }

    /** A heartbeat or handshake timeout ({@code timer}) given one more period because this node's own loop lagged (Connection). */
    void lagExtension(String timer) {
        counter("hyphae.transport.lag.extensions", "timer", timer).increment();
    }

    void linkDown(LinkDownReason reason) {
        counter("hyphae.transport.links.down", "reason", reason.tag()).increment();
    }

    TypeMeters type(String protocol, String type) {
        ProtocolMeters ofProtocol = protocols.get(protocol);
        if (ofProtocol == null) {
            ofProtocol = protocols.computeIfAbsent(protocol,
                    p -> new ProtocolMeters(Tags.of("node", nodeName, "protocol", p), new ConcurrentHashMap<>()));
        }
        TypeMeters m = ofProtocol.types().get(type);
        return m != null ? m : ofProtocol.types().computeIfAbsent(type, typeMeters(ofProtocol.tags()));
    }

    private Function<String, TypeMeters> typeMeters(Tags protocolTags) {
        return t -> {
            Tags tags = protocolTags.and("type", t);
            return new TypeMeters(typed("hyphae.transport.frames.in", tags), typed("hyphae.transport.bytes.in", tags),
                    typed("hyphae.transport.frames.out", tags), typed("hyphae.transport.bytes.out", tags));
        };
    }

    void close() {
        registry.remove(links);
        registry.remove(faultRules);
    }

    private Counter typed(String name, Tags tags) {
        return Counter.builder(name).tags(tags).register(registry);
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(name + String.join("\0", tags), k -> Counter.builder(name).tags(tags).tag("node", nodeName).register(registry));
    }
}
