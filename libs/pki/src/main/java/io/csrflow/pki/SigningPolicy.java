package io.csrflow.pki;

import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * Shapes the certificate for a verified request, as kube-controller-manager's signer does by
 * re-encoding parsed fields: the subject is rebuilt from its organisations and common name only
 * (in Go's order: O, then CN), the SANs from the four standard types only (DNS, email, IP, URI, in
 * Go's order), KeyUsage and ExtendedKeyUsage from {@code spec.usages} only. Nothing of the request is
 * copied as bytes, so an attribute or name the verifier did not see cannot reach a certificate.
 */
public final class SigningPolicy {
    private SigningPolicy() {
    }

    /** @throws SigningFailedException when a usage is unknown (the API server lets none through) */
    public static CertificateTemplate template(ParsedCsr csr, List<String> usages, Validity validity) {
        KubeUsages.Mapped mapped;
        try {
            mapped = KubeUsages.map(usages);
        } catch (IllegalArgumentException e) {
            throw new SigningFailedException(SigningFailedException.Reason.SIGNING_FAILED,
                    "cannot shape the certificate: " + e.getMessage(), e);
        }
        return new CertificateTemplate(subject(csr), csr.commonName(), csr.organizations(), csr.publicKey(),
                sans(csr.sans()), mapped.keyUsageBits(), mapped.extendedKeyUsages(), validity);
    }

    /**
     * Each value as a UTF8String holding exactly the verified text. Never through the string form of
     * {@code addRDN}: Bouncy Castle reads a value starting with {@code #} as hex DER and drops a
     * leading {@code \}, so {@code O=\system:masters} would become {@code system:masters}.
     */
    static X500Name subject(ParsedCsr csr) {
        X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
        csr.organizations().forEach(o -> builder.addRDN(BCStyle.O, new DERUTF8String(o)));
        if (csr.commonName() != null) {
            builder.addRDN(BCStyle.CN, new DERUTF8String(csr.commonName()));
        }
        return builder.build();
    }

    static GeneralNames sans(SubjectAltNames sans) {
        List<GeneralName> names = new ArrayList<>();
        sans.dnsNames().forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        sans.emails().forEach(e -> names.add(new GeneralName(GeneralName.rfc822Name, e)));
        sans.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress,
                new DEROctetString(IpAddresses.bytes(ip)))));
        sans.uris().forEach(u -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, u)));
        return names.isEmpty() ? null : new GeneralNames(names.toArray(GeneralName[]::new));
    }
}
