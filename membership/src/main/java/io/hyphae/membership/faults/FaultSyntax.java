package io.hyphae.membership.faults;

import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.faults.Fault.Delay;
import io.hyphae.membership.faults.Fault.Drop;
import io.hyphae.membership.faults.Fault.Duplicate;
import io.hyphae.membership.faults.Fault.LinkFault;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.Fault.Reorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Faults as text, for the admin command and the log: {@link #parse} reads what {@link #format}
 * writes.
 *
 * <pre>
 * drop PROBABILITY [LINKS]              drop 1 to=b
 * delay MIN [MAX] [LINKS]               delay 50ms 200ms from=a
 * duplicate PROBABILITY [LINKS]         duplicate 0.5 protocol=plumtree
 * reorder PROBABILITY HOLD [LINKS]      reorder 0.2 100ms from=a to=b,c both-ways
 * partition SIDE [OTHER] [one-way]      partition a,b c,d,e     partition c   (c against all others)
 *
 * LINKS: from=NAMES  to=NAMES  both-ways  protocol=ID|control|hyparview|plumtree|directory|rpc
 * NAMES: node names separated by commas
 * </pre>
 *
 * Durations are written as in the config file ({@code 500ms}, {@code 2s}, {@code PT0.5S}).
 */
public final class FaultSyntax {

    /** Protocol ids by the names the syntax accepts. */
    private static final Map<String, Integer> PROTOCOLS = Map.of(
            "control", 0, "hyparview", 1, "plumtree", 2, "directory", 3, "rpc", 16);

    private FaultSyntax() {
    }

    /**
     * Reads one fault.
     *
     * @throws IllegalArgumentException naming the token that is wrong and what was expected
     */
    public static Fault parse(String text) {
        List<String> words = new ArrayList<>(Arrays.asList(text.trim().split("\\s+")));
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new IllegalArgumentException("expected a fault: drop, delay, duplicate, reorder or partition");
        }
        String kind = words.remove(0);
        return switch (kind) {
            case "drop" -> new Drop(links(words, 1, kind), probability(words.get(0), kind));
            case "duplicate" -> new Duplicate(links(words, 1, kind), probability(words.get(0), kind));
            case "delay" -> delay(words);
            case "reorder" -> new Reorder(links(words, 2, kind), probability(words.get(0), kind), duration(words.get(1), kind));
            case "partition" -> partition(words);
            default -> throw new IllegalArgumentException("unknown fault '" + kind
                    + "' (expected drop, delay, duplicate, reorder or partition)");
        };
    }

    /** The text {@link #parse} reads back as an equal fault. */
    public static String format(Fault fault) {
        if (fault instanceof Partition p) {
            return "partition " + names(p.side()) + (p.other().isEmpty() ? "" : " " + names(p.other()))
                    + (p.oneWay() ? " one-way" : "");
        }
        LinkFault f = (LinkFault) fault;
        String head;
        if (f instanceof Drop d) {
            head = "drop " + d.probability();
        } else if (f instanceof Duplicate d) {
            head = "duplicate " + d.probability();
        } else if (f instanceof Delay d) {
            head = "delay " + duration(d.min()) + " " + duration(d.max());
        } else {
            Reorder r = (Reorder) f;
            head = "reorder " + r.probability() + " " + duration(r.hold());
        }
        return head + links(f.links());
    }

    private static Delay delay(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("delay: expected MIN [MAX], such as 'delay 50ms 200ms'");
        }
        Duration min = duration(words.remove(0), "delay");
        Duration max = !words.isEmpty() && !words.get(0).contains("=") && !words.get(0).equals("both-ways")
                ? duration(words.remove(0), "delay") : min;
        return new Delay(links(words, 0, "delay"), min, max);
    }

    private static Partition partition(List<String> words) {
        boolean oneWay = words.remove("one-way");
        if (words.isEmpty() || words.size() > 2) {
            throw new IllegalArgumentException("partition: expected SIDE [OTHER] [one-way], such as 'partition a,b c,d,e'");
        }
        return new Partition(nameSet(words.get(0), "partition"), words.size() == 2 ? nameSet(words.get(1), "partition") : Set.of(),
                oneWay);
    }

    /** Reads the LINKS words after the fault's {@code leading} own arguments, which must be there. */
    private static Links links(List<String> words, int leading, String kind) {
        if (words.size() < leading) {
            throw new IllegalArgumentException(kind + ": expected " + (leading == 1 ? "PROBABILITY" : "PROBABILITY HOLD")
                    + " before the links");
        }
        Set<String> from = Set.of();
        Set<String> to = Set.of();
        boolean bothWays = false;
        OptionalInt protocol = OptionalInt.empty();
        for (String w : words.subList(leading, words.size())) {
            if (w.startsWith("from=")) {
                from = nameSet(w.substring(5), kind);
            } else if (w.startsWith("to=")) {
                to = nameSet(w.substring(3), kind);
            } else if (w.equals("both-ways")) {
                bothWays = true;
            } else if (w.startsWith("protocol=")) {
                protocol = OptionalInt.of(protocol(w.substring(9), kind));
            } else {
                throw new IllegalArgumentException(kind + ": unexpected '" + w
                        + "' (expected from=NAMES, to=NAMES, both-ways or protocol=ID)");
            }
        }
        return new Links(from, to, bothWays, protocol);
    }

    private static String links(Links l) {
        StringBuilder s = new StringBuilder();
        if (!l.from().isEmpty()) {
            s.append(" from=").append(names(l.from()));
        }
        if (!l.to().isEmpty()) {
            s.append(" to=").append(names(l.to()));
        }
        if (l.bothWays()) {
            s.append(" both-ways");
        }
        l.protocol().ifPresent(p -> s.append(" protocol=").append(PROTOCOLS.entrySet().stream()
                .filter(e -> e.getValue() == p).map(Map.Entry::getKey).findFirst().orElse(Integer.toString(p))));
        return s.toString();
    }

    private static double probability(String word, String kind) {
        try {
            return Double.parseDouble(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + ": expected a probability within [0, 1], got '" + word + "'");
        }
    }

    private static Duration duration(String word, String kind) {
        Duration d;
        try {
            d = ConfigSection.parseDuration(word);
        } catch (ArithmeticException | NumberFormatException e) {
            d = null; // too large to be a duration at all
        }
        if (d == null) {
            throw new IllegalArgumentException(kind + ": expected a duration such as 50ms or 2s, got '" + word + "'");
        }
        return d;
    }

    private static String duration(Duration d) {
        return d.toNanosPart() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toString();
    }

    private static int protocol(String word, String kind) {
        Integer named = PROTOCOLS.get(word);
        if (named != null) {
            return named;
        }
        try {
            return Integer.parseInt(word);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(kind + ": expected a protocol id 0-255 or one of " + new TreeSet<>(PROTOCOLS.keySet())
                    + ", got '" + word + "'");
        }
    }

    private static Set<String> nameSet(String word, String kind) {
        Set<String> names = new LinkedHashSet<>();
        for (String n : word.split(",", -1)) {
            if (n.isBlank()) {
                throw new IllegalArgumentException(kind + ": an empty node name in '" + word + "'");
            }
            names.add(n);
        }
        return names;
    }

    private static String names(Set<String> names) {
        return String.join(",", new TreeSet<>(names));
    }
}
