package io.hyphae.membership.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import org.junit.jupiter.api.Test;

class NodeListTest {

    private static NodeId node(String name, long incarnation) {
        return new NodeId(name, new HostAndPort("10.0.0.1", 4370), incarnation);
    }

    @Test
    void findsEqualNodesThatAreNotTheSameInstanceAndKeepsInsertionOrder() {
        // Given a list grown past its first capacity
        NodeList list = new NodeList(1);
        for (int i = 0; i < 5; i++) {
            list.add(node("n" + i, 1));
        }

        // Then an equal copy is found, another incarnation is not
        assertThat(list.contains(node("n3", 1))).isTrue();
        assertThat(list.contains(node("n3", 2))).isFalse();
        assertThat(list.indexOf(node("n4", 1))).isEqualTo(4);

        // And removing by value or index keeps the order of the rest
        assertThat(list.remove(node("n1", 1))).isTrue();
        assertThat(list.remove(node("n1", 1))).isFalse();
        assertThat(list.remove(0)).isEqualTo(node("n0", 1));
        list.removeIf(n -> n.name().equals("n3"));
        assertThat(list).containsExactly(node("n2", 1), node("n4", 1));
        list.clear();
        assertThat(list).isEmpty();
    }
}
