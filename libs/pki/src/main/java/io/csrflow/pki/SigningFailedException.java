package io.csrflow.pki;

/**
 * Signing or its post-issuance check failed: a fault of the CA, the provider or the signer, never of
 * the request. The CSR is left as it is (Approved, without a certificate) and the failure reported.
 */
public final class SigningFailedException extends RuntimeException {
    public SigningFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    public SigningFailedException(String message) {
        super(message);
    }
}
