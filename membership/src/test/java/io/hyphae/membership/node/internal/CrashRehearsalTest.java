package io.hyphae.membership.node.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.DirectoryConfig;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.plumtree.PlumtreeConfig;
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
}
