package io.hyphae.membership.overlay;

import java.time.Duration;
import java.util.Objects;

/**
 * HyParView's parameters, named as in the paper (DSN 2007, section 4 and the experimental
 * setting of section 5). The defaults are the paper's, chosen there for about 10,000 nodes;
 * they hold for any size from a handful of nodes upwards.
 *
 * @param activeViewSize nodes each node keeps an open link to and floods over (paper: log(n)+c,
 *     5). Larger tolerates more simultaneous failures before a broadcast loses nodes, at the price
 *     of more links and more redundant copies of every broadcast.
 * @param passiveViewSize backup nodes known but not connected (paper: k(log(n)+c), 30). Larger
 *     lets a node repair its active view after a larger share of the cluster failed, at the price
 *     of memory and bigger shuffles to keep it fresh.
 * @param activeRandomWalkLength ARWL, hops of the FORWARD_JOIN walk (paper: 6). Longer spreads a
 *     joining node's links further from its contact, at the price of join latency and messages.
 * @param passiveRandomWalkLength PRWL, the hop at which the walk leaves the new node in a passive
 *     view (paper: 3); must not exceed ARWL. Nearer the end puts it in more distant views.
 * @param shuffleActive ka, active nodes in a SHUFFLE sample (paper: 3). More refreshes passive
 *     views faster with nodes known to be alive, at the price of bigger messages.
 * @param shufflePassive kp, passive nodes in a SHUFFLE sample (paper: 4). More mixes passive
 *     views faster, at the price of bigger messages and of spreading stale entries further.
 * @param shuffleTtl hops of the SHUFFLE walk. Longer exchanges with more distant nodes, so
 *     passive views are less correlated with the neighbourhood, at the price of messages.
 * @param shuffleInterval the membership round: one SHUFFLE per node and a top-up of a non-full
 *     active view. Shorter keeps passive views fresher and heals faster after mass failures, at
 *     the price of background traffic (one small message walk per node per round).
 * @param neighborTimeout how long a NEIGHBOR request may stay unanswered before the node tries
 *     another passive node. Shorter repairs faster when answers are lost, but gives up on a slow
 *     peer (a lost answer is rare on TCP: a broken link is reported at once).
 * @param promotionRounds on average once in this many rounds, a node promotes a random passive
 *     node or discovery contact with a high priority NEIGHBOR even though its active view is full
 *     or its low priority requests are refused (both ends drop a random neighbour if they must
 *     make room). Not in the paper: without it, parts of the overlay that lost contact never link
 *     up again when every node in reach is full (after a partition heals, a clique that formed by
 *     chance, a pair of survivors refused by full nodes). Smaller merges such parts sooner and
 *     keeps the overlay more random, at the price of active links changing (each change is a
 *     repair for Plumtree); 0 turns it off.
 */
public record HyParViewConfig(
        int activeViewSize,
        int passiveViewSize,
        int activeRandomWalkLength,
        int passiveRandomWalkLength,
        int shuffleActive,
        int shufflePassive,
        int shuffleTtl,
        Duration shuffleInterval,
        Duration neighborTimeout,
        int promotionRounds) {

    public HyParViewConfig {
        Objects.requireNonNull(shuffleInterval, "shuffleInterval");
        Objects.requireNonNull(neighborTimeout, "neighborTimeout");
        require(activeViewSize >= 1, "activeViewSize must be >= 1, was " + activeViewSize);
        require(passiveViewSize >= 1, "passiveViewSize must be >= 1, was " + passiveViewSize);
        require(activeRandomWalkLength >= 1, "activeRandomWalkLength (ARWL) must be >= 1, was " + activeRandomWalkLength);
        require(passiveRandomWalkLength >= 0 && passiveRandomWalkLength <= activeRandomWalkLength,
                "passiveRandomWalkLength (PRWL) must be within 0..ARWL (" + activeRandomWalkLength + "), was "
                        + passiveRandomWalkLength);
        require(shuffleActive >= 0 && shuffleActive <= activeViewSize,
                "shuffleActive (ka) must be within 0..activeViewSize, was " + shuffleActive);
        require(shufflePassive >= 0 && shufflePassive <= passiveViewSize,
                "shufflePassive (kp) must be within 0..passiveViewSize, was " + shufflePassive);
        require(shuffleTtl >= 0, "shuffleTtl must be >= 0, was " + shuffleTtl);
        require(shuffleInterval.toMillis() >= 1, "shuffleInterval must be at least 1ms, was " + shuffleInterval);
        require(neighborTimeout.toMillis() >= 1, "neighborTimeout must be at least 1ms, was " + neighborTimeout);
        require(promotionRounds >= 0, "promotionRounds must be >= 0 (0 turns promotion off), was " + promotionRounds);
    }

    /** The paper's parameters, one membership round every 10 s: for clusters of any size on a LAN or WAN. */
    public static HyParViewConfig defaults() {
        return new HyParViewConfig(5, 30, 6, 3, 3, 4, 6, Duration.ofSeconds(10), Duration.ofSeconds(5), 30);
    }

    /**
     * The paper's view sizes with a membership round every second: passive views stay fresh and
     * mass failures heal within seconds, for clusters where the background traffic does not matter.
     */
    public static HyParViewConfig fastRepair() {
        return new HyParViewConfig(5, 30, 6, 3, 3, 4, 6, Duration.ofSeconds(1), Duration.ofMillis(500), 30);
    }

    /** Largest SHUFFLE sample: the origin, ka active and kp passive nodes. */
    public int shuffleSampleSize() {
        return 1 + shuffleActive + shufflePassive;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
