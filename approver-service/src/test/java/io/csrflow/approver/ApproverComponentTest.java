package io.csrflow.approver;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.CsrObserved;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.EventProbe;
import org.apache.kafka.clients.producer.ProducerRecord;
import io.csrflow.events.EventCodec;
import io.csrflow.service.CsrTrace;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.TestCsrs;
import io.csrflow.testsupport.TopicReader;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;

@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "approver-token"))
class ApproverComponentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final List<String> CLIENT = List.of("digital signature", "client auth");
    private static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");
    private static final String DLQ = io.csrflow.events.Topics.APPROVER_DEAD_LETTER;
    private static final RestAssuredConfig YAML_AS_TEXT = RestAssuredConfig.config().encoderConfig(
            EncoderConfig.encoderConfig().encodeContentTypeAs("application/yaml", ContentType.TEXT));

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CsrDecision> decisions;
    EventSender sender;

    @BeforeAll
    static void topics() {
        KafkaBrokers.createTopics(KafkaBrokers.shared(), 1, List.of(DLQ));
    }

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
        for (String node : List.of("n1", "n2", "n3", "n4")) {
            emulator.addUser(new EmulatorConfig.User("node-" + node + "-token", "system:node:" + node, null,
                    List.of("system:nodes"), null));
        }
        emulator.addUser(new EmulatorConfig.User("jane-token", "jane", null, List.of("developers"), null));
        decisions = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_DECISION);
        sender = new EventSender(KafkaBrokers.shared(), "/test/watcher");
    }

    @AfterEach
    void disconnect() {
        sender.close();
        decisions.close();
        admin.close();
    }

    private CertificateSigningRequest create(String token, String name, String signer, List<String> usages, String pem) {
        return CsrSubmitter.submit(emulator, token, name, signer, usages, pem, null);
    }

    /** What the watcher would publish for this CSR. */
    private void observe(CertificateSigningRequest csr) throws Exception {
        publish(CsrSnapshots.of(csr, false, Clock.systemUTC().instant()));
    }

    private void publish(CsrObserved snapshot) {
        sender.send(EventType.CSR_OBSERVED, snapshot);
    }

    private CertificateSigningRequestCondition condition(String name) {
        return CsrOutcomes.condition(admin, name);
    }

    private CsrDecision decisionFor(String name) {
        return CsrOutcomes.lastDecision(decisions, name);
    }

    private List<Event> eventsFor(String name) {
        return CsrOutcomes.events(admin, name);
    }

    private void node(String name, String... addresses) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).endMetadata().withNewStatus().endStatus();
        for (String address : addresses) {
            node.editStatus().addNewAddress().withType(address.matches("[0-9.]+") ? "InternalIP" : "Hostname")
                    .withAddress(address).endAddress().endStatus();
        }
        admin.nodes().resource(node.build()).create();
    }

    @Test
    void bootstrapClientCsrIsApprovedWithAnEventAndADecision() throws Exception {
        observe(create("bootstrap-token", "boot-1", "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet("n1").pem()));

        await().atMost(WAIT).until(() -> condition("boot-1") != null);
        CertificateSigningRequestCondition approved = condition("boot-1");
        assertEquals("Approved", approved.getType());
        assertEquals("AutoApproved", approved.getReason());
        assertEquals("Auto approving kubelet client certificate after SubjectAccessReview.", approved.getMessage());

        await().atMost(WAIT).until(() -> decisionFor("boot-1") != null);
        CsrDecision decision = decisionFor("boot-1");
        assertEquals(DecisionOutcome.APPROVED, decision.outcome());
        assertEquals("kubelet-client", decision.rule());
        assertTrue(decision.checks().stream().anyMatch(c -> c.name().equals("sar-nodeclient") && c.passed()));
        assertTrue(decision.checks().stream().anyMatch(c -> c.name().equals("verified") && c.passed()
                && c.detail().contains("SHA256withECDSA")));
        assertEquals(12, decision.policyVersion().length());

        await().atMost(WAIT).until(() -> !eventsFor("boot-1").isEmpty());
        Event event = eventsFor("boot-1").get(0);
        assertEquals("AutoApproved", event.getReason());
        assertEquals("Normal", event.getType());
        assertEquals("CertificateSigningRequest", event.getInvolvedObject().getKind());
    }

    @Test
    void everyLogLineAboutACsrCarriesItsNameInTheLoggingContext() throws Exception {
        java.util.List<org.jboss.logmanager.ExtLogRecord> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record instanceof org.jboss.logmanager.ExtLogRecord ext
                        && ext.getFormattedMessage().contains("log-ctx-1")) {
                    ext.copyAll(); // the logging context of the thread that logged, as handlers see it
                    lines.add(ext);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger approver = java.util.logging.Logger.getLogger("io.csrflow.approver");
        approver.addHandler(capture);
        try {
            observe(create("bootstrap-token", "log-ctx-1", "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                    TestCsrs.kubelet("n-log").pem()));
            await().atMost(WAIT).until(() -> !lines.isEmpty());
            for (org.jboss.logmanager.ExtLogRecord line : lines) {
                assertEquals("log-ctx-1", line.getMdc(io.csrflow.service.CsrLogContext.KEY), line.getFormattedMessage());
            }
        } finally {
            approver.removeHandler(capture);
        }
    }

    @Test
    void theDecisionContinuesTheCsrsTraceWithOrWithoutATraceparent() throws Exception {
        CertificateSigningRequest traced = create("bootstrap-token", "traced-1",
                "kubernetes.io/kube-apiserver-client-kubelet", CLIENT, TestCsrs.kubelet("t1").pem());
        String traceId = CsrTrace.traceId(traced.getMetadata().getUid());
        ProducerRecord<String, byte[]> record = new EventCodec("/test/watcher", Clock.systemUTC())
                .encode(EventType.CSR_OBSERVED, CsrSnapshots.of(traced, false, Clock.systemUTC().instant()))
                .toProducerRecord(EventType.CSR_OBSERVED.defaultTopic());
        record.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes());
        sender.sendRecord(record);
        CertificateSigningRequest untraced = create("bootstrap-token", "traced-2",
                "kubernetes.io/kube-apiserver-client-kubelet", CLIENT, TestCsrs.kubelet("t2").pem());
        observe(untraced);

        await().atMost(WAIT).until(() -> decisionFor("traced-1") != null && decisionFor("traced-2") != null);
        assertEquals(traceId, received("traced-1").traceId());
        // Span export is off here, as by default: the review makes no span of its own, and the
        // decision names the span of the observation that caused it.
        assertEquals("00-" + traceId + "-00f067aa0ba902b7-01", received("traced-1").headers().get("traceparent"));
        assertEquals(CsrTrace.traceId(untraced.getMetadata().getUid()), received("traced-2").traceId());
    }

    private EventProbe.Received<CsrDecision> received(String name) {
        return decisions.received().stream().filter(r -> r.data().csrName().equals(name)).reduce((a, b) -> b)
                .orElseThrow();
    }

    @Test
    void servingCsrWithAForeignSanIsDeniedNamingTheSan() throws Exception {
        node("n1", "10.0.0.1", "n1");
        observe(create("node-n1-token", "serve-evil", "kubernetes.io/kubelet-serving", SERVING,
                TestCsrs.kubelet("n1").dnsNames("n1", "evil.example").ipAddresses("10.0.0.1").pem()));

        await().atMost(WAIT).until(() -> condition("serve-evil") != null);
        assertEquals("Denied", condition("serve-evil").getType());
        assertEquals("SANNotANodeAddress", condition("serve-evil").getReason());
        assertEquals("SAN DNS:evil.example (not a Hostname, InternalDNS or ExternalDNS of Node n1)",
                condition("serve-evil").getMessage());
        await().atMost(WAIT).until(() -> !eventsFor("serve-evil").isEmpty());
        assertEquals("Warning", eventsFor("serve-evil").get(0).getType());

        Path kubeconfig = emulator.writeKubeconfig(Files.createTempDirectory("kc").resolve("config"), "admin-token");
        String described = Cli.run(kubeconfig.getParent(), null, "kubectl", "--kubeconfig", kubeconfig.toString(),
                "describe", "csr", "serve-evil");
        assertTrue(described.contains("SANNotANodeAddress") && described.contains("csrflow-approver"), described);
    }

    @Test
    void servingCsrWaitsForItsNodeAndIsApprovedOnceItRegisters() throws Exception {
        observe(create("node-n2-token", "serve-early", "kubernetes.io/kubelet-serving", SERVING,
                TestCsrs.kubelet("n2").dnsNames("n2").ipAddresses("10.0.0.2").pem()));
        await().atMost(WAIT).until(() -> decisionFor("serve-early") != null);
        assertEquals(DecisionOutcome.NO_OPINION, decisionFor("serve-early").outcome());
        assertEquals("NodeNotFound", decisionFor("serve-early").reason());
        assertEquals(null, condition("serve-early"));

        node("n2", "10.0.0.2", "n2");

        await().atMost(WAIT).until(() -> condition("serve-early") != null);
        assertEquals("Approved", condition("serve-early").getType());
        assertEquals("Auto approving kubelet serving certificate after checking node addresses.",
                condition("serve-early").getMessage());
    }

    @Test
    void aForgedEventCannotChangeWhatIsJudged() throws Exception {
        node("n3", "10.0.0.3", "n3");
        CertificateSigningRequest live = create("node-n3-token", "forged-1", "kubernetes.io/kubelet-serving", SERVING,
                TestCsrs.kubelet("n3").dnsNames("n3", "mail.example").pem());
        CsrObserved truthful = CsrSnapshots.of(live, false, Clock.systemUTC().instant());
        // The forger claims a harmless request; the approver judges the live object.
        publish(new CsrObserved(truthful.name(), truthful.uid(), truthful.resourceVersion(), truthful.signerName(),
                TestCsrs.kubelet("n3").dnsNames("n3").pem(), truthful.usages(), null, truthful.requester(), List.of(),
                null, truthful.phase(), truthful.createdAt(), truthful.observedAt()));

        await().atMost(WAIT).until(() -> condition("forged-1") != null);
        assertEquals("Denied", condition("forged-1").getType());

        publish(new CsrObserved("no-such-csr", "uid-x", "1", truthful.signerName(), truthful.request(),
                truthful.usages(), null, truthful.requester(), List.of(), null, truthful.phase(), null,
                truthful.observedAt()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> decisionFor("no-such-csr") == null);
    }

    @Test
    void malformedRecordGoesToTheDeadLetterTopicAndTheServiceGoesOn() throws Exception {
        sender.sendRaw(EventType.CSR_OBSERVED.defaultTopic(), "junk-1", "{not an event".getBytes());

        try (KafkaConsumer<String, byte[]> dlq = TopicReader.fromBeginning(KafkaBrokers.shared(), DLQ)) {
            List<String> keys = new java.util.ArrayList<>();
            await().atMost(WAIT).until(() -> {
                dlq.poll(Duration.ofMillis(300)).forEach(r -> keys.add(r.key()));
                return keys.contains("junk-1");
            });
        }
        observe(create("bootstrap-token", "after-junk", "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet("n7").pem()));
        await().atMost(WAIT).until(() -> condition("after-junk") != null);
        given().get("/q/metrics").then().body(containsString("csrflow_approver_records_malformed_total"));
    }

    @Test
    void snapshotsOfOtherPhasesArePassedByUnreadAndOnesWithoutAPhaseAreReviewed() throws Exception {
        // A record that says it is an Issued snapshot is not the approver's: not even its body is read.
        ProducerRecord<String, byte[]> issued = new ProducerRecord<>(EventType.CSR_OBSERVED.defaultTopic(),
                "junk-issued", "{not an event".getBytes());
        issued.headers().add(EventCodec.H_PHASE, "Issued".getBytes());
        sender.sendRecord(issued);
        // A producer older than the phase header: its pending CSR is reviewed as before.
        CsrObserved pending = CsrSnapshots.of(create("bootstrap-token", "no-phase-header",
                "kubernetes.io/kube-apiserver-client-kubelet", CLIENT, TestCsrs.kubelet("n8").pem()), false,
                Clock.systemUTC().instant());
        ProducerRecord<String, byte[]> older = new EventCodec("/test/watcher", Clock.systemUTC())
                .encode(EventType.CSR_OBSERVED, pending).toProducerRecord(EventType.CSR_OBSERVED.defaultTopic());
        older.headers().remove(EventCodec.H_PHASE);
        sender.sendRecord(older);

        await().atMost(WAIT).until(() -> condition("no-phase-header") != null);
        assertEquals("Approved", condition("no-phase-header").getType());
        try (KafkaConsumer<String, byte[]> dlq = TopicReader.fromBeginning(KafkaBrokers.shared(), DLQ)) {
            List<String> keys = new java.util.ArrayList<>();
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < end) {
                dlq.poll(Duration.ofMillis(300)).forEach(r -> keys.add(r.key()));
            }
            assertFalse(keys.contains("junk-issued"), "dead letters: " + keys);
        }
    }

    @Test
    void anAdministratorCanStillApproveWhatThePolicyLeftPending() throws Exception {
        // Creating CSRs takes RBAC, as in any cluster: the built-in role that may create and read them.
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("jane-requests-certificates").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "system:node-bootstrapper")
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("jane")
                .endSubject().build()).create();
        observe(create("jane-token", "jane-client", "kubernetes.io/kube-apiserver-client", CLIENT,
                TestCsrs.subject("jane", "developers").pem()));
        await().atMost(WAIT).until(() -> decisionFor("jane-client") != null);
        assertEquals("NoRuleAllows", decisionFor("jane-client").reason());
        assertEquals(null, condition("jane-client"));

        Path kubeconfig = emulator.writeKubeconfig(Files.createTempDirectory("kc").resolve("config"), "admin-token");
        Cli.run(kubeconfig.getParent(), null, "kubectl", "--kubeconfig", kubeconfig.toString(), "certificate",
                "approve", "jane-client");

        assertEquals("Approved", condition("jane-client").getType());
        assertEquals("KubectlApprove", condition("jane-client").getReason());
    }

    @Test
    void dryRunAnswersEveryCheckWithoutWriting() {
        String yaml = """
                apiVersion: certificates.k8s.io/v1
                kind: CertificateSigningRequest
                metadata:
                  name: dry-1
                spec:
                  request: %s
                  signerName: kubernetes.io/kube-apiserver-client-kubelet
                  usages: [digital signature, client auth]
                  username: system:bootstrap:abcdef
                  groups: [system:bootstrappers, system:bootstrappers:kubeadm:default-node-token]
                """.formatted(TestCsrs.kubelet("n5").base64Pem());
        given().config(YAML_AS_TEXT).contentType("application/yaml").auth().oauth2("admin-token").body(yaml)
                .post("/v1/evaluate").then().statusCode(200)
                .body("outcome", equalTo("APPROVED"))
                .body("rule", equalTo("kubelet-client"))
                .body("dryRun", equalTo(true))
                .body("checks.find { it.name == 'sar-nodeclient' }.passed", equalTo(true));
        assertEquals(null, admin.certificates().v1().certificateSigningRequests().withName("dry-1").get());

        String json = "{\"kind\":\"CertificateSigningRequest\",\"spec\":{\"signerName\":\"kubernetes.io/kubelet-serving\","
                + "\"usages\":[\"digital signature\",\"server auth\"],\"username\":\"system:node:n1\","
                + "\"request\":\"" + TestCsrs.kubelet("n1").rsa(1024).base64Pem() + "\"}}";
        given().contentType("application/json").auth().oauth2("admin-token").body(json).post("/v1/evaluate").then()
                .statusCode(200)
                .body("outcome", equalTo("DENIED")).body("reason", equalTo("WeakKey"));

        given().contentType("application/json").auth().oauth2("admin-token").body("{\"kind\":\"Pod\"}")
                .post("/v1/evaluate").then()
                .statusCode(400).body("error", containsString("kind must be CertificateSigningRequest"));
        given().config(YAML_AS_TEXT).contentType("application/yaml").auth().oauth2("admin-token").body("spec: [unclosed")
                .post("/v1/evaluate").then().statusCode(400);
    }

    @Test
    void theDryRunAnswersOnlyCallersTheApiServerAllowsIt() {
        String json = "{\"kind\":\"CertificateSigningRequest\",\"spec\":{\"signerName\":"
                + "\"kubernetes.io/kube-apiserver-client-kubelet\",\"usages\":[\"digital signature\",\"client auth\"],"
                + "\"username\":\"system:bootstrap:abcdef\",\"groups\":[\"system:bootstrappers\"],"
                + "\"request\":\"" + TestCsrs.kubelet("n6").base64Pem() + "\"}}";
        given().contentType("application/json").body(json).post("/v1/evaluate").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer").body("error", containsString("Authorization: Bearer"));
        given().contentType("application/json").auth().oauth2("no-such-token").body(json).post("/v1/evaluate").then()
                .statusCode(401).body("error", equalTo("the API server does not accept this token"));
        // A kubelet's bootstrap token authenticates, but nothing lets it ask csrflow for SubjectAccessReviews.
        given().contentType("application/json").auth().oauth2("bootstrap-token").body(json).post("/v1/evaluate").then()
                .statusCode(403).body("error", equalTo("system:bootstrap:abcdef may not create evaluations.csrflow.io "
                        + "(the ClusterRole csrflow-dry-run grants it)"));
    }

    @Test
    void anAddressAddedToARegisteredNodeWaitsForTheSettleTime() throws Exception {
        node("n4", "10.0.0.4", "n4");
        // Time passes on purpose: past the settle time after registration, what the Node lists next is a
        // change, not an address it registered with.
        Thread.sleep(Duration.ofSeconds(5).toMillis());
        io.fabric8.kubernetes.api.model.Node registered = admin.nodes().withName("n4").get();
        registered.getStatus().getAddresses().add(new io.fabric8.kubernetes.api.model.NodeAddress("10.0.0.44",
                "InternalIP"));
        admin.nodes().resource(registered).updateStatus();
        await().atMost(WAIT).until(() -> admin.nodes().withName("n4").get().getStatus().getAddresses().size() == 3);

        observe(create("node-n4-token", "serve-new-address", "kubernetes.io/kubelet-serving", SERVING,
                TestCsrs.kubelet("n4").dnsNames("n4").ipAddresses("10.0.0.44").pem()));
        await().atMost(WAIT).until(() -> decisionFor("serve-new-address") != null);
        assertEquals(DecisionOutcome.NO_OPINION, decisionFor("serve-new-address").outcome());
        assertEquals("SANAddressTooNew", decisionFor("serve-new-address").reason());
        assertTrue(decisionFor("serve-new-address").message().startsWith("SAN IP:10.0.0.44 (added to Node n4 after it "
                + "registered"), decisionFor("serve-new-address").message());
        assertEquals(null, condition("serve-new-address"));

        await().atMost(WAIT).until(() -> condition("serve-new-address") != null);
        assertEquals("Approved", condition("serve-new-address").getType());
    }

    @Test
    void anEventIsRecordedForACsrWhoseNameIsNoValidEventName() throws Exception {
        String name = "Node_Serving:" + "x".repeat(240);
        observe(create("bootstrap-token", name, "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet("n9").pem()));
        await().atMost(WAIT).until(() -> condition(name) != null);
        await().atMost(WAIT).until(() -> !eventsFor(name).isEmpty());
        assertTrue(eventsFor(name).get(0).getMetadata().getName().startsWith("csr-"));
    }

    @Test
    void reportsDecisionMetricsAndReadiness() throws Exception {
        observe(create("bootstrap-token", "metrics-1", "kubernetes.io/kube-apiserver-client-kubelet", CLIENT,
                TestCsrs.kubelet("n8").pem()));
        await().atMost(WAIT).until(() -> condition("metrics-1") != null);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("csrflow_approver_decisions_total{outcome=\"APPROVED\",reason=\"AutoApproved\",rule=\"kubelet-client\""))
                .body(containsString("csrflow_approver_evaluation_seconds"))
                .body(containsString("csrflow_approver_sar_seconds"))
                .body(containsString("csrflow_approver_pending_backlog"));
        given().get("/q/health/ready").then().statusCode(200).body(containsString("nodeCacheSynced"));
    }
}
