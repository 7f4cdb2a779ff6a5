package io.hyphae.strategy.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.DiscoveryStrategyProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code kubernetes} strategy: seeds from the pods that match a label selector. See
 * {@link KubernetesSettings} for the keys and docs/strategy-kubernetes.md for RBAC and the
 * address modes.
 */
public final class KubernetesStrategyProvider implements DiscoveryStrategyProvider {

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public KubernetesStrategy create(ConfigSection config, DiscoveryContext context) {
        KubernetesSettings settings = KubernetesSettings.from(config);
        Config clientConfig = clientConfig(config, settings.kubeconfig());
        String namespace = settings.namespace()
                .or(() -> Optional.ofNullable(clientConfig.getNamespace()).filter(ns -> !ns.isBlank()))
                .orElseThrow(() -> config.error("namespace", "is not set, and no default was found: not running in a pod"
                        + " (no " + Config.KUBERNETES_NAMESPACE_PATH + ") and the kubeconfig's current context names"
                        + " no namespace; set 'namespace' to the pods' namespace"));
        return new KubernetesStrategy(settings, namespace, clientConfig, context);
    }

    /**
     * The kubeconfig file when one is named; otherwise Fabric8's auto-configuration, which uses the
     * pod's service account in a cluster and ~/.kube/config (or $KUBECONFIG) outside one.
     */
    private static Config clientConfig(ConfigSection config, Optional<Path> kubeconfig) {
        if (kubeconfig.isEmpty()) {
            return Config.autoConfigure(null);
        }
        Path file = kubeconfig.get();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw config.error("kubeconfig", "cannot read the kubeconfig file " + file.toAbsolutePath());
        }
        try {
            return Config.fromKubeconfig(file.toFile());
        } catch (RuntimeException e) {
            throw config.error("kubeconfig", "cannot use the kubeconfig file " + file.toAbsolutePath() + ": " + e.getMessage());
        }
    }
}
