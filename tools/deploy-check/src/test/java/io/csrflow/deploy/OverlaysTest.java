package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.deploy.Rendering.Tool;
import io.csrflow.deploy.Rendering.Variant;
import io.csrflow.testsupport.YamlDocuments;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Every kustomize overlay and chart preset renders, every object in it parses as its Kubernetes type
 * without a field the type does not know (a typo or a misplaced key would be silently dropped by the
 * API server), custom resources are the kinds their operators serve, and what each variant (dev,
 * production) changes is what it says, in k8s/ and in the chart alike.
 */
class OverlaysTest {
    /** Custom resources and the API versions their operators (Strimzi, Prometheus Operator) serve. */
    static final Map<String, String> CUSTOM_KINDS = Map.of(
            "Kafka", "kafka.strimzi.io/v1beta2",
            "KafkaNodePool", "kafka.strimzi.io/v1beta2",
            "KafkaTopic", "kafka.strimzi.io/v1beta2",
            "KafkaUser", "kafka.strimzi.io/v1beta2",
            "ServiceMonitor", "monitoring.coreos.com/v1");

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyObjectIsAValidKubernetesObject(Rendering rendering) {
        assertEquals(List.of(), problems(rendering.objects()), rendering.toString());
    }

    /** What docker-compose's k3s-init applies. */
    @Test
    void everyObjectComposeAppliesIsAValidKubernetesObject() {
        assertEquals(List.of(), problems(Repo.render("k8s/compose")));
    }

    @Test
    void theCheckCatchesMisspelledAndMisplacedFields() throws Exception {
        List<JsonNode> bad = YamlDocuments.parse("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: typo}
                spec:
                  replica: 2
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - {name: c, image: i, securityContext: {runAsNonroot: true}}
                ---
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t}
                spec: {partitions: 1}
                """);
        List<String> found = problems(bad);
        assertEquals(3, found.size(), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.startsWith("Deployment/typo.Spec:") && p.contains("[replica]")), found.toString());
        assertTrue(found.stream().anyMatch(p -> p.contains(".SecurityContext:") && p.contains("[runAsNonroot]")), found.toString());
        assertTrue(found.contains("KafkaTopic/t: apiVersion kafka.strimzi.io/v1"), found.toString());
    }

    static List<String> problems(List<JsonNode> objects) {
        List<String> problems = new ArrayList<>();
        for (JsonNode object : objects) {
            String kind = object.path("kind").asText();
            String name = kind + "/" + object.path("metadata").path("name").asText();
            if (object.path("metadata").path("name").asText().isEmpty()) {
                problems.add(name + ": no metadata.name");
            }
            if (CUSTOM_KINDS.containsKey(kind)) {
                if (!CUSTOM_KINDS.get(kind).equals(object.path("apiVersion").asText())) {
                    problems.add(name + ": apiVersion " + object.path("apiVersion").asText());
                }
                if (!object.has("spec")) {
                    problems.add(name + ": no spec");
                }
                continue;
            }
            HasMetadata typed = Serialization.unmarshal(object.toString(), HasMetadata.class);
            if (typed instanceof GenericKubernetesResource) {
                problems.add(name + ": not a known Kubernetes kind (" + object.path("apiVersion").asText() + ")");
                continue;
            }
            unknownFields(typed, name, problems, new IdentityHashMap<>());
        }
        return problems;
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void devLeavesRbacAlone(Tool tool) {
        assertEquals(rbac(Rendering.of(tool, Variant.BASE).objects()), rbac(Rendering.of(tool, Variant.DEV).objects()));
    }

    /** Production's RBAC is the base's, but for the signer's account, which lives in csrflow-signer. */
    @ParameterizedTest
    @EnumSource(Tool.class)
    void productionChangesRbacOnlyByMovingTheSignersAccount(Tool tool) {
        Set<String> production = rbac(Rendering.of(tool, Variant.PRODUCTION).objects()).stream()
                .map(o -> o.replace("\"name\":\"signer-service\",\"namespace\":\"csrflow-signer\"",
                        "\"name\":\"signer-service\",\"namespace\":\"csrflow\""))
                .collect(Collectors.toSet());
        assertEquals(rbac(Rendering.of(tool, Variant.BASE).objects()), production);
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void devRunsOneOfEverythingOnOneBroker(Tool tool) {
        List<JsonNode> objects = Rendering.of(tool, Variant.DEV).objects();
        of(objects, "Deployment").forEach(d -> assertEquals(1, d.path("spec").path("replicas").asInt(), name(d)));
        of(objects, "KafkaTopic").forEach(t -> assertEquals(1, t.path("spec").path("replicas").asInt(), name(t)));
        of(objects, "KafkaNodePool").forEach(p -> assertEquals(1, p.path("spec").path("replicas").asInt()));
        assertEquals("1", env(objects, "CSRFLOW_SCHEDULER_REPLICATION_FACTOR"));
    }

    @ParameterizedTest
    @EnumSource(Tool.class)
    void productionRunsReplicasWithWarmSchedulerState(Tool tool) {
        List<JsonNode> objects = Rendering.of(tool, Variant.PRODUCTION).objects();
        of(objects, "Deployment").forEach(d -> assertTrue(d.path("spec").path("replicas").asInt() >= 2, name(d)));
        assertEquals("1", env(objects, "CSRFLOW_SCHEDULER_STANDBY_REPLICAS"));
        assertEquals("3", env(objects, "CSRFLOW_SCHEDULER_REPLICATION_FACTOR"));
        // Every service has a disruption budget that lets a drain proceed one replica at a time.
        Set<String> budgets = of(objects, "PodDisruptionBudget").stream().map(OverlaysTest::name)
                .collect(Collectors.toSet());
        assertEquals(Repo.SERVICES.keySet(), budgets);
    }

    /**
     * Production reaches Kafka only over TLS with SCRAM: the broker has no other listener and
     * authorizes; each service authenticates as its own KafkaUser (whose ACLs the e2e fault suite
     * runs under) and trusts the cluster CA. Dev keeps the plain listener.
     */
    @ParameterizedTest
    @EnumSource(Tool.class)
    void productionTalksToKafkaOverTlsAsOneUserPerService(Tool tool) {
        List<JsonNode> objects = Rendering.of(tool, Variant.PRODUCTION).objects();
        JsonNode kafka = of(objects, "Kafka").get(0).path("spec").path("kafka");
        assertEquals(1, kafka.path("listeners").size(), kafka.toString());
        JsonNode listener = kafka.path("listeners").get(0);
        assertTrue(listener.path("tls").asBoolean(), listener.toString());
        assertEquals("scram-sha-512", listener.path("authentication").path("type").asText());
        assertEquals("simple", kafka.path("authorization").path("type").asText());
        assertTrue(of(objects, "Kafka").get(0).path("spec").path("entityOperator").has("userOperator"));
        Map<String, JsonNode> users = of(objects, "KafkaUser").stream()
                .collect(Collectors.toMap(OverlaysTest::name, u -> u));
        assertEquals(Repo.SERVICES.keySet(), users.keySet());
        String kafkaNamespace = of(objects, "Kafka").get(0).path("metadata").path("namespace").asText();
        for (JsonNode deployment : of(objects, "Deployment")) {
            String service = name(deployment);
            Map<String, JsonNode> env = envOf(deployment);
            // The bootstrap Service's name resolves in the pod's own namespace only.
            String host = deployment.path("metadata").path("namespace").asText().equals(kafkaNamespace)
                    ? "csrflow-kafka-bootstrap" : "csrflow-kafka-bootstrap." + kafkaNamespace + ".svc";
            assertEquals(host + ":" + listener.path("port").asInt(),
                    env.get("KAFKA_BOOTSTRAP_SERVERS").path("value").asText(), service);
            assertEquals("SASL_SSL", env.get("KAFKA_SECURITY_PROTOCOL").path("value").asText(), service);
            assertEquals("SCRAM-SHA-512", env.get("KAFKA_SASL_MECHANISM").path("value").asText(), service);
            assertEquals("PEM", env.get("KAFKA_SSL_TRUSTSTORE_TYPE").path("value").asText(), service);
            JsonNode jaas = env.get("KAFKA_SASL_JAAS_CONFIG").path("valueFrom").path("secretKeyRef");
            assertEquals(service, jaas.path("name").asText(), service + " authenticates as its own KafkaUser");
            assertEquals("sasl.jaas.config", jaas.path("key").asText(), service);
            assertEquals("scram-sha-512", users.get(service).path("spec").path("authentication").path("type").asText());
            JsonNode ca = env.get("KAFKA_SSL_TRUSTSTORE_CERTIFICATES").path("valueFrom").path("secretKeyRef");
            assertEquals("csrflow-cluster-ca-cert", ca.path("name").asText(), service);
            assertEquals("ca.crt", ca.path("key").asText(), service);
        }
        List<JsonNode> dev = Rendering.of(tool, Variant.DEV).objects();
        assertEquals("false", of(dev, "Kafka").get(0).path("spec").path("kafka").path("listeners").get(0)
                .path("tls").asText());
        assertEquals(List.of(), of(dev, "KafkaUser"));
    }

    /**
     * The signer holds the cluster's client CA key: in production it runs in a namespace of its own
     * (nothing of Kafka's or Strimzi's there, so no entity operator reads its Secrets), only on
     * control-plane nodes, and reaches Kafka with a password Secret of its own namespace that the
     * administrator also gives the user operator (the KafkaUser's password.valueFrom): the Secret the
     * user operator writes lives in the Kafka namespace, which the signer cannot mount.
     */
    @ParameterizedTest
    @EnumSource(Tool.class)
    void productionRunsTheSignerAloneOnControlPlaneNodes(Tool tool) {
        List<JsonNode> objects = Rendering.of(tool, Variant.PRODUCTION).objects();
        JsonNode signer = of(objects, "Deployment").stream().filter(d -> name(d).equals("signer-service")).findFirst()
                .orElseThrow();
        String namespace = signer.path("metadata").path("namespace").asText();
        assertEquals("csrflow-signer", namespace);
        JsonNode ns = of(objects, "Namespace").stream().filter(n -> name(n).equals(namespace)).findFirst().orElseThrow();
        assertEquals("restricted", ns.path("metadata").path("labels").path("pod-security.kubernetes.io/enforce").asText());
        Set<String> inSignerNamespace = objects.stream()
                .filter(o -> o.path("metadata").path("namespace").asText().equals(namespace))
                .map(o -> o.path("kind").asText()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "Service", "ServiceAccount"),
                inSignerNamespace, "only the signer's own objects");
        assertTrue(objects.stream().filter(o -> o.path("apiVersion").asText().startsWith("kafka.strimzi.io/"))
                .noneMatch(o -> o.path("metadata").path("namespace").asText().equals(namespace)));
        JsonNode pod = signer.path("spec").path("template").path("spec");
        assertEquals("", pod.path("nodeSelector").path("node-role.kubernetes.io/control-plane").asText("missing"));
        assertTrue(pod.path("tolerations").toString().contains("\"key\":\"node-role.kubernetes.io/control-plane\""),
                pod.path("tolerations").toString());
        for (JsonNode deployment : of(objects, "Deployment")) {
            if (!name(deployment).equals("signer-service")) {
                assertEquals("csrflow", deployment.path("metadata").path("namespace").asText(), name(deployment));
                assertFalse(deployment.path("spec").path("template").path("spec").has("nodeSelector"), name(deployment));
            }
        }
        // Kafka credentials: a password the administrator gives both sides, not the user operator's Secret.
        JsonNode user = of(objects, "KafkaUser").stream().filter(u -> name(u).equals("signer-service")).findFirst()
                .orElseThrow();
        JsonNode password = user.path("spec").path("authentication").path("password").path("valueFrom").path("secretKeyRef");
        assertFalse(password.path("name").asText().isEmpty(), user.toString());
        assertFalse(password.path("name").asText().equals("signer-service"),
                "the user operator writes the Secret signer-service itself, from this password");
        assertEquals("csrflow", user.path("metadata").path("namespace").asText(), "where the user operator watches");
        of(objects, "KafkaUser").stream().filter(u -> !name(u).equals("signer-service"))
                .forEach(u -> assertFalse(u.path("spec").path("authentication").has("password"), name(u)));
        JsonNode monitor = of(objects, "ServiceMonitor").get(0);
        assertTrue(monitor.path("spec").path("namespaceSelector").path("matchNames").toString().contains(namespace));
    }

    private static Map<String, JsonNode> envOf(JsonNode deployment) {
        Map<String, JsonNode> env = new java.util.HashMap<>();
        deployment.path("spec").path("template").path("spec").path("containers").get(0).path("env")
                .forEach(e -> {
                    if (env.put(e.path("name").asText(), e) != null) {
                        throw new AssertionError(name(deployment) + " sets " + e.path("name").asText() + " twice");
                    }
                });
        return env;
    }

    private static List<JsonNode> of(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    private static String name(JsonNode o) {
        return o.path("metadata").path("name").asText();
    }

    private static String env(List<JsonNode> objects, String variable) {
        for (JsonNode d : of(objects, "Deployment")) {
            for (JsonNode e : d.path("spec").path("template").path("spec").path("containers").get(0).path("env")) {
                if (variable.equals(e.path("name").asText())) {
                    return e.path("value").asText();
                }
            }
        }
        throw new AssertionError("no " + variable + " in any Deployment");
    }

    private static Set<String> rbac(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.path("kind").asText().matches("(Cluster)?Role(Binding)?"))
                .map(JsonNode::toString).collect(Collectors.toSet());
    }

    /** Walks the typed object; any additionalProperties entry is a field its type does not have. */
    private static void unknownFields(Object value, String path, List<String> problems, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!(value instanceof KubernetesResource)) {
            return;
        }
        // getMethods() has no fixed order; sorting keeps the report the same from run to run.
        Method[] getters = value.getClass().getMethods();
        Arrays.sort(getters, Comparator.comparing(Method::getName));
        for (Method getter : getters) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            try {
                Object field = getter.invoke(value);
                if (getter.getName().equals("getAdditionalProperties")) {
                    if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                        problems.add(path + ": unknown field(s) " + extra.keySet());
                    }
                } else {
                    unknownFields(field, path + "." + getter.getName().substring(3), problems, seen);
                }
            } catch (ReflectiveOperationException e) {
                problems.add(path + ": cannot read " + getter.getName() + ": " + e);
            }
        }
    }
}
