package io.hyphae.membership.core;

/**
 * Names a timer a core scheduled. Each protocol implements it with its own records or enums,
 * so a driver hosting several protocols routes a fired timer to its owner by type.
 */
public interface TimerKey {
}
