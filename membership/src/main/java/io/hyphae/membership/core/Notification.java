package io.hyphae.membership.core;

/**
 * Something a core tells the layer above, carried by {@link Effect.Notify}. Each protocol
 * implements it with its own sealed interface of records (HyParView: neighbour up/down).
 */
public interface Notification {
}
