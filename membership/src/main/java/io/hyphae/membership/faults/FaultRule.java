package io.hyphae.membership.faults;

import java.util.Objects;

/**
 * A fault installed in a {@link FaultInjector}, with the number it was given there (to remove
 * it by). Prints as the admin command lists it: {@code <id> <fault in FaultSyntax>}.
 */
public record FaultRule(long id, Fault fault) {

    public FaultRule {
        Objects.requireNonNull(fault, "fault");
    }

    @Override
    public String toString() {
        return id + " " + FaultSyntax.format(fault);
    }
}
