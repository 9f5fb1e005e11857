package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.csrflow.deploy.NetworkPolicies.Pod;
import io.csrflow.testsupport.YamlDocuments;

/**
 * Only csrflow's services reach the Kafka listener, in every overlay and chart preset; the brokers
 * reach each other and Strimzi's entity and cluster operators reach them. Both guards are checked:
 * csrflow's own NetworkPolicy on the broker pods, and the policy Strimzi generates from each listener's
 * {@code networkPolicyPeers} (which opens the listener to every pod when it names none; policies add
 * up, so an open Strimzi policy would undo csrflow's).
 */
class KafkaAccessTest {
    /** Where the deployments say Strimzi's cluster operator runs (k8s/ and the chart's default). */
    static final String STRIMZI_NAMESPACE = "strimzi";
    /** Ports of a broker that only Strimzi's pods use: KRaft controller, replication, the agent. */
    static final List<String> INTERNAL_PORTS = List.of("9090", "9091", "8443");

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void onlyCsrflowsServicesAndStrimzisPodsReachTheBrokers(Rendering rendering) {
        assertEquals(List.of(), problems(rendering.objects()), rendering.toString());
    }

    /** What the base had before: a listener without peers, no policy on the brokers. */
    @Test
    void theCheckCatchesBrokersOpenToEveryPod() {
        List<JsonNode> open = YamlDocuments.parse("""
                apiVersion: kafka.strimzi.io/v1beta2
                kind: Kafka
                metadata: {name: csrflow, namespace: csrflow}
                spec:
                  kafka:
                    listeners:
                      - {name: plain, port: 9092, type: internal, tls: false}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: approver-service, namespace: csrflow, labels: {app.kubernetes.io/part-of: csrflow}}
                spec:
                  template:
                    metadata: {labels: {app.kubernetes.io/name: approver-service, app.kubernetes.io/part-of: csrflow}}
                """);
        List<String> found = problems(open);
        assertTrue(found.contains("no NetworkPolicy selects the Kafka broker pods"), found.toString());
        assertTrue(found.contains("listener plain (9092) names no networkPolicyPeers: Strimzi's policy opens it to every pod"),
                found.toString());
    }

    static List<String> problems(List<JsonNode> objects) {
        return problems(objects, STRIMZI_NAMESPACE);
    }

    /** With Strimzi's cluster operator in {@code strimziNamespace}. */
    static List<String> problems(List<JsonNode> objects, String strimziNamespace) {
        List<String> problems = new ArrayList<>();
        JsonNode kafka = objects.stream().filter(o -> o.path("kind").asText().equals("Kafka")).findFirst()
                .orElseThrow(() -> new AssertionError("no Kafka"));
        String namespace = kafka.path("metadata").path("namespace").asText();
        String cluster = kafka.path("metadata").path("name").asText();
        Pod broker = new Pod(namespace, Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka",
                "strimzi.io/name", cluster + "-kafka", "strimzi.io/pool-name", "combined",
                "strimzi.io/broker-role", "true", "strimzi.io/controller-role", "true"));
        List<Pod> strimzi = List.of(broker,
                new Pod(namespace, Map.of("strimzi.io/cluster", cluster, "strimzi.io/kind", "Kafka",
                        "strimzi.io/name", cluster + "-entity-operator")),
                new Pod(strimziNamespace, Map.of("strimzi.io/kind", "cluster-operator", "name", "strimzi-cluster-operator")));
        Map<String, Pod> services = new HashMap<>();
        objects.stream().filter(o -> o.path("kind").asText().equals("Deployment")
                && o.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText().equals("csrflow"))
                .forEach(d -> services.put(d.path("metadata").path("name").asText(), podOf(d)));
        List<Pod> strangers = new ArrayList<>(List.of(
                new Pod(namespace, Map.of("app.kubernetes.io/name", "intruder")),
                new Pod("default", Map.of("app.kubernetes.io/name", "approver-service", "app.kubernetes.io/part-of", "csrflow")),
                new Pod("monitoring", Map.of()),
                // A label is not an identity: any pod may carry the cluster operator's.
                new Pod("default", Map.of("strimzi.io/kind", "cluster-operator"))));
        services.values().forEach(s -> strangers.add(new Pod(s.namespace(), Map.of("app", "intruder"))));

        NetworkPolicies csrflows = new NetworkPolicies(objects);
        if (csrflows.selecting(broker).isEmpty()) {
            problems.add("no NetworkPolicy selects the Kafka broker pods");
        }
        csrflows.ipBlocks(broker).forEach(b -> problems.add("addresses, not pods, reach the brokers: " + b));
        for (JsonNode listener : kafka.path("spec").path("kafka").path("listeners")) {
            String port = listener.path("port").asText();
            String name = "listener " + listener.path("name").asText() + " (" + port + ")";
            JsonNode peers = listener.path("networkPolicyPeers");
            if (peers.isMissingNode() || peers.isEmpty()) {
                problems.add(name + " names no networkPolicyPeers: Strimzi's policy opens it to every pod");
            }
            // The policy Strimzi generates for the listener, and csrflow's own: each must hold alone.
            NetworkPolicies generated = new NetworkPolicies(List.of()).with(strimziPolicy(namespace, broker, listener));
            for (var guard : Map.of("Strimzi's policy for " + name, generated, "csrflow's policies", csrflows).entrySet()) {
                if (guard.getValue().selecting(broker).isEmpty()) {
                    continue;
                }
                services.forEach((service, pod) -> {
                    if (!guard.getValue().admits(pod, broker, port)) {
                        problems.add(guard.getKey() + " keeps out " + service + " (" + pod + ") on " + port);
                    }
                });
                for (Pod stranger : strangers) {
                    if (guard.getValue().admits(stranger, broker, port)) {
                        problems.add(guard.getKey() + " lets in " + stranger + " on " + port);
                    }
                }
            }
        }
        for (String port : INTERNAL_PORTS) {
            if (csrflows.selecting(broker).isEmpty()) {
                break;
            }
            for (Pod pod : strimzi) {
                if (!csrflows.admits(pod, broker, port)) {
                    problems.add("csrflow's policies keep Strimzi's " + pod + " out on " + port);
                }
            }
            for (Pod pod : strangers) {
                if (csrflows.admits(pod, broker, port)) {
                    problems.add("csrflow's policies let in " + pod + " on " + port);
                }
            }
            services.forEach((service, pod) -> {
                if (csrflows.admits(pod, broker, port)) {
                    problems.add("csrflow's policies let " + service + " reach the brokers' internal port " + port);
                }
            });
        }
        return problems;
    }

    static Pod podOf(JsonNode deployment) {
        Map<String, String> labels = new HashMap<>();
        deployment.path("spec").path("template").path("metadata").path("labels").fields()
                .forEachRemaining(l -> labels.put(l.getKey(), l.getValue().asText()));
        return new Pod(deployment.path("metadata").path("namespace").asText(), labels);
    }

    /** The ingress rule Strimzi's generated policy has for a listener: its port, from its peers (none: anyone). */
    private static JsonNode strimziPolicy(String namespace, Pod broker, JsonNode listener) {
        ObjectNode policy = JsonNodeFactory.instance.objectNode();
        policy.put("kind", "NetworkPolicy");
        policy.putObject("metadata").put("name", "strimzi-generated").put("namespace", namespace);
        ObjectNode spec = policy.putObject("spec");
        ObjectNode labels = spec.putObject("podSelector").putObject("matchLabels");
        broker.labels().forEach(labels::put);
        spec.putArray("policyTypes").add("Ingress");
        ObjectNode rule = spec.putArray("ingress").addObject();
        rule.putArray("ports").addObject().put("port", listener.path("port").asInt());
        if (listener.has("networkPolicyPeers")) {
            rule.set("from", listener.path("networkPolicyPeers"));
        }
        return policy;
    }
}
