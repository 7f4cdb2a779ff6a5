package io.hyphae.faults;

import io.hyphae.faults.HistoryEvent.AbcastDelivered;
import io.hyphae.faults.HistoryEvent.AbcastSent;
import io.hyphae.faults.HistoryEvent.Bad;
import io.hyphae.faults.HistoryEvent.MemberDown;
import io.hyphae.faults.HistoryEvent.Multicall;
import io.hyphae.faults.HistoryEvent.Stall;
import io.hyphae.faults.HistoryEvent.Started;
import io.hyphae.faults.HistoryEvent.Stopped;
import io.hyphae.faults.HistoryEvent.View;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks the merged histories of a scenario against what hyphae promises (docs/faults.md):
 * <ol>
 *   <li>{@value #DUPLICATE} / {@value #REORDERED}: no receiver is handed one sender
 *       incarnation's abcast twice, or out of the order it was sent;</li>
 *   <li>{@value #LOST}: an abcast is delivered to every target it was <em>owed</em> to (see
 *       {@link #owed});</li>
 *   <li>{@value #LATE}: every multicall returned within its timeout plus
 *       {@link Margins#multicallSlackMs} plus however long the caller's process was stalled
 *       during the call (a timer cannot fire in a process that does not run);</li>
 *   <li>{@value #UNNAMED}: every multicall's replies and bad nodes together are exactly its
 *       targets, each once;</li>
 *   <li>{@value #FALSE_DOWN}: no node on no fault's side (nor stalled past
 *       {@link Margins#stallAsFaultMs}) was declared down, which it would hear and rejoin as its
 *       next incarnation ({@code Stopped declared-down}).</li>
 * </ol>
 * It also measures, from the same histories, when a fault was detected and when the cluster
 * converged after a heal ({@link #convergedAt}).
 */
final class HistoryChecker {

    static final String DUPLICATE = "abcast-delivered-twice";
    static final String REORDERED = "abcast-out-of-sender-order";
    static final String LOST = "abcast-owed-not-delivered";
    static final String LATE = "multicall-past-timeout";
    static final String UNNAMED = "multicall-target-unaccounted";
    static final String FALSE_DOWN = "healthy-node-declared-down";
    /** {@link Stopped#how()} of an incarnation the cluster declared down, which rejoined as its next one. */
    static final String DECLARED_DOWN = "declared-down";

    /**
     * How far from a fault's edges an abcast must be sent to be owed, and how late past its
     * timeout a multicall may return.
     *
     * @param beforeFaultMs an abcast sent less than this before a fault between sender and
     *     receiver began, or before either incarnation's last record, is not owed: it may still be
     *     in a socket buffer when the link is cut or the process dies
     * @param afterFaultMs nor one sent less than this after the fault was healed: a dial begun
     *     during the fault waits out a SYN retransmission (1 s, then 3 s) before the link is back
     * @param multicallSlackMs the RPC timer thread and the recording callback may run this late on
     *     a loaded machine; a caller's recorded stalls during the call are allowed on top
     * @param stallAsFaultMs a process that ran nothing for this long (a recorded
     *     {@link HistoryEvent.Stall}: no CPU, a GC pause) is treated like one frozen with SIGSTOP
     *     for that time: its peers may close their links to it, so abcasts around it are not owed
     */
    record Margins(long beforeFaultMs, long afterFaultMs, long multicallSlackMs, long stallAsFaultMs) {
        static final Margins DEFAULT = new Margins(1_000, 3_000, 500, 1_000);
    }

    record Violation(String rule, String detail) {
        @Override
        public String toString() {
            return rule + ": " + detail;
        }
    }

    private final List<HistoryEvent> events;
    /** The harness's faults, and every stall from {@link Margins#stallAsFaultMs} up as a fault of its node. */
    private final List<Fault> faults;
    private final Margins margins;
    /** First and last record of every incarnation, and when it heard itself declared down (or MAX_VALUE). */
    private final Map<String, long[]> lifetimes = new HashMap<>();
    /** "receiver|sender|seq" of every delivery. */
    private final Set<String> deliveries = new HashSet<>();
    /** Every incarnation's recorded stalls. */
    private final Map<String, List<Stall>> stalls = new HashMap<>();

    HistoryChecker(List<HistoryEvent> events, List<Fault> faults, Margins margins) {
        this.events = events.stream().sorted(Comparator.comparingLong(HistoryEvent::t)).toList();
        this.margins = margins;
        List<Fault> all = new ArrayList<>(faults);
        for (HistoryEvent e : this.events) {
            if (e instanceof Stall stall) {
                stalls.computeIfAbsent(stall.node(), n -> new ArrayList<>()).add(stall);
                if (stall.ms() >= margins.stallAsFaultMs()) {
                    all.add(new Fault("stall", List.of(nameOf(stall.node())), stall.t() - stall.ms(), stall.t()));
                }
            }
            long[] life = lifetimes.computeIfAbsent(e.node(), n -> new long[] {e.t(), e.t(), Long.MAX_VALUE});
            life[1] = e.t();
            if (e instanceof MemberDown d && d.member().equals(d.node())) {
                // It heard the cluster declare it down: the library renews its incarnation there and
                // then, whatever this incarnation's process still records until it stops.
                life[2] = Math.min(life[2], e.t());
            }
            if (e instanceof AbcastDelivered d) {
                deliveries.add(d.node() + "|" + d.from() + "|" + d.seq());
            }
        }
        this.faults = List.copyOf(all);
    }

    /** The faults the harness made and the stalls long enough to count as faults. */
    List<Fault> faults() {
        return faults;
    }

    /** The longest stall any process recorded, in ms. */
    long longestStallMs() {
        return stalls.values().stream().flatMap(List::stream).mapToLong(Stall::ms).max().orElse(0);
    }

    /** How long {@code node} ran nothing during [from, to], by its recorded stalls. */
    private long stalledMs(String node, long from, long to) {
        return stalls.getOrDefault(node, List.of()).stream()
                .mapToLong(st -> Math.max(0, Math.min(to, st.t()) - Math.max(from, st.t() - st.ms())))
                .sum();
    }

    static String nameOf(String incarnation) {
        int hash = incarnation.lastIndexOf('#');
        return hash < 0 ? incarnation : incarnation.substring(0, hash);
    }

    List<Violation> check() {
        List<Violation> all = new ArrayList<>();
        all.addAll(deliveredAtMostOnceInSenderOrder());
        all.addAll(owedAbcastsDelivered());
        all.addAll(multicallsAnsweredInTimeNamingEveryTarget());
        all.addAll(healthyNodesNotDeclaredDown());
        return all;
    }

    List<Violation> deliveredAtMostOnceInSenderOrder() {
        List<Violation> found = new ArrayList<>();
        Map<String, Long> last = new HashMap<>();
        for (HistoryEvent e : events) {
            if (e instanceof AbcastDelivered d) {
                Long previous = last.put(d.node() + "|" + d.from(), d.seq());
                if (previous != null && previous == d.seq()) {
                    found.add(new Violation(DUPLICATE, d.node() + " got " + d.from() + " #" + d.seq() + " again at " + d.t()));
                } else if (previous != null && previous > d.seq()) {
                    found.add(new Violation(REORDERED, d.node() + " got " + d.from() + " #" + d.seq() + " after #" + previous + " at " + d.t()));
                }
            }
        }
        return found;
    }

    /**
     * An abcast sent at t by S is owed to a target R (an incarnation in S's live members just
     * before the send, S itself included) when R had started by t, both S and R kept recording
     * until at least t + beforeFault (neither was killed, frozen, restarted or left right after,
     * nor heard itself declared down: its incarnation ends there), and no fault separated S from
     * R during [start − beforeFault, end + afterFault].
     */
    boolean owed(AbcastSent sent, String target) {
        long[] r = lifetimes.get(target);
        long[] s = lifetimes.get(sent.node());
        long t = sent.t();
        if (r == null || r[0] > t || end(r) < t + margins.beforeFaultMs() || end(s) < t + margins.beforeFaultMs()) {
            return false;
        }
        String sName = nameOf(sent.node());
        String rName = nameOf(target);
        return faults.stream().noneMatch(f -> f.separates(sName, rName)
                && t >= f.start() - margins.beforeFaultMs() && t <= f.end() + margins.afterFaultMs());
    }

    private static long end(long[] lifetime) {
        return Math.min(lifetime[1], lifetime[2]);
    }

    List<Violation> owedAbcastsDelivered() {
        List<Violation> found = new ArrayList<>();
        for (HistoryEvent e : events) {
            if (e instanceof AbcastSent sent) {
                for (String target : sent.targets()) {
                    if (owed(sent, target) && !deliveries.contains(target + "|" + sent.node() + "|" + sent.seq())) {
                        found.add(new Violation(LOST, sent.node() + " #" + sent.seq() + " sent at " + sent.t() + " never reached " + target));
                    }
                }
            }
        }
        return found;
    }

    /** Every incarnation declared down (it rejoined in place) that no fault or stall stood apart from the rest. */
    List<Violation> healthyNodesNotDeclaredDown() {
        List<Violation> found = new ArrayList<>();
        for (HistoryEvent e : events) {
            if (e instanceof Stopped s && s.how().equals(DECLARED_DOWN)
                    && faults.stream().noneMatch(f -> f.side().contains(nameOf(s.node())))) {
                found.add(new Violation(FALSE_DOWN, s.node() + " was declared down and rejoined at " + s.t()));
            }
        }
        return found;
    }

    /** Every incarnation declared down while it ran, with when it rejoined (names, by time). */
    List<String> rejoins() {
        return events.stream().filter(e -> e instanceof Stopped s && s.how().equals(DECLARED_DOWN))
                .map(e -> e.node() + "@" + e.t()).toList();
    }

    List<Violation> multicallsAnsweredInTimeNamingEveryTarget() {
        List<Violation> found = new ArrayList<>();
        for (HistoryEvent e : events) {
            if (e instanceof Multicall m) {
                long took = m.t() - m.start();
                long stalled = stalledMs(m.node(), m.start(), m.t());
                if (took > m.timeoutMs() + margins.multicallSlackMs() + stalled) {
                    found.add(new Violation(LATE, m.node() + " call at " + m.start() + " took " + took + " ms, timeout "
                            + m.timeoutMs() + " ms, caller stalled " + stalled + " ms meanwhile"));
                }
                List<String> named = new ArrayList<>(m.replies());
                m.bad().stream().map(Bad::node).forEach(named::add);
                if (named.size() != new HashSet<>(named).size() || !new HashSet<>(named).equals(new HashSet<>(m.targets()))) {
                    found.add(new Violation(UNNAMED, m.node() + " call at " + m.start() + " targets " + m.targets()
                            + " but replies " + m.replies() + " bad " + m.bad()));
                }
            }
        }
        return found;
    }

    /** Target slots of abcasts with no delivery: {@code [all, owed]}. */
    long[] abcastsMissing() {
        long[] missing = new long[2];
        for (HistoryEvent e : events) {
            if (e instanceof AbcastSent sent) {
                for (String target : sent.targets()) {
                    if (!deliveries.contains(target + "|" + sent.node() + "|" + sent.seq())) {
                        missing[0]++;
                        if (owed(sent, target)) {
                            missing[1]++;
                        }
                    }
                }
            }
        }
        return missing;
    }

    /** Multicalls by outcome: {@code all-replied}, and each bad-node reason by the number of targets given it. */
    Map<String, Long> multicallOutcomes() {
        Map<String, Long> outcomes = new TreeMap<>();
        for (HistoryEvent e : events) {
            if (e instanceof Multicall m) {
                outcomes.merge("calls", 1L, Long::sum);
                if (m.bad().isEmpty()) {
                    outcomes.merge("all-replied", 1L, Long::sum);
                }
                m.bad().forEach(b -> outcomes.merge(b.reason(), 1L, Long::sum));
            }
        }
        return outcomes;
    }

    /** The longest a multicall took, in ms. */
    long slowestMulticallMs() {
        return events.stream().filter(Multicall.class::isInstance).map(Multicall.class::cast)
                .mapToLong(m -> m.t() - m.start()).max().orElse(0);
    }

    /**
     * How long after {@code fault} began every incarnation outside its side that was current
     * then had reported down every incarnation on its side: empty when one never did. (The
     * side's own view of the others is not measured: the harness heals a fault as soon as the
     * others report it, and a cut host may not have finished reporting the others by then.)
     */
    OptionalLong detectedAfterMs(Fault fault) {
        Map<String, String> current = currentAt(fault.start());
        long latest = fault.start();
        for (String observer : current.values()) {
            for (String watched : current.values()) {
                if (fault.side().contains(nameOf(observer)) || !fault.side().contains(nameOf(watched))) {
                    continue;
                }
                OptionalLong at = events.stream()
                        .filter(e -> e instanceof MemberDown d && d.node().equals(observer) && d.member().equals(watched) && d.t() >= fault.start())
                        .mapToLong(HistoryEvent::t).findFirst();
                if (at.isEmpty()) {
                    return OptionalLong.empty();
                }
                latest = Math.max(latest, at.getAsLong());
            }
        }
        return OptionalLong.of(latest - fault.start());
    }

    /** By node name, the incarnation that had started and not stopped at {@code t}. */
    Map<String, String> currentAt(long t) {
        Map<String, String> current = new TreeMap<>();
        for (HistoryEvent e : events) {
            if (e.t() > t) {
                break;
            }
            if (e instanceof Started s) {
                current.put(nameOf(s.node()), s.node());
            } else if (e instanceof Stopped s) {
                current.remove(nameOf(s.node()), s.node());
            }
        }
        return current;
    }

    /**
     * The first time at or after {@code from} when the cluster had converged: the current
     * incarnation of every one of {@code names} had recorded a view since {@code from}, every
     * such latest view listed exactly the current incarnations as live, and their active views
     * joined them all into one connected overlay. Empty if that never happened.
     */
    OptionalLong convergedAt(long from, Set<String> names) {
        Map<String, String> current = new TreeMap<>();
        Map<String, View> latest = new HashMap<>();
        for (HistoryEvent e : events) {
            if (e instanceof Started s) {
                current.put(nameOf(s.node()), s.node());
            } else if (e instanceof Stopped s) {
                current.remove(nameOf(s.node()), s.node());
            } else if (e instanceof View v && v.t() >= from) {
                latest.put(v.node(), v);
                if (current.keySet().equals(names) && converged(current, latest)) {
                    return OptionalLong.of(v.t());
                }
            }
        }
        return OptionalLong.empty();
    }

    static boolean converged(Map<String, String> current, Map<String, View> latest) {
        Set<String> members = new HashSet<>(current.values());
        Map<String, Set<String>> links = new HashMap<>();
        for (String node : members) {
            View v = latest.get(node);
            if (v == null || !new HashSet<>(v.live()).equals(members)) {
                return false;
            }
            for (String peer : v.active()) {
                if (members.contains(peer)) {
                    links.computeIfAbsent(node, n -> new HashSet<>()).add(peer);
                    links.computeIfAbsent(peer, n -> new HashSet<>()).add(node);
                }
            }
        }
        Set<String> reached = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(members.iterator().next()));
        while (!todo.isEmpty()) {
            String n = todo.pop();
            if (reached.add(n)) {
                todo.addAll(links.getOrDefault(n, Set.of()));
            }
        }
        return reached.equals(members);
    }
}
