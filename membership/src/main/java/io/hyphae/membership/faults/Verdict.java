package io.hyphae.membership.faults;

/**
 * What the rules do to one frame: lose it, or send it {@code copies} times, after
 * {@code delayNanos} plus {@code holdNanos}.
 *
 * @param delayed a delay rule applied: the frame leaves in order with the other frames delays
 *     hold on its link (even if it drew no delay itself), as on a slow TCP link; frames no delay
 *     selects pass them
 * @param holdNanos a reorder rule held the frame: later frames overtake it
 */
public record Verdict(boolean dropped, int copies, boolean delayed, long delayNanos, long holdNanos) {

    /** Untouched: sent once, now. */
    public static final Verdict PASS = new Verdict(false, 1, false, 0, 0);

    /** Lost. */
    public static final Verdict DROP = new Verdict(true, 0, false, 0, 0);

    Verdict duplicated() {
        return new Verdict(false, copies + 1, delayed, delayNanos, holdNanos);
    }

    Verdict delayedBy(long nanos) {
        return new Verdict(false, copies, true, delayNanos + nanos, holdNanos);
    }

    Verdict heldFor(long nanos) {
        return new Verdict(false, copies, delayed, delayNanos, holdNanos + nanos);
    }
}
