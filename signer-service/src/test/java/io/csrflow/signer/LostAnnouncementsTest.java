package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventType;
import io.csrflow.pki.CaLoader;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.Pem;
import io.csrflow.pki.Validity;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.PrometheusText;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;
import io.csrflow.signer.domain.IssuedEvents;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A certificate on a CSR whose {@code cert.issued} never went out (the signer stopped between
 * writing it and publishing) is announced when the watcher shows the CSR again, once; certificates
 * that are not this signer's, or too recent or too old to tell, are not. The certificates here are
 * written to the CSRs as the signer would have written them, minutes or hours ago.
 */
@QuarkusTest
class LostAnnouncementsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final List<String> CLIENT = List.of("digital signature", "client auth");
    private static final String CHECKS = "csrflow_signer_announcement_checks_total";

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CertIssued> issued;
    EventSender sender;

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        issued = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CERT_ISSUED);
        sender = new EventSender(KafkaBrokers.shared(), "/test/csr-watcher");
    }

    @AfterEach
    void disconnect() {
        sender.close();
        issued.close();
        admin.close();
    }

    @Test
    void aCertificateWrittenWithoutItsEventIsAnnouncedOnceWhenTheWatcherShowsItAgain() {
        CertificateSigningRequest csr = issuedAgo("lost-1", Duration.ofMinutes(10), ourCa());
        double announcedBefore = checks("announced-now");
        double knownBefore = checks("already-announced");

        observe(csr);
        await().atMost(WAIT).until(() -> !issuedFor("lost-1").isEmpty());
        CertIssued event = issuedFor("lost-1").get(0);
        assertEquals(certificate("lost-1"), event.certificate(), "the certificate on the CSR is announced");
        assertEquals(SIGNER + "|system:node:lost-1", event.identity().key());
        assertEquals(csr.getMetadata().getUid(), event.csrUid());
        assertEquals(1, checks("announced-now") - announcedBefore, 0.0);

        // Every later resync shows the CSR again: it is known now, nothing more is published.
        observe(csr);
        observe(csr);
        await().atMost(WAIT).until(() -> checks("already-announced") - knownBefore >= 2);
        assertEquals(1, issuedFor("lost-1").size(), "announced once");
    }

    @Test
    void aCertificateAnotherReplicaAnnouncedIsFoundOnTheTopicAndNotAnnouncedAgain() {
        CertificateSigningRequest csr = issuedAgo("lost-2", Duration.ofMinutes(10), ourCa());
        X509Certificate certificate = Pem.firstCertificate(certificate("lost-2"));
        sender.send(EventType.CERT_ISSUED, IssuedEvents.of(snapshot(csr), parse(csr), certificate,
                certificate("lost-2"), Instant.now()));
        await().atMost(WAIT).until(() -> issuedFor("lost-2").size() == 1);
        double knownBefore = checks("already-announced");

        observe(csr);
        await().atMost(WAIT).until(() -> checks("already-announced") - knownBefore >= 1);
        assertEquals(1, issuedFor("lost-2").size(), "only the other replica's event");
    }

    @Test
    void certificatesNotOfThisCaOrTooRecentOrTooOldAreLeftAlone() {
        CertificateAuthority other = load(TestCa.create(tempDir(), "someone-elses-ca",
                Instant.now().minus(Duration.ofDays(3)), Instant.now().plus(Duration.ofDays(30))));
        Map<String, CertificateSigningRequest> cases = Map.of(
                "other-issuer", issuedAgo("lost-other", Duration.ofMinutes(10), other),
                "too-recent", issuedAgo("lost-recent", Duration.ofMinutes(1), ourCa()),
                "outside-window", issuedAgo("lost-old", Duration.ofHours(25), ourCa()));
        Map<String, Double> before = Map.of("other-issuer", checks("other-issuer"), "too-recent",
                checks("too-recent"), "outside-window", checks("outside-window"));

        cases.values().forEach(this::observe);
        await().atMost(WAIT).until(() -> before.entrySet().stream()
                .allMatch(outcome -> checks(outcome.getKey()) - outcome.getValue() >= 1));
        cases.values().forEach(csr -> assertEquals(List.of(), issuedFor(csr.getMetadata().getName()),
                csr.getMetadata().getName() + " is not announced"));
    }

    /**
     * A kubelet client CSR, approved, with a certificate as a signer holding {@code ca} would have
     * written it {@code ago}.
     */
    private CertificateSigningRequest issuedAgo(String name, Duration ago, CertificateAuthority ca) {
        CsrSubmitter.submit(emulator, "bootstrap-token", name, SIGNER, CLIENT, TestCsrs.kubelet(name).pem(), 86400);
        CertificateSigningRequest approved = CsrSubmitter.approve(admin, name, "AutoApproved", "test");
        Instant at = Instant.now().minus(ago);
        Validity validity = new Validity(at.minus(Validity.BACKDATE), at.plus(Duration.ofDays(1)));
        X509Certificate certificate = new CertificateIssuer(new org.bouncycastle.jce.provider.BouncyCastleProvider(),
                new SecureRandom()).issue(io.csrflow.pki.SigningPolicy.template(parse(approved), CLIENT, validity), ca);
        return admin.certificates().v1().certificateSigningRequests().resource(new CertificateSigningRequestBuilder(approved)
                .editOrNewStatus().withCertificate(Base64.getEncoder().encodeToString(
                        Pem.of(certificate).getBytes(StandardCharsets.US_ASCII))).endStatus().build()).updateStatus();
    }

    private static io.csrflow.pki.ParsedCsr parse(CertificateSigningRequest csr) {
        try {
            return CsrParser.defaults().parse(snapshot(csr).request());
        } catch (io.csrflow.pki.CsrRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CsrObserved snapshot(CertificateSigningRequest csr) {
        return CsrSnapshots.of(csr, false, Instant.now());
    }

    /** What the watcher publishes, on a change and on every resync. */
    private void observe(CertificateSigningRequest csr) {
        sender.send(EventType.CSR_OBSERVED, snapshot(csr));
    }

    /** The signer's CA as its files are now (another test may have rotated it). */
    private static CertificateAuthority ourCa() {
        return load(new TestCa(CaFilesResource.folder.resolve("ca.crt"), CaFilesResource.folder.resolve("ca.key")));
    }

    private static CertificateAuthority load(TestCa ca) {
        try {
            return new CaLoader(new org.bouncycastle.jce.provider.BouncyCastleProvider()).load(ca.certFile(),
                    ca.keyFile());
        } catch (io.csrflow.pki.CaLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("other-ca");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private String certificate(String name) {
        return snapshot(admin.certificates().v1().certificateSigningRequests().withName(name).get()).certificate();
    }

    private List<CertIssued> issuedFor(String name) {
        return issued.matching(e -> e.csrName().equals(name));
    }

    private static double checks(String outcome) {
        return PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract().asString(), CHECKS,
                Map.of("outcome", outcome));
    }
}
