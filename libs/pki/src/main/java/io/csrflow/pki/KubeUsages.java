package io.csrflow.pki;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * Kubernetes usage strings ({@code spec.usages}) as X.509 KeyUsage bits and ExtendedKeyUsage
 * purposes, with the same table as the API server's {@code certificates.KeyUsagesFromStrings}.
 */
public final class KubeUsages {
    private static final Map<String, Integer> KEY_USAGES = Map.of(
            "signing", KeyUsage.digitalSignature,
            "digital signature", KeyUsage.digitalSignature,
            "content commitment", KeyUsage.nonRepudiation,
            "key encipherment", KeyUsage.keyEncipherment,
            "key agreement", KeyUsage.keyAgreement,
            "data encipherment", KeyUsage.dataEncipherment,
            "cert sign", KeyUsage.keyCertSign,
            "crl sign", KeyUsage.cRLSign,
            "encipher only", KeyUsage.encipherOnly,
            "decipher only", KeyUsage.decipherOnly);
    private static final Map<String, KeyPurposeId> EXTENDED = Map.ofEntries(
            Map.entry("any", KeyPurposeId.anyExtendedKeyUsage),
            Map.entry("server auth", KeyPurposeId.id_kp_serverAuth),
            Map.entry("client auth", KeyPurposeId.id_kp_clientAuth),
            Map.entry("code signing", KeyPurposeId.id_kp_codeSigning),
            Map.entry("email protection", KeyPurposeId.id_kp_emailProtection),
            Map.entry("s/mime", KeyPurposeId.id_kp_emailProtection),
            Map.entry("ipsec end system", KeyPurposeId.id_kp_ipsecEndSystem),
            Map.entry("ipsec tunnel", KeyPurposeId.id_kp_ipsecTunnel),
            Map.entry("ipsec user", KeyPurposeId.id_kp_ipsecUser),
            Map.entry("timestamping", KeyPurposeId.id_kp_timeStamping),
            Map.entry("ocsp signing", KeyPurposeId.id_kp_OCSPSigning),
            Map.entry("microsoft sgc", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"))),
            Map.entry("netscape sgc", KeyPurposeId.getInstance(new ASN1ObjectIdentifier("2.16.840.1.113730.4.1"))));

    /** KeyUsage bits (0 if none) and extended purposes, in request order without repeats. */
    public record Mapped(int keyUsageBits, List<KeyPurposeId> extendedKeyUsages) {
    }

    private KubeUsages() {
    }

    public static Mapped map(List<String> usages) {
        int bits = 0;
        List<KeyPurposeId> extended = new ArrayList<>();
        for (String usage : usages) {
            Integer bit = KEY_USAGES.get(usage);
            if (bit != null) {
                bits |= bit;
                continue;
            }
            KeyPurposeId purpose = EXTENDED.get(usage);
            if (purpose == null) {
                throw new IllegalArgumentException("unknown usage \"" + CsrParser.escape(usage) + "\"");
            }
            if (!extended.contains(purpose)) {
                extended.add(purpose);
            }
        }
        return new Mapped(bits, extended);
    }
}
