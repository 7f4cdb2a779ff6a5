package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RpcConfigTest {

    @Test
    void anEmptyRpcSectionGivesTheDefaults() {
        // Given a file without rpc keys
        // When it is read
        RpcConfig read = RpcConfig.from(new ConfigSection("hyphae.yaml", "rpc", Map.of()));

        // Then every field keeps its default
        assertThat(read).isEqualTo(RpcConfig.defaults());
    }

    @Test
    void readsEveryKeyOntoItsField() {
        // Given every rpc key set
        ConfigSection rpc = new ConfigSection("hyphae.yaml", "rpc", Map.of(
                "max-outstanding-calls", 50, "max-payload-size", "64KiB", "handler-threads", 3,
                "handler-queue-capacity", 70, "cast-queue-capacity", 80, "reorder-window", 90,
                "gap-timeout", "250ms", "direct-abcast-max-members", 0));

        // When it is read
        RpcConfig read = RpcConfig.from(rpc);

        // Then each value lands on its field
        assertThat(read).isEqualTo(new RpcConfig(50, 65_536, 3, 70, 80, 90, Duration.ofMillis(250), 0, java.util.Optional.empty()));
    }

    @Test
    void refusesAnUnknownKeyNamingTheFileTheKeyAndTheNearestKnownOne() {
        // Given a misspelt key
        ConfigSection rpc = new ConfigSection("hyphae.yaml", "rpc", Map.of("gap-timout", "1s"));

        // When it is read, then it is refused with where and what
        assertThatThrownBy(() -> RpcConfig.from(rpc)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("hyphae.yaml").hasMessageContaining("rpc.gap-timout").hasMessageContaining("gap-timeout");
    }

    @Test
    void refusesAValueOutOfRange() {
        // Given no handler threads
        ConfigSection rpc = new ConfigSection("hyphae.yaml", "rpc", Map.of("handler-threads", 0));

        // When it is read, then it is refused naming the key
        assertThatThrownBy(() -> RpcConfig.from(rpc)).isInstanceOf(ConfigException.class).hasMessageContaining("rpc.handler-threads");
    }
}
