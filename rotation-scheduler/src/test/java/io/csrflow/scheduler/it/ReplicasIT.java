package io.csrflow.scheduler.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.csrflow.events.CertIssued;
import io.csrflow.events.EventType;
import io.csrflow.events.Identity;
import io.csrflow.testsupport.KafkaBrokers;

/**
 * Two replicas of the packaged service, each its own process: they split the partitions, and
 * either one answers for the whole fleet by asking the other; when one stops, the other holds and
 * answers for everything.
 */
class ReplicasIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
    static final int CERTIFICATES = 40;

    @Test
    void eitherReplicaAnswersForTheWholeFleet() throws Exception {
        String bootstrap = KafkaBrokers.shared();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String issued = "it-issued-" + suffix;
        Map<String, String> env = environment(bootstrap, suffix);
        try (SchedulerProcess a = new SchedulerProcess("replica-a", env);
                SchedulerProcess b = new SchedulerProcess("replica-b", env)) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> a.ready() && b.ready());
            send(bootstrap, issued);

            for (SchedulerProcess replica : List.of(a, b)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> items(replica).size() == CERTIFICATES);
                JsonNode page = json(replica, "/v1/certificates?limit=1000");
                assertEquals(0, page.path("incomplete").size(), page.toString());
                assertEquals(CERTIFICATES, json(replica, "/v1/fleet").path("total").asInt());
            }
            // Each replica holds only part of the inventory, and answers for the rest through the other.
            int localA = local(a);
            int localB = local(b);
            assertEquals(CERTIFICATES, localA + localB);
            assertEquals(true, localA > 0 && localB > 0, "partitions split " + localA + "/" + localB);
            for (int i = 0; i < CERTIFICATES; i++) {
                String path = "/v1/certificates/" + SIGNER + "%7Csystem:node:it-" + i;
                assertEquals(200, a.get(path).statusCode(), path);
                assertEquals(200, b.get(path).statusCode(), path);
            }
            // Paging across replicas: identity order, no gaps, no repeats.
            List<String> paged = new java.util.ArrayList<>();
            String after = null;
            do {
                JsonNode page = json(a, "/v1/certificates?limit=7" + (after == null ? "" : "&after="
                        + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8)));
                page.path("items").forEach(item -> paged.add(item.path("identity").asText()));
                after = page.path("next").isNull() || page.path("next").isMissingNode() ? null : page.path("next").asText();
            } while (after != null);
            assertEquals(paged.stream().sorted().distinct().toList(), paged);
            assertEquals(CERTIFICATES, paged.size());

            b.close();
            // 503 while the survivor rebalances, then it holds every partition.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() ->
                    local(a) == CERTIFICATES);
        }
    }

    /**
     * With static membership a replica killed with SIGKILL and started again under its name takes
     * its partitions back as soon as it is up. The session timeout is two minutes here, so a
     * replica that had to wait for its predecessor's session to expire could not pass in one; nor
     * could a survivor of a clean stop if the stopped replica stayed in the group until then.
     */
    @Test
    void aKilledReplicaRestartedUnderItsNameTakesItsPartitionsBackWithoutWaitingForItsSession() throws Exception {
        String bootstrap = KafkaBrokers.shared();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> env = with(environment(bootstrap, suffix), "CSRFLOW_SCHEDULER_STREAMS_SESSION_TIMEOUT_MS",
                "120000");
        try (SchedulerProcess a = new SchedulerProcess("static-a",
                        with(env, "CSRFLOW_SCHEDULER_INSTANCE_ID", "replica-a-" + suffix));
                SchedulerProcess b = new SchedulerProcess("static-b",
                        with(env, "CSRFLOW_SCHEDULER_INSTANCE_ID", "replica-b-" + suffix))) {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> a.ready() && b.ready());
            send(bootstrap, "it-issued-" + suffix);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> local(a) + local(b) == CERTIFICATES && local(a) > 0 && local(b) > 0);
            int heldByB = local(b);

            b.kill();
            try (SchedulerProcess restarted = b.restartedAs("static-b-restarted")) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> restarted.ready() && local(restarted) == heldByB
                                && local(a) + local(restarted) == CERTIFICATES);
                // A clean stop (SIGTERM, as a rolling update) removes the static member at once:
                // the survivor holds everything well within the session timeout.
                restarted.close();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> local(a) == CERTIFICATES);
            }
        }
    }

    private static Map<String, String> environment(String bootstrap, String suffix) {
        String issued = "it-issued-" + suffix;
        KafkaBrokers.createTopics(bootstrap, 6, List.of(issued, "it-observed-" + suffix, "it-pcr-observed-" + suffix,
                "it-renewal-due-" + suffix));
        KafkaBrokers.createTopics(bootstrap, 1, KafkaBrokers.deadLetterTopics());
        return Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "CSRFLOW_TOPICS_ISSUED", issued,
                "CSRFLOW_TOPICS_OBSERVED", "it-observed-" + suffix,
                "CSRFLOW_TOPICS_POD_CERTIFICATES_OBSERVED", "it-pcr-observed-" + suffix,
                "CSRFLOW_TOPICS_RENEWAL_DUE", "it-renewal-due-" + suffix,
                "CSRFLOW_SCHEDULER_APPLICATION_ID", "it-scheduler-" + suffix,
                "CSRFLOW_SCHEDULER_NODES_WATCH", "false",
                "CSRFLOW_SCHEDULER_SUMMARY_CACHE", "0s");
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(env);
        more.put(name, value);
        return more;
    }

    private static int local(SchedulerProcess replica) {
        return json(replica, "/v1/certificates?limit=1000&scope=local").path("items").size();
    }

    private static void send(String bootstrap, String topic) {
        try (var sender = new io.csrflow.testsupport.EventSender(bootstrap, "/it")) {
            Instant now = Instant.now();
            IntStream.range(0, CERTIFICATES).forEach(i -> {
                CertIssued c = new CertIssued(new Identity(SIGNER, "system:node:it-" + i), "csr-" + i, "uid-" + i,
                        "CN=system:node:it-" + i, List.of(), List.of(), Integer.toHexString(0x100 + i), now,
                        now.plus(Duration.ofDays(365)), "00", "CN=it-ca", "-----BEGIN CERTIFICATE-----", now);
                var record = new io.csrflow.events.EventCodec("/it", java.time.Clock.systemUTC())
                        .encode(EventType.CERT_ISSUED, c).toProducerRecord(topic);
                sender.sendRecord(record);
            });
        }
    }

    private static List<JsonNode> items(SchedulerProcess replica) {
        List<JsonNode> items = new java.util.ArrayList<>();
        JsonNode page = json(replica, "/v1/certificates?limit=1000");
        page.path("items").forEach(items::add);
        return items;
    }

    private static JsonNode json(SchedulerProcess replica, String path) {
        try {
            var response = replica.get(path);
            if (response.statusCode() != 200) {
                throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
