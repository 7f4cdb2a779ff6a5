package io.hyphae.strategy.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.hyphae.membership.HostAndPort;
import io.hyphae.strategy.kubernetes.AddressMode;
import io.hyphae.strategy.kubernetes.KubernetesSettings;
import io.hyphae.strategy.kubernetes.PodPort;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PodSeedsTest {

    private static PodSeeds seeds(AddressMode mode, Optional<String> service, boolean readyOnly) {
        return new PodSeeds(new KubernetesSettings(Optional.empty(), "app=hyphae", new PodPort.Named("hyphae"), readyOnly,
                mode, service, "cluster.local", KubernetesSettings.DEFAULT_RESYNC, Optional.empty()), "prod");
    }

    private static PodBuilder pod(String name, String ip, String ready) {
        return new PodBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewContainer().withName("node").addNewPort().withName("hyphae").withContainerPort(7946)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready).endCondition().endStatus();
    }

    private static PodSeeds.Outcome seedOf(HostAndPort address) {
        return new PodSeeds.Outcome.Seed(address);
    }

    @Test
    void ipModeUsesThePodIp() {
        Pod pod = pod("a", "10.1.2.3", "True").build();

        assertThat(seeds(AddressMode.IP, Optional.empty(), true).of(pod)).isEqualTo(seedOf(new HostAndPort("10.1.2.3", 7946)));
    }

    @Test
    void dnsModeNamesADeploymentPodByItsDashedIp() {
        Pod pod = pod("web-abc", "10.1.2.3", "True").build();

        assertThat(seeds(AddressMode.DNS, Optional.of("hyphae"), true).of(pod))
                .isEqualTo(seedOf(new HostAndPort("10-1-2-3.hyphae.prod.svc.cluster.local", 7946)));
    }

    @Test
    void dnsModeNamesAnIpv6PodByItsDashedIp() {
        Pod pod = pod("web-abc", "fd00:10::7", "True").build();

        assertThat(seeds(AddressMode.DNS, Optional.of("hyphae"), true).of(pod))
                .isEqualTo(seedOf(new HostAndPort("fd00-10--7.hyphae.prod.svc.cluster.local", 7946)));
    }

    @Test
    void dnsModeNamesAStatefulSetPodByItsHostname() {
        Pod pod = pod("hyphae-0", "10.1.2.3", "True")
                .editSpec().withHostname("hyphae-0").withSubdomain("hyphae").endSpec().build();

        assertThat(seeds(AddressMode.DNS, Optional.of("hyphae"), true).of(pod))
                .isEqualTo(seedOf(new HostAndPort("hyphae-0.hyphae.prod.svc.cluster.local", 7946)));
    }

    @Test
    void dnsModeIgnoresAHostnameUnderAnotherSubdomain() {
        // The endpoints controller only uses the hostname when the subdomain is this service.
        Pod pod = pod("hyphae-0", "10.1.2.3", "True")
                .editSpec().withHostname("hyphae-0").withSubdomain("elsewhere").endSpec().build();

        assertThat(seeds(AddressMode.DNS, Optional.of("hyphae"), true).of(pod))
                .isEqualTo(seedOf(new HostAndPort("10-1-2-3.hyphae.prod.svc.cluster.local", 7946)));
    }

    @Test
    void hostnameModeUsesTheStableStatefulSetName() {
        Pod pod = pod("hyphae-2", "10.1.2.3", "True")
                .editSpec().withHostname("hyphae-2").withSubdomain("hyphae-headless").endSpec().build();

        assertThat(seeds(AddressMode.HOSTNAME, Optional.empty(), true).of(pod))
                .isEqualTo(seedOf(new HostAndPort("hyphae-2.hyphae-headless.prod.svc.cluster.local", 7946)));
    }

    @Test
    void hostnameModeCannotUseAPodWithoutHostnameAndSubdomain() {
        Pod pod = pod("web-abc", "10.1.2.3", "True").build();

        assertThat(seeds(AddressMode.HOSTNAME, Optional.empty(), true).of(pod))
                .isInstanceOfSatisfying(PodSeeds.Outcome.Unusable.class,
                        u -> assertThat(u.reason()).contains("web-abc").contains("spec.hostname"));
    }

    @Test
    void aPodWithoutIpNotReadyTerminatingOrFinishedIsNoSeedYet() {
        PodSeeds readyOnly = seeds(AddressMode.IP, Optional.empty(), true);
        PodSeeds any = seeds(AddressMode.IP, Optional.empty(), false);
        PodSeeds.Outcome notYet = new PodSeeds.Outcome.NotYet();

        assertThat(readyOnly.of(pod("a", null, "False").build())).isEqualTo(notYet);
        assertThat(any.of(pod("a", null, "False").build())).isEqualTo(notYet);
        assertThat(readyOnly.of(pod("a", "10.0.0.1", "False").build())).isEqualTo(notYet);
        assertThat(any.of(pod("a", "10.0.0.1", "False").build())).isInstanceOf(PodSeeds.Outcome.Seed.class);
        assertThat(any.of(pod("a", "10.0.0.1", "True").editMetadata().withDeletionTimestamp("2026-01-01T00:00:00Z")
                .endMetadata().build())).isEqualTo(notYet);
        assertThat(any.of(pod("a", "10.0.0.1", "False").editStatus().withPhase("Succeeded").endStatus().build()))
                .isEqualTo(notYet);
    }
}
