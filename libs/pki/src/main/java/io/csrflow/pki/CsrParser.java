package io.csrflow.pki;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Parses {@code spec.request} within {@link CsrLimits} and checks proof of possession. All crypto
 * goes through one configurable JCA provider (Bouncy Castle by default). The signature is checked
 * with one plain {@link Signature}: Bouncy Castle's content-verifier path verifies twice.
 */
public final class CsrParser {
    private static final Map<ASN1ObjectIdentifier, String> SIGNATURE_ALGORITHMS = Map.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, "SHA256withRSA",
            PKCSObjectIdentifiers.sha384WithRSAEncryption, "SHA384withRSA",
            PKCSObjectIdentifiers.sha512WithRSAEncryption, "SHA512withRSA",
            X9ObjectIdentifiers.ecdsa_with_SHA256, "SHA256withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA384, "SHA384withECDSA",
            X9ObjectIdentifiers.ecdsa_with_SHA512, "SHA512withECDSA",
            EdECObjectIdentifiers.id_Ed25519, "Ed25519");

    private static final int MAX_DNS_NAME = 253;
    private static final Map<Integer, String> OTHER_SAN_TYPES = Map.of(
            GeneralName.otherName, "otherName",
            GeneralName.x400Address, "x400Address",
            GeneralName.directoryName, "directoryName",
            GeneralName.ediPartyName, "ediPartyName",
            GeneralName.registeredID, "registeredID");

    private final CsrLimits limits;
    private final KeyPolicy keys;
    private final Provider provider;

    /**
     * @param keys checked on the SubjectPublicKeyInfo before any key object is built, so that a
     *        16,384-bit RSA modulus costs a size comparison, not a primality test in a KeyFactory
     */
    public CsrParser(CsrLimits limits, KeyPolicy keys, Provider provider) {
        this.limits = limits;
        this.keys = keys;
        this.provider = provider;
    }

    /** The limits and key policy, as a policy fingerprint includes them. */
    @Override
    public String toString() {
        return "CsrParser[limits=" + limits + ", keys=" + keys + "]";
    }

    /** Default limits and key policy, Bouncy Castle. */
    public static CsrParser defaults() {
        return new CsrParser(CsrLimits.defaults(), KeyPolicy.defaults(), new BouncyCastleProvider());
    }

    /**
     * The request, parsed within the limits, or the specific reason it is refused. Hostile input
     * that trips the ASN.1 library in a way no check above foresaw is refused as malformed too:
     * whatever a CSR holds, the caller gets a rejection, never an exception of another kind.
     */
    public ParsedCsr parse(String pem) throws CsrRejectedException {
        try {
            return parseWithinLimits(pem);
        } catch (RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.MALFORMED, "the CSR cannot be read: " + e);
        }
    }

    private ParsedCsr parseWithinLimits(String pem) throws CsrRejectedException {
        if (pem == null || pem.isBlank()) {
            throw new CsrRejectedException(CsrRejection.NOT_PEM, CsrRejectedException.NOT_PEM);
        }
        int size = pem.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxPemBytes()) {
            throw new CsrRejectedException(CsrRejection.TOO_LARGE,
                    "spec.request is " + size + " bytes; at most " + limits.maxPemBytes() + " are accepted");
        }
        byte[] der = readSinglePemBlock(pem);
        if (!DerDepth.within(der, limits.maxAsn1Depth())) {
            throw new CsrRejectedException(CsrRejection.MALFORMED,
                    "the CSR is not well-formed DER, or " + CsrRejectedException.TOO_DEEP);
        }
        PKCS10CertificationRequest request;
        try {
            request = new PKCS10CertificationRequest(der);
        } catch (IOException | RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.MALFORMED, "the CSR does not parse as PKCS#10: "
                    + e.getMessage());
        }
        // Cheapest first: the algorithm names and the key's size come from the encoding alone; the
        // subject and SANs are bounded by the size limit; only then is a key object built.
        SubjectPublicKeyInfo spki = request.getSubjectPublicKeyInfo();
        KeyDescription key = PublicKeyInfo.describe(spki);
        keys.check(key);
        String signatureAlgorithm = signatureAlgorithm(request.getSignatureAlgorithm());
        X500Name subject = request.getSubject();
        List<String> commonNames = values(subject, BCStyle.CN);
        if (commonNames.size() > 1) {
            throw new CsrRejectedException(CsrRejection.MALFORMED, "the subject has " + commonNames.size()
                    + " common names; at most one is accepted");
        }
        List<String> organizations = values(subject, BCStyle.O);
        Extensions extensions = requestedExtensions(request);
        refuseCaRequest(extensions);
        List<String> extensionOids = new ArrayList<>();
        if (extensions != null) {
            for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
                extensionOids.add(oid.getId());
            }
        }
        SubjectAltNames sans = sans(extensions);
        PublicKey publicKey = publicKey(spki, key);
        return new ParsedCsr(request, subject, commonNames.isEmpty() ? null : commonNames.get(0), organizations,
                attributeTypes(subject), publicKey, key, sans, extensionOids, signatureAlgorithm);
    }

    /** Every attribute type of the subject, by its short name where it has one ({@code CN}, {@code OU}), else its OID. */
    private static List<String> attributeTypes(X500Name subject) {
        List<String> types = new ArrayList<>();
        for (RDN rdn : subject.getRDNs()) {
            for (var atv : rdn.getTypesAndValues()) {
                String name = BCStyle.INSTANCE.oidToDisplayName(atv.getType());
                types.add(name != null ? name : atv.getType().getId());
            }
        }
        return types;
    }

    /**
     * No kubelet or client asks to be a CA. The signer would issue CA:false whatever is asked, but a
     * request that asks for CA:true is hostile or broken, and is refused by name instead of granted
     * something else than it asked for.
     */
    private static void refuseCaRequest(Extensions extensions) throws CsrRejectedException {
        Extension requested = extensions == null ? null : extensions.getExtension(Extension.basicConstraints);
        if (requested == null) {
            return;
        }
        BasicConstraints constraints;
        try {
            constraints = BasicConstraints.getInstance(requested.getParsedValue());
        } catch (RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.MALFORMED, "the requested BasicConstraints do not parse: "
                    + e.getMessage());
        }
        if (constraints.isCA()) {
            throw new CsrRejectedException(CsrRejection.CA_REQUESTED,
                    "the CSR requests BasicConstraints CA:true; only end-entity certificates are issued");
        }
    }

    /** Proof of possession: the request is signed by the private key of the public key it carries. */
    public void verifySignature(ParsedCsr csr) throws CsrRejectedException {
        try {
            Signature signature = Signature.getInstance(csr.signatureAlgorithm(), provider);
            signature.initVerify(csr.publicKey());
            signature.update(csr.request().toASN1Structure().getCertificationRequestInfo()
                    .getEncoded(ASN1Encoding.DER));
            if (!signature.verify(csr.request().getSignature())) {
                throw new CsrRejectedException(CsrRejection.BAD_SIGNATURE, CsrRejectedException.BAD_SIGNATURE);
            }
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.BAD_SIGNATURE, CsrRejectedException.BAD_SIGNATURE
                    + ": " + e.getMessage());
        }
    }

    /** Parse and verify in one step. */
    public ParsedCsr parseAndVerify(String pem) throws CsrRejectedException {
        ParsedCsr csr = parse(pem);
        verifySignature(csr);
        return csr;
    }

    private static byte[] readSinglePemBlock(String pem) throws CsrRejectedException {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject block = reader.readPemObject();
            if (block == null || !"CERTIFICATE REQUEST".equals(block.getType())) {
                throw new CsrRejectedException(CsrRejection.NOT_PEM, CsrRejectedException.NOT_PEM);
            }
            if (reader.readPemObject() != null) {
                throw new CsrRejectedException(CsrRejection.NOT_PEM, CsrRejectedException.TRAILING_DATA);
            }
            return block.getContent();
        } catch (IOException | RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.NOT_PEM, CsrRejectedException.NOT_PEM + ": " + e.getMessage());
        }
    }

    /** The string values of one subject attribute; one that does not decode (UTF-8 that is not) is malformed. */
    private static List<String> values(X500Name name, ASN1ObjectIdentifier type) throws CsrRejectedException {
        List<String> values = new ArrayList<>();
        for (RDN rdn : name.getRDNs(type)) {
            for (var atv : rdn.getTypesAndValues()) {
                if (atv.getType().equals(type)) {
                    try {
                        values.add(atv.getValue() instanceof ASN1String text ? text.getString()
                                : IETFUtils.valueToString(atv.getValue()));
                    } catch (RuntimeException e) {
                        throw new CsrRejectedException(CsrRejection.MALFORMED, "the subject's "
                                + BCStyle.INSTANCE.oidToDisplayName(type) + " is not a valid string: " + e.getMessage());
                    }
                }
            }
        }
        return values;
    }

    private PublicKey publicKey(SubjectPublicKeyInfo spki, KeyDescription key) throws CsrRejectedException {
        ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
        String name;
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            name = "RSA";
        } else if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            name = "EC";
        } else if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) {
            name = "Ed25519";
        } else {
            throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY,
                    "public key algorithm " + algorithm.getId() + " is not supported");
        }
        try {
            return KeyFactory.getInstance(name, provider).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            // Name the curve: a native provider's own message (an OpenSSL error code) says little.
            String what = name.equals("EC") ? "EC public key on curve " + key.curve() : name + " public key";
            throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, "the " + what + " cannot be read: "
                    + e.getMessage());
        }
    }

    private static Extensions requestedExtensions(PKCS10CertificationRequest request) throws CsrRejectedException {
        Attribute[] attributes = request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest);
        if (attributes.length == 0) {
            return null;
        }
        if (attributes.length > 1 || attributes[0].getAttrValues().size() != 1) {
            throw new CsrRejectedException(CsrRejection.DUPLICATE_EXTENSION,
                    "the CSR carries more than one extension request");
        }
        try {
            return Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
        } catch (IllegalArgumentException e) {
            throw new CsrRejectedException(CsrRejection.DUPLICATE_EXTENSION,
                    "the CSR's extension request is invalid: " + e.getMessage());
        }
    }

    private SubjectAltNames sans(Extensions extensions) throws CsrRejectedException {
        if (extensions == null || extensions.getExtension(Extension.subjectAlternativeName) == null) {
            return SubjectAltNames.NONE;
        }
        GeneralNames names;
        try {
            DEROctetString value = (DEROctetString) extensions.getExtension(Extension.subjectAlternativeName)
                    .getExtnValue();
            if (!DerDepth.within(value.getOctets(), limits.maxAsn1Depth())) {
                throw new CsrRejectedException(CsrRejection.INVALID_SAN, "the SAN extension is not well-formed DER");
            }
            names = GeneralNames.getInstance(value.getOctets());
        } catch (RuntimeException e) {
            throw new CsrRejectedException(CsrRejection.INVALID_SAN, "the SAN extension does not parse: "
                    + e.getMessage());
        }
        GeneralName[] all = names.getNames();
        if (all.length > limits.maxSans()) {
            throw new CsrRejectedException(CsrRejection.TOO_MANY_SANS,
                    "the CSR requests " + all.length + " SANs; at most " + limits.maxSans() + " are accepted");
        }
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        List<String> emails = new ArrayList<>();
        List<String> uris = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (GeneralName name : all) {
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> dns.add(dnsName(name));
                case GeneralName.iPAddress -> ips.add(ipAddress(name));
                case GeneralName.rfc822Name -> emails.add(printable(name, "email address"));
                case GeneralName.uniformResourceIdentifier -> uris.add(printable(name, "URI"));
                default -> others.add(OTHER_SAN_TYPES.getOrDefault(name.getTagNo(), "tag " + name.getTagNo()));
            }
        }
        return new SubjectAltNames(dns, ips, emails, uris, others);
    }

    /** At most 253 characters, as a DNS name can be: checked here so that no pattern ever runs on more. */
    private static String dnsName(GeneralName name) throws CsrRejectedException {
        String value = printable(name, "DNS name");
        if (value.length() > MAX_DNS_NAME) {
            throw new CsrRejectedException(CsrRejection.INVALID_SAN, "DNS name SAN of " + value.length()
                    + " characters; a DNS name has at most " + MAX_DNS_NAME);
        }
        return value;
    }

    private static String printable(GeneralName name, String kind) throws CsrRejectedException {
        String value = ((ASN1String) name.getName()).getString();
        if (value.isEmpty() || value.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new CsrRejectedException(CsrRejection.INVALID_SAN, kind + " SAN \"" + escape(value)
                    + "\" is empty or has characters outside printable ASCII");
        }
        return value;
    }

    private static String ipAddress(GeneralName name) throws CsrRejectedException {
        byte[] octets = DEROctetString.getInstance(name.getName()).getOctets();
        if (octets.length != 4 && octets.length != 16) {
            throw new CsrRejectedException(CsrRejection.INVALID_SAN,
                    "IP address SAN has " + octets.length + " octets; 4 or 16 are valid");
        }
        try {
            return InetAddress.getByAddress(octets).getHostAddress();
        } catch (UnknownHostException e) {
            throw new CsrRejectedException(CsrRejection.INVALID_SAN, "IP address SAN is invalid");
        }
    }

    /** Names in messages never carry control characters into logs or conditions. */
    public static String escape(String value) {
        StringBuilder b = new StringBuilder();
        value.codePoints().limit(256).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    private static String signatureAlgorithm(AlgorithmIdentifier id) throws CsrRejectedException {
        String name = SIGNATURE_ALGORITHMS.get(id.getAlgorithm());
        if (name == null) {
            throw new CsrRejectedException(CsrRejection.UNSUPPORTED_SIGNATURE_ALGORITHM,
                    "signature algorithm " + id.getAlgorithm().getId()
                            + " is not accepted (SHA-256/384/512 with RSA or ECDSA, or Ed25519)");
        }
        return name;
    }
}
