package io.csrflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.IntStream;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * At least fifty malformed or hostile CSRs, each with what must happen to it: the API server's
 * refusal (the request never reaches csrflow), or the outcome and reason of the approver's
 * decision. A refusal is worded as kube-apiserver words it: {@code certificates.ParseCSR}, then Go's
 * {@code x509.ParseCertificateRequest} and {@code CheckSignature} (Go 1.24 or later). Each refused
 * case also names the reason csrflow's own verifier refuses it with, for an API server that admits
 * it (one built with an older Go admits RSA keys under 1024 bits; another implementation may check
 * less), so that the API's check is never the only one. Requests come from {@link #NODE} (a
 * registered Node, addresses {@link #NODE_IP} and its name, and the {@link #NODE_CLAIMS} a
 * compromised node might list) or from a bootstrap token; {@link #OTHER_NODE} is another registered
 * Node, at {@link #OTHER_NODE_IP} and {@link #SHARED_IP}.
 */
public final class HostileCsrs {
    public static final String NODE = "corpus-node";
    public static final String NODE_IP = "10.20.0.1";
    public static final String OTHER_NODE = "other-node";
    public static final String OTHER_NODE_IP = "10.20.0.2";
    /** Another address of {@link #OTHER_NODE}, which {@link #NODE} also lists, as a compromised node could. */
    public static final String SHARED_IP = "10.20.0.3";
    /**
     * What {@link #NODE} lists in its status besides its IP and name, as a node may (it writes its own
     * status): {@code TYPE=address}. Register the Node with them.
     */
    public static final List<String> NODE_CLAIMS = List.of("InternalDNS=kubernetes.default.svc",
            "InternalIP=127.0.0.1", "InternalIP=10.96.0.1", "InternalDNS=*.corpus-node", "InternalIP=" + SHARED_IP);
    /** An address {@link #NODE} adds to its status after it registered (add it past the settle time). */
    public static final String JUST_ADDED_IP = "10.20.0.99";
    public static final String CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    public static final String SERVING_SIGNER = "kubernetes.io/kubelet-serving";
    public static final List<String> CLIENT = List.of("digital signature", "client auth");
    public static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");

    /** Who creates the CSR. */
    public enum Caller { BOOTSTRAP, NODE }

    /** What must become of it: refused by the API, denied, or left to others (no opinion). */
    public enum Outcome { API_REFUSES, DENIED, NO_OPINION }

    /**
     * One case. {@code request} is the exact content of {@code spec.request}; {@code expected} is
     * the API's refusal message (a part of it, in Go's words) for {@link Outcome#API_REFUSES}, else
     * the reason. {@code csrflowReason}, for {@link Outcome#API_REFUSES} only, is the reason
     * ({@code CsrRejection}'s wire name) csrflow's verifier refuses it with should an API server
     * admit it.
     */
    public record Case(String id, Caller caller, String signer, List<String> usages, byte[] request,
            Outcome outcome, String expected, String csrflowReason) {
        public Case {
            if ((outcome == Outcome.API_REFUSES) != (csrflowReason != null)) {
                throw new IllegalArgumentException(id + ": a reason of csrflow's own goes with, and only with, "
                        + "a refusal by the API");
            }
        }

        /** A case the API admits: {@code expected} is csrflow's answer. */
        public Case(String id, Caller caller, String signer, List<String> usages, byte[] request, Outcome outcome,
                String expected) {
            this(id, caller, signer, usages, request, outcome, expected, null);
        }

        @Override
        public String toString() {
            return id;
        }

        /** The CSR's name: the id, lower case, as a Kubernetes name. */
        public String name() {
            return "hostile-" + id;
        }
    }

    private HostileCsrs() {
    }

    public static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        // First, so that it is judged within the settle time of the address it names (the API tests
        // add JUST_ADDED_IP to the Node just before they submit the corpus).
        cases.add(new Case("san-just-added", Caller.NODE, SERVING_SIGNER, SERVING, ascii(TestCsrs.kubelet(NODE)
                .ipAddresses(JUST_ADDED_IP).pem()), Outcome.NO_OPINION, "SANAddressTooNew"));
        String valid = TestCsrs.kubelet(NODE).pem();
        byte[] der = der(valid);

        // Refused by the API server before anyone sees them (it checks PEM, DER and signature).
        cases.add(refused("not-pem", "hello, I am a CSR".getBytes(StandardCharsets.US_ASCII), API_NOT_A_CSR,
                "RequestNotPEM"));
        cases.add(refused("nul-bytes", new byte[64], API_NOT_A_CSR, "RequestNotPEM"));
        cases.add(refused("certificate-block", valid.replace("CERTIFICATE REQUEST", "CERTIFICATE")
                .getBytes(StandardCharsets.US_ASCII), API_NOT_A_CSR, "RequestNotPEM"));
        cases.add(refused("truncated-der", pem(Arrays.copyOf(der, der.length - 20)),
                "asn1: syntax error: data truncated", "RequestMalformed"));
        // Its first octets read as a long-form length of more octets than Go's asn1 takes.
        cases.add(refused("random-der", pem(new BigInteger(4000, new java.util.Random(7)).toByteArray()),
                "asn1: structure error: length too large", "RequestMalformed"));
        // Well-formed DER, but a SEQUENCE where Go's asn1 expects the version INTEGER; csrflow refuses
        // it by its depth before any parser recurses into it.
        cases.add(refused("nested-100-deep", pem(nested(100)), "asn1: structure error: tags don't match",
                "RequestMalformed"));
        cases.add(refused("signed-by-another-key", ascii(TestCsrs.kubelet(NODE).signedByAnotherKey().pem()),
                API_ECDSA_SIGNATURE, "RequestSignatureInvalid"));
        byte[] flipped = der.clone();
        flipped[flipped.length - 3] ^= 0x01;
        cases.add(refused("signature-bit-flipped", pem(flipped), API_ECDSA_SIGNATURE, "RequestSignatureInvalid"));
        // pem.Decode finds no block where the base64 does not decode.
        cases.add(refused("broken-base64", ("-----BEGIN CERTIFICATE REQUEST-----\n!!!not base64!!!\n"
                + "-----END CERTIFICATE REQUEST-----\n").getBytes(StandardCharsets.US_ASCII), API_NOT_A_CSR,
                "RequestNotPEM"));

        // Keys and signatures no signer should accept. Go's parser refuses some of them; they stay,
        // each with the reason csrflow refuses it with, for an API server that admits them.
        cases.add(client("rsa-1024", TestCsrs.kubelet(NODE).rsa(1024), "WeakKey"));
        // crypto/rsa refuses keys under 1024 bits since Go 1.24 (unless GODEBUG=rsa1024min=0).
        cases.add(clientRefused("rsa-512", TestCsrs.kubelet(NODE).rsa(512), "crypto/rsa: 512-bit keys are insecure "
                + "(see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)", "WeakKey"));
        // Made once by openssl (a 16,384-bit key takes minutes to generate); refused from its encoding.
        cases.add(new Case("rsa-16384", Caller.BOOTSTRAP, CLIENT_SIGNER, CLIENT, resource("rsa-16384-corpus-node.csr"),
                Outcome.DENIED, "WeakKey"));
        cases.add(client("rsa-exponent-3", TestCsrs.kubelet(NODE).rsa(2048, BigInteger.valueOf(3)), "WeakKey"));
        cases.add(client("ec-p521", TestCsrs.kubelet(NODE).ec("secp521r1"), "WeakKey"));
        // Go's x509 reads P-224, P-256, P-384 and P-521 only.
        cases.add(clientRefused("ec-secp256k1", TestCsrs.kubelet(NODE).ec("secp256k1"), API_UNSUPPORTED_CURVE,
                "WeakKey"));
        cases.add(client("ec-p224", TestCsrs.kubelet(NODE).ec("secp224r1"), "WeakKey"));
        cases.add(clientRefused("ec-brainpool", TestCsrs.kubelet(NODE).ec("brainpoolP256r1"), API_UNSUPPORTED_CURVE,
                "UnsupportedKey"));
        // Go parses a DSA key but verifies no DSA signature.
        cases.add(clientRefused("dsa-key", TestCsrs.kubelet(NODE).dsa(1024), API_CANNOT_VERIFY, "UnsupportedKey"));
        cases.add(client("sha1-rsa", TestCsrs.kubelet(NODE).rsa(2048).signatureAlgorithm("SHA1withRSA"),
                "UnsupportedSignatureAlgorithm"));
        cases.add(client("sha1-ecdsa", TestCsrs.kubelet(NODE).signatureAlgorithm("SHA1withECDSA"),
                "UnsupportedSignatureAlgorithm"));
        // ecdsa-with-SHA224 is not among Go's signature algorithms.
        cases.add(clientRefused("sha224-ecdsa", TestCsrs.kubelet(NODE).signatureAlgorithm("SHA224withECDSA"),
                API_CANNOT_VERIFY, "UnsupportedSignatureAlgorithm"));

        // Size and structure.
        cases.add(client("over-64-kib", TestCsrs.kubelet(NODE).requestExtension(new Extension(
                new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1"), false, new byte[70_000])), "RequestTooLarge"));
        cases.add(serving("thousands-of-sans", TestCsrs.kubelet(NODE).dnsNames(
                IntStream.range(0, 3000).mapToObj(i -> "n" + i + ".example").toArray(String[]::new)), "TooManySANs"));
        cases.add(serving("101-sans", TestCsrs.kubelet(NODE).dnsNames(
                IntStream.range(0, 101).mapToObj(i -> NODE + "-" + i).toArray(String[]::new)), "TooManySANs"));
        cases.add(client("two-common-names", TestCsrs.kubelet(NODE).anotherCommonName("system:node:" + OTHER_NODE),
                "RequestMalformed"));
        cases.add(serving("two-extension-requests", TestCsrs.kubelet(NODE).dnsNames(NODE)
                .rawAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSequence(sanExtension(
                        new GeneralName(GeneralName.dNSName, "evil.example")))), "DuplicateExtension"));
        Extension san = sanExtension(new GeneralName(GeneralName.dNSName, NODE));
        cases.add(serving("san-extension-twice", TestCsrs.kubelet(NODE).rawAttribute(
                PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSequence(new ASN1Encodable[] {san,
                        sanExtension(new GeneralName(GeneralName.dNSName, "evil.example"))})), "DuplicateExtension"));
        // Go reads the requested SANs when it parses the CSR, and refuses the extension whole.
        cases.add(servingRefused("san-not-der", extensionRequest(new Extension(Extension.subjectAlternativeName,
                false, new byte[] {0x30, 0x7f, 0x01})), "x509: invalid subject alternative names", "InvalidSAN"));
        cases.add(servingRefused("ip-san-5-octets", extensionRequest(sanExtension(new GeneralName(
                GeneralName.iPAddress, new DEROctetString(new byte[] {10, 20, 0, 1, 9})))),
                "x509: cannot parse IP address of length 5", "InvalidSAN"));
        // Go checks only that a dNSName is IA5 (ASCII): control characters, NUL and the empty name pass
        // (Go 1.24.8 and 1.25.2 refused the empty name; the next releases relaxed that again).
        cases.add(serving("dns-san-control-character", TestCsrs.kubelet(NODE).dnsNames(NODE + "\u0007"), "InvalidSAN"));
        cases.add(serving("dns-san-newline", TestCsrs.kubelet(NODE).dnsNames(NODE + "\nevil.example"), "InvalidSAN"));
        cases.add(serving("dns-san-empty", TestCsrs.kubelet(NODE).dnsNames(""), "InvalidSAN"));
        cases.add(servingRefused("dns-san-non-ascii", TestCsrs.kubelet(NODE).dnsNames("cörpus-node"),
                "x509: SAN dNSName is malformed", "InvalidSAN"));
        cases.add(serving("dns-san-nul", TestCsrs.kubelet(NODE).dnsNames(NODE + "\u0000.evil.example"), "InvalidSAN"));

        // Asking to be a CA, or for the wrong uses.
        cases.add(serving("ca-true-serving", TestCsrs.kubelet(NODE).dnsNames(NODE).requestExtension(
                caTrue()), "CARequested"));
        cases.add(client("ca-true-client", TestCsrs.kubelet(NODE).requestExtension(caTrue()), "CARequested"));
        cases.add(new Case("serving-with-client-auth", Caller.NODE, SERVING_SIGNER,
                List.of("digital signature", "server auth", "client auth"), ascii(TestCsrs.kubelet(NODE)
                        .dnsNames(NODE).pem()), Outcome.DENIED, "InvalidServingRequest"));
        cases.add(new Case("serving-with-cert-sign", Caller.NODE, SERVING_SIGNER,
                List.of("digital signature", "server auth", "cert sign"), ascii(TestCsrs.kubelet(NODE)
                        .dnsNames(NODE).pem()), Outcome.DENIED, "InvalidServingRequest"));
        cases.add(new Case("client-with-server-auth", Caller.BOOTSTRAP, CLIENT_SIGNER,
                List.of("digital signature", "client auth", "server auth"), ascii(TestCsrs.kubelet(NODE).pem()),
                Outcome.NO_OPINION, "NotRecognized"));

        // Names: privilege, impersonation, other nodes, odd characters.
        cases.add(client("system-masters-client", TestCsrs.subject("system:node:" + NODE, "system:nodes",
                "system:masters"), "SystemMastersForbidden"));
        cases.add(serving("system-masters-serving", TestCsrs.subject("system:node:" + NODE, "system:nodes",
                "system:masters").dnsNames(NODE), "SystemMastersForbidden"));
        cases.add(client("system-masters-only", TestCsrs.subject("system:node:" + NODE, "system:masters"),
                "SystemMastersForbidden"));
        cases.add(new Case("renewal-for-another-node", Caller.NODE, CLIENT_SIGNER, CLIENT,
                ascii(TestCsrs.kubelet(OTHER_NODE).pem()), Outcome.NO_OPINION, "NotAuthorized"));
        cases.add(serving("serving-as-another-node", TestCsrs.kubelet(OTHER_NODE).dnsNames(OTHER_NODE),
                "InvalidServingRequest"));
        cases.add(serving("san-of-another-node", TestCsrs.kubelet(NODE).ipAddresses(OTHER_NODE_IP),
                "SANNotANodeAddress"));
        cases.add(serving("san-localhost", TestCsrs.kubelet(NODE).ipAddresses("127.0.0.1"), "SANReserved"));
        cases.add(serving("san-api-server-name", TestCsrs.kubelet(NODE).dnsNames("kubernetes.default.svc"),
                "SANReserved"));
        cases.add(serving("san-wildcard", TestCsrs.kubelet(NODE).dnsNames("*." + NODE), "SANReserved"));
        cases.add(serving("san-service-ip", TestCsrs.kubelet(NODE).ipAddresses("10.96.0.1"), "SANReserved"));
        cases.add(serving("san-ip-as-dns-name", TestCsrs.kubelet(NODE).dnsNames(NODE_IP), "SANReserved"));
        cases.add(serving("san-listed-by-another-node", TestCsrs.kubelet(NODE).ipAddresses(SHARED_IP),
                "SANOwnedByAnotherNode"));
        cases.add(serving("san-other-name", TestCsrs.kubelet(NODE).dnsNames(NODE).san(new GeneralName(
                GeneralName.otherName, new org.bouncycastle.asn1.x509.OtherName(new ASN1ObjectIdentifier(
                        "1.3.6.1.4.1.311.20.2.3"), new org.bouncycastle.asn1.DERUTF8String("admin@corp")))),
                "SANTypeNotAllowed"));
        cases.add(serving("san-directory-name", TestCsrs.kubelet(NODE).dnsNames(NODE).san(new GeneralName(
                new org.bouncycastle.asn1.x500.X500Name("CN=admin,O=system:masters"))), "SANTypeNotAllowed"));
        cases.add(client("subject-uid-attribute", TestCsrs.kubelet(NODE).rawSubjectAttribute(
                new ASN1ObjectIdentifier("1.3.6.1.4.1.57683.2"), new org.bouncycastle.asn1.DERUTF8String("0")),
                "SubjectAttributeNotAllowed"));
        cases.add(client("subject-organizational-unit", TestCsrs.kubelet(NODE).rawSubjectAttribute(BCStyle.OU,
                new org.bouncycastle.asn1.DERUTF8String("system:masters")), "SubjectAttributeNotAllowed"));
        cases.add(serving("san-email", TestCsrs.kubelet(NODE).dnsNames(NODE).emails("root@" + NODE),
                "InvalidServingRequest"));
        cases.add(serving("san-uri", TestCsrs.kubelet(NODE).dnsNames(NODE).uris("spiffe://cluster/" + NODE),
                "InvalidServingRequest"));
        cases.add(serving("no-san", TestCsrs.kubelet(NODE), "InvalidServingRequest"));
        cases.add(serving("no-organization", TestCsrs.subject("system:node:" + NODE).dnsNames(NODE),
                "InvalidServingRequest"));
        cases.add(new Case("serving-from-bootstrap", Caller.BOOTSTRAP, SERVING_SIGNER, SERVING,
                ascii(TestCsrs.kubelet(NODE).dnsNames(NODE).pem()), Outcome.DENIED, "InvalidServingRequest"));
        cases.add(client("cn-not-a-node", TestCsrs.subject("admin", "system:nodes"), "NotRecognized",
                Outcome.NO_OPINION));
        cases.add(client("cn-empty-node-name", TestCsrs.subject("system:node:", "system:nodes"), "InvalidNodeName"));
        cases.add(client("cn-control-character", TestCsrs.kubelet(NODE + "\u001b[31m"), "InvalidNodeName"));
        cases.add(client("cn-nul", TestCsrs.kubelet(NODE + "\u0000" + OTHER_NODE), "InvalidNodeName"));
        cases.add(client("cn-right-to-left-override", TestCsrs.kubelet("edon\u202e-supro"), "InvalidNodeName"));
        cases.add(client("cn-10000-characters", TestCsrs.kubelet("n".repeat(10_000)), "InvalidNodeName"));
        cases.add(client("cn-not-utf-8", TestCsrs.subject(null, "system:nodes").rawSubjectAttribute(BCStyle.CN,
                notUtf8("system:node:" + NODE)), "RequestMalformed"));
        cases.add(client("client-with-a-san", TestCsrs.kubelet(NODE).dnsNames(NODE), "NotRecognized",
                Outcome.NO_OPINION));
        return cases;
    }

    private static final String ENCODING = "DER";
    // kube-apiserver's answers shared by several cases: certificates.ParseCSR's own, then crypto/x509's.
    private static final String API_NOT_A_CSR = "PEM block type must be CERTIFICATE REQUEST";
    private static final String API_CANNOT_VERIFY = "x509: cannot verify signature: algorithm unimplemented";
    private static final String API_UNSUPPORTED_CURVE = "x509: unsupported elliptic curve";
    private static final String API_ECDSA_SIGNATURE = "x509: ECDSA verification failure";

    /** A real CSR with a 16,384-bit RSA key, subject O=system:nodes, CN=system:node:corpus-node, made by openssl. */
    public static String rsa16384Pem() {
        return new String(resource("rsa-16384-corpus-node.csr"), StandardCharsets.US_ASCII);
    }

    private static byte[] resource(String name) {
        try (var in = HostileCsrs.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("test resource " + name + " is missing", e);
        }
    }

    private static Case refused(String id, byte[] request, String apiSays, String csrflowReason) {
        return new Case(id, Caller.BOOTSTRAP, CLIENT_SIGNER, CLIENT, request, Outcome.API_REFUSES, apiSays,
                csrflowReason);
    }

    private static Case clientRefused(String id, TestCsrs csr, String apiSays, String csrflowReason) {
        return refused(id, ascii(csr.pem()), apiSays, csrflowReason);
    }

    private static Case servingRefused(String id, TestCsrs csr, String apiSays, String csrflowReason) {
        return new Case(id, Caller.NODE, SERVING_SIGNER, SERVING, ascii(csr.pem()), Outcome.API_REFUSES, apiSays,
                csrflowReason);
    }

    private static Case client(String id, TestCsrs csr, String reason) {
        return client(id, csr, reason, Outcome.DENIED);
    }

    private static Case client(String id, TestCsrs csr, String reason, Outcome outcome) {
        return new Case(id, Caller.BOOTSTRAP, CLIENT_SIGNER, CLIENT, ascii(csr.pem()), outcome, reason);
    }

    private static Case serving(String id, TestCsrs csr, String reason) {
        return new Case(id, Caller.NODE, SERVING_SIGNER, SERVING, ascii(csr.pem()), Outcome.DENIED, reason);
    }

    private static TestCsrs extensionRequest(Extension extension) {
        return TestCsrs.kubelet(NODE).rawAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
                new DERSequence(extension));
    }

    private static Extension sanExtension(GeneralName... names) {
        try {
            return new Extension(Extension.subjectAlternativeName, false, new GeneralNames(names).getEncoded(ENCODING));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Extension caTrue() {
        try {
            return new Extension(Extension.basicConstraints, true, new BasicConstraints(true).getEncoded(ENCODING));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UTF8String whose content bytes are Latin-1 with an invalid UTF-8 sequence in it. */
    private static ASN1Encodable notUtf8(String text) {
        byte[] content = (text + "\u00ff\u00fe").getBytes(StandardCharsets.ISO_8859_1);
        byte[] encoded = new byte[content.length + 2];
        encoded[0] = 0x0c;
        encoded[1] = (byte) content.length;
        System.arraycopy(content, 0, encoded, 2, content.length);
        try {
            return ASN1Primitive.fromByteArray(encoded);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] der(String pem) {
        return Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    }

    private static byte[] pem(byte[] der) {
        return ("-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** SEQUENCE { SEQUENCE { ... } } nested {@code depth} times, in DER (long-form lengths past 127). */
    public static byte[] nested(int depth) {
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) {
            byte[] length = derLength(inner.length);
            byte[] outer = new byte[1 + length.length + inner.length];
            outer[0] = 0x30;
            System.arraycopy(length, 0, outer, 1, length.length);
            System.arraycopy(inner, 0, outer, 1 + length.length, inner.length);
            inner = outer;
        }
        return inner;
    }

    private static byte[] derLength(int length) {
        if (length < 0x80) {
            return new byte[] {(byte) length};
        }
        byte[] octets = BigInteger.valueOf(length).toByteArray();
        int skip = octets[0] == 0 ? 1 : 0;
        byte[] encoded = new byte[1 + octets.length - skip];
        encoded[0] = (byte) (0x80 | (octets.length - skip));
        System.arraycopy(octets, skip, encoded, 1, octets.length - skip);
        return encoded;
    }
}
