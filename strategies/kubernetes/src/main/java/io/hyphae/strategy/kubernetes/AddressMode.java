package io.hyphae.strategy.kubernetes;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** How a selected pod is turned into the host part of a seed. */
public enum AddressMode {
    /** The pod IP ({@code status.podIP}): works everywhere, changes when the pod is replaced. */
    IP("ip"),
    /**
     * The name the cluster DNS serves for the pod under a headless service:
     * {@code <spec.hostname>.<service>.<ns>.svc.<domain>} when the pod sets a hostname and its
     * subdomain is that service (StatefulSet pods), else {@code <ip-dashed>.<service>.<ns>.svc.<domain>}
     * (Deployment pods). Needs the {@code service} key.
     */
    DNS("dns"),
    /**
     * The pod's stable name {@code <spec.hostname>.<spec.subdomain>.<ns>.svc.<domain>}, which only
     * pods with both fields set have (StatefulSets set them); it survives the pod being rescheduled.
     */
    HOSTNAME("hostname");

    private final String configName;

    AddressMode(String configName) {
        this.configName = configName;
    }

    /** The value written in the config file. */
    public String configName() {
        return configName;
    }

    public static Optional<AddressMode> fromConfigName(String text) {
        String wanted = text.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.configName.equals(wanted)).findFirst();
    }
}
