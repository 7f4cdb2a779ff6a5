package io.hyphae.strategy.gossip;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.wire.MalformedFrameException;
import java.time.Duration;
import java.util.Optional;

/**
 * Decides whether a received datagram is trusted, in this order: it parses, it names this
 * cluster (checked before the MAC so two clusters sharing a group and port are reported as
 * such, not as forgeries), its MAC verifies, it is not this node's own, its timestamp is within
 * the allowed clock skew, and its nonce was not seen before within that window.
 *
 * <p>Protocol core: no sockets, threads or clock; the caller hands in the time. Not thread-safe.
 */
final class PacketFilter {

    private final String cluster;
    private final NodeId self;
    private final Optional<ClusterSecret> secret;
    private final long maxSkewMillis;
    private final ReplayGuard replays;

    PacketFilter(String cluster, NodeId self, Optional<ClusterSecret> secret, Duration maxClockSkew, int replayCacheSize) {
        this.cluster = cluster;
        this.self = self;
        this.secret = secret;
        this.maxSkewMillis = maxClockSkew.toMillis();
        this.replays = new ReplayGuard(replayCacheSize, maxClockSkew);
    }

    Verdict check(byte[] datagram, long nowMillis) {
        GossipPacket packet;
        try {
            packet = GossipPacketCodec.decode(datagram);
        } catch (MalformedFrameException e) {
            return new Verdict.Rejected(RejectReason.MALFORMED, e.getMessage());
        }
        if (!packet.cluster().equals(cluster)) {
            return new Verdict.Rejected(RejectReason.WRONG_CLUSTER, "cluster '" + packet.cluster() + "', this node is in '" + cluster + "'");
        }
        if (secret.isPresent() && !GossipPacketCodec.authentic(datagram, secret.get())) {
            return new Verdict.Rejected(RejectReason.BAD_MAC, "MAC does not verify with this cluster's secret (sender claims to be " + packet.sender() + ")");
        }
        if (packet.sender().sameNodeAs(self) || packet.sender().address().equals(self.address())) {
            return new Verdict.Rejected(RejectReason.OWN, "own packet");
        }
        long skew = packet.timestampMillis() - nowMillis;
        if (Math.abs(skew) > maxSkewMillis) {
            return new Verdict.Rejected(RejectReason.STALE, "timestamp " + skew + " ms from this node's clock, allowed +-" + maxSkewMillis + " ms (from " + packet.sender() + ")");
        }
        if (!replays.firstSighting(packet.nonce(), packet.timestampMillis(), nowMillis)) {
            return new Verdict.Rejected(RejectReason.REPLAYED, "nonce already seen (claims to be from " + packet.sender() + ")");
        }
        return new Verdict.Accepted(packet);
    }
}
