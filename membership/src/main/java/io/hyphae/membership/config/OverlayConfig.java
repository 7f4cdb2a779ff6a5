package io.hyphae.membership.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The {@code overlay} section: HyParView (Leitão et al., DSN 2007) and Plumtree (SRDS 2007)
 * parameters, named as in the papers, plus how long an unreachable member stays in the
 * directory. The defaults are the papers' values for clusters up to a few thousand nodes.
 *
 * @param activeViewSize HyParView's active view: the peers each node keeps a TCP link to and
 *     gossips through. Larger tolerates more simultaneous failures and shortens broadcast paths,
 *     at the cost of links and redundant messages (paper: log(n) + 1; 5 up to ~10,000 nodes)
 * @param passiveViewSize backup peers known but not connected, used to replace failed active
 *     peers; larger heals from bigger failures (paper: k·(log(n) + 1), 30)
 * @param arwl Active Random Walk Length: hops a FORWARD_JOIN travels; longer spreads a joining
 *     node further from its contact (paper: 6)
 * @param prwl Passive Random Walk Length: the hop at which a FORWARD_JOIN also lands in passive
 *     views (paper: 3); at most {@code arwl}
 * @param shuffleInterval how often a node exchanges passive-view samples with a random peer;
 *     more often keeps passive views fresher, at the cost of traffic
 * @param shuffleActive ka: active peers included in each SHUFFLE (paper: 3)
 * @param shufflePassive kp: passive peers included in each SHUFFLE (paper: 4)
 * @param ihaveTimeout Plumtree: how long after an IHAVE a node waits for the full message from
 *     the tree before it GRAFTs the announcer; shorter repairs the tree faster, longer sends
 *     fewer duplicate payloads
 * @param graftTimeout Plumtree: the second wait, after a GRAFT, before grafting the next
 *     announcer
 * @param lazyPushInterval Plumtree: IHAVEs for lazy peers are batched for this long; longer sends
 *     fewer, bigger packets and slows tree repair
 * @param messageHistory how long delivered broadcast ids (and payloads, to answer GRAFTs) are
 *     kept; must outlast the slowest repair, and costs memory per message
 * @param downAfter a member unreachable for this long is reported down; shorter reacts faster
 *     to a crash and risks false alarms during a partition or pause
 */
public record OverlayConfig(int activeViewSize, int passiveViewSize, int arwl, int prwl, Duration shuffleInterval,
                            int shuffleActive, int shufflePassive, Duration ihaveTimeout, Duration graftTimeout,
                            Duration lazyPushInterval, Duration messageHistory, Duration downAfter) {

    public static final OverlayConfig DEFAULTS = new OverlayConfig(5, 30, 6, 3, Duration.ofSeconds(10), 3, 4,
            Duration.ofMillis(500), Duration.ofMillis(250), Duration.ofMillis(100), Duration.ofSeconds(60),
            Duration.ofSeconds(10));

    public OverlayConfig {
        Objects.requireNonNull(shuffleInterval, "shuffleInterval");
        Objects.requireNonNull(ihaveTimeout, "ihaveTimeout");
        Objects.requireNonNull(graftTimeout, "graftTimeout");
        Objects.requireNonNull(lazyPushInterval, "lazyPushInterval");
        Objects.requireNonNull(messageHistory, "messageHistory");
        Objects.requireNonNull(downAfter, "downAfter");
        if (prwl > arwl) {
            throw new IllegalArgumentException("prwl must not exceed arwl");
        }
    }

    static OverlayConfig read(ConfigSection s) {
        OverlayConfig d = DEFAULTS;
        int arwl = s.integer("arwl", d.arwl(), 1, 32);
        int prwl = s.integer("prwl", d.prwl(), 0, 32);
        if (prwl > arwl) {
            throw s.error("prwl", "expected at most arwl (" + arwl + "): a walk cannot land in passive views after it ended; got " + prwl);
        }
        OverlayConfig c = new OverlayConfig(
                s.integer("active-view-size", d.activeViewSize(), 1, 64),
                s.integer("passive-view-size", d.passiveViewSize(), 1, 1024),
                arwl,
                prwl,
                s.positiveDuration("shuffle-interval", d.shuffleInterval()),
                s.integer("shuffle-active", d.shuffleActive(), 0, 64),
                s.integer("shuffle-passive", d.shufflePassive(), 0, 1024),
                s.positiveDuration("ihave-timeout", d.ihaveTimeout()),
                s.positiveDuration("graft-timeout", d.graftTimeout()),
                s.positiveDuration("lazy-push-interval", d.lazyPushInterval()),
                s.positiveDuration("message-history", d.messageHistory()),
                s.positiveDuration("down-after", d.downAfter()));
        s.rejectUnknownKeys();
        return c;
    }
}
