package io.csrflow.signer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CertIssued;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.TestCa;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(CaFilesResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "signer-token"))
class SignerComponentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> CLIENT = List.of("digital signature", "client auth");
    private static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CertIssued> issued;
    EventSender sender;

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        emulator.addUser(new EmulatorConfig.User("node-s1-token", "system:node:s1", null, List.of("system:nodes"), null));
        issued = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CERT_ISSUED);
        sender = new EventSender(KafkaBrokers.shared(), "/test/approver");
    }

    @AfterEach
    void disconnect() {
        sender.close();
        issued.close();
        admin.close();
    }

    private CertificateSigningRequest create(String token, String name, String signer, List<String> usages, String pem) {
        return CsrSubmitter.submit(emulator, token, name, signer, usages, pem, 86400);
    }

    private CertificateSigningRequest approve(String name) {
        return CsrSubmitter.approve(admin, name, "AutoApproved", "test");
    }

    /** What the approver publishes after approving. */
    private void decide(CertificateSigningRequest csr, DecisionOutcome outcome) {
        sender.send(EventType.CSR_DECISION, new CsrDecision(csr.getMetadata().getName(), csr.getMetadata().getUid(),
                csr.getMetadata().getResourceVersion(), csr.getSpec().getSignerName(), outcome, "test", "AutoApproved",
                "test", List.of(), "v0", Instant.now()));
    }

    /** What the watcher publishes. */
    private void observe(CertificateSigningRequest csr) {
        sender.send(EventType.CSR_OBSERVED, CsrSnapshots.of(csr, false, Instant.now()));
    }

    private String certificate(String name) {
        CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests().withName(name).get();
        String b64 = csr.getStatus() == null ? null : csr.getStatus().getCertificate();
        return b64 == null || b64.isEmpty() ? null : new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    private List<CertIssued> issuedFor(String name) {
        return issued.matching(e -> e.csrName().equals(name));
    }

    @Test
    void approvedCsrGetsACertificateThatOpensslAccepts() throws Exception {
        create("node-s1-token", "sign-1", "kubernetes.io/kubelet-serving", SERVING,
                TestCsrs.kubelet("s1").dnsNames("s1").ipAddresses("10.0.0.31").pem());
        decide(approve("sign-1"), DecisionOutcome.APPROVED);

        await().atMost(WAIT).until(() -> certificate("sign-1") != null);
        Path dir = Files.createTempDirectory("sign-1");
        Files.writeString(dir.resolve("cert.pem"), certificate("sign-1"));
        assertEquals(dir.resolve("cert.pem") + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-CAfile",
                CaFilesResource.folder.resolve("ca.crt").toString(), dir.resolve("cert.pem").toString()));
        String text = Cli.run(dir, null, "openssl", "x509", "-in", "cert.pem", "-noout", "-text");
        for (String expected : List.of("CA:FALSE", "TLS Web Server Authentication", "DNS:s1, IP Address:10.0.0.31",
                "Subject: O = system:nodes, CN = system:node:s1")) {
            assertTrue(text.contains(expected), expected + " in\n" + text);
        }

        await().atMost(WAIT).until(() -> !issuedFor("sign-1").isEmpty());
        CertIssued event = issuedFor("sign-1").get(0);
        assertEquals("kubernetes.io/kubelet-serving|system:node:s1", event.identity().key());
        assertEquals(certificate("sign-1"), event.certificate());
        assertEquals(List.of("s1"), event.dnsNames());
        assertEquals(64, event.sha256Fingerprint().length());
    }

    @Test
    void aCsrApprovedWithKubectlIsSignedFromTheWatchersEvent() throws Exception {
        create("bootstrap-token", "sign-kubectl", "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet("s2").pem());
        Path kubeconfig = emulator.writeKubeconfig(Files.createTempDirectory("kc").resolve("config"), "admin-token");
        Cli.run(kubeconfig.getParent(), null, "kubectl", "--kubeconfig", kubeconfig.toString(), "certificate",
                "approve", "sign-kubectl");
        observe(admin.certificates().v1().certificateSigningRequests().withName("sign-kubectl").get());

        await().atMost(WAIT).until(() -> certificate("sign-kubectl") != null);
        await().atMost(WAIT).until(() -> !issuedFor("sign-kubectl").isEmpty());
    }

    @Test
    void anInvalidRequestBecomesFailedNotRetried() throws Exception {
        // An administrator approved a serving CSR without any SAN; the signer's own rules refuse it.
        create("node-s1-token", "sign-invalid", "kubernetes.io/kubelet-serving", SERVING, TestCsrs.kubelet("s1").pem());
        decide(approve("sign-invalid"), DecisionOutcome.APPROVED);

        await().atMost(WAIT).until(() -> admin.certificates().v1().certificateSigningRequests().withName("sign-invalid")
                .get().getStatus().getConditions().size() == 2);
        var failed = admin.certificates().v1().certificateSigningRequests().withName("sign-invalid").get().getStatus()
                .getConditions().get(1);
        assertEquals("Failed", failed.getType());
        assertEquals("SignerValidationFailure", failed.getReason());
        assertTrue(failed.getMessage().contains("has-dns-or-ip-san"), failed.getMessage());
        assertNull(certificate("sign-invalid"));
    }

    @Test
    void theSameApprovalFiveTimesGivesOneCertificate() throws Exception {
        create("bootstrap-token", "sign-5x", "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet("s3").pem());
        CertificateSigningRequest approved = approve("sign-5x");
        for (int i = 0; i < 5; i++) {
            decide(approved, DecisionOutcome.APPROVED);
        }
        observe(approved);

        await().atMost(WAIT).until(() -> certificate("sign-5x") != null);
        String first = certificate("sign-5x");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> issuedFor("sign-5x").size() <= 1);
        assertEquals(1, issuedFor("sign-5x").size());
        assertEquals(first, certificate("sign-5x"));
    }

    @Test
    void aForgedApprovalSignsNothing() throws Exception {
        CertificateSigningRequest pending = create("bootstrap-token", "sign-forged",
                "kubernetes.io/kube-apiserver-client-kubelet", CLIENT, TestCsrs.kubelet("s4").pem());
        decide(pending, DecisionOutcome.APPROVED);

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> certificate("sign-forged") == null);
        assertTrue(issuedFor("sign-forged").isEmpty());
    }

    @Test
    void aCaRotatedTwiceKeepsEveryEarlierCaInTheBundleSoEarlierCertificatesStayTrusted() throws Exception {
        String firstCa = Files.readString(CaFilesResource.folder.resolve("ca.crt")).trim();
        String first = signed("sign-before-rotation", "s5");

        TestCa ca2 = rotate("csrflow-test-ca-2");
        String second = signed("sign-after-rotation", "s6");
        assertEquals("CN=csrflow-test-ca-2", issuedFor("sign-after-rotation").get(0).issuer());

        TestCa ca3 = rotate("csrflow-test-ca-3");
        String third = signed("sign-after-second-rotation", "s7");
        assertEquals("CN=csrflow-test-ca-3", issuedFor("sign-after-second-rotation").get(0).issuer());

        String bundle = bundle("kube-apiserver-client-kubelet");
        assertTrue(bundle.startsWith(Files.readString(ca3.certFile()).trim()), "the signing CA comes first");
        for (String ca : List.of(Files.readString(ca2.certFile()).trim(), firstCa,
                Files.readString(CaFilesResource.folder.resolve("next/ca.crt")).trim())) {
            assertTrue(bundle.contains(ca), "earlier and next CAs stay published:\n" + bundle);
        }
        // What a client holding the published bundle sees: every certificate still verifies.
        Path dir = Files.createTempDirectory("rotated");
        Files.writeString(dir.resolve("bundle.crt"), bundle + "\n");
        for (String certificate : List.of(first, second, third)) {
            Files.writeString(dir.resolve("leaf.crt"), certificate);
            assertEquals(dir.resolve("leaf.crt") + ": OK\n", Cli.run(dir, null, "openssl", "verify", "-CAfile",
                    dir.resolve("bundle.crt").toString(), dir.resolve("leaf.crt").toString()));
        }
        given().get("/q/health/ready").then().body(containsString("earlier CA(s) trusted"));
    }

    @Test
    void aCaAnotherReplicaReplacedStaysInTheBundleWhenThisReplicaPublishes() throws Exception {
        // What another replica recorded after it saw a CA replaced (this one did not): the certificate in
        // the bundle and, in the annotation, until when it stays trusted; and an entry already past its time.
        TestCa elsewhere = TestCa.create(Files.createTempDirectory("elsewhere"), "csrflow-retired-elsewhere",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        TestCa lapsed = TestCa.create(Files.createTempDirectory("lapsed"), "csrflow-retired-lapsed",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        String file = "kube-apiserver-client-kubelet.crt";
        var published = publishedBundles();
        String fingerprint = io.csrflow.pki.Fingerprints.sha256(io.csrflow.pki.Pem.firstCertificate(
                Files.readString(elsewhere.certFile())));
        String lapsedFingerprint = io.csrflow.pki.Fingerprints.sha256(io.csrflow.pki.Pem.firstCertificate(
                Files.readString(lapsed.certFile())));
        published.getData().put(file, published.getData().get(file) + Files.readString(elsewhere.certFile())
                + Files.readString(lapsed.certFile()));
        // Further than any certificate of the signer can last (max-duration 8760h): held to that on adoption.
        Instant keepUntil = Instant.now().plus(Duration.ofDays(3650));
        Instant lapsedUntil = Instant.now().minusSeconds(60);
        published.getMetadata().getAnnotations().put("csrflow.io/retired-cas", "kube-apiserver-client-kubelet/"
                + fingerprint + "=" + keepUntil + ",kube-apiserver-client-kubelet/" + lapsedFingerprint + "=" + lapsedUntil);
        // Signed with the CA key the replicas share, as the replica that saw the replacement signs it.
        published.getMetadata().getAnnotations().put("csrflow.io/retired-cas-proof", recordProof(
                "kubernetes.io/kube-apiserver-client-kubelet", List.of(fingerprint + "=" + keepUntil, lapsedFingerprint
                        + "=" + lapsedUntil), CaFilesResource.folder.resolve("ca.crt"), CaFilesResource.folder.resolve("ca.key")));
        admin.configMaps().inNamespace("csrflow").resource(published).update();

        rotate("csrflow-test-ca-after-elsewhere");

        String bundle = bundle("kube-apiserver-client-kubelet");
        assertTrue(bundle.contains(Files.readString(elsewhere.certFile()).trim()), "kept:\n" + bundle);
        assertTrue(!bundle.contains(Files.readString(lapsed.certFile()).trim()), "past its time, dropped");
        String record = admin.configMaps().inNamespace("csrflow").withName("csrflow-ca-bundles").get().getMetadata()
                .getAnnotations().get("csrflow.io/retired-cas");
        assertTrue(record.contains(fingerprint) && !record.contains(lapsedFingerprint), record);
        String kept = record.substring(record.indexOf(fingerprint) + fingerprint.length() + 1).split(",")[0];
        assertTrue(Instant.parse(kept).isBefore(Instant.now().plus(Duration.ofHours(8760)).plusSeconds(60)),
                "held to the longest certificate from now: " + record);
    }

    /**
     * A CA put into the bundle and the record by someone who may edit the ConfigMap but holds no CA key of
     * the signer (here it signs the record with the intruding CA's own key): never trusted, never published.
     */
    @Test
    void aCaInTheRecordThatNoCaOfTheSignerSignedIsNotTrusted() throws Exception {
        TestCa intruder = TestCa.create(Files.createTempDirectory("intruder"), "csrflow-intruding-ca",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        String intruderPem = Files.readString(intruder.certFile());
        String fingerprint = io.csrflow.pki.Fingerprints.sha256(io.csrflow.pki.Pem.firstCertificate(intruderPem));
        String file = "kube-apiserver-client-kubelet.crt";
        String entry = fingerprint + "=" + Instant.now().plus(Duration.ofDays(2));
        var published = publishedBundles();
        published.getData().put(file, published.getData().get(file) + intruderPem);
        published.getMetadata().getAnnotations().put("csrflow.io/retired-cas", "kube-apiserver-client-kubelet/" + entry);
        published.getMetadata().getAnnotations().put("csrflow.io/retired-cas-proof", recordProof(
                "kubernetes.io/kube-apiserver-client-kubelet", List.of(entry), intruder.certFile(), intruder.keyFile()));
        double refusedBefore = refusedRecords();
        admin.configMaps().inNamespace("csrflow").resource(published).update();

        rotate("csrflow-test-ca-after-intruder");

        String bundle = bundle("kube-apiserver-client-kubelet");
        assertTrue(!bundle.contains(intruderPem.trim()), "not trusted:\n" + bundle);
        String record = admin.configMaps().inNamespace("csrflow").withName("csrflow-ca-bundles").get().getMetadata()
                .getAnnotations().get("csrflow.io/retired-cas");
        assertTrue(!record.contains(fingerprint), record);
        assertTrue(refusedRecords() > refusedBefore, "counted");
    }

    /**
     * Someone who may edit the bundle ConfigMap slips a CA of their own into it: the rotation scheduler
     * would count whatever that CA signs as issued by csrflow. Each way of doing so is undone without
     * waiting for a CA change: appended to a signer's file, as a file of another name, in binaryData
     * (a file in the mounted volume too), or hidden after a lone CR, which the JDK's PEM reader takes
     * as a line end where the signer's does not.
     */
    @Test
    void aCaSlippedIntoTheBundleConfigMapIsTakenOutAgain() throws Exception {
        TestCa intruder = TestCa.create(Files.createTempDirectory("slipped"), "csrflow-slipped-ca",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        String intruderPem = Files.readString(intruder.certFile());
        java.util.Map<String, String> signers = publishedBundles().getData();
        String serving = "kubelet-serving.crt";
        java.util.Map<String, java.util.function.Consumer<ConfigMap>> edits = new java.util.LinkedHashMap<>();
        edits.put("appended", c -> c.getData().put(serving, c.getData().get(serving) + intruderPem));
        edits.put("another file", c -> c.getData().put("example.com_slipped.crt", intruderPem));
        edits.put("binaryData", c -> c.setBinaryData(java.util.Map.of("csrflow.io_slipped.crt",
                Base64.getEncoder().encodeToString(intruderPem.getBytes(StandardCharsets.US_ASCII)))));
        edits.put("after a lone CR", c -> c.getData().put(serving, c.getData().get(serving) + "note\r"
                + intruderPem.replace("\n", "\r")));
        for (var edit : edits.entrySet()) {
            ConfigMap published = publishedBundles();
            edit.getValue().accept(published);
            double driftBefore = metric("csrflow_signer_trust_bundle_drift_total", java.util.Map.of());
            admin.configMaps().inNamespace("csrflow").resource(published).update();

            ConfigMap restored = await().atMost(WAIT).until(() -> admin.configMaps().inNamespace("csrflow")
                    .withName("csrflow-ca-bundles").get(), now -> signers.equals(now.getData())
                    && (now.getBinaryData() == null || now.getBinaryData().isEmpty()));
            assertTrue(restored.getData().values().stream().noneMatch(pem -> pem.contains("\r")), edit.getKey());
            assertTrue(metric("csrflow_signer_trust_bundle_drift_total", java.util.Map.of()) > driftBefore,
                    edit.getKey() + ": counted");
        }
    }

    private static double metric(String name, java.util.Map<String, String> labels) {
        return io.csrflow.testsupport.PrometheusText.sum(given().get("/q/metrics").then().statusCode(200).extract()
                .asString(), name, labels);
    }

    private static double refusedRecords() {
        return metric("csrflow_signer_trust_bundle_record_refused_total",
                java.util.Map.of("signer", "kubernetes.io/kube-apiserver-client-kubelet"));
    }

    /**
     * The annotation {@code csrflow.io/retired-cas-proof} for one signer's entries ({@code <sha256>=<keep
     * until>}), signed with the given CA as docs/signer.md describes the record.
     */
    private static String recordProof(String signer, List<String> entries, Path caCert, Path caKey) throws Exception {
        var ca = new io.csrflow.pki.CaLoader(new org.bouncycastle.jce.provider.BouncyCastleProvider()).load(caCert, caKey);
        StringBuilder text = new StringBuilder("csrflow.io/retired-cas v1\n").append(signer).append('\n');
        entries.stream().sorted().forEach(e -> text.append(e).append('\n'));
        var signature = java.security.Signature.getInstance(ca.signatureAlgorithm(),
                new org.bouncycastle.jce.provider.BouncyCastleProvider());
        signature.initSign(ca.key());
        signature.update(text.toString().getBytes(StandardCharsets.UTF_8));
        return signer.substring("kubernetes.io/".length()) + "/" + io.csrflow.pki.Fingerprints.sha256(ca.certificate())
                + "=" + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    }

    /** A kubelet client CSR for {@code node}, approved, and its certificate once the signer wrote it. */
    private String signed(String name, String node) {
        create("bootstrap-token", name, "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet(node).pem());
        decide(approve(name), DecisionOutcome.APPROVED);
        await().atMost(WAIT).until(() -> !issuedFor(name).isEmpty());
        return certificate(name);
    }

    /** Replaces the CA files in place, as a Secret update does, and waits until the bundle shows the new CA. */
    private TestCa rotate(String name) throws Exception {
        TestCa next = TestCa.create(Files.createTempDirectory(name), name, Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(365)));
        Files.writeString(CaFilesResource.folder.resolve("ca.key"), Files.readString(next.keyFile()));
        Files.writeString(CaFilesResource.folder.resolve("ca.crt"), Files.readString(next.certFile()));
        await().atMost(WAIT).until(() -> bundle("kube-apiserver-client-kubelet").startsWith(
                Files.readString(next.certFile()).trim()));
        return next;
    }

    private String bundle(String signer) {
        return publishedBundles().getData().get(signer + ".crt").trim();
    }

    /** The bundles' ConfigMap once the signer has published it, which it does on a thread of its own. */
    private ConfigMap publishedBundles() {
        return await().atMost(WAIT).until(() -> admin.configMaps().inNamespace("csrflow").withName("csrflow-ca-bundles")
                .get(), published -> published.getData() != null && published.getData().containsKey("kubelet-serving.crt"));
    }

    @Test
    void theTrustBundleCarriesTheCurrentAndTheNextCa() throws Exception {
        String bundle = bundle("kubelet-serving");
        assertTrue(bundle.startsWith(Files.readString(CaFilesResource.folder.resolve("ca.crt")).trim()), bundle);
        assertTrue(bundle.contains(Files.readString(CaFilesResource.folder.resolve("next/ca.crt")).trim()));
    }

    @Test
    void legacyUnknownIsNotServedByTheDefaultCa() {
        assertTrue(publishedBundles().getData().keySet().stream().noneMatch(k -> k.startsWith("legacy-unknown")));
        given().get("/q/health/ready").then().body(org.hamcrest.Matchers.not(containsString("legacy-unknown")));
    }

    @Test
    void reportsIssuanceMetricsAndReadiness() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("kubernetes.io/kubelet-serving"))
                .body(containsString("v1.32.0-csrflow-emulator"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("csrflow_signer_ca_not_after"));
    }
}
