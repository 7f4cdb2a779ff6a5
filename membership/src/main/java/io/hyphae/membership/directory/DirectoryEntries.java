package io.hyphae.membership.directory;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A directory's entries in member-key order ({@link MemberKey#compareTo}: name, host, port), in
 * one sorted array searched by bisection. A {@code TreeMap<MemberKey, Entry>} cost a tree node
 * and a key object per entry on top of the entry, 64 bytes in every directory for every member
 * (64 KiB per node with a thousand members); here an entry costs one array slot. Adding or
 * removing moves the entries after it, a few KiB at most, and members come and go far less
 * often than they are looked up. Not to be changed while iterated.
 */
final class DirectoryEntries implements Iterable<DirectoryEntry> {

    private DirectoryEntry[] sorted = new DirectoryEntry[8];
    private int size;

    int size() {
        return size;
    }

    /** The entry of {@code id}'s member, whatever its incarnation, or null. */
    DirectoryEntry get(NodeId id) {
        return get(id.name(), id.address());
    }

    DirectoryEntry get(MemberKey key) {
        return get(key.name(), key.address());
    }

    private DirectoryEntry get(String name, HostAndPort address) {
        int i = indexOf(name, address);
        return i >= 0 ? sorted[i] : null;
    }

    /** Adds an entry whose member has none yet. */
    void add(DirectoryEntry e) {
        NodeId id = e.member.id();
        int i = indexOf(id.name(), id.address());
        if (i >= 0) {
            throw new IllegalStateException(id + " already has an entry");
        }
        int at = -i - 1;
        if (size == sorted.length) {
            sorted = Arrays.copyOf(sorted, size * 2);
        }
        System.arraycopy(sorted, at, sorted, at + 1, size - at);
        sorted[at] = e;
        size++;
    }

    /** Removes {@code e}; false if it is not the entry of its member here. */
    boolean remove(DirectoryEntry e) {
        NodeId id = e.member.id();
        int at = indexOf(id.name(), id.address());
        if (at < 0 || sorted[at] != e) {
            return false;
        }
        System.arraycopy(sorted, at + 1, sorted, at, size - at - 1);
        sorted[--size] = null;
        return true;
    }

    /** The index of the member's entry, or {@code -(insertion point) - 1}, as {@link Arrays#binarySearch}. */
    private int indexOf(String name, HostAndPort address) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            NodeId at = sorted[mid].member.id();
            int c = MemberKey.compare(at.name(), at.address(), name, address);
            if (c < 0) {
                low = mid + 1;
            } else if (c > 0) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -(low + 1);
    }

    @Override
    public Iterator<DirectoryEntry> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public DirectoryEntry next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                return sorted[next++];
            }
        };
    }
}
