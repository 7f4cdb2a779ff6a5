package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every {@link TransportTest} case on the JDK's NIO selector, the engine of platforms without epoll. */
class NioTransportTest extends TransportTest {

    @BeforeAll
    static void group() { // hides TransportTest.group(): these loops run on NIO
        resources = TransportResources.create(2, IoEngine.NIO);
    }

    @Test
    void theseCasesRunOnNio() {
        assertThat(resources.engine()).isEqualTo(IoEngine.NIO);
    }
}
