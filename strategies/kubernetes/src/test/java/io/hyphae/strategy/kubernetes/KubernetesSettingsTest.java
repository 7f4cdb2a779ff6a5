package io.hyphae.strategy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KubernetesSettingsTest {

    private static ConfigSection block(Object... keysAndValues) {
        Map<String, Object> values = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            values.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return new ConfigSection("hyphae.yaml", "discovery[0]", values);
    }

    private static void assertRefused(ConfigSection block, String path, String expected) {
        assertThatThrownBy(() -> KubernetesSettings.from(block))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.path()).isEqualTo(path))
                .hasMessageContaining("hyphae.yaml")
                .hasMessageContaining(expected);
    }

    @Test
    void onlyTheSelectorIsRequired() {
        KubernetesSettings s = KubernetesSettings.from(block("selector", "app=hyphae"));

        assertThat(s).isEqualTo(KubernetesSettings.of("app=hyphae"));
        assertThat(s.namespace()).isEmpty();
        assertThat(s.port()).isEqualTo(new PodPort.Named("hyphae"));
        assertThat(s.readyOnly()).isTrue();
        assertThat(s.addressMode()).isEqualTo(AddressMode.IP);
        assertThat(s.clusterDomain()).isEqualTo("cluster.local");
        assertThat(s.resync()).isEqualTo(Duration.ofMinutes(5));
        assertThat(s.kubeconfig()).isEmpty();
    }

    @Test
    void readsEveryKey() {
        KubernetesSettings s = KubernetesSettings.from(block(
                "namespace", "prod", "selector", "app = hyphae, tier in (a,b)", "port", 7946, "ready-only", false,
                "address-mode", "dns", "service", "hyphae-headless", "cluster-domain", "corp.example",
                "resync", "30s", "kubeconfig", "/etc/hyphae/kubeconfig"));

        assertThat(s).isEqualTo(new KubernetesSettings(Optional.of("prod"), "app=hyphae,tier in (a,b)",
                new PodPort.Numbered(7946), false, AddressMode.DNS, Optional.of("hyphae-headless"), "corp.example",
                Duration.ofSeconds(30), Optional.of(Path.of("/etc/hyphae/kubeconfig"))));
    }

    @Test
    void refusesBadValuesNamingTheKey() {
        assertRefused(block(), "discovery[0].selector", "is required");
        assertRefused(block("selector", "app=hyphae,"), "discovery[0].selector", "empty requirement");
        assertRefused(block("selector", "app=hyphae", "selecter", "x"), "discovery[0].selecter", "did you mean 'selector'");
        assertRefused(block("selector", "app=hyphae", "port", 70000), "discovery[0].port", "1..65535");
        assertRefused(block("selector", "app=hyphae", "port", "Hyphae_Port"), "discovery[0].port", "container port name");
        assertRefused(block("selector", "app=hyphae", "address-mode", "pod"), "discovery[0].address-mode", "ip, dns or hostname");
        assertRefused(block("selector", "app=hyphae", "address-mode", "dns"), "discovery[0].service", "headless service");
        assertRefused(block("selector", "app=hyphae", "service", "hyphae"), "discovery[0].service", "only used with address-mode dns");
        assertRefused(block("selector", "app=hyphae", "namespace", "Prod"), "discovery[0].namespace", "not a valid namespace");
        assertRefused(block("selector", "app=hyphae", "ready-only", "yes"), "discovery[0].ready-only", "true or false");
        assertRefused(block("selector", "app=hyphae", "resync", "often"), "discovery[0].resync", "duration");
        assertRefused(block("selector", "app=hyphae", "cluster-domain", "Cluster..local"), "discovery[0].cluster-domain", "DNS domain");
    }
}
