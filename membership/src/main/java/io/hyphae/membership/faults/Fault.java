package io.hyphae.membership.faults;

import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The fault vocabulary: what the transport's fault injector and the simulator can do to the
 * frames between nodes. One record per fault; each validates itself, so a rule that exists is
 * a rule that makes sense. {@link FaultSyntax} reads and writes them as text (the admin
 * command's form). See {@code docs/fault-injection.md}.
 *
 * <p>A link fault ({@link Drop}, {@link Delay}, {@link Duplicate}, {@link Reorder}) acts on the
 * frames its {@link Links} select, where they are sent. A {@link Partition} cuts two sets of
 * nodes apart: frames between them are dropped where they are sent and where they arrive, and
 * no new link opens between them.
 */
public sealed interface Fault {

    /** The longest delay or hold a rule may ask for: longer is a mistake, and frames held that long pin memory. */
    Duration LONGEST = Duration.ofMinutes(10);

    /** True if this fault acts on a frame of {@code protocolId} (-1: unknown) from {@code sender} to {@code receiver}. */
    boolean appliesTo(String sender, String receiver, int protocolId);

    /** True if this fault may act on some frame between {@code a} and {@code b}, either way. */
    boolean touches(String a, String b);

    /** Every node this fault names. */
    Set<String> nodes();

    /** A fault on the frames its {@link Links} select, judged where they are sent. */
    sealed interface LinkFault extends Fault permits Drop, Delay, Duplicate, Reorder {
        Links links();

        @Override
        default boolean appliesTo(String sender, String receiver, int protocolId) {
            return links().matches(sender, receiver, protocolId);
        }

        @Override
        default boolean touches(String a, String b) {
            return links().touches(a, b);
        }

        @Override
        default Set<String> nodes() {
            return union(links().from(), links().to());
        }
    }

    /** Loses each selected frame with {@code probability}; 1 loses them all, heartbeats included. */
    record Drop(Links links, double probability) implements LinkFault {
        public Drop {
            Objects.requireNonNull(links, "links");
            probability = checkProbability(probability);
        }
    }

    /**
     * Holds each selected frame back for a time drawn uniformly from {@code min..max}; the
     * frames a delay holds still leave in the order they were sent, as on a slow TCP link.
     */
    record Delay(Links links, Duration min, Duration max) implements LinkFault {
        public Delay {
            Objects.requireNonNull(links, "links");
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || max.compareTo(min) < 0 || max.compareTo(LONGEST) > 0) {
                throw new IllegalArgumentException("delay must satisfy 0 <= min <= max <= " + LONGEST + ", was " + min + ".." + max);
            }
        }
    }

    /** Sends each selected frame twice with {@code probability}: the receiver's protocols must tell. */
    record Duplicate(Links links, double probability) implements LinkFault {
        public Duplicate {
            Objects.requireNonNull(links, "links");
            probability = checkProbability(probability);
        }
    }

    /**
     * Holds a selected frame back for {@code hold} with {@code probability}, while the frames
     * after it go on: they overtake it, which TCP never lets happen.
     */
    record Reorder(Links links, double probability, Duration hold) implements LinkFault {
        public Reorder {
            Objects.requireNonNull(links, "links");
            probability = checkProbability(probability);
            Objects.requireNonNull(hold, "hold");
            if (hold.isNegative() || hold.isZero() || hold.compareTo(LONGEST) > 0) {
                throw new IllegalArgumentException("reorder hold must be within (0, " + LONGEST + "], was " + hold);
            }
        }
    }

    /**
     * Cuts {@code side} off from {@code other}: every frame between them is dropped (heartbeats
     * too, so each side's failure detector notices) and no new link opens between them (a
     * connection needs both directions, so a one-way cut blocks new links too).
     *
     * @param side the nodes on one side; not empty
     * @param other the nodes on the other side; empty for every node not in {@code side}
     * @param oneWay cut only the frames from {@code side} to {@code other}
     */
    record Partition(Set<String> side, Set<String> other, boolean oneWay) implements Fault {
        public Partition {
            side = Links.names(side, "side");
            other = Links.names(other, "other");
            if (side.isEmpty()) {
                throw new IllegalArgumentException("a partition needs at least one node on its side");
            }
            for (String n : other) {
                if (side.contains(n)) {
                    throw new IllegalArgumentException("node '" + n + "' is on both sides of the partition");
                }
            }
        }

        /** {@code side} cut off from every other node, both ways. */
        public static Partition isolate(Set<String> side) {
            return new Partition(side, Set.of(), false);
        }

        /** {@code side} and {@code other} cut apart, both ways. */
        public static Partition between(Set<String> side, Set<String> other) {
            return new Partition(side, other, false);
        }

        /** True if frames from {@code sender} to {@code receiver} cross this cut. */
        public boolean cuts(String sender, String receiver) {
            return cutsOneWay(sender, receiver) || (!oneWay && cutsOneWay(receiver, sender));
        }

        private boolean cutsOneWay(String sender, String receiver) {
            return side.contains(sender) && (other.isEmpty() ? !side.contains(receiver) : other.contains(receiver));
        }

        @Override
        public boolean appliesTo(String sender, String receiver, int protocolId) {
            return cuts(sender, receiver);
        }

        @Override
        public boolean touches(String a, String b) {
            return cutsOneWay(a, b) || cutsOneWay(b, a);
        }

        @Override
        public Set<String> nodes() {
            return union(side, other);
        }
    }

    private static double checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be within [0, 1], was " + p);
        }
        return p;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
