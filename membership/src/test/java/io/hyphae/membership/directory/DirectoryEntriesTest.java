package io.hyphae.membership.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DirectoryEntriesTest {

    static DirectoryEntry entry(String name, String host, int port, long incarnation) {
        DirectoryEntry e = new DirectoryEntry();
        e.member = new Member(new NodeId(name, new HostAndPort(host, port), incarnation), MemberStatus.ALIVE, 1);
        return e;
    }

    static List<MemberKey> keys(DirectoryEntries entries) {
        List<MemberKey> keys = new ArrayList<>();
        entries.forEach(e -> keys.add(e.member.key()));
        return keys;
    }

    @Test
    void iteratesInMemberKeyOrderWhateverTheOrderOfAdding() {
        // Given entries that differ by name, by host, and by port only, added in a shuffled order
        List<DirectoryEntry> all = new ArrayList<>();
        for (String name : List.of("b", "a", "c")) {
            for (String host : List.of("10.0.0.2", "10.0.0.10", "10.0.0.1")) {
                for (int port : List.of(7001, 7000, 900)) {
                    all.add(entry(name, host, port, 1));
                }
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = all.size() - 1; i > 0; i--) {
            all.set(i, all.set(random.nextInt(i + 1), all.get(i)));
        }
        DirectoryEntries entries = new DirectoryEntries();
        all.forEach(entries::add);

        // Then they come out sorted as MemberKey sorts them, and each is found by its key
        List<MemberKey> expected = all.stream().map(e -> e.member.key()).sorted().toList();
        assertThat(keys(entries)).containsExactlyElementsOf(expected);
        assertThat(entries.size()).isEqualTo(27);
        for (DirectoryEntry e : all) {
            assertThat(entries.get(e.member.key())).isSameAs(e);
        }
    }

    @Test
    void findsAMembersEntryUnderAnyIncarnation() {
        DirectoryEntries entries = new DirectoryEntries();
        DirectoryEntry a = entry("a", "10.0.0.1", 7000, 1);
        entries.add(a);

        assertThat(entries.get(new NodeId("a", new HostAndPort("10.0.0.1", 7000), 9))).isSameAs(a);
        assertThat(entries.get(new NodeId("a", new HostAndPort("10.0.0.1", 7001), 1))).isNull();
        assertThat(entries.get(new NodeId("a", new HostAndPort("10.0.0.2", 7000), 1))).isNull();
    }

    @Test
    void removesOnlyTheEntryItHolds() {
        // Given a's entry, and another entry object for the same member that the table does not hold
        DirectoryEntries entries = new DirectoryEntries();
        DirectoryEntry a = entry("a", "10.0.0.1", 7000, 1);
        DirectoryEntry b = entry("b", "10.0.0.1", 7000, 1);
        entries.add(a);
        entries.add(b);
        DirectoryEntry stranger = entry("a", "10.0.0.1", 7000, 2);

        // When the stranger is removed, nothing changes; when a is, only b is left
        assertThat(entries.remove(stranger)).isFalse();
        assertThat(entries.size()).isEqualTo(2);
        assertThat(entries.remove(a)).isTrue();
        assertThat(keys(entries)).containsExactly(b.member.key());
        assertThat(entries.get(a.member.key())).isNull();
        assertThat(entries.remove(a)).isFalse();
    }
}
