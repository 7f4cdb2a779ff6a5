package io.hyphae.strategy.kubernetes.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.hyphae.membership.HostAndPort;
import io.hyphae.strategy.kubernetes.AddressMode;
import io.hyphae.strategy.kubernetes.KubernetesSettings;
import io.hyphae.strategy.kubernetes.PodPort;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Turns one pod into the seed it stands for, or says why it stands for none. */
public final class PodSeeds {

    /** What one pod contributes. */
    public sealed interface Outcome {
        /** The pod is a candidate peer at this address. */
        record Seed(HostAndPort address) implements Outcome {
        }

        /** The pod is not a candidate right now (no IP yet, not ready, terminating, finished). */
        record NotYet() implements Outcome {
        }

        /** The pod is selected but can never be a seed as configured; the reason says what to fix. */
        record Unusable(String reason) implements Outcome {
        }
    }

    private static final Outcome NOT_YET = new Outcome.NotYet();

    private final KubernetesSettings settings;
    private final String namespace;

    public PodSeeds(KubernetesSettings settings, String namespace) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
    }

    public Outcome of(Pod pod) {
        PodStatus status = pod.getStatus();
        String ip = status == null ? null : status.getPodIP();
        // A terminating pod is leaving; a finished one (a Job's, say) never comes back.
        if (ip == null || ip.isBlank() || pod.getMetadata().getDeletionTimestamp() != null
                || "Succeeded".equals(status.getPhase()) || "Failed".equals(status.getPhase())) {
            return NOT_YET;
        }
        if (settings.readyOnly() && !ready(status.getConditions())) {
            return NOT_YET;
        }
        Optional<Integer> port = port(pod.getSpec());
        if (port.isEmpty()) {
            return new Outcome.Unusable("pod " + pod.getMetadata().getName() + " has no container port named '"
                    + settings.port() + "'; name the port in the pod template or set 'port' to a number");
        }
        PodSpec spec = pod.getSpec();
        boolean hasStableName = spec != null && notBlank(spec.getHostname()) && notBlank(spec.getSubdomain());
        if (settings.addressMode() == AddressMode.HOSTNAME && !hasStableName) {
            return new Outcome.Unusable("pod " + pod.getMetadata().getName() + " sets no spec.hostname and"
                    + " spec.subdomain, so it has no stable DNS name (StatefulSet pods have one);"
                    + " use address-mode ip or dns");
        }
        String host = switch (settings.addressMode()) {
            case IP -> ip;
            case DNS -> {
                String service = settings.service().orElseThrow();
                // The endpoints controller names an address by the pod's hostname only when the
                // pod's subdomain is this very service; CoreDNS otherwise serves the dashed IP.
                String label = hasStableName && service.equals(spec.getSubdomain())
                        ? spec.getHostname()
                        : ip.replace('.', '-').replace(':', '-');
                yield label + "." + service + "." + namespace + ".svc." + settings.clusterDomain();
            }
            case HOSTNAME -> spec.getHostname() + "." + spec.getSubdomain() + "." + namespace + ".svc." + settings.clusterDomain();
        };
        return new Outcome.Seed(new HostAndPort(host, port.get()));
    }

    private Optional<Integer> port(PodSpec spec) {
        if (settings.port() instanceof PodPort.Numbered n) {
            return Optional.of(n.number());
        }
        String name = ((PodPort.Named) settings.port()).name();
        if (spec == null || spec.getContainers() == null) {
            return Optional.empty();
        }
        for (Container c : spec.getContainers()) {
            for (ContainerPort p : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (name.equals(p.getName()) && p.getContainerPort() != null) {
                    return Optional.of(p.getContainerPort());
                }
            }
        }
        return Optional.empty();
    }

    private static boolean ready(List<PodCondition> conditions) {
        return conditions != null && conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
