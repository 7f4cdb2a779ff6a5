package io.hyphae.strategy.dns;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.DiscoveryStrategyProvider;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;

/**
 * {@code strategy: dns}: polls a DNS name for the cluster's nodes.
 *
 * <pre>
 * discovery:
 *   - strategy: dns
 *     name: hyphae.default.svc.cluster.local   # A/AAAA records, one port for all
 *     port: 7946
 *   - strategy: dns
 *     srv: _hyphae._tcp.hyphae.default.svc.cluster.local   # or SRV: ports from the records
 * </pre>
 */
public final class DnsStrategyProvider implements DiscoveryStrategyProvider {

    public static final String NAME = "dns";
    /** libcluster's DNSPoll default: a node added to DNS is seen within 5 s. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(5);
    /** Per query; a local resolver answers in milliseconds, so 2 s means it is down. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    private static final int DNS_PORT = 53;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DiscoveryStrategy create(ConfigSection config, DiscoveryContext context) {
        DnsStrategy.Settings settings = settings(config);
        return new DnsStrategy(settings, context, DnsStrategy.resolver(settings));
    }

    static DnsStrategy.Settings settings(ConfigSection config) {
        boolean byName = config.has("name");
        boolean bySrv = config.has("srv");
        if (byName == bySrv) {
            String key = byName ? "srv" : "name";
            throw config.error(key, byName
                    ? "expected either 'name' (with 'port') or 'srv', not both"
                    : "is required: expected either 'name' (A/AAAA records, with 'port') or 'srv' (SRV records)");
        }
        DnsQuery query;
        if (byName) {
            if (!config.has("port")) {
                throw config.error("port", "is required with 'name' (expected the port every node listens on, 1 to 65535)");
            }
            query = new DnsQuery.Addresses(dnsName(config, "name"), config.integer("port", 0, 1, 65535));
        } else {
            if (config.has("port")) {
                throw config.error("port", "is not used with 'srv': the SRV records carry each node's port");
            }
            query = new DnsQuery.Srv(dnsName(config, "srv"));
        }
        String familyText = config.string("address-family", AddressFamily.IPV4.configName());
        AddressFamily family = AddressFamily.parse(familyText).orElseThrow(() -> config.error("address-family",
                "expected one of " + Arrays.stream(AddressFamily.values()).map(AddressFamily::configName)
                        .collect(Collectors.joining(", ")) + ", got '" + familyText + "'"));
        Duration poll = config.positiveDuration("poll-interval", DEFAULT_POLL_INTERVAL);
        Duration timeout = config.positiveDuration("timeout", DEFAULT_TIMEOUT);
        Optional<HostAndPort> resolver = config.has("resolver")
                ? Optional.of(config.hostAndPort("resolver", DNS_PORT))
                : Optional.empty();
        config.rejectUnknownKeys();
        return new DnsStrategy.Settings(query, family, poll, timeout, resolver);
    }

    private static Name dnsName(ConfigSection config, String key) {
        String text = config.string(key);
        try {
            // Names are taken as fully qualified: a search list would make the answer depend on
            // the machine's resolv.conf, and a node on another machine would see other peers.
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw config.error(key, "expected a DNS name such as hyphae.default.svc.cluster.local, got '" + text
                    + "' (" + e.getMessage() + ")");
        }
    }
}
