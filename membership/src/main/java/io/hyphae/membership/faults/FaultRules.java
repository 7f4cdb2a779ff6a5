package io.hyphae.membership.faults;

import io.hyphae.membership.faults.Fault.Delay;
import io.hyphae.membership.faults.Fault.Drop;
import io.hyphae.membership.faults.Fault.Duplicate;
import io.hyphae.membership.faults.Fault.LinkFault;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.Fault.Reorder;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * An immutable set of rules and the judgement of one frame by them, shared by the transport's
 * fault handler and the simulator so both mean the same by every fault.
 *
 * <p>Partitions are checked first, and draw nothing; then the link faults in the order they
 * were added, each drawing from the random source only when it applies (a drop that always or
 * never happens draws nothing). So the same rules, the same frames and the same seed give the
 * same verdicts.
 */
public final class FaultRules {

    public static final FaultRules NONE = new FaultRules(List.of());

    private final List<FaultRule> rules;
    private final Partition[] partitions;
    private final LinkFault[] linkFaults;

    private FaultRules(List<FaultRule> rules) {
        this.rules = List.copyOf(rules);
        this.partitions = rules.stream().map(FaultRule::fault).filter(Partition.class::isInstance)
                .toArray(Partition[]::new);
        this.linkFaults = rules.stream().map(FaultRule::fault).filter(LinkFault.class::isInstance)
                .toArray(LinkFault[]::new);
    }

    FaultRules with(FaultRule rule) {
        List<FaultRule> more = new ArrayList<>(rules);
        more.add(rule);
        return new FaultRules(more);
    }

    FaultRules without(long id) {
        return new FaultRules(rules.stream().filter(r -> r.id() != id).toList());
    }

    public List<FaultRule> list() {
        return rules;
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** What happens to a frame of {@code protocolId} (-1: unknown) sent by {@code sender} to {@code receiver}. */
    public Verdict judge(String sender, String receiver, int protocolId, RandomGenerator random) {
        if (cuts(sender, receiver)) {
            return Verdict.DROP;
        }
        Verdict v = Verdict.PASS;
        for (LinkFault f : linkFaults) {
            if (!f.appliesTo(sender, receiver, protocolId)) {
                continue;
            }
            if (f instanceof Drop d) {
                if (happens(d.probability(), random)) {
                    return Verdict.DROP;
                }
            } else if (f instanceof Duplicate d) {
                if (happens(d.probability(), random)) {
                    v = v.duplicated();
                }
            } else if (f instanceof Delay d) {
                long min = d.min().toNanos();
                long spread = d.max().toNanos() - min;
                v = v.delayedBy(spread == 0 ? min : min + random.nextLong(spread + 1));
            } else if (f instanceof Reorder r && happens(r.probability(), random)) {
                v = v.heldFor(r.hold().toNanos());
            }
        }
        return v;
    }

    /** True if a partition drops the frames from {@code sender} to {@code receiver}. */
    public boolean cuts(String sender, String receiver) {
        for (Partition p : partitions) {
            if (p.cuts(sender, receiver)) {
                return true;
            }
        }
        return false;
    }

    /** True if no new link may open between {@code a} and {@code b}: a partition cuts one direction or both. */
    public boolean blocksLink(String a, String b) {
        return cuts(a, b) || cuts(b, a);
    }

    /**
     * True if every frame from {@code sender} to {@code receiver} is lost, whatever its
     * protocol, so a link between them fails as its heartbeats stop arriving.
     */
    public boolean blackholes(String sender, String receiver) {
        if (cuts(sender, receiver)) {
            return true;
        }
        for (LinkFault f : linkFaults) {
            if (f instanceof Drop d && d.probability() >= 1 && d.links().protocol().isEmpty()
                    && d.appliesTo(sender, receiver, -1)) {
                return true;
            }
        }
        return false;
    }

    /** True if some rule may act on a frame between {@code a} and {@code b}, either way. */
    public boolean touches(String a, String b) {
        for (FaultRule r : rules) {
            if (r.fault().touches(a, b)) {
                return true;
            }
        }
        return false;
    }

    private static boolean happens(double probability, RandomGenerator random) {
        return probability >= 1 || (probability > 0 && random.nextDouble() < probability);
    }

    @Override
    public String toString() {
        return rules.toString();
    }
}
