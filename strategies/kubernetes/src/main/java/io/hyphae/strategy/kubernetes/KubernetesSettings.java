package io.hyphae.strategy.kubernetes;

import io.hyphae.membership.config.ConfigSection;
import io.hyphae.strategy.kubernetes.internal.LabelSelectorSyntax;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code kubernetes} strategy's block of the config file, one field per key.
 *
 * @param namespace where the pods are; empty means the pod's own namespace (from the service
 *     account, or the kubeconfig's current context outside a cluster)
 * @param selector label selector choosing the pods, e.g. {@code app=hyphae,tier in (a,b)}
 * @param port the container port name (looked up on each pod) or a number
 * @param readyOnly report only pods whose Ready condition is True; false also reports pods that
 *     run but are not ready yet, which lets a cluster form before its readiness probe passes
 * @param addressMode what the seed's host is: pod IP, its DNS name under a headless service, or
 *     its StatefulSet hostname
 * @param service the headless service, needed by (and only allowed with) address mode dns
 * @param clusterDomain the cluster's DNS domain, for the dns and hostname modes
 * @param resync how often the pod list is read again from scratch and the watch restarted,
 *     catching anything a watch could have missed; shorter costs API server load
 * @param kubeconfig a kubeconfig file to use instead of the in-cluster credentials
 */
public record KubernetesSettings(
        Optional<String> namespace,
        String selector,
        PodPort port,
        boolean readyOnly,
        AddressMode addressMode,
        Optional<String> service,
        String clusterDomain,
        Duration resync,
        Optional<Path> kubeconfig) {

    public static final String DEFAULT_PORT_NAME = "hyphae";
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";
    public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_NAME = Pattern.compile(DNS_LABEL.pattern() + "(\\." + DNS_LABEL.pattern() + ")*");

    public KubernetesSettings {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(addressMode, "addressMode");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(resync, "resync");
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        namespace.ifPresent(ns -> requireDnsLabel("namespace", ns));
        selector = LabelSelectorSyntax.normalise(Objects.requireNonNull(selector, "selector"));
        service.ifPresent(s -> requireDnsLabel("service", s));
        if (addressMode == AddressMode.DNS && service.isEmpty()) {
            throw new IllegalArgumentException("address-mode dns needs the headless service's name in 'service'");
        }
        if (addressMode != AddressMode.DNS && service.isPresent()) {
            throw new IllegalArgumentException("'service' is only used with address-mode dns, not " + addressMode.configName());
        }
        if (!DNS_NAME.matcher(Objects.requireNonNull(clusterDomain, "clusterDomain")).matches()) {
            throw new IllegalArgumentException("'" + clusterDomain + "' is not a DNS domain such as cluster.local");
        }
        if (resync.isZero() || resync.isNegative()) {
            throw new IllegalArgumentException("resync must be greater than zero");
        }
    }

    /** Pods in the own namespace matching {@code selector}, with every other key at its default. */
    public static KubernetesSettings of(String selector) {
        return new KubernetesSettings(Optional.empty(), selector, new PodPort.Named(DEFAULT_PORT_NAME), true,
                AddressMode.IP, Optional.empty(), DEFAULT_CLUSTER_DOMAIN, DEFAULT_RESYNC, Optional.empty());
    }

    /**
     * Reads the strategy's block, refusing unknown keys.
     *
     * @throws io.hyphae.membership.config.ConfigException naming the key and what was expected
     */
    public static KubernetesSettings from(ConfigSection config) {
        Optional<String> namespace = config.optionalString("namespace").map(String::trim);
        namespace.ifPresent(ns -> check(config, "namespace", () -> requireDnsLabel("namespace", ns)));
        String selector = config.string("selector");
        check(config, "selector", () -> LabelSelectorSyntax.normalise(selector));
        String portText = config.string("port", DEFAULT_PORT_NAME);
        PodPort port = check(config, "port", () -> PodPort.parse(portText));
        boolean readyOnly = config.bool("ready-only", true);
        String modeText = config.string("address-mode", AddressMode.IP.configName());
        AddressMode mode = AddressMode.fromConfigName(modeText)
                .orElseThrow(() -> config.error("address-mode", "expected ip, dns or hostname, got '" + modeText + "'"));
        Optional<String> service = config.optionalString("service").map(String::trim);
        String clusterDomain = config.string("cluster-domain", DEFAULT_CLUSTER_DOMAIN).trim();
        Duration resync = config.positiveDuration("resync", DEFAULT_RESYNC);
        Optional<Path> kubeconfig = config.optionalString("kubeconfig").map(p -> Path.of(p.trim()));
        config.rejectUnknownKeys();
        if (mode == AddressMode.DNS && service.isEmpty()) {
            throw config.error("service", "is required with address-mode dns: the name of the headless service"
                    + " that selects these pods (its DNS records name them)");
        }
        if (mode != AddressMode.DNS && service.isPresent()) {
            throw config.error("service", "is only used with address-mode dns (address-mode is " + mode.configName() + ")");
        }
        return check(config, "cluster-domain", () -> new KubernetesSettings(
                namespace, selector, port, readyOnly, mode, service, clusterDomain, resync, kubeconfig));
    }

    private static void requireDnsLabel(String key, String value) {
        if (!DNS_LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + value + "' is not a valid " + key
                    + " name (up to 63 lower-case letters, digits and '-')");
        }
    }

    private static <T> T check(ConfigSection config, String key, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw config.error(key, e.getMessage());
        }
    }

    private static void check(ConfigSection config, String key, Runnable validation) {
        check(config, key, () -> {
            validation.run();
            return null;
        });
    }
}
