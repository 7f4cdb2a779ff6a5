package io.hyphae.membership.wire;

import io.hyphae.membership.NodeId;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * One shared instance per distinct {@link NodeId} decoded in this JVM, held weakly. Every frame
 * that names a node decodes a fresh copy of its name, address and incarnation, and the copies
 * end up kept: in the directory (one per member), the views, Plumtree's per-origin state. With
 * a thousand members that is a few hundred kilobytes of identical strings per node, and many
 * nodes in one JVM (tests, the S2 benchmark) each keep their own set. An identity nobody holds
 * any more is dropped by the garbage collector.
 *
 * <p>Thread safe: the transports of several nodes decode on different event loops. The lock is
 * held for one hash lookup.
 */
final class NodeIdInterner {

    private static final Map<NodeId, WeakReference<NodeId>> SHARED = new WeakHashMap<>();

    private NodeIdInterner() {
    }

    static NodeId intern(NodeId id) {
        synchronized (SHARED) {
            WeakReference<NodeId> ref = SHARED.get(id);
            NodeId shared = ref == null ? null : ref.get();
            if (shared != null) {
                return shared;
            }
            SHARED.put(id, new WeakReference<>(id));
            return id;
        }
    }
}
