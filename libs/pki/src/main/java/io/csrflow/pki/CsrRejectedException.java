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
        // Messages quote the request (and parsers' own messages quote their input): they go into
        // conditions, events and logs, so control characters never pass (found by the fuzz test).
        super(message == null ? null : withoutControlCharacters(message));
        this.rejection = rejection;
    }

    public CsrRejection rejection() {
        return rejection;
    }

    private static String withoutControlCharacters(String message) {
        StringBuilder b = new StringBuilder(message.length());
        message.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
