package io.hyphae.strategy.dns;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Type;

/**
 * Which address records a name is looked up for. {@code ipv4} is the default because a node
 * with both an A and an AAAA record would otherwise be reported twice, once per address.
 */
public enum AddressFamily {
    IPV4(Type.A),
    IPV6(Type.AAAA),
    BOTH(Type.A, Type.AAAA);

    private final List<Integer> recordTypes;

    AddressFamily(Integer... recordTypes) {
        this.recordTypes = List.of(recordTypes);
    }

    /** The DNS record types (A, AAAA) queried for this family. */
    List<Integer> recordTypes() {
        return recordTypes;
    }

    /** The spelling used in the config file. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Optional<AddressFamily> parse(String text) {
        for (AddressFamily f : values()) {
            if (f.configName().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
