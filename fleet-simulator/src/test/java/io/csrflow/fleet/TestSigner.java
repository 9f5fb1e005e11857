package io.csrflow.fleet;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

import io.csrflow.pki.Pem;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Approver and signer in one, for tests against the API emulator: every new CSR is approved, then
 * issued a certificate for its subject by a CA of the test's, which the emulator trusts for client
 * certificates, so that the fleet's nodes can authenticate with what they were issued.
 */
final class TestSigner implements AutoCloseable {
    private static final AtomicLong SERIALS = new AtomicLong(1000);

    private final KeyPair caKeys = KeyMaterial.ecP256().keys();
    private final X509Certificate ca;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final ExecutorService work = Executors.newSingleThreadExecutor();
    private KubernetesClient admin;
    private SharedIndexInformer<CertificateSigningRequest> informer;

    TestSigner() {
        Instant now = Instant.now();
        this.ca = sign(new X500Name("CN=test-cluster-ca"), caKeys.getPublic(), true, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)));
    }

    /** The CA as PEM in {@code dir}, for the emulator's {@code --client-ca}. */
    Path writeCa(Path dir) throws Exception {
        Path file = dir.resolve("client-ca.crt");
        Files.writeString(file, Pem.of(ca));
        return file;
    }

    /** Approves and signs every CSR it sees through {@code admin} from now on. */
    void start(KubernetesClient admin) {
        this.admin = admin;
        this.informer = admin.certificates().v1().certificateSigningRequests().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CertificateSigningRequest csr) {
                if (seen.add(csr.getMetadata().getName())) {
                    work.execute(() -> approveAndIssue(csr));
                }
            }

            @Override
            public void onUpdate(CertificateSigningRequest before, CertificateSigningRequest csr) {
            }

            @Override
            public void onDelete(CertificateSigningRequest csr, boolean unknownFinalState) {
            }
        });
    }

    private void approveAndIssue(CertificateSigningRequest csr) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(Base64.getDecoder().decode(
                csr.getSpec().getRequest()), StandardCharsets.US_ASCII)))) {
            PKCS10CertificationRequest request = (PKCS10CertificationRequest) parser.readObject();
            PublicKey key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
            CertificateSigningRequest approved = admin.certificates().v1().certificateSigningRequests()
                    .withName(csr.getMetadata().getName()).approve(new CertificateSigningRequestConditionBuilder()
                            .withType("Approved").withStatus("True").withReason("TestSigner")
                            .withMessage("approved by the test").build());
            Instant now = Instant.now();
            X509Certificate certificate = sign(request.getSubject(), key, false, now.minus(Duration.ofMinutes(1)),
                    now.plus(Duration.ofDays(1)));
            admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(approved)
                    .editOrNewStatus().withCertificate(Base64.getEncoder().encodeToString(
                            Pem.of(certificate).getBytes(StandardCharsets.US_ASCII))).endStatus().build())
                    .updateStatus();
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign CSR " + csr.getMetadata().getName(), e);
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
        work.shutdownNow();
    }


    private X509Certificate sign(X500Name subject, PublicKey key, boolean isCa, Instant notBefore, Instant notAfter) {
        try {
            X500Name issuer = isCa ? subject : new X500Name("CN=test-cluster-ca");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject, key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
