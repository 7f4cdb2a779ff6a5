package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Every {@link GracefulCloseTest} case on the JDK's NIO selector: no frame lost there either. */
class NioGracefulCloseTest extends GracefulCloseTest {

    @Override
    IoEngine engine() {
        return IoEngine.NIO;
    }

    @Test
    void theseCasesRunOnNio() {
        assertThat(resources.engine()).isEqualTo(IoEngine.NIO);
    }
}
