package io.hyphae.strategy.dns;

import java.util.Objects;
import org.xbill.DNS.Name;

/**
 * What the strategy asks DNS for: a name's addresses with one port for every node (like
 * libcluster's DNSPoll), or an SRV name whose records carry each node's target and port (like
 * Kubernetes.DNSSRV).
 */
sealed interface DnsQuery {

    record Addresses(Name name, int port) implements DnsQuery {
        public Addresses {
            Objects.requireNonNull(name, "name");
        }
    }

    record Srv(Name name) implements DnsQuery {
        public Srv {
            Objects.requireNonNull(name, "name");
        }
    }
}
