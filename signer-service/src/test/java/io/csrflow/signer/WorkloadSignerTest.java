package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.pki.Pem;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.PrometheusText;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A signer of csrflow's own (csrflow.io/workload-serving) with its own CA and a server profile: what
 * it issues, what it refuses and how it says so, and that a signer nobody configured is left alone.
 */
@QuarkusTest
@TestProfile(WorkloadSignerResource.WorkloadSigners.class)
class WorkloadSignerTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final List<String> SERVER = List.of("digital signature", "key encipherment", "server auth");
    private static final String SIGNER = WorkloadSignerResource.SIGNER;
    private static final String POD = "my-pod.shop.pod.cluster.local";
    private static final String SERVICE = "my-svc.shop.svc.cluster.local";

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CertIssued> issued;
    EventSender sender;

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        issued = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CERT_ISSUED);
        sender = new EventSender(KafkaBrokers.shared(), "/test/approver");
    }

    @AfterEach
    void disconnect() {
        sender.close();
        issued.close();
        admin.close();
    }

    /** Created as the workload's ServiceAccount would, approved, and the approval announced as the approver does. */
    private void approved(String name, String signer, List<String> usages, TestCsrs csr, Integer expirationSeconds) {
        CsrSubmitter.submit(emulator, "admin-token", name, signer, usages, csr.pem(), expirationSeconds);
        CertificateSigningRequest approved = CsrSubmitter.approve(admin, name, "WorkloadServing", "test");
        sender.send(EventType.CSR_DECISION, new CsrDecision(name, approved.getMetadata().getUid(),
                approved.getMetadata().getResourceVersion(), signer, DecisionOutcome.APPROVED, "test",
                "WorkloadServing", "test", List.of(), "v0", Instant.now()));
    }

    private CertificateSigningRequest live(String name) {
        return admin.certificates().v1().certificateSigningRequests().withName(name).get();
    }

    private X509Certificate certificate(String name) {
        String b64 = await().atMost(WAIT).until(() -> live(name).getStatus().getCertificate(),
                c -> c != null && !c.isEmpty());
        return Pem.firstCertificate(new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII));
    }

    private CertificateSigningRequestCondition failed(String name) {
        return await().atMost(WAIT).until(() -> live(name).getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Failed")).findFirst().orElse(null), c -> c != null);
    }

    @Test
    void theDocumentationsWorkloadGetsACertificateOfItsOwnCaNotOfTheClientCa() throws Exception {
        approved("workload-doc", SIGNER, SERVER, TestCsrs.subject(POD).dnsNames(SERVICE, POD)
                .ipAddresses("172.168.0.24", "10.0.34.2"), 86400);

        X509Certificate certificate = certificate("workload-doc");
        Path dir = Files.createTempDirectory("workload-doc");
        Files.writeString(dir.resolve("server.crt"), Pem.of(certificate));
        assertEquals(dir.resolve("server.crt") + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-purpose",
                "sslserver", "-CAfile", WorkloadSignerResource.workload.resolve("ca.crt").toString(),
                dir.resolve("server.crt").toString()));
        // The cluster's client CA (the shared csrflow.signer.ca) never vouches for a workload.
        assertThrows(RuntimeException.class, () -> Cli.run(dir, null, "openssl", "verify", "-CAfile",
                WorkloadSignerResource.shared.resolve("ca.crt").toString(), dir.resolve("server.crt").toString()));
        String text = Cli.run(dir, null, "openssl", "x509", "-in", "server.crt", "-noout", "-text");
        for (String expected : List.of("CN = " + POD, "DNS:" + SERVICE + ", DNS:" + POD
                + ", IP Address:172.168.0.24, IP Address:10.0.34.2", "TLS Web Server Authentication", "CA:FALSE")) {
            assertTrue(text.contains(expected), expected + " in\n" + text);
        }
        await().atMost(WAIT).until(() -> !issued.matching(e -> e.csrName().equals("workload-doc")).isEmpty());
        assertEquals(SIGNER, issued.matching(e -> e.csrName().equals("workload-doc")).get(0).identity().signerName());
    }

    @Test
    void aWorkloadWithAnEmptyCommonNameIsSigned() {
        approved("workload-no-cn", SIGNER, SERVER, TestCsrs.subject(null).dnsNames("web.shop.svc"), 3600);
        assertEquals(List.of(List.of(2, "web.shop.svc")), List.copyOf(sans(certificate("workload-no-cn"))));
    }

    private static java.util.Collection<List<?>> sans(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames();
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("refused-client-auth", List.of("digital signature", "key encipherment", "client auth"),
                        TestCsrs.subject(null).dnsNames("web.shop.svc"), "profile/usages",
                        "profile/usages: usage \"client auth\" is not allowed; the profile allows server"),
                // No extended key usage: the certificate would serve any purpose, client auth included.
                Arguments.of("refused-no-eku", List.of("digital signature"), TestCsrs.subject(null)
                        .dnsNames("web.shop.svc"), "profile/usages", "profile/usages: the request names no extended "
                        + "key usage, and a certificate without one is valid for any purpose; ask for \"server auth\""),
                Arguments.of("refused-uri", SERVER, TestCsrs.subject(null).dnsNames("web.shop.svc")
                        .uris("spiffe://cluster.local/ns/shop/sa/web"), "profile/san-types",
                        "profile/san-types: uri SAN \"spiffe://cluster.local/ns/shop/sa/web\" is not allowed"),
                Arguments.of("refused-email", SERVER, TestCsrs.subject(null).emails("web@shop.example"),
                        "profile/san-types", "profile/san-types: email SAN \"web@shop.example\" is not allowed"),
                Arguments.of("refused-cn", SERVER, TestCsrs.subject("kubernetes.default.svc").dnsNames("web.shop.svc"),
                        "profile/common-name", "profile/common-name: CN \"kubernetes.default.svc\" is not one of the SANs"),
                Arguments.of("refused-five-sans", SERVER, TestCsrs.subject(null).dnsNames("a.shop.svc", "b.shop.svc",
                        "c.shop.svc", "d.shop.svc").ipAddresses("10.0.34.2"), "profile/max-sans",
                        "profile/max-sans: the request names 5 SANs; the profile allows at most 4"),
                Arguments.of("refused-no-san", SERVER, TestCsrs.subject("web"), "profile/max-sans",
                        "profile/max-sans: the request names no SAN"),
                // The shared checks run first, as for every signer.
                Arguments.of("refused-masters", SERVER, TestCsrs.subject("web.shop.svc", "system:masters")
                        .dnsNames("web.shop.svc"), "SystemMastersForbidden", "SystemMastersForbidden: "),
                Arguments.of("refused-weak-key", SERVER, TestCsrs.subject(null).dnsNames("web.shop.svc").rsa(1024),
                        "WeakKey", "WeakKey: "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void whatTheProfileDoesNotAllowFailsNamingTheRuleAndTheValue(String name, List<String> usages, TestCsrs csr,
            String check, String message) {
        approved(name, SIGNER, usages, csr, 3600);

        CertificateSigningRequestCondition failed = failed(name);
        assertEquals("SignerValidationFailure", failed.getReason());
        assertTrue(failed.getMessage().contains(message), failed.getMessage());
        assertNull(live(name).getStatus().getCertificate());
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(PrometheusText.sum(metrics, "csrflow_signer_validation_failures_total", Map.of("signer", SIGNER,
                "check", check)) >= 1, check + " counted");
    }

    @Test
    void aLifetimeBeyondTheProfilesMaximumIsCappedToIt() {
        approved("workload-long", SIGNER, SERVER, TestCsrs.subject(null).dnsNames("long.shop.svc"), 7 * 86400);
        X509Certificate certificate = certificate("workload-long");
        assertEquals(Duration.ofHours(48), Duration.between(certificate.getNotBefore().toInstant(),
                certificate.getNotAfter().toInstant()));
    }

    @Test
    void aSignerNobodyConfiguredIsLeftAlone() {
        approved("external-signer", "example.com/serving", SERVER, TestCsrs.subject(null).dnsNames("x.shop.svc"), 3600);
        // Signed by a workload request behind it: by then the signer has long handled the first decision.
        approved("behind-external", SIGNER, SERVER, TestCsrs.subject(null).dnsNames("y.shop.svc"), 3600);
        certificate("behind-external");

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> live("external-signer")
                .getStatus().getConditions().size() == 1 && live("external-signer").getStatus().getCertificate() == null);
        assertTrue(issued.matching(e -> e.csrName().equals("external-signer")).isEmpty());
    }

    /**
     * Run last in effect, though any order works: the CA is replaced by one that expires in an hour,
     * and a day's certificate ends with it (kube-controller-manager's CA cap).
     */
    @Test
    void aCertificateNeverOutlivesItsCa() throws Exception {
        Instant caEnd = Instant.now().plus(Duration.ofHours(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        TestCa shortLived = TestCa.create(Files.createTempDirectory("short-ca"), "csrflow-test-workload-ca-short",
                Instant.now().minus(Duration.ofDays(1)), caEnd);
        rotate(shortLived);
        approved("workload-capped", SIGNER, SERVER, TestCsrs.subject(null).dnsNames("capped.shop.svc"), 86400);
        X509Certificate certificate = certificate("workload-capped");
        X509Certificate ca = Pem.firstCertificate(Files.readString(shortLived.certFile()));
        assertEquals(ca.getNotAfter(), certificate.getNotAfter());
        assertEquals(ca.getSubjectX500Principal(), certificate.getIssuerX500Principal());
    }

    /**
     * The workload CA's files replaced by the cluster client CA's: refused as at start (its bundle goes
     * to every namespace and what it signs would chain to the cluster's client CA); the CA in use signs on.
     */
    @Test
    void aReloadOntoTheKeyOfAKubernetesSignersCaIsRefusedAndTheCaInUseSignsOn() throws Exception {
        Path workload = WorkloadSignerResource.workload;
        String certInUse = Files.readString(workload.resolve("ca.crt"));
        String keyInUse = Files.readString(workload.resolve("ca.key"));
        Map<String, String> labels = Map.of("signer", SIGNER);
        double failuresBefore = PrometheusText.sum(given().get("/q/metrics").asString(),
                "csrflow_signer_ca_reload_failures_total", labels);
        try {
            Files.writeString(workload.resolve("ca.key"), Files.readString(WorkloadSignerResource.shared.resolve("ca.key")));
            Files.writeString(workload.resolve("ca.crt"), Files.readString(WorkloadSignerResource.shared.resolve("ca.crt")));
            // Refused on every tick: a tick between the two writes fails once on the mismatch alone, the
            // refusal of the pair as written keeps failing (500 ms ticks).
            await().atMost(WAIT).until(() -> PrometheusText.sum(given().get("/q/metrics").asString(),
                    "csrflow_signer_ca_reload_failures_total", labels) >= failuresBefore + 3);

            approved("workload-after-refused-reload", SIGNER, SERVER, TestCsrs.subject(null)
                    .dnsNames("refused-reload.shop.svc"), 3600);
            assertEquals(Pem.firstCertificate(certInUse).getSubjectX500Principal(),
                    certificate("workload-after-refused-reload").getIssuerX500Principal());
        } finally {
            Files.writeString(workload.resolve("ca.key"), keyInUse);
            Files.writeString(workload.resolve("ca.crt"), certInUse);
        }
    }

    /** Replaces the workload CA's files in place, as a Secret update does, and waits until it signs. */
    static void rotate(TestCa next) throws Exception {
        String cert = Files.readString(next.certFile());
        Files.writeString(WorkloadSignerResource.workload.resolve("ca.key"), Files.readString(next.keyFile()));
        Files.writeString(WorkloadSignerResource.workload.resolve("ca.crt"), cert);
        String validUntil = "valid until " + Pem.firstCertificate(cert).getNotAfter().toInstant();
        await().atMost(WAIT).until(() -> given().get("/q/health/ready").asString().contains(validUntil));
    }
}
