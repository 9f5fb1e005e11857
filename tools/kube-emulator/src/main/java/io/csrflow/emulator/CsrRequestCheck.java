package io.csrflow.emulator;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * What the API server's Go code says about {@code spec.request} and {@code status.certificate}.
 * {@code spec.request} goes through {@code certificates.ParseCSR} ({@code pem.Decode}, then
 * {@code x509.ParseCertificateRequest}) and {@code CheckSignature}, so the rules and the words are
 * Go's: the public-key parser's refusals, the requested-SAN checks (a dNSName, rfc822Name or URI
 * that is not IA5, an iPAddress of a length other than 4 or 16), SHA-1 allowed and MD5 refused for
 * CSR signatures, and {@code crypto/rsa}'s refusals at verification (since Go 1.24, keys under
 * 1024 bits; exponents that are even, below 2 or above 2^31-1; even moduli). Each method returns
 * null when the content is acceptable, or Go's error text.
 */
final class CsrRequestCheck {
    static final String NOT_A_CSR_PEM = "PEM block type must be CERTIFICATE REQUEST";
    static final String UNSUPPORTED_ALGORITHM = "x509: cannot verify signature: algorithm unimplemented";

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final ASN1ObjectIdentifier RSA = PKCSObjectIdentifiers.rsaEncryption;
    private static final ASN1ObjectIdentifier EC = new ASN1ObjectIdentifier("1.2.840.10045.2.1");
    private static final ASN1ObjectIdentifier ED25519 = new ASN1ObjectIdentifier("1.3.101.112");
    private static final ASN1ObjectIdentifier DSA = new ASN1ObjectIdentifier("1.2.840.10040.4.1");
    private static final ASN1ObjectIdentifier RSA_PSS = PKCSObjectIdentifiers.id_RSASSA_PSS;
    private static final ASN1ObjectIdentifier SUBJECT_ALT_NAME = Extension.subjectAlternativeName;
    /** The curves Go's x509 parses: P-224, P-256, P-384, P-521. */
    private static final Map<String, String> CURVES = Map.of("1.3.132.0.33", "P-224", "1.2.840.10045.3.1.7",
            "P-256", "1.3.132.0.34", "P-384", "1.3.132.0.35", "P-521");

    /** A row of Go's {@code signatureAlgorithmDetails}; {@code jca} is null where Go cannot verify. */
    private record SignatureAlgorithm(String name, String publicKeyAlgorithm, String hash, String jca) {
    }

    private static final Map<String, SignatureAlgorithm> SIGNATURE_ALGORITHMS = Map.ofEntries(
            Map.entry("1.2.840.113549.1.1.2", new SignatureAlgorithm("MD2-RSA", "RSA", null, null)),
            Map.entry("1.2.840.113549.1.1.4", new SignatureAlgorithm("MD5-RSA", "RSA", "MD5", null)),
            Map.entry("1.2.840.113549.1.1.5", new SignatureAlgorithm("SHA1-RSA", "RSA", "SHA-1", "SHA1withRSA")),
            Map.entry("1.2.840.113549.1.1.11", new SignatureAlgorithm("SHA256-RSA", "RSA", "SHA-256",
                    "SHA256withRSA")),
            Map.entry("1.2.840.113549.1.1.12", new SignatureAlgorithm("SHA384-RSA", "RSA", "SHA-384",
                    "SHA384withRSA")),
            Map.entry("1.2.840.113549.1.1.13", new SignatureAlgorithm("SHA512-RSA", "RSA", "SHA-512",
                    "SHA512withRSA")),
            Map.entry("1.2.840.10040.4.3", new SignatureAlgorithm("DSA-SHA1", "DSA", "SHA-1", null)),
            Map.entry("2.16.840.1.101.3.4.3.2", new SignatureAlgorithm("DSA-SHA256", "DSA", "SHA-256", null)),
            Map.entry("1.2.840.10045.4.1", new SignatureAlgorithm("ECDSA-SHA1", "ECDSA", "SHA-1", "SHA1withECDSA")),
            Map.entry("1.2.840.10045.4.3.2", new SignatureAlgorithm("ECDSA-SHA256", "ECDSA", "SHA-256",
                    "SHA256withECDSA")),
            Map.entry("1.2.840.10045.4.3.3", new SignatureAlgorithm("ECDSA-SHA384", "ECDSA", "SHA-384",
                    "SHA384withECDSA")),
            Map.entry("1.2.840.10045.4.3.4", new SignatureAlgorithm("ECDSA-SHA512", "ECDSA", "SHA-512",
                    "SHA512withECDSA")),
            Map.entry("1.3.101.112", new SignatureAlgorithm("Ed25519", "Ed25519", null, "Ed25519")));

    /** A public key as Go's parser leaves it: its algorithm, and for RSA the numbers crypto/rsa checks. */
    private record ParsedKey(String algorithm, BigInteger modulus, long exponent, PublicKey jca) {
    }

    private static final class GoError extends Exception {
        GoError(String message) {
            super(message);
        }
    }

    private CsrRequestCheck() {
    }

    /** {@code ParseCSR} then {@code CheckSignature} on the bytes of {@code spec.request}. */
    static String requestProblem(byte[] request) {
        GoEncoding.PemBlock block = GoEncoding.pemDecode(request == null ? new byte[0] : request).block();
        if (block == null || !block.type().equals("CERTIFICATE REQUEST")) {
            return NOT_A_CSR_PEM;
        }
        try {
            checkRequest(block.bytes());
            return null;
        } catch (GoError e) {
            return e.getMessage();
        }
    }

    /**
     * Kubernetes' {@code validateCertificate}: every PEM block a CERTIFICATE without headers whose
     * bytes parse as one or more certificates, and at least one block.
     */
    static String certificateProblem(byte[] pem) {
        byte[] rest = pem;
        int blocks = 0;
        while (true) {
            GoEncoding.PemResult decoded = GoEncoding.pemDecode(rest);
            GoEncoding.PemBlock block = decoded.block();
            if (block == null) {
                break;
            }
            if (!block.type().equals("CERTIFICATE")) {
                return "only CERTIFICATE PEM blocks are allowed, found " + FieldError.quote(block.type());
            }
            if (!block.headers().isEmpty()) {
                return "no PEM block headers are permitted";
            }
            blocks++;
            if (block.bytes().length == 0) {
                return "found CERTIFICATE PEM block containing 0 certificates";
            }
            // x509.ParseCertificates: one certificate after another, nothing else.
            Der certificates = new Der(block.bytes());
            while (certificates.more()) {
                Der.Element certificate = certificates.next();
                try {
                    if (certificate == null || certificate.tag() != 0x30) {
                        throw new CertificateException("not a SEQUENCE");
                    }
                    CertificateFactory.getInstance("X.509")
                            .generateCertificate(new ByteArrayInputStream(certificate.encoded()));
                } catch (CertificateException | RuntimeException e) {
                    // Go names the first structure it could not read; "malformed certificate" is the outermost.
                    return "x509: malformed certificate";
                }
            }
            rest = decoded.rest();
        }
        return blocks == 0 ? "must contain at least one CERTIFICATE PEM block" : null;
    }

    private static void checkRequest(byte[] der) throws GoError {
        checkOuterElement(der);
        CertificationRequest csr;
        try {
            csr = CertificationRequest.getInstance(ASN1Primitive.fromByteArray(der));
            csr.getCertificationRequestInfo().getSubject();
        } catch (IOException | RuntimeException e) {
            // Go names the inner element it could not read, and how; this is its most common wording.
            throw new GoError("asn1: structure error: tags don't match");
        }
        SubjectPublicKeyInfo spki = csr.getCertificationRequestInfo().getSubjectPublicKeyInfo();
        ParsedKey key = parsePublicKey(spki);
        checkRequestedNames(csr);
        checkSignature(csr, key, der);
    }

    /**
     * What {@code asn1.Unmarshal} says of the outermost element before it looks inside: Go's
     * {@code parseTagAndLength} (DER lengths only), {@code data truncated}, a tag other than
     * SEQUENCE, and, from {@code ParseCertificateRequest}, bytes after the element.
     */
    private static void checkOuterElement(byte[] der) throws GoError {
        if (der.length == 0) {
            throw new GoError("asn1: syntax error: sequence truncated");
        }
        int offset = 0;
        int identifier = der[offset++] & 0xff;
        int tagClass = identifier >> 6;
        boolean compound = (identifier & 0x20) != 0;
        long tag = identifier & 0x1f;
        if (tag == 0x1f) {
            tag = 0;
            int read = 0;
            while (true) {
                if (offset >= der.length || read == 4) {
                    throw new GoError(offset >= der.length ? "asn1: syntax error: truncated base 128 integer"
                            : "asn1: structure error: base 128 integer too large");
                }
                int b = der[offset++] & 0xff;
                tag = tag << 7 | (b & 0x7f);
                read++;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            if (tag < 0x1f) {
                throw new GoError("asn1: syntax error: non-minimal tag");
            }
        }
        if (offset >= der.length) {
            throw new GoError("asn1: syntax error: truncated tag or length");
        }
        int first = der[offset++] & 0xff;
        long length;
        if ((first & 0x80) == 0) {
            length = first;
        } else {
            int count = first & 0x7f;
            if (count == 0) {
                throw new GoError("asn1: syntax error: indefinite length found (not DER)");
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                if (offset >= der.length) {
                    throw new GoError("asn1: syntax error: truncated tag or length");
                }
                int b = der[offset++] & 0xff;
                if (length >= 1 << 23) {
                    throw new GoError("asn1: structure error: length too large");
                }
                length = length << 8 | b;
                if (length == 0) {
                    throw new GoError("asn1: structure error: superfluous leading zeros in length");
                }
            }
            if (length < 0x80) {
                throw new GoError("asn1: structure error: non-minimal length");
            }
        }
        if (offset + length > der.length) {
            throw new GoError("asn1: syntax error: data truncated");
        }
        if (tagClass != 0 || tag != 16 || !compound) {
            throw new GoError("asn1: structure error: tags don't match (16 vs {class:" + tagClass + " tag:" + tag
                    + " length:" + length + " isCompound:" + compound + "}) {optional:false explicit:false "
                    + "application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false "
                    + "omitEmpty:false} certificateRequest @" + offset);
        }
        if (offset + length < der.length) {
            throw new GoError("asn1: syntax error: trailing data");
        }
    }

    /** Go's {@code parsePublicKey}; a key of an algorithm Go does not know is not parsed (null). */
    private static ParsedKey parsePublicKey(SubjectPublicKeyInfo spki) throws GoError {
        AlgorithmIdentifier algorithm = spki.getAlgorithm();
        ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        ASN1Encodable parameters = algorithm.getParameters();
        byte[] data = spki.getPublicKeyData().getOctets();
        if (oid.equals(RSA)) {
            if (!(parameters instanceof ASN1Primitive p) || !p.equals(DERNull.INSTANCE)) {
                throw new GoError("x509: RSA key missing NULL parameters");
            }
            BigInteger modulus;
            BigInteger exponent;
            try {
                ASN1Sequence key = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(data));
                modulus = ASN1Integer.getInstance(key.getObjectAt(0)).getValue();
                exponent = ASN1Integer.getInstance(key.getObjectAt(1)).getValue();
            } catch (IOException | RuntimeException e) {
                throw new GoError("x509: invalid RSA public key");
            }
            if (exponent.bitLength() > 63) {
                throw new GoError("x509: invalid RSA public exponent");
            }
            if (modulus.signum() <= 0) {
                throw new GoError("x509: RSA modulus is not a positive number");
            }
            if (exponent.signum() <= 0) {
                throw new GoError("x509: RSA public exponent is not a positive number");
            }
            return new ParsedKey("RSA", modulus, exponent.longValueExact(), null);
        }
        if (oid.equals(EC)) {
            if (!(parameters instanceof ASN1ObjectIdentifier curve)) {
                throw new GoError("x509: invalid ECDSA parameters");
            }
            if (!CURVES.containsKey(curve.getId())) {
                throw new GoError("x509: unsupported elliptic curve");
            }
            return new ParsedKey("ECDSA", null, 0, jcaKey(spki, "EC", "x509: failed to unmarshal elliptic curve point"));
        }
        if (oid.equals(ED25519)) {
            if (parameters != null) {
                throw new GoError("x509: Ed25519 key encoded with illegal parameters");
            }
            if (data.length != 32) {
                throw new GoError("x509: wrong Ed25519 public key size");
            }
            return new ParsedKey("Ed25519", null, 0, jcaKey(spki, "Ed25519", "x509: wrong Ed25519 public key size"));
        }
        if (oid.equals(DSA)) {
            return new ParsedKey("DSA", null, 0, null);
        }
        return null;
    }

    private static PublicKey jcaKey(SubjectPublicKeyInfo spki, String algorithm, String failure) throws GoError {
        try {
            return KeyFactory.getInstance(algorithm, BC).generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new GoError(failure);
        }
    }

    /** The requested subjectAltName extension, as {@code parseSANExtension} reads it. */
    private static void checkRequestedNames(CertificationRequest csr) throws GoError {
        ASN1Set attributes = csr.getCertificationRequestInfo().getAttributes();
        if (attributes == null) {
            return;
        }
        for (ASN1Encodable element : attributes) {
            Attribute attribute;
            try {
                attribute = Attribute.getInstance(element);
            } catch (RuntimeException e) {
                continue; // Go skips attributes it cannot read
            }
            if (!attribute.getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)
                    || attribute.getAttrValues().size() == 0) {
                continue;
            }
            // One by one: Go reads a repeated extension (each subjectAltName in turn), where
            // Bouncy Castle's Extensions would refuse the whole list.
            List<Extension> extensions = new ArrayList<>();
            try {
                for (ASN1Encodable extension : ASN1Sequence.getInstance(attribute.getAttrValues().getObjectAt(0))) {
                    extensions.add(Extension.getInstance(extension));
                }
            } catch (RuntimeException e) {
                throw new GoError("asn1: structure error: tags don't match");
            }
            for (Extension extension : extensions) {
                if (extension.getExtnId().equals(SUBJECT_ALT_NAME)) {
                    checkAltNames(extension.getExtnValue().getOctets());
                }
            }
        }
    }

    private static void checkAltNames(byte[] value) throws GoError {
        Der outer = new Der(value);
        Der.Element sequence = outer.next();
        if (sequence == null || sequence.tag() != 0x30) {
            throw new GoError("x509: invalid subject alternative names");
        }
        Der names = new Der(sequence.content());
        while (names.more()) {
            Der.Element name = names.next();
            if (name == null) {
                throw new GoError("x509: invalid subject alternative name");
            }
            byte[] data = name.content();
            switch (name.tag() ^ 0x80) {
                case 1 -> requireIa5(data, "x509: SAN rfc822Name is malformed");
                case 2 -> requireIa5(data, "x509: SAN dNSName is malformed");
                case 6 -> requireIa5(data, "x509: SAN uniformResourceIdentifier is malformed");
                case 7 -> {
                    if (data.length != 4 && data.length != 16) {
                        throw new GoError("x509: cannot parse IP address of length " + data.length);
                    }
                }
                default -> {
                    // other name forms are not read
                }
            }
        }
    }

    /** Go's {@code isIA5String} on the bytes as a Go string: any byte above 127 fails. */
    private static void requireIa5(byte[] data, String failure) throws GoError {
        for (byte b : data) {
            if ((b & 0xff) > 127) {
                throw new GoError(failure);
            }
        }
    }

    /** Go's {@code checkSignature} with SHA-1 allowed, as for CSRs. */
    private static void checkSignature(CertificationRequest csr, ParsedKey key, byte[] der) throws GoError {
        SignatureAlgorithm algorithm = signatureAlgorithm(csr.getSignatureAlgorithm());
        if (algorithm == null || algorithm.hash() == null && !algorithm.publicKeyAlgorithm().equals("Ed25519")) {
            throw new GoError(UNSUPPORTED_ALGORITHM);
        }
        if ("MD5".equals(algorithm.hash())) {
            throw new GoError("x509: cannot verify signature: insecure algorithm " + algorithm.name());
        }
        if (key == null || key.algorithm().equals("DSA")) {
            throw new GoError(UNSUPPORTED_ALGORITHM);
        }
        if (!key.algorithm().equals(algorithm.publicKeyAlgorithm())) {
            throw new GoError("x509: signature algorithm specifies an " + algorithm.publicKeyAlgorithm()
                    + " public key, but have public key of type " + switch (key.algorithm()) {
                        case "RSA" -> "*rsa.PublicKey";
                        case "ECDSA" -> "*ecdsa.PublicKey";
                        default -> "ed25519.PublicKey";
                    });
        }
        byte[] signature = csr.getSignature().getOctets();
        // The signed bytes as they came (Go's RawTBSCertificateRequest), not as re-encoded.
        Der.Element outer = new Der(der).next();
        Der.Element info = outer == null ? null : new Der(outer.content()).next();
        if (info == null) {
            throw new GoError("asn1: structure error: tags don't match");
        }
        byte[] signed = info.encoded();
        PublicKey publicKey = key.jca();
        if (key.algorithm().equals("RSA")) {
            checkRsaKey(key);
            if (signature.length != (key.modulus().bitLength() + 7) / 8) {
                throw new GoError("crypto/rsa: verification error");
            }
            try {
                publicKey = KeyFactory.getInstance("RSA", BC).generatePublic(
                        new java.security.spec.RSAPublicKeySpec(key.modulus(), BigInteger.valueOf(key.exponent())));
            } catch (GeneralSecurityException e) {
                throw new GoError("crypto/rsa: verification error");
            }
        }
        boolean valid;
        try {
            Signature verifier = Signature.getInstance(algorithm.jca(), BC);
            if (algorithm.name().endsWith("RSAPSS")) {
                verifier.setParameter(pssParameters(algorithm.hash()));
            }
            verifier.initVerify(publicKey);
            verifier.update(signed);
            valid = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            throw new GoError(switch (key.algorithm()) {
                case "RSA" -> "crypto/rsa: verification error";
                case "ECDSA" -> "x509: ECDSA verification failure";
                default -> "x509: Ed25519 verification failure";
            });
        }
    }

    /** crypto/rsa's checks before it verifies: key size (Go 1.24+), then {@code checkPublicKey}. */
    private static void checkRsaKey(ParsedKey key) throws GoError {
        int bits = key.modulus().bitLength();
        if (bits < 1024) {
            throw new GoError("crypto/rsa: " + bits
                    + "-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)");
        }
        if (!key.modulus().testBit(0)) {
            throw new GoError("crypto/rsa: public modulus is even");
        }
        if (key.exponent() < 2) {
            throw new GoError("crypto/rsa: public exponent too small or negative");
        }
        if ((key.exponent() & 1) == 0) {
            throw new GoError("crypto/rsa: public exponent is even");
        }
        if (key.exponent() > Integer.MAX_VALUE) {
            throw new GoError("crypto/rsa: public exponent too large");
        }
    }

    /**
     * Go's {@code getSignatureAlgorithmFromAI}: Ed25519 only without parameters; RSA-PSS only with
     * SHA-256/384/512, MGF1 over the same hash, a salt as long as the hash and trailer 1.
     */
    private static SignatureAlgorithm signatureAlgorithm(AlgorithmIdentifier identifier) {
        String oid = identifier.getAlgorithm().getId();
        if (identifier.getAlgorithm().equals(ED25519) && identifier.getParameters() != null) {
            return null;
        }
        if (!identifier.getAlgorithm().equals(RSA_PSS)) {
            return SIGNATURE_ALGORITHMS.get(oid);
        }
        try {
            RSASSAPSSparams params = RSASSAPSSparams.getInstance(identifier.getParameters());
            String hash = switch (params.getHashAlgorithm().getAlgorithm().getId()) {
                case "2.16.840.1.101.3.4.2.1" -> "SHA-256";
                case "2.16.840.1.101.3.4.2.2" -> "SHA-384";
                case "2.16.840.1.101.3.4.2.3" -> "SHA-512";
                default -> null;
            };
            AlgorithmIdentifier mgf = params.getMaskGenAlgorithm();
            AlgorithmIdentifier mgfHash = AlgorithmIdentifier.getInstance(mgf.getParameters());
            int hashLength = hash == null ? -1 : Integer.parseInt(hash.substring(4)) / 8;
            if (hash == null || !mgf.getAlgorithm().equals(PKCSObjectIdentifiers.id_mgf1)
                    || !mgfHash.getAlgorithm().equals(params.getHashAlgorithm().getAlgorithm())
                    || params.getSaltLength().intValueExact() != hashLength
                    || params.getTrailerField().intValueExact() != 1) {
                return null;
            }
            String name = hash.replace("-", "") + "-RSAPSS";
            return new SignatureAlgorithm(name, "RSA", hash, "RSASSA-PSS");
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static PSSParameterSpec pssParameters(String hash) {
        int length = Integer.parseInt(hash.substring(4)) / 8;
        return new PSSParameterSpec(hash, "MGF1", new MGF1ParameterSpec(hash), length, 1);
    }

    /** A minimal DER reader, as strict as Go's cryptobyte about lengths. */
    private static final class Der {
        /** An element: its identifier octet, its content, and all of its bytes. */
        record Element(int tag, byte[] content, byte[] encoded) {
        }

        private final byte[] data;
        private int offset;

        Der(byte[] data) {
            this.data = data;
        }

        boolean more() {
            return offset < data.length;
        }

        /** The next element, or null when what follows is not a well-formed element. */
        Element next() {
            if (offset + 2 > data.length) {
                return null;
            }
            int tag = data[offset] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                return null;
            }
            int first = data[offset + 1] & 0xff;
            int position = offset + 2;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int count = first & 0x7f;
                if (count == 0 || count > 4 || position + count > data.length) {
                    return null;
                }
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = length << 8 | (data[position + i] & 0xff);
                }
                if (length < 0x80 || (data[position] & 0xff) == 0) {
                    return null; // not the shortest encoding
                }
                position += count;
            }
            if (position + length > data.length) {
                return null;
            }
            byte[] content = Arrays.copyOfRange(data, position, (int) (position + length));
            byte[] encoded = Arrays.copyOfRange(data, offset, (int) (position + length));
            offset = (int) (position + length);
            return new Element(tag, content, encoded);
        }
    }
}
