package io.hyphae.membership.faults;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault rules of one node's transport (or of a whole simulation), changed at run time. Off
 * until the first rule is added: with no rules the transport has no fault handler in any pipeline.
 *
 * <pre>
 * FaultRule cut = node.faults().add(Fault.Partition.between(Set.of("a", "b"), Set.of("c", "d", "e")));
 * ...
 * node.faults().remove(cut.id());   // or clear()
 * </pre>
 *
 * <p>{@link #add}, {@link #remove}, {@link #clear} and {@link #rules} may be called from any
 * thread; each change is a new immutable {@link FaultRules}, and the frames judged after it see
 * it. {@link #judge} draws from this injector's random source and is called by one thread (the
 * transport's event loop); {@link #seed} makes its draws repeatable. See
 * {@code docs/fault-injection.md}.
 */
public final class FaultInjector {

    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

    private final String owner;
    private final boolean logChanges;
    private final AtomicReference<FaultRules> rules = new AtomicReference<>(FaultRules.NONE);
    private final AtomicLong nextId = new AtomicLong(1);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile Optional<Supplier<Set<String>>> knownNodes = Optional.empty();
    private volatile SplittableRandom random;

    /**
     * @param owner who the rules act for (a node's name), for the log
     * @param seed the first seed of {@link #judge}'s random source
     */
    public FaultInjector(String owner, long seed) {
        this(owner, seed, true);
    }

    private FaultInjector(String owner, long seed, boolean logChanges) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.logChanges = logChanges;
        this.random = new SplittableRandom(seed);
    }

    /** An injector that does not log its changes: the simulator's, whose runs may change rules thousands of times. */
    public static FaultInjector quiet(String owner, long seed) {
        return new FaultInjector(owner, seed, false);
    }

    /**
     * Installs {@code fault} and returns it with its number.
     *
     * @throws IllegalArgumentException if it names a node this injector does not know (see {@link #knownNodes})
     */
    public FaultRule add(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        knownNodes.ifPresent(known -> {
            Set<String> names = known.get();
            Set<String> unknown = new TreeSet<>(fault.nodes());
            unknown.removeAll(names);
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("unknown node" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                        + " (known: " + String.join(", ", new TreeSet<>(names)) + ")");
            }
        });
        FaultRule rule = new FaultRule(nextId.getAndIncrement(), fault);
        rules.updateAndGet(r -> r.with(rule));
        if (logChanges) {
            log.info("{}: fault rule added: {}", owner, rule);
        }
        changed();
        return rule;
    }

    /** Removes rule {@code id}; false if there is none. */
    public boolean remove(long id) {
        FaultRules before = rules.getAndUpdate(r -> r.without(id));
        boolean removed = before.list().stream().anyMatch(r -> r.id() == id);
        if (removed) {
            if (logChanges) {
                log.info("{}: fault rule {} removed", owner, id);
            }
            changed();
        }
        return removed;
    }

    /** Removes every rule: frames flow untouched again, and the transport drops its fault handlers. */
    public void clear() {
        if (!rules.getAndSet(FaultRules.NONE).isEmpty()) {
            if (logChanges) {
                log.info("{}: every fault rule removed", owner);
            }
            changed();
        }
    }

    /** The rules now, in the order added. */
    public List<FaultRule> rules() {
        return rules.get().list();
    }

    /** The rules now, to judge frames by. */
    public FaultRules current() {
        return rules.get();
    }

    /** True while at least one rule is installed. */
    public boolean active() {
        return !rules.get().isEmpty();
    }

    /** Restarts {@link #judge}'s random source: the same seed and the same frames give the same verdicts. */
    public void seed(long seed) {
        random = new SplittableRandom(seed);
    }

    /** {@link FaultRules#judge} with the current rules and this injector's random source. Call from one thread. */
    public Verdict judge(String sender, String receiver, int protocolId) {
        FaultRules now = rules.get();
        return now.isEmpty() ? Verdict.PASS : now.judge(sender, receiver, protocolId, random);
    }

    /**
     * Lets {@link #add} refuse a rule naming a node outside {@code names} (asked on every add),
     * so a typo fails loudly instead of cutting nothing.
     */
    public void knownNodes(Supplier<Set<String>> names) {
        knownNodes = Optional.of(Objects.requireNonNull(names, "names"));
    }

    /** Runs {@code listener} on the changing thread after every change of the rules. */
    public void onChange(Runnable listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private void changed() {
        listeners.forEach(Runnable::run);
    }
}
