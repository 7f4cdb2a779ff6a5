package io.hyphae.membership.directory;

import io.hyphae.membership.core.TimerKey;

/** The directory's timers. */
public sealed interface DirectoryTimer extends TimerKey {

    /** Periodic: sync with a random neighbour, and forget old tombstones. */
    record AntiEntropyTick() implements DirectoryTimer {
    }

    /** Periodic: sync with a random live member that is not a neighbour (a liveness probe too). */
    record ProbeTick() implements DirectoryTimer {
    }

    /** The suspicion of {@code key} at this incarnation and version, if still standing, becomes DOWN. */
    record SuspicionTimeout(MemberKey key, long incarnation, long version) implements DirectoryTimer {
    }
}
