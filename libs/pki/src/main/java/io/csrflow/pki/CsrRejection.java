package io.csrflow.pki;

/**
 * Why a CSR is refused. The wire name is what lands in the Denied/Failed condition's reason and
 * in decision events; messages for each are the constants of {@link CsrRejectedException}.
 */
public enum CsrRejection {
    NOT_PEM("RequestNotPEM"),
    TOO_LARGE("RequestTooLarge"),
    MALFORMED("RequestMalformed"),
    BAD_SIGNATURE("RequestSignatureInvalid"),
    UNSUPPORTED_SIGNATURE_ALGORITHM("UnsupportedSignatureAlgorithm"),
    UNSUPPORTED_KEY("UnsupportedKey"),
    WEAK_KEY("WeakKey"),
    TOO_MANY_SANS("TooManySANs"),
    INVALID_SAN("InvalidSAN"),
    DUPLICATE_EXTENSION("DuplicateExtension"),
    CA_REQUESTED("CARequested"),
    SUBJECT_ATTRIBUTE_NOT_ALLOWED("SubjectAttributeNotAllowed"),
    SAN_TYPE_NOT_ALLOWED("SANTypeNotAllowed"),
    SYSTEM_MASTERS_FORBIDDEN("SystemMastersForbidden"),
    INVALID_NODE_NAME("InvalidNodeName"),
    INVALID_EXPIRATION("InvalidExpirationSeconds");

    private final String reason;

    CsrRejection(String reason) {
        this.reason = reason;
    }

    /** The CamelCase reason as Kubernetes conditions carry it. */
    public String reason() {
        return reason;
    }
}
