package io.hyphae.membership.sim;

/** A node failed inside a simulation run; the message names the seed that replays it and the virtual time. */
public final class SimulationException extends RuntimeException {

    public SimulationException(String message, Throwable cause) {
        super(message, cause);
    }
}
