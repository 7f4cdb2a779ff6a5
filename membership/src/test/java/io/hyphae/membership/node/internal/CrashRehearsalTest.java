package io.hyphae.membership.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrashRehearsalTest {

    @Test
    void everySurvivorDeclaresTheCrashedNodeDownWithTheDefaultSettings() {
        // Given the settings a node starts with by default
        // When the rehearsal crashes one of its four simulated nodes
        List<NodeId> downs = CrashRehearsal.rehearse(HyParViewConfig.defaults(), PlumtreeConfig.lan(), DirectoryConfig.defaults());

        // Then the three survivors each ran the failure path to the end: one DOWN each, for that node
        assertThat(downs).hasSize(3);
        assertThat(downs).containsOnly(downs.get(0));
    }

    @Test
    void theDownComesFromTheRefusedRedialNotFromTheSuspicionTimeout() {
        // Given a suspicion timeout of an hour, far past the rehearsal's 30 virtual seconds after the crash
        DirectoryConfig patient = new DirectoryConfig(Duration.ofHours(1), Duration.ofSeconds(2), Duration.ofSeconds(10), 512,
                Duration.ofHours(2));

        // When the rehearsal crashes one of its four simulated nodes
        List<NodeId> downs = CrashRehearsal.rehearse(HyParViewConfig.defaults(), PlumtreeConfig.lan(), patient);

        // Then the survivors still declared it down: the redial refused is the path they took,
        // the one a kill -9 takes on a real node
        assertThat(downs).hasSize(3);
    }
}
