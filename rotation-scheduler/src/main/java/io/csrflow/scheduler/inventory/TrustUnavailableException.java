package io.csrflow.scheduler.inventory;

/**
 * A certificate of csrflow's signers cannot be checked because the trust bundle is missing or
 * unreadable. Transient: the record is neither believed nor dead-lettered, but read again once the
 * bundle is back (the bundle is the signer's ConfigMap, which may simply not be mounted yet).
 */
public final class TrustUnavailableException extends RuntimeException {
    public TrustUnavailableException(String message) {
        super(message);
    }
}
