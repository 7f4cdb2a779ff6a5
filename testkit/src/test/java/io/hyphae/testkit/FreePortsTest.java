package io.hyphae.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreePortsTest {

    @Test
    void givesDistinctPortsThatCanBeBound() throws Exception {
        List<Integer> ports = FreePorts.tcp(5);

        assertThat(ports).doesNotHaveDuplicates().allMatch(p -> p > 0);
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
