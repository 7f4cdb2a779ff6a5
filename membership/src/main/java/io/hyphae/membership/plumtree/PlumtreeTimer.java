package io.hyphae.membership.plumtree;

import io.hyphae.membership.core.TimerKey;

/** Plumtree's timers. */
public sealed interface PlumtreeTimer extends TimerKey {

    /** Send the IHAVE announcements batched since the last flush. */
    record IHaveFlush() implements PlumtreeTimer {
    }

    /**
     * A message announced by IHAVE has not arrived: GRAFT it from the next announcer.
     * {@code generation} tells the timer of the current wait from one of an earlier wait for the same id.
     */
    record GraftTimeout(MessageId id, long generation) implements PlumtreeTimer {
    }
}
