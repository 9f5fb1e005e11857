package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.events.EventType;
import io.csrflow.testsupport.YamlDocuments;

/** {@code kubectl kustomize k8s/base} renders, and what it renders matches the code. */
class KubernetesManifestsTest {
    /** What each service calls on the Kubernetes API: group/resource verb. RBAC must grant exactly this. */
    static final Map<String, Set<String>> CALLS = Map.of(
            "csr-watcher", Set.of("certificates.k8s.io/certificatesigningrequests get", "certificates.k8s.io/certificatesigningrequests list",
                    "certificates.k8s.io/certificatesigningrequests watch", "coordination.k8s.io/leases get",
                    "coordination.k8s.io/leases create", "coordination.k8s.io/leases update"),
            "approver-service", Set.of("certificates.k8s.io/certificatesigningrequests get",
                    "certificates.k8s.io/certificatesigningrequests list", "certificates.k8s.io/certificatesigningrequests watch",
                    "certificates.k8s.io/certificatesigningrequests/approval update", "certificates.k8s.io/signers approve",
                    "authorization.k8s.io/subjectaccessreviews create", "/nodes get", "/nodes list", "/nodes watch",
                    "/events create"),
            "signer-service", Set.of("certificates.k8s.io/certificatesigningrequests get",
                    "certificates.k8s.io/certificatesigningrequests list", "certificates.k8s.io/certificatesigningrequests watch",
                    "certificates.k8s.io/certificatesigningrequests/status update", "certificates.k8s.io/signers sign",
                    "/configmaps get", "/configmaps create", "/configmaps update"),
            "rotation-scheduler", Set.of("/nodes list", "/nodes watch"));

    static List<JsonNode> objects;

    @BeforeAll
    static void render() throws Exception {
        objects = YamlDocuments.kustomize(Repo.ROOT, "k8s/base");
    }

    static List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"csr-watcher", "approver-service", "signer-service", "rotation-scheduler"})
    void eachServiceRunsAsItsOwnRestrictedAccount(String service) throws Exception {
        JsonNode deployment = named("Deployment", service);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertEquals(service, pod.path("serviceAccountName").asText());
        named("ServiceAccount", service);
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        JsonNode container = pod.path("containers").get(0);
        assertFalse(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
        assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertTrue(container.path("resources").path("limits").has("memory"));
        String port = Repo.properties(service).getProperty("quarkus.http.port");
        assertEquals(port, container.path("ports").get(0).path("containerPort").asText(), "port of " + service);
    }

    @ParameterizedTest
    @ValueSource(strings = {"csr-watcher", "approver-service", "signer-service", "rotation-scheduler"})
    void rbacGrantsNothingBeyondWhatTheServiceCalls(String service) {
        Set<String> granted = new TreeSet<>();
        for (String bindingKind : List.of("ClusterRoleBinding", "RoleBinding")) {
            for (JsonNode binding : ofKind(bindingKind)) {
                boolean forService = false;
                for (JsonNode subject : binding.path("subjects")) {
                    forService |= subject.path("name").asText().equals(service);
                }
                if (!forService) {
                    continue;
                }
                JsonNode role = named(binding.path("roleRef").path("kind").asText(),
                        binding.path("roleRef").path("name").asText());
                for (JsonNode rule : role.path("rules")) {
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                granted.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                            }
                        }
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(CALLS.get(service)), granted);
        assertFalse(granted.stream().anyMatch(g -> g.contains("*")), "no wildcards");
    }

    @Test
    void signersAreGrantedOnlyForTheirSignerNames() {
        Set<String> approvable = new HashSet<>();
        named("ClusterRole", "csrflow:approver-service").path("rules").forEach(rule -> {
            if (rule.path("resources").get(0).asText().equals("signers")) {
                rule.path("resourceNames").forEach(n -> approvable.add(n.asText()));
            }
        });
        assertEquals(Set.of("kubernetes.io/kube-apiserver-client-kubelet", "kubernetes.io/kubelet-serving",
                "kubernetes.io/kube-apiserver-client"), approvable);
    }

    @Test
    void everyContractTopicIsAKafkaTopic() {
        Set<String> topics = ofKind("KafkaTopic").stream().map(t -> t.path("spec").path("topicName").asText())
                .collect(Collectors.toSet());
        EventType.ALL.forEach(type -> assertTrue(topics.contains(type.defaultTopic()), type.defaultTopic()));
        assertTrue(topics.contains("csrflow.approver-service.dlq") && topics.contains("csrflow.signer-service.dlq")
                && topics.contains("csrflow.rotation-scheduler.dlq"));
    }
}
