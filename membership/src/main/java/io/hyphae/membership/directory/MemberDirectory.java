package io.hyphae.membership.directory;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Effect.Disconnect;
import io.hyphae.membership.core.Effect.Notify;
import io.hyphae.membership.core.Effect.Schedule;
import io.hyphae.membership.core.Effect.Send;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.ProtocolCore;
import io.hyphae.membership.directory.DirectoryMessage.Sync;
import io.hyphae.membership.directory.DirectoryMessage.SyncReply;
import io.hyphae.membership.directory.DirectoryMessage.Update;
import io.hyphae.membership.directory.DirectoryNotification.Broadcast;
import io.hyphae.membership.directory.DirectoryNotification.MemberDown;
import io.hyphae.membership.directory.DirectoryNotification.MemberUp;
import io.hyphae.membership.directory.DirectoryTimer.AntiEntropyTick;
import io.hyphae.membership.directory.DirectoryTimer.ProbeTick;
import io.hyphae.membership.directory.DirectoryTimer.SuspicionTimeout;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One node's view of every member, as a deterministic {@link ProtocolCore}.
 *
 * <ul>
 *   <li>Dissemination: every change is made by one node and broadcast over Plumtree
 *       ({@link Broadcast}); every {@link DirectoryConfig#antiEntropyInterval()} the node also
 *       syncs with a random neighbour, and at once with every new neighbour, so a node that
 *       missed a broadcast, or just joined, catches up. A sync is push-pull by digest
 *       ({@link DirectoryDigest}): the {@link Sync} carries bucket hashes, the {@link SyncReply}
 *       the answerer's entries in the buckets that differ, and a closing {@link Update} the
 *       entries of those buckets that the answerer lacked or held stale, each bounded by
 *       {@link DirectoryConfig#maxSyncEntries()}. Every {@link DirectoryConfig#probeInterval()}
 *       it also syncs with a random live member that is not a neighbour, over a link closed
 *       after the answer: a member nobody holds a link to is found unreachable that way.</li>
 *   <li>Ownership: a member's entry changes only at that member (start, refutation, leave),
 *       except that other nodes may raise SUSPECT and, after the timeout, DOWN.</li>
 *   <li>Suspicion (SWIM's idea, with {@link Member#version()} as SWIM's incarnation number): a
 *       node whose overlay link to a neighbour broke calls {@link #suspect}; the SUSPECT entry
 *       spreads; the suspected member, if alive, refutes with a higher version; a suspicion that
 *       stands for {@link DirectoryConfig#suspicionTimeout()} turns into DOWN on every node that
 *       saw it (only the nodes that raised it broadcast the DOWN, to keep the burst small).</li>
 *   <li>Confirmation: a node that suspects a peer because their link broke dials it again (a
 *       sync). If that dial is refused ({@link #connectionRefused}), nothing listens at the
 *       peer's address any more: that incarnation is gone, and it is DOWN at once. A peer that
 *       is silent but still listening (frozen, overloaded, or behind a partition that drops
 *       packets) is not refused, so only the suspicion timeout can declare it DOWN.</li>
 *   <li>Merging follows {@link Member#supersedes}, a total order per member, so all nodes
 *       converge whatever order they hear things in; stale incarnations are dropped.</li>
 * </ul>
 *
 * <p>A member declared DOWN stays down for that incarnation even if it was alive. A live node
 * that hears it was declared DOWN rejoins as its next incarnation ({@link #rejoin}); nothing is
 * ever reported up again for an incarnation reported down.
 */
public final class MemberDirectory implements ProtocolCore<DirectoryMessage> {

    /** Suspicion timeouts a node without neighbours lets a suspicion stand before it judges. */
    static final int CUT_OFF_PATIENCE = 3;

    private NodeId self;
    private final DirectoryConfig config;
    private final RandomGenerator random;

    private final DirectoryEntries entries = new DirectoryEntries();
    private final List<NodeId> neighbours = new ArrayList<>();
    /** Hashes of the live entries, kept current on every change, for anti-entropy by digest. */
    private final DirectoryDigest digest = new DirectoryDigest();
    private int liveEntries;
    /** Entries per status, by {@link MemberStatus#ordinal()}, kept current for the meters. */
    private final int[] byStatus = new int[MemberStatus.values().length];
    /** DOWN and LEFT entries in the order they became so, to forget them without scanning the directory. */
    private final ArrayDeque<Tombstone> tombstones = new ArrayDeque<>();
    private boolean started;
    private boolean left;
    /**
     * The end (exclusive) of the last moment this node had reason to doubt its own view
     * (Lifeguard's local health): its event loop ran late by more than {@link #lagLimitMillis}
     * ({@link #observeLag}), or it got a neighbour back after it had none. A suspicion turns into
     * DOWN here only after it stood a whole timeout since then; one raised in that very moment
     * (a link this node found broken as it caught up) counts as doubted too.
     */
    private long doubtedUntilMillis = Long.MIN_VALUE;
    /** When this node lost its last neighbour, or {@link Long#MIN_VALUE} while it has one. */
    private long cutOffSinceMillis = Long.MIN_VALUE;
    /** When this node's loop last lagged over {@link #lagLimitMillis}: it raises no suspicion for a timeout after. */
    private long laggedAtMillis = Long.MIN_VALUE;
    private long suspicionsRaised;
    private long suspicionsWithheld;
    private long verdictsByTimeout;
    private long verdictsByRefusal;
    private long verdictsPostponed;

    /** An entry that became a tombstone at {@code sinceMillis}; stale once the entry changed again. */
    private record Tombstone(DirectoryEntry entry, Member member, long sinceMillis) {
    }

    public MemberDirectory(NodeId self, DirectoryConfig config, RandomGenerator random) {
        this.self = Objects.requireNonNull(self, "self");
        this.config = Objects.requireNonNull(config, "config");
        this.random = Objects.requireNonNull(random, "random");
    }

    public NodeId self() {
        return self;
    }

    /**
     * Enters this node into its own directory (ALIVE, version 1) and starts anti-entropy. The
     * entry is broadcast as soon as the node has a neighbour.
     */
    public List<Effect<DirectoryMessage>> start(long nowMillis) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        if (started) {
            return out;
        }
        started = true;
        cutOffSinceMillis = nowMillis; // no neighbour yet
        apply(new Member(self, MemberStatus.ALIVE, 1), nowMillis, out);
        announceSelfIfFirstNeighbour(out);
        // A random first delay spreads the rounds of nodes started together over the interval.
        long interval = config.antiEntropyInterval().toMillis();
        out.add(new Schedule<>(new AntiEntropyTick(), Duration.ofMillis(1 + random.nextLong(interval))));
        long probe = config.probeInterval().toMillis();
        out.add(new Schedule<>(new ProbeTick(), Duration.ofMillis(1 + random.nextLong(probe))));
        return out;
    }

    /**
     * This node was declared DOWN (a false alarm: it is running) and has become {@code fresh},
     * its next incarnation: its entry is replaced by an ALIVE one for {@code fresh}, reported up
     * here and, once the node has a neighbour again, broadcast. Which replaces the DOWN entry
     * everywhere, as a restart would. The rest of the directory is kept, so the members it knew
     * are not reported up a second time.
     */
    public List<Effect<DirectoryMessage>> rejoin(long nowMillis, NodeId fresh) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        if (!fresh.sameNodeAs(self) || fresh.incarnation() <= self.incarnation()) {
            throw new IllegalArgumentException(fresh + " is not a later incarnation of " + self);
        }
        if (!started || left) {
            return out;
        }
        self = fresh;
        neighbours.clear(); // the overlay starts again, and reports its new neighbours
        cutOffSinceMillis = nowMillis;
        // Whatever this node suspected while it was cut off or starved is as doubtful as the
        // verdict on itself: left to the others, or a rejoin would spread false DOWNs in turn.
        for (DirectoryEntry e : entries) {
            if (e.member.status() == MemberStatus.SUSPECT) {
                e.doubt().deferred = true;
                e.doubt().raised = null;
            }
        }
        store(entries.get(self), new Member(fresh, MemberStatus.ALIVE, 1), nowMillis, out);
        return out;
    }

    /**
     * Leaves gracefully: this node's entry becomes LEFT and is broadcast at once, so every
     * directory drops it without waiting for a timeout. Later events are ignored.
     */
    public List<Effect<DirectoryMessage>> leave(long nowMillis) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        DirectoryEntry mine = entries.get(self);
        if (!started || left || mine == null || !mine.member.status().isLive()) {
            return out;
        }
        Member gone = new Member(self, MemberStatus.LEFT, mine.member.version() + 1);
        store(mine, gone, nowMillis, out);
        out.add(new Notify<>(new Broadcast(new Update(List.of(gone)))));
        left = true;
        return out;
    }

    /**
     * This node lost its overlay link to {@code peer} unexpectedly (a crash or a network fault,
     * not a DISCONNECT): raise SUSPECT on that incarnation, unless it is already suspected or gone.
     */
    public List<Effect<DirectoryMessage>> suspect(long nowMillis, NodeId peer) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        DirectoryEntry e = entries.get(peer);
        if (left || peer.sameNodeAs(self) || e == null || !e.member.id().equals(peer)) {
            return out;
        }
        if (e.member.status() == MemberStatus.SUSPECT) {
            e.doubt().raised = e.member; // already spreading; still ours to confirm
        } else if (e.member.status() == MemberStatus.ALIVE) {
            if (laggedAtMillis != Long.MIN_VALUE && nowMillis - laggedAtMillis < config.suspicionTimeout().toMillis()) {
                // This node lagged within the last timeout: the link most likely broke (or the
                // dial timed out) for its own slowness, and its suspicion would set every other
                // node's timer running. An unhealthy node is slow to suspect (Lifeguard); the
                // redial still goes out (linkBroken), a refused one still declares DOWN, and the
                // healthy nodes whose links to the peer break suspect it themselves.
                suspicionsWithheld++;
                return out;
            }
            Member suspected = new Member(peer, MemberStatus.SUSPECT, e.member.version());
            apply(suspected, nowMillis, out);
            e.doubt().raised = suspected;
            suspicionsRaised++;
            out.add(new Notify<>(new Broadcast(new Update(List.of(suspected)))));
        }
        return out;
    }

    /**
     * The overlay link to {@code peer} broke unexpectedly: {@link #suspect} it, and dial it again
     * with a sync. A live peer answers (and hears of the suspicion, which it refutes); a peer
     * whose process is gone refuses the dial, which the shell reports as
     * {@link #connectionRefused}; a silent one times out, and the suspicion runs its course.
     * At most one redial per member per suspicion timeout: a redial that fails breaks a link in
     * turn, and redialling that at once looped without end (a dial answered by the member's next
     * incarnation fails at once; on a starved machine a million such dials a minute; under a
     * blackhole route, docs/faults.md, as fast as the dial fails). The probe tick still syncs
     * with suspects now and then.
     */
    public List<Effect<DirectoryMessage>> linkBroken(long nowMillis, NodeId peer) {
        List<Effect<DirectoryMessage>> out = suspect(nowMillis, peer);
        DirectoryEntry e = entries.get(peer);
        if (!left && e != null && e.member.id().equals(peer) && e.member.status().isLive() && !peer.sameNodeAs(self)
                && (e.doubt == null || e.doubt.redialedAtMillis == Long.MIN_VALUE
                        || nowMillis - e.doubt.redialedAtMillis >= config.suspicionTimeout().toMillis())) {
            e.doubt().redialedAtMillis = nowMillis;
            out.add(new Send<>(peer, digestSync()));
        }
        return out;
    }

    /**
     * A dial to {@code peer} was refused: nothing listens at its address, so that incarnation is
     * gone (a restarted node would have answered, as a newer incarnation). It is DOWN at once,
     * and the DOWN is broadcast, without waiting for the suspicion timeout.
     */
    public List<Effect<DirectoryMessage>> connectionRefused(long nowMillis, NodeId peer) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        DirectoryEntry e = entries.get(peer);
        if (left || !started || peer.sameNodeAs(self) || e == null || !e.member.id().equals(peer)
                || !e.member.status().isLive()) {
            return out;
        }
        Member down = new Member(peer, MemberStatus.DOWN, e.member.version());
        apply(down, nowMillis, out);
        verdictsByRefusal++;
        out.add(new Notify<>(new Broadcast(new Update(List.of(down)))));
        return out;
    }

    /** {@code peer} entered the overlay's active view: a candidate for anti-entropy, synced at once. */
    public List<Effect<DirectoryMessage>> neighbourUp(long nowMillis, NodeId peer) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        if (!neighbours.contains(peer) && !peer.equals(self)) {
            if (neighbours.isEmpty() && cutOffSinceMillis != Long.MIN_VALUE) {
                // Back from being cut off: refutations this node could not hear may still be on
                // their way to it, so what it suspected meanwhile must stand a timeout more.
                cutOffSinceMillis = Long.MIN_VALUE;
                doubtedUntilMillis = Math.max(doubtedUntilMillis, nowMillis + 1);
            }
            neighbours.add(peer);
            if (started && !left) {
                announceSelfIfFirstNeighbour(out);
                out.add(new Send<>(peer, digestSync()));
            }
        }
        return out;
    }

    /**
     * Broadcasts this node's entry when it has just got its first neighbour (at start, or back
     * after it lost them all): a broadcast with nobody to push it to would reach no one.
     */
    private void announceSelfIfFirstNeighbour(List<Effect<DirectoryMessage>> out) {
        DirectoryEntry mine = entries.get(self);
        if (neighbours.size() == 1 && mine != null && mine.member.status().isLive()) {
            out.add(new Notify<>(new Broadcast(new Update(List.of(mine.member)))));
        }
    }

    public List<Effect<DirectoryMessage>> neighbourDown(long nowMillis, NodeId peer) {
        if (neighbours.remove(peer) && neighbours.isEmpty()) {
            cutOffSinceMillis = nowMillis;
        }
        return List.of();
    }

    /**
     * The driver saw this node's event loop run {@code lagMillis} late (a timer fired that much
     * after it was due): the node is starved (an overloaded machine, a long GC pause), so
     * refutations may sit unread in its inbound queue, and its own heartbeats went out late,
     * which is why its links broke. Above {@link #lagLimitMillis} it counts as doubt: no
     * suspicion held here turns into DOWN before it has stood a whole timeout after this, and
     * for a timeout this node raises no suspicion itself ({@link #suspect}).
     */
    public void observeLag(long nowMillis, long lagMillis) {
        if (lagMillis > lagLimitMillis()) {
            doubtedUntilMillis = Math.max(doubtedUntilMillis, nowMillis + 1);
            laggedAtMillis = Math.max(laggedAtMillis, nowMillis);
        }
    }

    /** Event-loop lag this node tolerates before it doubts its own view: a tenth of the suspicion timeout. */
    public long lagLimitMillis() {
        return Math.max(1, config.suspicionTimeout().toMillis() / 10);
    }

    /** Suspicions this node raised itself (its link to a live-believed member broke). */
    public long suspicionsRaised() {
        return suspicionsRaised;
    }

    /** Members this node declared DOWN itself when a suspicion timed out. */
    public long verdictsByTimeout() {
        return verdictsByTimeout;
    }

    /** Members this node declared DOWN itself because a dial to them was refused. */
    public long verdictsByRefusal() {
        return verdictsByRefusal;
    }

    /** Suspicions this node did not raise because it lagged within the last suspicion timeout. */
    public long suspicionsWithheld() {
        return suspicionsWithheld;
    }

    /** Suspicion timers that fired but did not judge: this node lagged, or was or had been cut off, meanwhile. */
    public long verdictsPostponed() {
        return verdictsPostponed;
    }

    @Override
    public List<Effect<DirectoryMessage>> handle(long nowMillis, Event<DirectoryMessage> event) {
        List<Effect<DirectoryMessage>> out = new ArrayList<>();
        if (!started || left) {
            return out;
        }
        if (event instanceof Event.Received<DirectoryMessage> r) {
            DirectoryMessage m = r.message();
            if (m instanceof Update u) {
                u.members().forEach(member -> apply(member, nowMillis, out));
            } else if (m instanceof Sync s) {
                onSync(r.from(), s, out);
            } else if (m instanceof SyncReply reply) {
                onSyncReply(r.from(), reply, nowMillis, out);
                if (!neighbours.contains(r.from())) {
                    out.add(new Disconnect<>(r.from())); // the probe's link has served its purpose
                }
            }
        } else if (event instanceof Event.TimerFired<DirectoryMessage> t) {
            if (t.timer() instanceof AntiEntropyTick) {
                onAntiEntropyTick(nowMillis, out);
            } else if (t.timer() instanceof ProbeTick) {
                onProbeTick(out);
            } else if (t.timer() instanceof SuspicionTimeout st) {
                onSuspicionTimeout(st, nowMillis, out);
            }
        }
        return out;
    }

    /** Every entry, in key order. */
    public List<Member> members() {
        List<Member> all = new ArrayList<>(entries.size());
        for (DirectoryEntry e : entries) {
            all.add(e.member);
        }
        return Collections.unmodifiableList(all);
    }

    /** The members currently believed live (ALIVE or SUSPECT), in key order. */
    public List<NodeId> liveMembers() {
        List<NodeId> live = new ArrayList<>(liveEntries);
        for (DirectoryEntry e : entries) {
            if (e.member.status().isLive()) {
                live.add(e.member.id());
            }
        }
        return Collections.unmodifiableList(live);
    }

    /** How many entries have {@code status}, without walking the directory. */
    public int count(MemberStatus status) {
        return byStatus[status.ordinal()];
    }

    public Optional<Member> member(MemberKey key) {
        return Optional.ofNullable(entries.get(key)).map(e -> e.member);
    }

    /**
     * Merges one entry from elsewhere. Returns nothing; the effects (events, refutation,
     * suspicion timer) go to {@code out}.
     */
    private void apply(Member incoming, long now, List<Effect<DirectoryMessage>> out) {
        DirectoryEntry e = entries.get(incoming.id());
        if (e != null && !incoming.supersedes(e.member)) {
            return; // stale or already known
        }
        if (e != null && incoming.id().sameNodeAs(self)) {
            // Only this node changes its own entry. Others may only suspect it (refuted here) or,
            // once a suspicion stood, declare it DOWN (final for this incarnation).
            if (!incoming.id().equals(self)) {
                return; // another incarnation under our key: older, or a name clash; not ours to take
            }
            if (incoming.status() == MemberStatus.SUSPECT) {
                refute(e, incoming, out);
                return;
            }
            if (incoming.status() != MemberStatus.DOWN) {
                return;
            }
        }
        store(e, incoming, now, out);
    }

    /** Stores an entry that supersedes {@code e} (absent when new) and reports what changed. */
    private void store(DirectoryEntry e, Member incoming, long now, List<Effect<DirectoryMessage>> out) {
        if (e == null) {
            e = new DirectoryEntry();
            setMember(e, incoming);
            entries.add(e);
        } else {
            if (e.member.id().incarnation() != incoming.id().incarnation()) {
                if (e.upReported && !e.downReported) {
                    out.add(new Notify<>(new MemberDown(e.member.id(), DownReason.REPLACED)));
                }
                // A new incarnation: nothing reported or raised about the old one carries over.
                e.upReported = false;
                e.downReported = false;
                e.doubt = null;
            } else if (e.member.status() == MemberStatus.SUSPECT && incoming.status() == MemberStatus.ALIVE) {
                // Refuted: the member answered, so a break after this is a new suspicion, worth its
                // own probe. (No loop: each round waits for a refutation to travel.)
                e.doubt = null;
            }
            setMember(e, incoming);
        }
        if (incoming.status().isLive() && !e.upReported) {
            e.upReported = true;
            out.add(new Notify<>(new MemberUp(incoming.id())));
        }
        if (!incoming.status().isLive()) {
            e.doubt = null; // final for this incarnation: no suspicion to judge, nobody to redial
            tombstones.add(new Tombstone(e, incoming, now));
            if (e.upReported && !e.downReported) {
                e.downReported = true;
                DownReason reason = incoming.status() == MemberStatus.LEFT ? DownReason.LEFT : DownReason.UNREACHABLE;
                out.add(new Notify<>(new MemberDown(incoming.id(), reason)));
            }
        }
        if (incoming.status() == MemberStatus.SUSPECT) {
            DirectoryEntry.Doubt doubt = e.doubt();
            doubt.suspicionSinceMillis = now;
            doubt.suspicionDueMillis = now + config.suspicionTimeout().toMillis();
            out.add(new Schedule<>(new SuspicionTimeout(MemberKey.of(incoming.id()), incoming.id().incarnation(),
                    incoming.version()), config.suspicionTimeout()));
        }
    }

    /** Replaces an entry's member, keeping the digest and the live count in step. */
    private void setMember(DirectoryEntry e, Member m) {
        if (e.member != null) {
            byStatus[e.member.status().ordinal()]--;
        }
        if (e.member != null && e.member.status().isLive()) {
            digest.toggle(e.member);
            liveEntries--;
        }
        e.member = m;
        if (e.doubt != null) {
            e.doubt.deferred = false;
        }
        byStatus[m.status().ordinal()]++;
        if (m.status().isLive()) {
            digest.toggle(m);
            liveEntries++;
        }
    }

    /** Someone suspects this node: it is alive, so it says so with a higher version. */
    private void refute(DirectoryEntry mine, Member suspicion, List<Effect<DirectoryMessage>> out) {
        Member alive = new Member(self, MemberStatus.ALIVE, suspicion.version() + 1);
        setMember(mine, alive);
        out.add(new Notify<>(new Broadcast(new Update(List.of(alive)))));
    }

    private void onSuspicionTimeout(SuspicionTimeout t, long now, List<Effect<DirectoryMessage>> out) {
        DirectoryEntry e = entries.get(t.key());
        if (e == null || e.member.status() != MemberStatus.SUSPECT || e.member.id().incarnation() != t.incarnation()
                || e.member.version() != t.version()) {
            return; // refuted, replaced, or already settled
        }
        DirectoryEntry.Doubt d = e.doubt; // a SUSPECT entry always has one (store)
        if (d.deferred) {
            return; // suspected while this node was the one cut off: the others decide
        }
        // A late timer is lag this node sees for itself, whether or not the driver reported it.
        observeLag(now, now - d.suspicionDueMillis);
        long timeout = config.suspicionTimeout().toMillis();
        boolean doubted = doubtedUntilMillis > d.suspicionSinceMillis;
        // Without a neighbour this node is the likeliest one cut off, and nobody can confirm its
        // suspicion: it waits CUT_OFF_PATIENCE timeouts, not forever (the survivor of a 2-node
        // cluster whose other machine died must still report it).
        boolean cutOff = cutOffSinceMillis != Long.MIN_VALUE;
        if (doubted || (cutOff && now - d.suspicionSinceMillis < CUT_OFF_PATIENCE * timeout)) {
            // Judging now would declare a live member DOWN for this node's own slowness or
            // isolation: the suspicion must stand a whole timeout more, on time and connected.
            if (doubted) {
                d.suspicionSinceMillis = Math.max(now, doubtedUntilMillis);
            }
            d.suspicionDueMillis = now + timeout;
            verdictsPostponed++;
            out.add(new Schedule<>(t, config.suspicionTimeout()));
            return;
        }
        boolean raisedHere = e.member.equals(d.raised);
        Member down = new Member(e.member.id(), MemberStatus.DOWN, e.member.version());
        apply(down, now, out);
        verdictsByTimeout++;
        if (raisedHere) {
            out.add(new Notify<>(new Broadcast(new Update(List.of(down)))));
        }
    }

    private void onAntiEntropyTick(long now, List<Effect<DirectoryMessage>> out) {
        out.add(new Schedule<>(new AntiEntropyTick(), config.antiEntropyInterval()));
        reapTombstones(now);
        if (neighbours.isEmpty()) {
            return;
        }
        out.add(new Send<>(neighbours.get(random.nextInt(neighbours.size())), digestSync()));
    }

    /**
     * Syncs with a random live member that is not a neighbour. Nobody may hold a link to a member
     * whose neighbours all failed with it; opening one here reveals it (the shell reports the
     * failed link and {@link #suspect} follows).
     */
    private void onProbeTick(List<Effect<DirectoryMessage>> out) {
        out.add(new Schedule<>(new ProbeTick(), config.probeInterval()));
        List<NodeId> candidates = new ArrayList<>();
        for (DirectoryEntry e : entries) {
            NodeId id = e.member.id();
            if (e.member.status().isLive() && !id.equals(self) && !neighbours.contains(id)) {
                candidates.add(id);
            }
        }
        if (!candidates.isEmpty()) {
            out.add(new Send<>(candidates.get(random.nextInt(candidates.size())), digestSync()));
        }
    }

    /** This node's digest, with buckets of a few entries each. */
    private Sync digestSync() {
        return new Sync(digest.fold(DirectoryDigest.bucketsFor(liveEntries)));
    }

    /**
     * Answers a sync with this node's entries in the buckets whose hashes differ: whole buckets,
     * starting at a random one so that no bucket waits behind others for good, up to
     * maxSyncEntries entries (one bucket larger than that goes partly, and is not covered).
     */
    private void onSync(NodeId from, Sync sync, List<Effect<DirectoryMessage>> out) {
        int buckets = sync.buckets();
        long[] mine = digest.fold(buckets);
        List<List<Member>> differing = new ArrayList<>(buckets);
        boolean any = false;
        for (int b = 0; b < buckets; b++) {
            boolean differs = mine[b] != sync.bucketHash(b);
            differing.add(differs ? new ArrayList<>() : null);
            any |= differs;
        }
        List<Integer> covered = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        if (any) {
            for (DirectoryEntry e : entries) {
                List<Member> bucket = differing.get(DirectoryDigest.bucket(e.member.id(), buckets));
                if (bucket != null) {
                    bucket.add(e.member);
                }
            }
            int first = random.nextInt(buckets);
            for (int i = 0; i < buckets; i++) {
                int b = (first + i) % buckets;
                List<Member> bucket = differing.get(b);
                if (bucket == null) {
                    continue;
                }
                if (members.size() + bucket.size() <= config.maxSyncEntries()) {
                    members.addAll(bucket);
                    covered.add(b);
                } else if (members.isEmpty()) {
                    members.addAll(bucket.subList(0, config.maxSyncEntries()));
                    break;
                }
            }
        }
        // Answered even when empty: the answer tells a prober the member is alive, and when to close.
        out.add(new Send<>(from, new SyncReply(buckets, covered, members)));
    }

    /** Merges the answer, then sends back what the answerer lacked or held stale in the buckets it covered. */
    private void onSyncReply(NodeId from, SyncReply reply, long now, List<Effect<DirectoryMessage>> out) {
        Map<MemberKey, Member> theirs = new HashMap<>();
        for (Member m : reply.members()) {
            theirs.put(m.key(), m);
            apply(m, now, out);
        }
        if (reply.covered().isEmpty()) {
            return;
        }
        Set<Integer> covered = new HashSet<>(reply.covered());
        List<Member> newer = new ArrayList<>();
        for (DirectoryEntry e : entries) {
            if (newer.size() == config.maxSyncEntries()) {
                break;
            }
            Member mine = e.member;
            if (covered.contains(DirectoryDigest.bucket(mine.id(), reply.buckets()))) {
                Member known = theirs.get(mine.key());
                if (known == null || mine.supersedes(known)) {
                    newer.add(mine);
                }
            }
        }
        if (!newer.isEmpty()) {
            out.add(new Send<>(from, new Update(newer)));
        }
    }

    /** Forgets the tombstones older than the retention, oldest first, stopping at the first one to keep. */
    private void reapTombstones(long now) {
        long limit = now - config.tombstoneRetention().toMillis();
        while (!tombstones.isEmpty() && tombstones.peek().sinceMillis() < limit) {
            Tombstone t = tombstones.poll();
            DirectoryEntry e = t.entry();
            // Only if the entry is still that tombstone: it may have changed since (LEFT after
            // DOWN, or a new incarnation), and then a later item of the queue stands for it. An
            // entry's member is only ever replaced by one that supersedes it, never by an equal
            // one, so it holds this very instance exactly when it has not changed.
            if (e.member == t.member() && !e.member.id().equals(self) && entries.remove(e)) {
                byStatus[e.member.status().ordinal()]--;
            }
        }
    }
}
