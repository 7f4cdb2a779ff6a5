package io.hyphae.membership.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code transport} section: the user-facing settings of the TCP links between nodes.
 *
 * @param connectTimeout how long a dial may take; shorter notices a dead address sooner, but a
 *     slow network (cross-region, a VM waking up) then fails dials that would have worked
 * @param handshakeTimeout how long a new connection has to prove it knows the secret; bounds how
 *     long a stranger can hold a connection open without authenticating
 * @param heartbeatInterval how often an idle link sends a heartbeat; more often finds a dead
 *     peer sooner at the cost of traffic on every link
 * @param idleTimeout a link with no traffic (heartbeats included) for this long is closed as
 *     dead; shorter reacts faster to a crashed peer, and risks closing links on a GC pause
 * @param maxFrameBytes the largest frame accepted; a bigger frame closes the connection, so
 *     memory a peer can make us allocate is bounded, but so is the largest message
 * @param sendQueueLimit frames queued for one peer before new ones are dropped (and counted);
 *     bounds memory when a peer is slow, at the cost of losing messages to it
 */
public record TransportConfig(Duration connectTimeout, Duration handshakeTimeout, Duration heartbeatInterval,
                              Duration idleTimeout, int maxFrameBytes, int sendQueueLimit) {

    public static final TransportConfig DEFAULTS = new TransportConfig(Duration.ofSeconds(3), Duration.ofSeconds(5),
            Duration.ofSeconds(1), Duration.ofSeconds(5), 1 << 20, 4096);

    public TransportConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("idle-timeout must be longer than heartbeat-interval");
        }
    }

    static TransportConfig read(ConfigSection s) {
        TransportConfig d = DEFAULTS;
        Duration heartbeat = s.positiveDuration("heartbeat-interval", d.heartbeatInterval());
        Duration idle = s.positiveDuration("idle-timeout", d.idleTimeout());
        if (idle.compareTo(heartbeat) <= 0) {
            throw s.error("idle-timeout", "expected a duration longer than heartbeat-interval (" + heartbeat
                    + "), or every quiet link would be closed; got " + idle);
        }
        TransportConfig c = new TransportConfig(
                s.positiveDuration("connect-timeout", d.connectTimeout()),
                s.positiveDuration("handshake-timeout", d.handshakeTimeout()),
                heartbeat,
                idle,
                s.bytes("max-frame-size", d.maxFrameBytes(), 1024, 256 << 20),
                s.integer("send-queue-limit", d.sendQueueLimit(), 1, 1 << 20));
        s.rejectUnknownKeys();
        return c;
    }
}
