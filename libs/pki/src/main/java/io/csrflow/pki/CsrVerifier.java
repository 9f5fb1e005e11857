package io.csrflow.pki;

import java.util.List;
import java.util.Set;

/**
 * The one verification of a CSR, with one configuration, run by the approver before it decides and
 * by the signer before it signs (as Boulder's RA and CA both call {@code VerifyCSR}): whatever an
 * approver or an administrator approved, nothing this refuses is signed. Checks run cheapest first
 * and stop at the first violation, which names its rule:
 * <ol>
 * <li>{@code spec.expirationSeconds}, as the API server validates it;</li>
 * <li>size, PEM, ASN.1 depth, PKCS#10 structure, signature algorithm, then the key policy on the
 * encoded key, then subject and SANs ({@link CsrParser});</li>
 * <li>the subject: only the allowed attribute types (the certificate's subject is rebuilt from
 * them, nothing is copied raw), never {@code system:masters}, and a kubelet CN must name a valid
 * Node;</li>
 * <li>SANs of the four standard types only (DNS, IP, email, URI);</li>
 * <li>proof of possession: the request's signature, the one expensive step.</li>
 * </ol>
 */
public final class CsrVerifier {
    public static final String SYSTEM_MASTERS = "system:masters";
    /** The API server refuses shorter lifetimes ({@code spec.expirationSeconds}). */
    public static final int MIN_EXPIRATION_SECONDS = 600;
    /**
     * CN and O: all that Kubernetes reads from a client certificate's subject (user and groups), and
     * all that {@link SigningPolicy} puts into one. Anything else (OU, or the UID attribute
     * 1.3.6.1.4.1.57683.2 that kube-apiserver 1.34+ reads as the user's uid) is refused, not dropped:
     * a request that asks for more than it may have is answered with why.
     */
    public static final Set<String> SUBJECT_ATTRIBUTES = Set.of("CN", "O");

    private final CsrParser parser;

    public CsrVerifier(CsrParser parser) {
        this.parser = parser;
    }

    public static CsrVerifier defaults() {
        return new CsrVerifier(CsrParser.defaults());
    }

    @Override
    public String toString() {
        return "CsrVerifier[" + parser + ", subject " + sorted(SUBJECT_ATTRIBUTES) + "]";
    }

    /** The parser, for reading requests that are already certified (no rules applied). */
    public CsrParser parser() {
        return parser;
    }

    /** @throws CsrRejectedException naming the first rule the request breaks */
    public ParsedCsr verify(CsrSpec spec) throws CsrRejectedException {
        checkExpiration(spec.expirationSeconds());
        ParsedCsr csr = parser.parse(spec.request());
        checkSubject(csr);
        if (!csr.sans().others().isEmpty()) {
            throw new CsrRejectedException(CsrRejection.SAN_TYPE_NOT_ALLOWED, "SANs of type "
                    + String.join(", ", csr.sans().others()) + " are not allowed; only DNS, IP, email and URI SANs are");
        }
        parser.verifySignature(csr);
        return csr;
    }

    private static void checkExpiration(Integer expirationSeconds) throws CsrRejectedException {
        if (expirationSeconds != null && expirationSeconds < MIN_EXPIRATION_SECONDS) {
            throw new CsrRejectedException(CsrRejection.INVALID_EXPIRATION, "spec.expirationSeconds is "
                    + expirationSeconds + "; it may not be less than " + MIN_EXPIRATION_SECONDS + " seconds (10 minutes)");
        }
    }

    private static void checkSubject(ParsedCsr csr) throws CsrRejectedException {
        List<String> refused = csr.subjectAttributeTypes().stream().filter(t -> !SUBJECT_ATTRIBUTES.contains(t))
                .distinct().toList();
        if (!refused.isEmpty()) {
            throw new CsrRejectedException(CsrRejection.SUBJECT_ATTRIBUTE_NOT_ALLOWED, "the subject carries "
                    + String.join(", ", refused) + "; only " + String.join(", ", sorted(SUBJECT_ATTRIBUTES))
                    + " may be certified");
        }
        if (csr.organizations().contains(SYSTEM_MASTERS)) {
            throw new CsrRejectedException(CsrRejection.SYSTEM_MASTERS_FORBIDDEN,
                    "certificates for the system:masters group are never issued through CSRs");
        }
        String commonName = csr.commonName();
        if (commonName != null && commonName.startsWith(Recognizers.NODE_PREFIX)
                && Recognizers.nodeName(commonName) == null) {
            throw new CsrRejectedException(CsrRejection.INVALID_NODE_NAME, "\"" + CsrParser.escape(commonName)
                    + "\" does not name a Node: a node name is a DNS-1123 subdomain (lower-case letters, digits, "
                    + "'-' and '.') of at most 253 characters");
        }
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }
}
