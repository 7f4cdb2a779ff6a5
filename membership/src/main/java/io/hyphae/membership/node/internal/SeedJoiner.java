package io.hyphae.membership.node.internal;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds discovery's seeds to the overlay. Seeds are addresses; HyParView needs identities, so a
 * seed is dialled, and the identity that answers its handshake is the contact the node JOINs
 * through. It joins when the node starts, whenever HyParView reports NeedsContacts (no
 * neighbour, or an island whose passive view is exhausted), and when the seed set changes: through
 * a seed at an address no live member has (another island: a partition healed, or nodes
 * discovery found only now), or through any seed while the node still wants contacts. While the
 * node has no neighbour it retries with {@link #RETRY} backoff through a different seed each time.
 *
 * <p>Runs on the node's event loop only, like {@link NodeDriver}.
 */
final class SeedJoiner {

    private static final Logger log = LoggerFactory.getLogger(SeedJoiner.class);

    /** Delays between join attempts while the node has no neighbour. */
    static final Backoff RETRY = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10), 2.0);

    private final NodeDriver driver;
    private final Transport transport;
    private final NodeMeters meters;
    private Set<HostAndPort> seeds = Set.of();
    /** Seeds that appeared at an address no live member had when they appeared; see {@link #seedsChanged}. */
    private final Set<HostAndPort> strangers = new HashSet<>();
    private boolean wanted = true;
    private boolean dialling;
    private boolean retryScheduled;
    private int attempt;
    private boolean loggedNoSeeds;

    SeedJoiner(NodeDriver driver, Transport transport, NodeMeters meters) {
        this.driver = driver;
        this.transport = transport;
        this.meters = meters;
    }

    /** Discovery's union of seeds changed (this node's own address is left out). */
    void seedsChanged(Set<HostAndPort> next) {
        Set<HostAndPort> others = new HashSet<>(next);
        others.remove(transport.self().address());
        // Seeds at addresses no live member has: another island (nodes discovery found only now,
        // or a healed partition). Its nodes are not in the passive view, so HyParView would never
        // ask for them; JOIN through one so the two overlays, and then directories, merge.
        // (A node not joined yet joins through any seed anyway.)
        if (driver.joined()) {
            for (HostAndPort s : others) {
                if (!seeds.contains(s)) {
                    strangers.add(s);
                }
            }
        }
        strangers.retainAll(others);
        seeds = Set.copyOf(others);
        loggedNoSeeds = false;
        log.debug("{} seeds: {} (new to it: {})", transport.self(), seeds, strangers);
        tryJoin();
    }

    /** HyParView asked for contacts. */
    void needsContacts() {
        wanted = true;
        tryJoin();
    }

    private void tryJoin() {
        if (driver.closed() || driver.left() || dialling || retryScheduled) {
            return;
        }
        List<HostAndPort> candidates = candidates();
        if (candidates.isEmpty()) {
            if (!driver.joined() && !loggedNoSeeds) {
                loggedNoSeeds = true;
                log.debug("{} has no neighbour and no seed to join through; waiting for discovery", transport.self());
            }
            return; // the next change of seeds tries again
        }
        HostAndPort seed = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        // One attempt per stranger and change of seeds: an unreachable one is not retried forever.
        strangers.remove(seed);
        dialling = true;
        transport.connect(seed).whenCompleteAsync((contact, error) -> {
            dialling = false;
            if (driver.closed() || driver.left()) {
                return;
            }
            if (error == null && !contact.sameNodeAs(transport.self())) {
                wanted = false;
                meters.joinAttempt();
                log.debug("{} joins through {}", transport.self(), contact);
                driver.join(List.of(contact));
            } else {
                meters.seedFailure();
                log.debug("{} cannot join through seed {}: {}", transport.self(), seed,
                        error == null ? "it is this node" : error.toString());
            }
            scheduleCheck();
        }, transport.executor());
    }

    /**
     * Strangers first; else, when the overlay wants contacts or the node has no neighbour, any
     * seed that is not already a neighbour (a JOIN through a neighbour would bring nothing new).
     */
    private List<HostAndPort> candidates() {
        Set<HostAndPort> neighbours = new HashSet<>();
        for (NodeId n : driver.core().overlay().activeView()) {
            neighbours.add(n.address());
        }
        Set<HostAndPort> members = new HashSet<>();
        for (NodeId m : driver.live()) {
            members.add(m.address());
        }
        strangers.removeAll(members); // learnt meanwhile through the directory: not another island
        boolean any = wanted || !driver.joined();
        List<HostAndPort> out = new ArrayList<>();
        for (HostAndPort s : strangers.isEmpty() && any ? seeds : strangers) {
            if (!neighbours.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Joined by then: done, until the overlay asks again. Still alone: try another seed. */
    private void scheduleCheck() {
        retryScheduled = true;
        long delay = RETRY.delay(attempt++, ThreadLocalRandom.current()).toNanos();
        transport.executor().schedule(() -> {
            retryScheduled = false;
            if (driver.joined() && !wanted && strangers.isEmpty()) {
                attempt = 0;
            } else {
                tryJoin();
            }
        }, delay, TimeUnit.NANOSECONDS);
    }
}
