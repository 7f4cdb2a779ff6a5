package io.hyphae.membership.discovery;

import io.hyphae.membership.HostAndPort;
import java.util.Set;

/** Receives the complete, current set of candidate peers of one strategy each time it changes. */
@FunctionalInterface
public interface SeedListener {

    void seedsChanged(Set<HostAndPort> seeds);
}
