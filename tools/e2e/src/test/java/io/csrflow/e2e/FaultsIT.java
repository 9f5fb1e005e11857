package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.testsupport.JavaProcess;
import io.csrflow.testsupport.PrometheusText;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A burst of kubelet bootstrap CSRs while csrflow's parts fail one after another: each service
 * killed with SIGKILL in turn and started again, then all four at once, the Kafka broker
 * restarted, the network between the services and the API cut for a minute. Kafka is reached only
 * over TLS with SASL/SCRAM, configured by environment variables as in a deployment, each service as
 * its own user with the ACLs of the production overlay (so they are shown sufficient). Afterwards,
 * checked from outside: every CSR is Issued or Denied as the policy says, with one condition and
 * one certificate; {@code cert.issued} carries exactly the certificate on the CSR; every
 * certificate's renewal notice comes, once.
 *
 * <p>CI runs {@value #DEFAULT_CSRS} CSRs; {@code -Dcsrflow.faults.csrs=1000
 * -Dcsrflow.faults.rate=4} runs the full scale (see docs/reliability.md).
 */
class FaultsIT {
    private static final int DEFAULT_CSRS = 240;
    private static final int CSRS = Integer.getInteger("csrflow.faults.csrs", DEFAULT_CSRS);
    private static final double RATE = Double.parseDouble(System.getProperty("csrflow.faults.rate", "1.2"));
    private static final Duration API_CUT = Duration.ofSeconds(Long.getLong("csrflow.faults.api-cut-seconds", 60));
    private static final Duration BROKER_DOWN = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    static LocalSystem system;
    static KubernetesClient admin;
    static KubernetesClient bootstrap;
    private final long started = System.nanoTime();

    @BeforeAll
    static void start() throws Exception {
        // Renewal one minute after issue (60 % of the 15 minutes a 10-minute CSR gets with the
        // signer's backdating left), so that deadlines fall due all through the faults. A
        // cert.issued lost to a SIGKILL is published late, when the watcher shows the CSR again and
        // the certificate is past the grace period: both shortened from 10 and 5 minutes.
        system = new LocalSystem(dir, LocalSystem.Kafka.SASL_SSL).startPlatform(Map.of(
                "CSRFLOW_WATCHER_RESYNC", "1m", "CSRFLOW_SIGNER_ANNOUNCEMENTS_GRACE", "20s"),
                Map.of("CSRFLOW_SCHEDULER_RENEW_BEFORE_PERCENTAGE", "60"));
        Config config = Config.fromKubeconfig(Files.readString(system.kubeconfig));
        admin = new KubernetesClientBuilder().withConfig(config).build();
        Config asBootstrap = Config.fromKubeconfig(Files.readString(system.kubeconfig));
        asBootstrap.setOauthToken("bootstrap-token");
        bootstrap = new KubernetesClientBuilder().withConfig(asBootstrap).build();
    }

    @AfterAll
    static void stop() {
        for (KubernetesClient client : new KubernetesClient[] {admin, bootstrap}) {
            if (client != null) {
                client.close();
            }
        }
        if (system != null) {
            system.close();
        }
    }

    /**
     * The production ACLs also keep a service to its own part: the approver cannot announce a
     * certificate, the signer cannot decide, the scheduler cannot announce a CSR.
     */
    @Test
    void eachServicesKafkaUserMayWriteOnlyWhatThatServiceWrites() {
        Map<String, String> forbidden = Map.of(
                "approver-service", "csrflow.cert.issued",
                "signer-service", "csrflow.csr.decisions",
                "rotation-scheduler", "csrflow.csr.observed",
                "csr-watcher", "csrflow.cert.renewal-due");
        forbidden.forEach((service, topic) -> {
            Properties props = new Properties();
            props.putAll(system.kafkaSettings(service));
            props.put("bootstrap.servers", system.kafka.secureBootstrapServers());
            props.put("max.block.ms", "20000");
            try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                    new ByteArraySerializer())) {
                ExecutionException refused = assertThrows(ExecutionException.class, () -> producer
                        .send(new ProducerRecord<>(topic, "forged", new byte[] {1})).get(30, TimeUnit.SECONDS),
                        service + " wrote to " + topic);
                assertTrue(refused.getCause() instanceof TopicAuthorizationException, service + ": " + refused);
            }
        });
    }

    @Test
    void everyCsrEndsAsThePolicySaysWithOneCertificateAndOneRenewalNoticeDespiteTheFaults() throws Exception {
        // The last eighth waits for the API cut, so that CSRs are created while the services are cut off.
        CsrBurst burst = new CsrBurst(bootstrap, CSRS, RATE).holdAt(7 * CSRS / 8).start();
        int step = 0;
        for (String service : LocalSystem.SERVICES) {
            log("SIGKILL " + service + " at CSR " + whileCreating(burst, ++step));
            system.kill(service);
            system.restart(service);
            log(service + " ready again");
        }
        log("SIGKILL all four services at CSR " + whileCreating(burst, ++step));
        LocalSystem.SERVICES.forEach(system::kill);
        system.restart(LocalSystem.SERVICES);
        log("all four ready again");

        log("Kafka broker stopped at CSR " + whileCreating(burst, ++step));
        system.kafka.stop();
        sleep(BROKER_DOWN);
        system.kafka.start();
        log("Kafka broker back");

        burst.awaitCreated(++step * CSRS / 8);
        cutTheApi(burst);
        burst.awaitDone();
        log("all " + CSRS + " CSRs created");

        Map<String, CertificateSigningRequest> csrs = awaitEveryCsrSettled();
        log("every CSR issued or denied");
        Map<String, String> serials = checkOutcomes(csrs);
        checkIssuedEvents(serials);
        checkRenewalNotices(serials);
        log("every certificate announced for renewal once");
        checkTheCleanerDeletesEveryCsr(serials);
        log("every CSR deleted by the cleaner, each announced once");
        for (String service : LocalSystem.SERVICES) {
            assertEquals(200, JavaProcess.get(system.ports.get(service), "/q/health/ready").statusCode(),
                    service + " is not ready at the end");
        }
    }

    /**
     * Waits for the step's eighth of the CSRs and returns how many exist: the fault that follows must
     * meet CSRs in flight, so the burst may not have reached the hold that waits for the API cut (a
     * restart slower than a step's CSRs would otherwise move the next fault there unnoticed).
     */
    private static int whileCreating(CsrBurst burst, int step) {
        burst.awaitCreated(step * CSRS / 8);
        int created = burst.created();
        assertTrue(created < 7 * CSRS / 8, "step " + step + " came at CSR " + created
                + ", with the burst already holding for the API cut: its fault would meet no new CSRs");
        return created;
    }

    /**
     * While the proxy refuses every connection, CSRs created in that minute must stay untouched:
     * this is what shows the services really lost the API (and not, say, that they bypass the proxy).
     */
    private void cutTheApi(CsrBurst burst) {
        system.apiProxy.cut();
        int before = burst.created();
        log("API cut at CSR " + before);
        burst.release();
        sleep(API_CUT);
        int during = burst.created();
        List<String> touched = new ArrayList<>();
        for (int i = before; i < during; i++) {
            CertificateSigningRequest csr = admin.certificates().v1().certificateSigningRequests()
                    .withName(CsrBurst.name(i)).get();
            if (csr.getStatus() != null && csr.getStatus().getConditions() != null
                    && !csr.getStatus().getConditions().isEmpty()) {
                touched.add(csr.getMetadata().getName());
            }
        }
        system.apiProxy.restore();
        log("API back after " + (during - before) + " CSRs created during the cut");
        assertTrue(during > before, "no CSR was created during the cut");
        assertEquals(List.of(), touched, "CSRs decided while the services could not reach the API");
    }

    private Map<String, CertificateSigningRequest> awaitEveryCsrSettled() {
        Map<String, CertificateSigningRequest> settled = new TreeMap<>();
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            settled.clear();
            for (CertificateSigningRequest csr : admin.certificates().v1().certificateSigningRequests().list().getItems()) {
                if (csr.getStatus() != null && (hasCertificate(csr) || conditions(csr, "Denied") > 0
                        || conditions(csr, "Failed") > 0)) {
                    settled.put(csr.getMetadata().getName(), csr);
                }
            }
            return settled.size() == CSRS;
        });
        return settled;
    }

    /** Each CSR as the policy says; returns the serial of every issued certificate by CSR name. */
    private static Map<String, String> checkOutcomes(Map<String, CertificateSigningRequest> csrs) throws Exception {
        Map<String, String> serials = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < CSRS; i++) {
            CertificateSigningRequest csr = csrs.get(CsrBurst.name(i));
            String name = CsrBurst.name(i);
            if (conditions(csr, "Failed") > 0) {
                wrong.add(name + " failed: " + csr.getStatus().getConditions());
            } else if (CsrBurst.weak(i)) {
                CertificateSigningRequestCondition denied = csr.getStatus().getConditions().get(0);
                if (csr.getStatus().getConditions().size() != 1 || !denied.getType().equals("Denied")
                        || !denied.getReason().equals("WeakKey") || hasCertificate(csr)) {
                    wrong.add(name + " should be denied once as WeakKey: " + csr.getStatus());
                }
            } else if (csr.getStatus().getConditions().size() != 1 || conditions(csr, "Approved") != 1) {
                wrong.add(name + " should be approved once: " + csr.getStatus().getConditions());
            } else {
                X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificates(new ByteArrayInputStream(java.util.Base64.getDecoder()
                                .decode(csr.getStatus().getCertificate()))).iterator().next();
                if (!certificate.getSubjectX500Principal().getName().contains("CN=system:node:" + CsrBurst.node(i))) {
                    wrong.add(name + " got a certificate for " + certificate.getSubjectX500Principal());
                }
                serials.put(name, certificate.getSerialNumber().toString(16));
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(CSRS - CSRS / 10, serials.size());
        return serials;
    }

    /** Exactly the certificate the API holds was announced on cert.issued, once, and nothing else. */
    private void checkIssuedEvents(Map<String, String> serials) {
        // Up to a resync and the grace period for a late announcement.
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<String, List<String>> announced = new TreeMap<>();
            for (JsonNode issued : TopicRecords.payloads(system.kafka.bootstrapServers(), "csrflow.cert.issued")) {
                announced.computeIfAbsent(issued.path("csrName").asText(), n -> new ArrayList<>())
                        .add(canonical(issued.path("serial").asText()));
            }
            List<String> wrong = new ArrayList<>();
            serials.forEach((name, serial) -> {
                if (!List.of(serial).equals(announced.get(name))) {
                    wrong.add(name + ": API " + serial + ", cert.issued " + announced.get(name));
                }
            });
            announced.keySet().stream().filter(name -> !serials.containsKey(name))
                    .forEach(name -> wrong.add(name + " announced but not issued"));
            assertEquals(List.of(), wrong);
        });
        String metrics = JavaProcess.get(system.ports.get("signer-service"), "/q/metrics").body();
        Map<String, Double> checks = new TreeMap<>();
        for (String outcome : List.of("announced-now", "already-announced", "too-recent", "unknown")) {
            checks.put(outcome, PrometheusText.sum(metrics, "csrflow_signer_announcement_checks_total",
                    Map.of("outcome", outcome)));
        }
        log("signer's checks for lost cert.issued (since its last restart): " + checks);
    }

    /**
     * Every deadline fired, none twice: each issued serial has exactly one renewal notice (the
     * first reminder would come an hour later), counting committed records only, as consumers
     * read them.
     */
    private static void checkRenewalNotices(Map<String, String> serials) {
        Set<String> expected = new HashSet<>(serials.values());
        Map<String, Integer> notices = new TreeMap<>();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(5)).until(() -> {
            notices.clear();
            for (JsonNode notice : TopicRecords.payloads(system.kafka.bootstrapServers(), "csrflow.cert.renewal-due")) {
                notices.merge(canonical(notice.path("serial").asText()), 1, Integer::sum);
            }
            return notices.keySet().containsAll(expected);
        });
        Map<String, Integer> twice = new TreeMap<>(notices);
        twice.values().removeIf(count -> count == 1);
        assertEquals(Map.of(), twice, "serials with more than one renewal notice");
        assertEquals(expected, notices.keySet(), "notices for certificates that were not issued");
    }

    /**
     * The watcher's cleaner, as kube-controller-manager's csrcleaner: with the ages shortened from
     * an hour, the leader deletes every decided CSR, announces each deletion once on csr.observed
     * with its reason, and counts them.
     */
    private void checkTheCleanerDeletesEveryCsr(Map<String, String> serials) {
        system.stop("csr-watcher");
        system.restart("csr-watcher", Map.of("CSRFLOW_WATCHER_CLEANER_INTERVAL", "5s",
                "CSRFLOW_WATCHER_CLEANER_ISSUED_MAX_AGE", "1s", "CSRFLOW_WATCHER_CLEANER_DENIED_MAX_AGE", "1s"));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(3)).until(() ->
                admin.certificates().v1().certificateSigningRequests().list().getItems().isEmpty());
        Map<String, List<String>> deletions = new TreeMap<>();
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(3)).until(() -> {
            deletions.clear();
            for (JsonNode observed : TopicRecords.payloads(system.kafka.bootstrapServers(), "csrflow.csr.observed")) {
                if (observed.path("phase").asText().equals("Deleted")) {
                    deletions.computeIfAbsent(observed.path("name").asText(), n -> new ArrayList<>())
                            .add(observed.path("deletedBecause").asText());
                }
            }
            return deletions.size() == CSRS;
        });
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < CSRS; i++) {
            String name = CsrBurst.name(i);
            List<String> expected = List.of(serials.containsKey(name) ? "IssuedPastDeadline" : "DeniedPastDeadline");
            if (!expected.equals(deletions.get(name))) {
                wrong.add(name + ": " + deletions.get(name) + ", expected " + expected);
            }
        }
        assertEquals(List.of(), wrong, "deletions announced on csr.observed");
        String metrics = JavaProcess.get(system.ports.get("csr-watcher"), "/q/metrics").body();
        assertEquals(CSRS, PrometheusText.sum(metrics, "csrflow_watcher_cleaner_deleted_total", Map.of()), 0.0,
                "the cleaner's count of deletions");
    }

    private static String canonical(String serialHex) {
        return new java.math.BigInteger(serialHex, 16).toString(16);
    }

    private static boolean hasCertificate(CertificateSigningRequest csr) {
        return csr.getStatus().getCertificate() != null && !csr.getStatus().getCertificate().isEmpty();
    }

    private static long conditions(CertificateSigningRequest csr, String type) {
        return csr.getStatus().getConditions() == null ? 0
                : csr.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).count();
    }

    private void log(String what) {
        System.out.printf("[faults +%5.1fs] %s%n", (System.nanoTime() - started) / 1e9, what);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
