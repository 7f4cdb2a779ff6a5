package io.hyphae.strategy.dns;

import io.hyphae.membership.discovery.HostResolver;
import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.PollLoop;
import io.hyphae.membership.discovery.SeedListener;
import io.hyphae.membership.discovery.SeedTracker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Polls DNS and reports one {@code ip:port} seed per address found.
 *
 * <p>Answers are read as follows. NOERROR with records: those are the nodes. NOERROR with no
 * records (the name exists but has none of the asked type): there are no nodes right now, and
 * an empty set is reported, since that is what DNS says. NXDOMAIN on the queried name, SERVFAIL,
 * REFUSED, a timeout or a network error: the poll failed; the last good seeds stay in force,
 * the failure is logged once per change of reason and counted, and the poll is retried with
 * backoff. NXDOMAIN counts as a failure because it usually means a typo or a service that is not
 * created yet, and dropping every seed on it would isolate the node. An SRV target that has no
 * address (NXDOMAIN or no records, for example a pod being deleted) is left out.
 *
 * <p>Queries go straight to the resolver, bypassing any cache, so a change is seen on the next
 * poll. Polls run one at a time on the node's scheduler and each blocks it for at most the
 * query timeout.
 */
final class DnsStrategy implements DiscoveryStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(DnsStrategy.class);

    record Settings(DnsQuery query, AddressFamily family, Duration pollInterval, Duration timeout,
                    Optional<HostAndPort> resolver) {
        Settings {
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(family, "family");
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(resolver, "resolver");
        }

        String server() {
            return resolver.map(HostAndPort::toString).orElse("the system's resolvers");
        }
    }

    private final Settings settings;
    private final DiscoveryContext context;
    private final Resolver resolver;
    private final PollLoop loop;
    private SeedTracker tracker;

    DnsStrategy(Settings settings, DiscoveryContext context, Resolver resolver) {
        this.settings = settings;
        this.context = context;
        this.loop = new PollLoop(context.scheduler());
        this.resolver = resolver;
    }

    /** A resolver for the configured server (UDP, TCP when the answer is truncated), or the system's. */
    static Resolver resolver(Settings settings) {
        Resolver r = settings.resolver()
                .<Resolver>map(a -> new SimpleResolver(new InetSocketAddress(a.host(), a.port())))
                .orElseGet(ExtendedResolver::new);
        r.setTimeout(settings.timeout());
        return r;
    }

    @Override
    public synchronized void start(SeedListener listener) {
        if (tracker != null) {
            throw new IllegalStateException("already started");
        }
        // Retries start fast (a dropped packet is retried at once) and never wait longer than a
        // normal poll, so a DNS server that comes back is used again within one poll interval.
        Duration poll = settings.pollInterval();
        Duration first = poll.compareTo(Duration.ofMillis(100)) < 0 ? poll : Duration.ofMillis(100);
        tracker = new SeedTracker(DnsStrategyProvider.NAME, listener, context, new Backoff(first, poll, 2.0));
        loop.start(this::poll);
    }

    private Duration poll() {
        try {
            Set<HostAndPort> seeds = lookUp();
            seeds.removeAll(HostResolver.SYSTEM.seedForms(context.self().address()));
            tracker.succeeded(seeds);
            return settings.pollInterval();
        } catch (DnsFailure e) {
            return tracker.failed(e.getMessage(), e.getCause());
        } catch (RuntimeException e) {
            // A bug must not end the polling: it counts as a failure and the poll is retried.
            return tracker.failed("unexpected error: " + e, e);
        }
    }

    private Set<HostAndPort> lookUp() throws DnsFailure {
        Set<HostAndPort> seeds = new LinkedHashSet<>();
        if (settings.query() instanceof DnsQuery.Addresses a) {
            List<InetAddress> addresses = addresses(a.name(), List.of());
            if (addresses == null) {
                throw new DnsFailure(a.name() + " does not exist (NXDOMAIN from " + settings.server() + ")", null);
            }
            addresses.forEach(ip -> seeds.add(new HostAndPort(ip.getHostAddress(), a.port())));
        } else if (settings.query() instanceof DnsQuery.Srv s) {
            Message answer = query(s.name(), Type.SRV);
            if (answer.getRcode() == Rcode.NXDOMAIN) {
                throw new DnsFailure(s.name() + " does not exist (NXDOMAIN from " + settings.server() + ")", null);
            }
            List<Record> additional = answer.getSection(Section.ADDITIONAL);
            for (Record r : answer.getSection(Section.ANSWER)) {
                if (r instanceof SRVRecord srv && !srv.getTarget().equals(Name.root)) {
                    // "." as target means "no service here" (RFC 2782).
                    List<InetAddress> addresses = addresses(srv.getTarget(), additional);
                    if (addresses == null || addresses.isEmpty()) {
                        LOG.debug("dns discovery: SRV target {} has no address; left out", srv.getTarget());
                    } else {
                        addresses.forEach(ip -> seeds.add(new HostAndPort(ip.getHostAddress(), srv.getPort())));
                    }
                }
            }
        }
        return seeds;
    }

    /**
     * The name's addresses of the configured family, taken from {@code known} records when the
     * server already sent them (SRV answers usually carry their targets' addresses), else asked
     * for. Null when the name does not exist.
     */
    private List<InetAddress> addresses(Name name, List<Record> known) throws DnsFailure {
        List<InetAddress> out = new ArrayList<>();
        for (int type : settings.family().recordTypes()) {
            List<Record> records = known.stream().filter(r -> r.getType() == type && r.getName().equals(name)).toList();
            if (records.isEmpty()) {
                Message answer = query(name, type);
                if (answer.getRcode() == Rcode.NXDOMAIN) {
                    return null;
                }
                records = answer.getSection(Section.ANSWER);
            }
            for (Record r : records) {
                if (r instanceof ARecord a) {
                    out.add(a.getAddress());
                } else if (r instanceof AAAARecord aaaa) {
                    out.add(aaaa.getAddress());
                }
            }
        }
        return out;
    }

    /** One query; NOERROR and NXDOMAIN are answers, anything else is a failed poll. */
    private Message query(Name name, int type) throws DnsFailure {
        String what = name + " " + Type.string(type);
        Message answer;
        try {
            answer = resolver.send(Message.newQuery(Record.newRecord(name, type, DClass.IN)));
        } catch (IOException e) {
            // No exception detail in the reason: a down server alternates between "port
            // unreachable" and timeouts, and that must not read as a change of state.
            throw new DnsFailure("no answer for " + what + " from " + settings.server() + " within "
                    + settings.timeout().toMillis() + " ms (down or unreachable)", e);
        }
        int rcode = answer.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new DnsFailure(settings.server() + " answered " + Rcode.string(rcode) + " for " + what, null);
        }
        return answer;
    }


    @Override
    public void close() {
        loop.close();
    }
}
