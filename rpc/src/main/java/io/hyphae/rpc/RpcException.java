package io.hyphae.rpc;

/** Base of the errors the RPC layer raises to its callers. */
public class RpcException extends RuntimeException {

    public RpcException(String message) {
        super(message);
    }

    public RpcException(String message, Throwable cause) {
        super(message, cause);
    }
}
