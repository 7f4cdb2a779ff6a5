package io.hyphae.strategy.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesStrategyProviderTest {

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final DiscoveryContext context = new DiscoveryContext("test",
            new NodeId("n1", new HostAndPort("10.0.0.1", 7946), 1), Optional.empty(), new SimpleMeterRegistry(), scheduler);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void isFoundByNameThroughServiceLoader() {
        assertThat(DiscoveryStrategies.available(getClass().getClassLoader()))
                .containsKey("kubernetes")
                .extractingByKey("kubernetes").isInstanceOf(KubernetesStrategyProvider.class);
    }

    @Test
    void takesTheNamespaceFromTheKubeconfigContextWhenNotSet() throws Exception {
        try (MockApiServer api = new MockApiServer()) {
            Path kubeconfig = api.kubeconfig(dir, true);

            KubernetesStrategy strategy = new KubernetesStrategyProvider().create(
                    ConfigSection.of(Map.of("selector", "app=hyphae", "kubeconfig", kubeconfig.toString())), context);

            assertThat(strategy.namespace()).isEqualTo(MockApiServer.NAMESPACE);
        }
    }

    @Test
    void aNamespaceKeyWinsOverTheKubeconfigContext() throws Exception {
        try (MockApiServer api = new MockApiServer()) {
            Path kubeconfig = api.kubeconfig(dir, true);

            KubernetesStrategy strategy = new KubernetesStrategyProvider().create(ConfigSection.of(
                    Map.of("selector", "app=hyphae", "kubeconfig", kubeconfig.toString(), "namespace", "other")), context);

            assertThat(strategy.namespace()).isEqualTo("other");
        }
    }

    @Test
    void refusesToStartWithoutAnyNamespace() throws Exception {
        try (MockApiServer api = new MockApiServer()) {
            // Given a kubeconfig whose context names no namespace, outside a pod
            Path kubeconfig = api.kubeconfig(dir, false);

            // Then the strategy is refused at creation, saying what to set
            assertThatThrownBy(() -> new KubernetesStrategyProvider().create(
                    ConfigSection.of(Map.of("selector", "app=hyphae", "kubeconfig", kubeconfig.toString())), context))
                    .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.path()).isEqualTo("namespace"))
                    .hasMessageContaining("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
                    .hasMessageContaining("set 'namespace'");
        }
    }

    @Test
    void refusesAMissingKubeconfigFile() {
        Path missing = dir.resolve("nope");

        assertThatThrownBy(() -> new KubernetesStrategyProvider().create(
                ConfigSection.of(Map.of("selector", "app=hyphae", "kubeconfig", missing.toString())), context))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.path()).isEqualTo("kubeconfig"))
                .hasMessageContaining(missing.toString());
    }

    @Test
    void talksThroughTheJdkHttpClient() {
        // The module ships the JDK flavour only: no Vert.x or OkHttp client factory may win.
        try (KubernetesClient client = new KubernetesClientBuilder().build()) {
            assertThat(client.getHttpClient().getClass().getName()).startsWith("io.fabric8.kubernetes.client.jdkhttp.");
        }
    }
}
