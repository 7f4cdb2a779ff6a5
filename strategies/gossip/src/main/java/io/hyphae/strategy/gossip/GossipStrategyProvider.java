package io.hyphae.strategy.gossip;

import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.DiscoveryStrategyProvider;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code strategy: gossip}: nodes find each other by UDP multicast (or broadcast) heartbeats
 * authenticated with the cluster secret. Keys and defaults: {@link GossipSettings}, and
 * docs/strategy-gossip.md.
 */
public final class GossipStrategyProvider implements DiscoveryStrategyProvider {

    @Override
    public String name() {
        return "gossip";
    }

    @Override
    public DiscoveryStrategy create(ConfigSection config, DiscoveryContext context) {
        GossipSettings settings = GossipSettings.read(config);
        Optional<NetworkInterface> nif = settings.networkInterface().map(name -> findInterface(config, name));
        if (context.clusterName().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > GossipPacketCodec.MAX_STRING_BYTES) {
            throw config.error("strategy", "gossip carries the cluster name in every packet; it must be at most "
                    + GossipPacketCodec.MAX_STRING_BYTES + " UTF-8 bytes");
        }
        return new GossipStrategy(settings, nif, context);
    }

    /** An interface by name, or by one of its addresses; a clear config error naming the ones there are. */
    private static NetworkInterface findInterface(ConfigSection config, String nameOrAddress) {
        try {
            NetworkInterface byName = NetworkInterface.getByName(nameOrAddress);
            if (byName != null) {
                return byName;
            }
            if (nameOrAddress.matches("[0-9A-Fa-f.:]+")) {
                NetworkInterface byAddress = NetworkInterface.getByInetAddress(InetAddress.getByName(nameOrAddress));
                if (byAddress != null) {
                    return byAddress;
                }
            }
        } catch (SocketException | UnknownHostException e) {
            // reported below with the list of interfaces there are
        }
        throw config.error("interface", "no network interface named or holding '" + nameOrAddress + "' on this host; there are: "
                + interfaceNames());
    }

    private static String interfaceNames() {
        try {
            List<NetworkInterface> all = Collections.list(NetworkInterface.getNetworkInterfaces());
            return all.stream().map(NetworkInterface::getName).sorted().collect(Collectors.joining(", "));
        } catch (SocketException e) {
            return "(cannot list interfaces: " + e.getMessage() + ")";
        }
    }
}
