package io.csrflow.scheduler.streams;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrCondition;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.CsrPhase;
import io.csrflow.events.Identities;
import io.csrflow.events.Identity;
import io.csrflow.events.PodCertificateCondition;
import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.events.Requester;
import io.csrflow.pki.Pem;

/** Real certificates (Bouncy Castle) and the events that carry them, as the signer and watcher write them. */
public final class TestCertificates {
    static final String ISSUER = "CN=test-ca,O=csrflow";
    public static final String CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";
    /** The file name the signer gives the client kubelet signer's CA in {@code csrflow-ca-bundles}. */
    public static final String CLIENT_BUNDLE_FILE = "kube-apiserver-client-kubelet.crt";
    private static final KeyPair KEYS = keys();

    private TestCertificates() {
    }

    public static X509Certificate certificate(String commonName, String serialHex, Instant notBefore,
            Instant notAfter) {
        return certificate(commonName, serialHex, notBefore, notAfter, KEYS);
    }

    /** A certificate that names the test CA as its issuer but is signed by another key: a forgery. */
    public static X509Certificate forged(String commonName, String serialHex, Instant notBefore, Instant notAfter) {
        return certificate(commonName, serialHex, notBefore, notAfter, keys());
    }

    /**
     * A trust bundle directory as the signer's ConfigMap is mounted: the test CA as the client
     * kubelet signer's {@code kube-apiserver-client-kubelet.crt}; no file for other signers.
     */
    static Path trustBundle() {
        try {
            return writeTrustBundle(Files.createTempDirectory("trust-bundle"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes the test CA into {@code dir} (created if missing) as the client kubelet signer's file,
     * the way the kubelet publishes a ConfigMap update: the whole file appears at once.
     */
    public static Path writeTrustBundle(Path dir) {
        return writeClientBundleFile(dir, List.of(KEYS));
    }

    /**
     * Writes a CA of the test CA's name but another key into {@code dir} as the client kubelet
     * signer's file: the test CA replaced by another, which signed none of these certificates.
     */
    public static Path writeTrustBundleOfAnotherKey(Path dir) {
        return writeClientBundleFile(dir, List.of(keys()));
    }

    /**
     * Writes the client kubelet signer's file as during a CA rotation: a next CA (the test CA's name,
     * another key) listed ahead of the test CA, which signed the certificates.
     */
    public static Path writeRotationTrustBundle(Path dir) {
        return writeClientBundleFile(dir, List.of(keys(), KEYS));
    }

    /**
     * A CA of the test CA's name but another key, and a certificate it signed: what someone who slipped a
     * CA of their own into the bundle could make.
     *
     * @return the CA, then the certificate
     */
    public static List<X509Certificate> foreignCaAndCertificate(String commonName, String serialHex, Instant notBefore,
            Instant notAfter) {
        KeyPair foreign = keys();
        return List.of(ca(foreign), certificate(commonName, serialHex, notBefore, notAfter, foreign));
    }

    private static X509Certificate ca(KeyPair keys) {
        try {
            var name = new X500Name(ISSUER);
            return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                    BigInteger.ONE, Date.from(Instant.parse("2020-01-01T00:00:00Z")),
                    Date.from(Instant.parse("2040-01-01T00:00:00Z")), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CA certificate of the test CA's name for each of {@code caKeys}, in order, as the client kubelet signer's file. */
    private static Path writeClientBundleFile(Path dir, List<KeyPair> caKeys) {
        try {
            List<X509Certificate> cas = new ArrayList<>();
            for (KeyPair keys : caKeys) {
                cas.add(ca(keys));
            }
            Files.createDirectories(dir);
            var staged = Files.writeString(dir.resolve(".staged"), Pem.of(cas));
            Files.move(staged, dir.resolve(CLIENT_BUNDLE_FILE),
                    StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return dir;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A workload's serving certificate as a workload signer issues it: subject CN (none if empty)
     * and DNS SANs in the given order, server auth.
     */
    public static X509Certificate workload(String commonName, List<String> dnsNames, String serialHex,
            Instant notBefore, Instant notAfter) {
        GeneralName[] sans = dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n))
                .toArray(GeneralName[]::new);
        // Without a subject, the SAN extension is critical (RFC 5280, 4.2.1.6).
        return sign(new X500Name(commonName.isEmpty() ? "" : "CN=" + commonName), serialHex, notBefore, notAfter, KEYS,
                new Extension(Extension.subjectAlternativeName, commonName.isEmpty(),
                        new DEROctetString(encoded(new GeneralNames(sans)))),
                new Extension(Extension.extendedKeyUsage, false,
                        new DEROctetString(encoded(new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)))));
    }

    /** cert.issued of a ServiceAccount's certificate, its identity derived as the signer derives it. */
    public static CertIssued issuedToServiceAccount(String signer, String namespace, String serviceAccount,
            X509Certificate c, String csrName, Instant issuedAt) {
        String cn = LeafSightings.commonName(c);
        Identity identity = Identities.of(signer, "system:serviceaccount:" + namespace + ":" + serviceAccount, cn, c);
        return new CertIssued(identity, csrName, "uid-" + csrName, c.getSubjectX500Principal().getName(),
                List.of(), List.of(), c.getSerialNumber().toString(16), c.getNotBefore().toInstant(),
                c.getNotAfter().toInstant(), "00", c.getIssuerX500Principal().getName(), Pem.of(c), issuedAt);
    }

    /**
     * pcr.observed of a PodCertificateRequest {@code namespace/requestName} of pod {@code pod} (UID
     * {@code podUid}, ServiceAccount {@code serviceAccount}, on {@code node}) in phase {@code phase}. With a
     * certificate, its chain and times are the certificate's, as the API server requires, and
     * {@code beginRefreshAt} as given; without one, the status is empty, as before the signer answers.
     */
    public static PodCertificateObserved podCertificate(String signer, String namespace, String serviceAccount,
            String pod, String podUid, String node, String requestName, PodCertificatePhase phase, X509Certificate c,
            Instant beginRefreshAt, Instant observedAt) {
        String condition = switch (phase) {
            case ISSUED -> "Issued";
            case DENIED -> "Denied";
            case FAILED -> "Failed";
            default -> null;
        };
        List<PodCertificateCondition> conditions = condition == null ? List.of()
                : List.of(new PodCertificateCondition(condition, "True", condition, "", observedAt));
        return new PodCertificateObserved(namespace, requestName, "uid-" + requestName, "1", signer, pod, podUid,
                serviceAccount, "uid-sa-" + serviceAccount, node, "uid-" + node, 86400, "MCowBQYDK2VwAyEA",
                "c2lnbmF0dXJl", Map.of(), conditions, c == null ? null : Pem.of(c),
                c == null ? null : c.getNotBefore().toInstant(), c == null ? null : beginRefreshAt,
                c == null ? null : c.getNotAfter().toInstant(), phase, observedAt, observedAt);
    }

    /** pcr.observed of an issued PodCertificateRequest: {@link #podCertificate} in phase Issued. */
    public static PodCertificateObserved podCertificateIssued(String signer, String namespace, String serviceAccount,
            String pod, String podUid, String node, String requestName, X509Certificate c, Instant beginRefreshAt,
            Instant observedAt) {
        return podCertificate(signer, namespace, serviceAccount, pod, podUid, node, requestName,
                PodCertificatePhase.ISSUED, c, beginRefreshAt, observedAt);
    }

    /** The same snapshot with another certificate chain (PEM as given, checked or not). */
    public static PodCertificateObserved withChain(PodCertificateObserved o, String certificateChain) {
        return new PodCertificateObserved(o.namespace(), o.name(), o.uid(), o.resourceVersion(), o.signerName(),
                o.podName(), o.podUid(), o.serviceAccountName(), o.serviceAccountUid(), o.nodeName(), o.nodeUid(),
                o.maxExpirationSeconds(), o.pkixPublicKey(), o.proofOfPossession(), o.unverifiedUserAnnotations(),
                o.conditions(), certificateChain, o.notBefore(), o.beginRefreshAt(), o.notAfter(), o.phase(),
                o.createdAt(), o.observedAt());
    }

    /** The same snapshot with other status times (notBefore, beginRefreshAt, notAfter), checked or not. */
    public static PodCertificateObserved withTimes(PodCertificateObserved o, Instant notBefore, Instant beginRefreshAt,
            Instant notAfter) {
        return new PodCertificateObserved(o.namespace(), o.name(), o.uid(), o.resourceVersion(), o.signerName(),
                o.podName(), o.podUid(), o.serviceAccountName(), o.serviceAccountUid(), o.nodeName(), o.nodeUid(),
                o.maxExpirationSeconds(), o.pkixPublicKey(), o.proofOfPossession(), o.unverifiedUserAnnotations(),
                o.conditions(), o.certificateChain(), notBefore, beginRefreshAt, notAfter, o.phase(), o.createdAt(),
                o.observedAt());
    }

    /** The snapshot the watcher publishes when the request is deleted: its last state, phase Deleted. */
    public static PodCertificateObserved deleted(PodCertificateObserved o, Instant at) {
        return new PodCertificateObserved(o.namespace(), o.name(), o.uid(), o.resourceVersion(), o.signerName(),
                o.podName(), o.podUid(), o.serviceAccountName(), o.serviceAccountUid(), o.nodeName(), o.nodeUid(),
                o.maxExpirationSeconds(), o.pkixPublicKey(), o.proofOfPossession(), o.unverifiedUserAnnotations(),
                o.conditions(), o.certificateChain(), o.notBefore(), o.beginRefreshAt(), o.notAfter(),
                PodCertificatePhase.DELETED, o.createdAt(), at);
    }

    /** csr.observed in phase Issued of a CSR that {@code requester} (spec.username) created. */
    static CsrObserved observedIssued(String signer, String requester, String csrName, X509Certificate c,
            Instant observedAt) {
        CsrObserved o = observedIssued(signer, csrName, c, observedAt);
        return new CsrObserved(o.name(), o.uid(), o.resourceVersion(), o.signerName(), o.request(),
                List.of("digital signature", "key encipherment", "server auth"), null,
                new Requester(requester, "uid-" + requester, List.of("system:serviceaccounts", "system:authenticated"),
                        null), o.conditions(), o.certificate(), o.phase(), o.createdAt(), o.observedAt());
    }

    private static X509Certificate certificate(String commonName, String serialHex, Instant notBefore,
            Instant notAfter, KeyPair signer) {
        // A client certificate, as the kubelet client signer issues it.
        return sign(new X500Name("O=system:nodes,CN=" + commonName), serialHex, notBefore, notAfter, signer,
                new Extension(Extension.extendedKeyUsage, false,
                        new DEROctetString(encoded(new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)))));
    }

    /** A certificate of the test CA's name for the test key, signed with {@code signer}'s key. */
    private static X509Certificate sign(X500Name subject, String serialHex, Instant notBefore, Instant notAfter,
            KeyPair signer, Extension... extensions) {
        try {
            var builder = new JcaX509v3CertificateBuilder(new X500Name(ISSUER), new BigInteger(serialHex, 16),
                    Date.from(notBefore), Date.from(notAfter), subject, KEYS.getPublic());
            for (Extension extension : extensions) {
                builder.addExtension(extension);
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(ASN1Encodable value) {
        try {
            return value.toASN1Primitive().getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** cert.issued for a certificate, as the signer publishes it. */
    public static CertIssued issued(String signer, X509Certificate c, String csrName, Instant issuedAt) {
        String cn = c.getSubjectX500Principal().getName().replaceAll(".*CN=([^,]+).*", "$1");
        return new CertIssued(new Identity(signer, cn), csrName, "uid-" + csrName,
                c.getSubjectX500Principal().getName(), List.of(), List.of(), c.getSerialNumber().toString(16),
                c.getNotBefore().toInstant(), c.getNotAfter().toInstant(), "00", c.getIssuerX500Principal().getName(),
                Pem.of(c), issuedAt);
    }

    static CertIssued issued(String node, String serialHex, Instant notBefore, Instant notAfter, Instant issuedAt) {
        return issued(CLIENT, certificate("system:node:" + node, serialHex, notBefore, notAfter), "csr-" + serialHex,
                issuedAt);
    }

    /** csr.observed of a CSR in phase Issued, as the watcher publishes it (any signer). */
    public static CsrObserved observedIssued(String signer, String csrName, X509Certificate c, Instant observedAt) {
        List<CsrCondition> approved = List.of(new CsrCondition("Approved", "True", "AutoApproved", "", observedAt,
                observedAt));
        return new CsrObserved(csrName, "uid-" + csrName, "7", signer, "-----BEGIN CERTIFICATE REQUEST-----",
                List.of("digital signature", "client auth"), null, null, approved, Pem.of(c), CsrPhase.ISSUED,
                observedAt, observedAt);
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
