package io.csrflow.signer.pods;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CertificateTemplate;
import io.csrflow.pki.CsrRejectedException;
import io.csrflow.pki.IssuanceCheck;
import io.csrflow.pki.KubeUsages;
import io.csrflow.pki.PodKeyType;
import io.csrflow.pki.RotationDeadline;
import io.csrflow.pki.SignerProfile;
import io.csrflow.pki.SigningFailedException;
import io.csrflow.pki.Validity;

/**
 * Makes the certificate a {@link PodAnswer.Issue} decided, with the times the API requires of a
 * PodCertificateRequest's status: NotBefore within five minutes of the API server's clock (one
 * minute back, for clocks a little apart), a lifetime of at least an hour and at most what was asked,
 * never past the CA's NotAfter; beginRefreshAt at the kubelet's jittered rotation deadline (the one
 * the rotation-scheduler uses for CSR certificates), kept at least ten minutes from either end as the
 * API demands. The subject is empty: the SPIFFE ID in the (then critical) SAN extension is the identity.
 */
public final class PodCertificateMint {
    static final Duration BACKDATE = Duration.ofMinutes(1);
    static final Duration REFRESH_MARGIN = Duration.ofMinutes(10);

    /** The certificate, its chain for status.certificateChain, and the three status times. */
    public record Minted(X509Certificate certificate, Instant notBefore, Instant notAfter,
                         Instant beginRefreshAt) {
    }

    private final CertificateIssuer issuer;

    public PodCertificateMint(CertificateIssuer issuer) {
        this.issuer = issuer;
    }

    /** @throws SigningFailedException when the CA cannot give the hour a pod certificate needs, or signing fails */
    public Minted mint(PodAnswer.Issue answer, String pkixPublicKey, SignerProfile profile, CertificateAuthority ca,
            Instant now) {
        Instant notBefore = now.minus(BACKDATE).truncatedTo(ChronoUnit.SECONDS);
        Instant caNotAfter = ca.certificate().getNotAfter().toInstant();
        if (now.isBefore(ca.certificate().getNotBefore().toInstant()) || !now.isBefore(caNotAfter)) {
            throw new SigningFailedException(SigningFailedException.Reason.CA_UNUSABLE, "the CA certificate is valid "
                    + "from " + ca.certificate().getNotBefore().toInstant() + " to " + caNotAfter + ", not now");
        }
        Instant notAfter = notBefore.plus(answer.lifetime());
        if (notAfter.isAfter(caNotAfter)) {
            notAfter = caNotAfter.truncatedTo(ChronoUnit.SECONDS);
        }
        if (Duration.between(notBefore, notAfter).compareTo(PodCertificatePolicy.MINIMUM_LIFETIME) < 0) {
            throw new SigningFailedException(SigningFailedException.Reason.CA_UNUSABLE, "the CA certificate expires at "
                    + caNotAfter + ", before the hour a pod certificate must last");
        }
        byte[] der = Base64.getDecoder().decode(pkixPublicKey);
        PublicKey key = publicKey(der);
        Validity validity = new Validity(notBefore, notAfter);
        KubeUsages.Mapped usages = KubeUsages.map(usages(profile, key));
        CertificateTemplate template = new CertificateTemplate(new X500Name(new RDN[0]),
                null, List.of(), key, sans(answer), usages.keyUsageBits(), usages.extendedKeyUsages(), validity);
        X509Certificate certificate = issuer.issue(template, ca);
        IssuanceCheck.verify(certificate, template, ca, issuer.provider());
        Instant refresh = RotationDeadline.of(CertificateIssuer.serialHex(certificate), notBefore, notAfter)
                .truncatedTo(ChronoUnit.SECONDS);
        Instant earliest = notBefore.plus(REFRESH_MARGIN);
        Instant latest = notAfter.minus(REFRESH_MARGIN);
        refresh = refresh.isBefore(earliest) ? earliest : refresh.isAfter(latest) ? latest : refresh;
        return new Minted(certificate, notBefore, notAfter, refresh);
    }

    /**
     * The profile's usages; key encipherment only for an RSA key, the one kind that can encipher a
     * key (an EC or Ed25519 key with that usage would claim what it cannot do).
     */
    private static List<String> usages(SignerProfile profile, PublicKey key) {
        List<String> usages = new ArrayList<>(profile.allowedUsages());
        if (!"RSA".equals(key.getAlgorithm())) {
            usages.remove("key encipherment");
        }
        return usages;
    }

    private static GeneralNames sans(PodAnswer.Issue answer) {
        List<GeneralName> names = new ArrayList<>();
        answer.dnsNames().forEach(d -> names.add(new GeneralName(GeneralName.dNSName, d)));
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, answer.spiffeId()));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static PublicKey publicKey(byte[] der) {
        try {
            PodKeyType type = PodKeyType.of(der);
            String algorithm = switch (type) {
                case RSA3072, RSA4096 -> "RSA";
                case ED25519 -> "Ed25519";
                default -> "EC";
            };
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | CsrRejectedException e) {
            // The policy read this key before; a key that parses there and not here is the signer's fault.
            throw new SigningFailedException(SigningFailedException.Reason.SIGNING_FAILED, "the public key cannot be "
                    + "read: " + e.getMessage(), e);
        }
    }
}
