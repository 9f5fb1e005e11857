package io.csrflow.pki;

import java.util.Map;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * What a SubjectPublicKeyInfo holds, read from its encoding alone: no KeyFactory, no arithmetic.
 * A KeyFactory may validate what it builds (Bouncy Castle tests an RSA modulus for primality, seconds
 * for 16,384 bits), so the key policy must have spoken before one runs.
 */
final class PublicKeyInfo {
    private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256",
            SECObjectIdentifiers.secp384r1, "P-384",
            SECObjectIdentifiers.secp521r1, "P-521",
            SECObjectIdentifiers.secp256k1, "secp256k1",
            SECObjectIdentifiers.secp224r1, "P-224");
    private static final Map<String, Integer> CURVE_BITS = Map.of("P-256", 256, "P-384", 384, "P-521", 521,
            "secp256k1", 256, "P-224", 224);

    private PublicKeyInfo() {
    }

    static KeyDescription describe(SubjectPublicKeyInfo spki) throws CsrRejectedException {
        ASN1ObjectIdentifier algorithm = spki.getAlgorithm().getAlgorithm();
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            RSAPublicKey rsa;
            try {
                rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
            } catch (Exception e) {
                throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, "the RSA public key cannot be read: "
                        + e.getMessage());
            }
            if (rsa.getModulus().signum() <= 0 || rsa.getPublicExponent().signum() <= 0) {
                throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY,
                        "the RSA public key has a modulus or exponent that is not positive");
            }
            return new KeyDescription("RSA", rsa.getModulus().bitLength(), null, rsa.getPublicExponent());
        }
        if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            var parameters = spki.getAlgorithm().getParameters();
            if (!(parameters instanceof ASN1ObjectIdentifier oid)) {
                throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY,
                        "EC public keys with explicit curve parameters are not supported (a named curve is)");
            }
            String curve = CURVES.get(oid);
            if (curve == null) {
                String named = ECNamedCurveTable.getName(oid);
                throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY, "EC curve "
                        + (named != null ? named + " (" + oid.getId() + ")" : oid.getId()) + " is not supported");
            }
            return new KeyDescription("EC", CURVE_BITS.get(curve), curve, null);
        }
        if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return new KeyDescription("Ed25519", 0, null, java.math.BigInteger.ZERO);
        }
        throw new CsrRejectedException(CsrRejection.UNSUPPORTED_KEY,
                "public key algorithm " + algorithm.getId() + " is not supported");
    }
}
