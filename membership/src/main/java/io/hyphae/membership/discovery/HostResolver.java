package io.hyphae.membership.discovery;

import io.hyphae.membership.HostAndPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Name resolution as strategies use it; {@link #SYSTEM} is the JVM's resolver. Tests hand in
 * their own table, since the JVM's resolver cannot be pointed at a test DNS server.
 */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;

    /**
     * Every form in which {@code address} can appear among resolved seeds: as written, and one
     * {@code ip:port} per address its host resolves to. Strategies remove these forms of the
     * node's own advertised address from what they report.
     */
    default Set<HostAndPort> seedForms(HostAndPort address) {
        Set<HostAndPort> forms = new LinkedHashSet<>();
        forms.add(address);
        try {
            for (InetAddress ip : resolve(address.host())) {
                forms.add(new HostAndPort(ip.getHostAddress(), address.port()));
            }
        } catch (UnknownHostException e) {
            // Then only the address as written can match.
        }
        return forms;
    }
}
