package io.hyphae.benchmarks.peers;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.jgroups.conf.ConfiguratorFactory;
import org.jgroups.conf.ProtocolConfiguration;
import org.jgroups.conf.ProtocolStackConfigurator;

/**
 * The JGroups stack every peer node runs: the {@code tcp.xml} shipped in the JGroups jar (TCP,
 * TCPPING, MERGE3, FD_SOCK2, FD_ALL3, VERIFY_SUSPECT2, BARRIER, NAKACK2, UNICAST3, STABLE, GMS,
 * MFC, UFC, FRAG2, STATE_TRANSFER) with its defaults, changed only where the workloads say so:
 * bound to 127.0.0.1 on the node's port, and static discovery of exactly the five ports, as
 * hyphae's nodes get their static seeds.
 */
final class JGroupsStack {

    static final String CLUSTER = "bench";

    private JGroupsStack() {
    }

    /** A channel named {@code name} (not yet connected) on {@code port}, discovering {@code ports}. */
    static JChannel channel(String name, int port, List<Integer> ports) throws Exception {
        ProtocolStackConfigurator config = ConfiguratorFactory.getStackConfigurator("tcp.xml");
        for (ProtocolConfiguration p : config.getProtocolStack()) {
            Map<String, String> props = p.getProperties();
            String protocol = p.getProtocolName();
            if (protocol.equals("TCP")) {
                // tcp-default.xml binds to eth2/eth0/site-local first and port 7800: not what five nodes on one host need.
                props.put("bind_addr", "127.0.0.1");
                props.put("bind_port", String.valueOf(port));
            } else if (protocol.equals("TCPPING")) {
                props.put("initial_hosts", ports.stream().map(p2 -> "127.0.0.1[" + p2 + "]").collect(Collectors.joining(",")));
                // Each port is listed: probing the two next to each (port_range=2) would knock on
                // whatever else runs on this shared machine.
                props.put("port_range", "0");
            } else if (protocol.endsWith("GMS")) {
                // Otherwise GMS prints a banner on standard output, which carries the result lines.
                props.put("print_local_addr", "false");
            }
        }
        return new JChannel(config).name(name);
    }
}
