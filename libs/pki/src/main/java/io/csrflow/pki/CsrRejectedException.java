package io.csrflow.pki;

/** A CSR that cannot be accepted, with the rule that refused it. Terminal: retrying cannot help. */
public final class CsrRejectedException extends Exception {
    public static final String NOT_PEM = "spec.request is not a PEM CERTIFICATE REQUEST block";
    public static final String TRAILING_DATA = "spec.request has more than one PEM block";
    public static final String BAD_SIGNATURE = "the CSR's signature does not verify with its own public key "
            + "(no proof of possession of the private key)";
    public static final String TOO_DEEP = "the CSR nests ASN.1 structures deeper than allowed";

    private final CsrRejection rejection;

    public CsrRejectedException(CsrRejection rejection, String message) {
        super(message);
        this.rejection = rejection;
    }

    public CsrRejection rejection() {
        return rejection;
    }
}
