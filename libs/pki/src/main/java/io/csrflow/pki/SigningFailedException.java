package io.csrflow.pki;

/**
 * No certificate could be made: a fault of the CA, the provider or the signer, never of the request.
 * The CSR is left as it is (Approved, without a certificate) and the failure reported under its
 * {@link Reason}.
 */
public final class SigningFailedException extends RuntimeException {
    /** What failed; the wire name is the metric label. */
    public enum Reason {
        /** The CA has expired or is not valid yet. */
        CA_UNUSABLE("CAUnusable"),
        /** The provider could not sign, or the certificate could not be shaped. */
        SIGNING_FAILED("SigningFailed"),
        /** The signed certificate is not what was intended: a bug, never published. */
        ISSUANCE_CHECK_FAILED("IssuanceCheckFailed");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Reason reason;

    public SigningFailedException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public SigningFailedException(Reason reason, String message) {
        this(reason, message, null);
    }

    public Reason reason() {
        return reason;
    }
}
