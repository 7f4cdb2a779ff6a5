package io.hyphae.examples.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.hyphae.membership.HostAndPort;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The Deployment in examples/kubernetes/ probes and scrapes what hyphae-node serves: its
 * arguments parse, they put the HTTP endpoints on the container's {@code http} port, and the
 * probe and scrape paths answer as the probes expect on a real {@link HealthAndMetrics}.
 */
class KubernetesProbesTest {

    private static final Path BASE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void theDeploymentsProbesAndScrapeTargetAreServedByTheNodeCli() throws Exception {
        // Given the Deployment's node container and the options its arguments give hyphae-node
        Deployment deployment;
        try (InputStream in = Files.newInputStream(BASE.resolve("kubernetes/deployment.yaml"))) {
            deployment = new KubernetesSerialization().unmarshal(in, Deployment.class);
        }
        Container node = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        NodeOptions options = NodeOptions.parse(node.getArgs().toArray(String[]::new));
        int httpPort = node.getPorts().stream().filter(p -> p.getName().equals("http")).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow();
        Map<String, String> annotations = deployment.getSpec().getTemplate().getMetadata().getAnnotations();

        // Then the node serves HTTP on all interfaces at the container's http port, the one scraped
        assertThat(options.http()).isEqualTo(new HostAndPort("0.0.0.0", httpPort));
        assertThat(annotations).containsEntry("prometheus.io/port", Integer.toString(httpPort));
        assertThat(options.config()).isEqualTo(Path.of("/etc/hyphae/hyphae.yaml"));

        // When those endpoints run (on a free local port) for a node that has not joined, then has
        AtomicBoolean joined = new AtomicBoolean(false);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("hyphae.overlay.joins").increment();
        try (HealthAndMetrics server = HealthAndMetrics.start(new HostAndPort("127.0.0.1", 0), registry, joined::get)) {
            int port = server.address().getPort();
            String ready = node.getReadinessProbe().getHttpGet().getPath();
            String live = node.getLivenessProbe().getHttpGet().getPath();

            // Then readiness waits for the join, liveness does not, and the scrape path has the meters
            assertThat(get(port, ready).statusCode()).isEqualTo(503);
            assertThat(get(port, live).statusCode()).isEqualTo(200);
            assertThat(get(port, live + "ness").statusCode()).isEqualTo(404);
            joined.set(true);
            assertThat(get(port, ready).statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(port, annotations.get("prometheus.io/path"));
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(metrics.body()).contains("hyphae_overlay_joins_total 1.0");
        }
    }

    private HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
