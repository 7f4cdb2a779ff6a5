package io.hyphae.rpc;

/**
 * A call or cast refused at once, before anything was sent, because it would pass a configured
 * bound (outstanding calls, payload size). Retrying later, or with less, may succeed.
 */
public final class RpcLimitExceededException extends RpcException {

    public RpcLimitExceededException(String message) {
        super(message);
    }
}
