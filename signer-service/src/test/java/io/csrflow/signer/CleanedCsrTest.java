package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrDeletionReason;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.EventType;
import io.csrflow.events.Topics;
import io.csrflow.pki.CaLoader;
import io.csrflow.pki.CertificateAuthority;
import io.csrflow.pki.CertificateIssuer;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.Pem;
import io.csrflow.pki.SigningPolicy;
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
import io.csrflow.testsupport.TopicReader;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The watcher's cleaner deletes Issued CSRs an hour after approval. A snapshot of such a CSR that
 * reaches the signer late (its certificate never announced, the CSR gone by then), and the Deleted
 * event that follows it, make the signer announce nothing and fail nothing; a new CSR under the same
 * name is a request of its own and is announced as usual.
 */
@QuarkusTest
class CleanedCsrTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    private static final List<String> CLIENT = List.of("digital signature", "client auth");
    private static final String CHECKS = "csrflow_signer_announcement_checks_total";

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CertIssued> issued;
    EventSender watcher;

    @BeforeAll
    static void deadLetterTopic() {
        KafkaBrokers.createTopics(KafkaBrokers.shared(), 1, List.of(Topics.SIGNER_DEAD_LETTER));
    }

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        issued = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CERT_ISSUED);
        watcher = new EventSender(KafkaBrokers.shared(), "/test/csr-watcher");
    }

    @AfterEach
    void disconnect() {
        watcher.close();
        issued.close();
        admin.close();
    }

    @Test
    void aCleanedIssuedCsrSeenLateIsNotAnnouncedAndItsDeletionIsIgnoredWithoutAFailure() {
        // Issued ten minutes ago by a signer that stopped before announcing: the late window's case.
        CertificateSigningRequest cleaned = issuedAgo("cleaned-1", Duration.ofMinutes(10));
        CsrObserved lastSeenIssued = CsrSnapshots.of(cleaned, false, Instant.now());
        admin.certificates().v1().certificateSigningRequests().withName("cleaned-1").delete();
        CsrObserved deletion = CsrSnapshots.of(cleaned, true, Instant.now())
                .withDeletedBecause(CsrDeletionReason.ISSUED_PAST_DEADLINE);
        double changedBefore = checks("changed");
        double announcedBefore = checks("announced-now");

        watcher.send(EventType.CSR_OBSERVED, lastSeenIssued);
        watcher.send(EventType.CSR_OBSERVED, deletion);
        // Then a new CSR of that name, issued and unannounced as well. Same key, same partition: when
        // it is announced, the two events before it have been handled.
        CertificateSigningRequest again = issuedAgo("cleaned-1", Duration.ofMinutes(10));
        watcher.send(EventType.CSR_OBSERVED, CsrSnapshots.of(again, false, Instant.now()));

        await().atMost(WAIT).until(() -> !issuedFor("cleaned-1").isEmpty());
        CertIssued announced = issuedFor("cleaned-1").get(0);
        assertEquals(again.getMetadata().getUid(), announced.csrUid(), "only the new CSR's certificate");
        assertEquals(certificateOf(again), announced.certificate());
        assertEquals(1, checks("announced-now") - announcedBefore, 0.0);
        assertEquals(1, checks("changed") - changedBefore, 0.0,
                "the late Issued snapshot found its CSR gone; the Deleted event was not checked at all");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> issuedFor("cleaned-1").size() == 1);
        assertEquals(List.of(), deadLetters("cleaned-1"), "nothing failed");
    }

    /** A kubelet client CSR, approved, with a certificate of the signer's CA made {@code ago} and never announced. */
    private CertificateSigningRequest issuedAgo(String name, Duration ago) {
        CsrSubmitter.submit(emulator, "bootstrap-token", name, SIGNER, CLIENT, TestCsrs.kubelet(name).pem(), 86400);
        CertificateSigningRequest approved = CsrSubmitter.approve(admin, name, "AutoApproved", "test");
        Instant at = Instant.now().minus(ago);
        Validity validity = new Validity(at.minus(Validity.BACKDATE), at.plus(Duration.ofDays(1)));
        try {
            X509Certificate certificate = new CertificateIssuer(new org.bouncycastle.jce.provider.BouncyCastleProvider(),
                    new SecureRandom()).issue(SigningPolicy.template(CsrParser.defaults().parse(
                            CsrSnapshots.of(approved, false, Instant.now()).request()), CLIENT, validity), ourCa());
            return admin.certificates().v1().certificateSigningRequests().resource(
                    new CertificateSigningRequestBuilder(approved).editOrNewStatus().withCertificate(Base64.getEncoder()
                            .encodeToString(Pem.of(certificate).getBytes(StandardCharsets.US_ASCII))).endStatus().build())
                    .updateStatus();
        } catch (io.csrflow.pki.CsrRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The signer's CA as its files are now (another test may have rotated it). */
    private static CertificateAuthority ourCa() {
        try {
            TestCa ca = new TestCa(CaFilesResource.folder.resolve("ca.crt"), CaFilesResource.folder.resolve("ca.key"));
            return new CaLoader(new org.bouncycastle.jce.provider.BouncyCastleProvider()).load(ca.certFile(),
                    ca.keyFile());
        } catch (io.csrflow.pki.CaLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String certificateOf(CertificateSigningRequest csr) {
        return CsrSnapshots.of(csr, false, Instant.now()).certificate();
    }

    private List<CertIssued> issuedFor(String name) {
        return issued.matching(e -> e.csrName().equals(name));
    }

    /** Every record on the signer's dead-letter topic under {@code key}, read to its end. */
    private static List<String> deadLetters(String key) {
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> dlq = TopicReader.fromBeginning(KafkaBrokers.shared(),
                Topics.SIGNER_DEAD_LETTER)) {
            await().atMost(WAIT).until(() -> {
                for (ConsumerRecord<String, byte[]> r : dlq.poll(Duration.ofMillis(300))) {
                    if (key.equals(r.key())) {
                        found.add(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
                Set<TopicPartition> assigned = dlq.assignment();
                Map<TopicPartition, Long> end = assigned.isEmpty() ? Map.of() : dlq.endOffsets(assigned);
                return !assigned.isEmpty() && assigned.stream().allMatch(tp -> dlq.position(tp) >= end.get(tp));
            });
        }
        return found;
    }

    private static double checks(String outcome) {
        return PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract().asString(), CHECKS,
                Map.of("outcome", outcome));
    }
}
