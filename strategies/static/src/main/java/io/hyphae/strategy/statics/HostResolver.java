package io.hyphae.strategy.statics;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into its addresses. The node uses the JVM's resolver; tests hand in their
 * own, because the JVM's resolver cannot be pointed at a test DNS server on Java 17.
 */
@FunctionalInterface
interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
