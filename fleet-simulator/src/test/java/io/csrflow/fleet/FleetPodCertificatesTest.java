package io.csrflow.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.pki.Pem;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundle;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/**
 * The fleet's kubelets serving their pods' {@code podCertificate} volumes against an API that
 * checks nothing (fabric8's CRUD server) and a signer played by the test, which signs every CSR and
 * every PodCertificateRequest except those for ED25519 keys: the pods' certificates are issued,
 * verified and refreshed, and the misbehaving pods the API should have refused show as failures.
 */
@EnableKubernetesMockClient(crud = true)
class FleetPodCertificatesTest {
    private static final String SIGNER = "csrflow.io/workload-serving";
    private static final AtomicLong SERIALS = new AtomicLong(1000);

    KubernetesMockServer server;
    KubernetesClient client;

    private final KeyPair caKeys = KeyMaterial.ecP256().keys();
    private final X509Certificate ca = sign(new X500Name("CN=test-signer"), caKeys.getPublic(), true, null,
            Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
    private ScheduledExecutorService signer;
    private Fleet fleet;

    @BeforeEach
    void start() {
        client.resources(ClusterTrustBundle.class).resource(new ClusterTrustBundleBuilder().withNewMetadata()
                .withName("csrflow.io:workload-serving:test").endMetadata().withNewSpec().withSignerName(SIGNER)
                .withTrustBundle(Pem.of(ca)).endSpec().build()).create();
        signer = Executors.newSingleThreadScheduledExecutor();
        signer.scheduleWithFixedDelay(this::signEverything, 0, 100, TimeUnit.MILLISECONDS);
        fleet = new Fleet(new FleetArguments(new String[] {"--server", client.getMasterUrl().toString(),
            "--bootstrap-token", "abcdef.0123456789abcdef", "--nodes", "2", "--admin-token", "admin",
            "--pod-certificates", "4", "--misbehaving-pod-certificates", "3", "--pod-certificate-refresh-after", "1s",
            "--poll-interval", "200ms", "--request-timeout", "30s", "--starts-per-second", "50"}, Map.of()).settings());
    }

    @AfterEach
    void stop() {
        fleet.close();
        signer.shutdownNow();
    }

    @Test
    void podsGetRefreshAndVerifyTheirCertificatesAndUnrefusedMisbehaviourIsAFailure() {
        fleet.start();

        FleetReport report = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(fleet::report, r -> r.podCertificates().get(0).refreshed() >= 1
                        && r.podCertificates().stream().skip(1).allMatch(p -> p.phase().equals("NOT_REFUSED")
                                || p.phase().equals("REFUSED")));

        PodCertificateReport wellBehaved = report.podCertificates().get(0);
        assertEquals("sim-node-1", wellBehaved.node());
        assertEquals("sim-node-1", wellBehaved.requestingNode());
        assertTrue(wellBehaved.trusted(), wellBehaved.toString());
        assertEquals(0, wellBehaved.verificationFailures(), wellBehaved.toString());
        assertTrue(List.of("ISSUED", "REFRESHING").contains(wellBehaved.phase()), wellBehaved.toString());
        assertTrue(wellBehaved.issued() >= 2, wellBehaved.toString());
        assertEquals("credentialbundle.pem: PRIVATE KEY, CERTIFICATE", wellBehaved.volume());

        PodCertificateReport otherNode = report.podCertificates().get(1);
        assertEquals("other-node", otherNode.behaviour());
        assertEquals("sim-node-2", otherNode.node());
        assertEquals("sim-node-1", otherNode.requestingNode());
        assertEquals("NOT_REFUSED", otherNode.phase(), otherNode.toString());
        assertEquals("NOT_REFUSED", report.podCertificates().get(2).phase());

        PodCertificateReport keyType = report.podCertificates().get(3);
        assertEquals("REFUSED", keyType.phase(), keyType.toString());
        assertEquals("Denied UnsupportedKeyType: ED25519 keys are not allowed", keyType.refusal().code() + " "
                + keyType.refusal().reason() + ": " + keyType.refusal().message());
        assertTrue(keyType.refusal().requestName().startsWith("req-"), keyType.toString());
        assertEquals(3, report.podCertificatesSummary().misbehaving());
        assertEquals(1, report.podCertificatesSummary().refusedAsExpected());
        assertEquals(2, report.podCertificatesSummary().notRefused());

        // What the kubelet of sim-node-1 asked for the pod of sim-node-2: the pod's UID, in its own name.
        GenericKubernetesResource asked = client.genericKubernetesResources(PodCertificateRequests.CONTEXT)
                .inNamespace("sim-pods").list().getItems().stream()
                .filter(r -> "cert-pod-2".equals(r.get("spec", "podName"))).findFirst().orElseThrow();
        assertEquals("sim-node-1", asked.get("spec", "nodeName"));
        assertEquals(client.pods().inNamespace("sim-pods").withName("cert-pod-2").get().getMetadata().getUid(),
                asked.get("spec", "podUID"));
    }

    /** The test's signer: a certificate for every CSR, an answer for every PodCertificateRequest. */
    private void signEverything() {
        try {
            for (CertificateSigningRequest csr : client.certificates().v1().certificateSigningRequests().list().getItems()) {
                if (csr.getStatus() == null || csr.getStatus().getCertificate() == null) {
                    issue(csr);
                }
            }
            for (GenericKubernetesResource request : client.genericKubernetesResources(PodCertificateRequests.CONTEXT)
                    .inAnyNamespace().list().getItems()) {
                if (request.get("status") == null) {
                    answer(request);
                }
            }
        } catch (RuntimeException e) {
            // the next round tries again
        }
    }

    private void issue(CertificateSigningRequest csr) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(Base64.getDecoder().decode(
                csr.getSpec().getRequest()), StandardCharsets.US_ASCII)))) {
            PKCS10CertificationRequest request = (PKCS10CertificationRequest) parser.readObject();
            PublicKey key = new JcaPEMKeyConverter().getPublicKey(request.getSubjectPublicKeyInfo());
            X509Certificate certificate = sign(request.getSubject(), key, false, null, Instant.now(),
                    Instant.now().plus(Duration.ofDays(1)));
            client.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(csr)
                    .editOrNewStatus().withCertificate(Base64.getEncoder().encodeToString(
                            Pem.of(certificate).getBytes(StandardCharsets.US_ASCII))).endStatus().build()).updateStatus();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer(GenericKubernetesResource request) {
        try {
            SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(Base64.getDecoder().decode(
                    (String) request.get("spec", "pkixPublicKey")));
            Instant notBefore = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Instant notAfter = notBefore.plus(Duration.ofHours(1));
            Map<String, Object> status;
            if (spki.getAlgorithm().getAlgorithm().getId().equals("1.3.101.112")) {
                status = Map.of("conditions", List.of(Map.of("type", "Denied", "status", "True",
                        "reason", "UnsupportedKeyType", "message", "ED25519 keys are not allowed",
                        "lastTransitionTime", notBefore.toString())));
            } else {
                String spiffeId = "spiffe://cluster.local/ns/" + request.getMetadata().getNamespace() + "/sa/"
                        + request.get("spec", "serviceAccountName");
                X509Certificate leaf = sign(new X500Name(""), new JcaPEMKeyConverter().getPublicKey(spki), false,
                        spiffeId, notBefore, notAfter);
                status = Map.of("conditions", List.of(Map.of("type", "Issued", "status", "True", "reason", "Issued",
                                "message", "issued by the test", "lastTransitionTime", notBefore.toString())),
                        "certificateChain", Pem.of(leaf), "notBefore", notBefore.toString(),
                        "beginRefreshAt", notBefore.plus(Duration.ofMinutes(40)).toString(),
                        "notAfter", notAfter.toString());
            }
            request.setAdditionalProperty("status", status);
            client.genericKubernetesResources(PodCertificateRequests.CONTEXT).resource(request).update();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }


    /** Signed with the test signer's CA key (self-signed for the CA itself). */
    private X509Certificate sign(X500Name subject, PublicKey key, boolean isCa, String uri, Instant notBefore,
            Instant notAfter) {
        try {
            X500Name issuer = isCa ? subject : new X500Name("CN=test-signer");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject, key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            if (uri != null) {
                builder.addExtension(Extension.subjectAlternativeName, true,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
