package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.BadNode.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailurePathWarmUpTest {

    @Test
    void rehearsalTakesEachFailurePathOfACall() {
        // Given a scratch node whose peer takes frames and whose other peer refuses them
        // When the warm-up runs its script
        List<BadNode> seen = FailurePathWarmUp.rehearse();

        // Then each call ended by the path it was meant to warm, not by another one
        assertThat(seen).extracting(BadNode::reason).containsExactly(
                Reason.UNREACHABLE, Reason.UNREACHABLE, Reason.UNREACHABLE, Reason.TIMED_OUT, Reason.NOT_A_MEMBER);
        assertThat(seen).extracting(b -> b.detail().orElse("")).containsExactly(
                "link lost", "member down: failed", "not reachable", "", "");
    }
}
