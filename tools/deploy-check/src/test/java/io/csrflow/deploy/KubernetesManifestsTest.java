package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.csrflow.approver.kube.DryRunAccess;
import io.csrflow.events.EventType;
import io.csrflow.testsupport.YamlDocuments;

/**
 * What every overlay of k8s/ and every preset of charts/csrflow render ({@link Rendering}) matches the
 * code: accounts, ports and probes, RBAC exactly as each service calls, the dry-run role, the trust
 * bundle, the contract's topics.
 */
class KubernetesManifestsTest {
    /** The signers the single {@code csrflow.signer.ca} serves (never legacy-unknown). */
    static final Set<String> CA_SIGNERS = Set.of("kubernetes.io/kube-apiserver-client-kubelet",
            "kubernetes.io/kubelet-serving", "kubernetes.io/kube-apiserver-client");
    /** A signer's CA file: Kubernetes' signers by the name after kubernetes.io/, others by their full name in quotes. */
    /** csrflow's own signer of workload serving certificates, served by default. */
    static final String WORKLOAD_SIGNER = "csrflow.io/workload-serving";
    /** What the signer calls to answer PodCertificateRequests (k8s/components/pod-certificates grants it). */
    static final Set<String> POD_CERTIFICATE_CALLS = Set.of("certificates.k8s.io/podcertificaterequests get",
            "certificates.k8s.io/podcertificaterequests/status update", "/pods get", "/pods list", "/services get",
            "discovery.k8s.io/endpointslices list");
    private static final Pattern POD_CERTIFICATES = Pattern.compile(
            "csrflow\\.signer\\.signers\\.(?:\"[^\"]+\"|[^.\"]+)\\.pod-certificates\\.allow\\[\\d+]\\..+");
    private static final Pattern SIGNER_CA = Pattern.compile(
            "csrflow\\.signer\\.signers\\.(?:\"([^\"]+)\"|([^.\"]+))\\.cert-file");

    static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    /**
     * What a service calls on the Kubernetes API, as its deployment configures it: {@code
     * group/resource verb}, then {@code in <namespace>} for a namespaced grant and {@code named
     * <resourceNames>} for one limited by name. RBAC must grant exactly this.
     */
    static Set<String> calls(String service, DeployedConfig config) {
        Set<String> calls = new TreeSet<>();
        switch (service) {
            case "csr-watcher" -> {
                csrReads(calls);
                // The cleaner deletes CSRs past their age, unless the deployment turns it off.
                if (!config.value("csrflow.watcher.cleaner.enabled").orElse("true").equals("false")) {
                    calls.add("certificates.k8s.io/certificatesigningrequests delete");
                }
                String leases = " in " + config.value("csrflow.watcher.leader-election.namespace").orElseThrow();
                // fabric8's LeaderElector renews the Lease with a PATCH.
                List.of("get", "create", "update", "patch").forEach(v -> calls.add("coordination.k8s.io/leases " + v
                        + leases));
                // PodCertificateRequests for pcr.observed, unless the deployment turns that off.
                if (!config.value("csrflow.watcher.pod-certificates.enabled").orElse("true").equals("false")) {
                    List.of("list", "watch").forEach(v -> calls.add("certificates.k8s.io/podcertificaterequests " + v));
                }
            }
            case "approver-service" -> {
                csrReads(calls);
                calls.add("certificates.k8s.io/certificatesigningrequests/approval update");
                Set<String> approves = new TreeSet<>(List.of(config.value("csrflow.approver.signer-names")
                        .orElseThrow().split(",")));
                // The workload rule approves for its own signer names and reads what entitles a SAN.
                if (!config.value("csrflow.approver.workload.enabled").orElse("true").equals("false")) {
                    approves.addAll(List.of(config.value("csrflow.approver.workload.signer-names").orElseThrow()
                            .split(",")));
                    List.of("list", "watch").forEach(v -> {
                        calls.add("/pods " + v);
                        calls.add("/services " + v);
                        calls.add("discovery.k8s.io/endpointslices " + v);
                    });
                }
                calls.add("certificates.k8s.io/signers approve named " + String.join(",", approves));
                calls.add("authorization.k8s.io/subjectaccessreviews create");
                // The dry run's callers: who they are (TokenReview), then what they may (a SubjectAccessReview).
                calls.add("authentication.k8s.io/tokenreviews create");
                List.of("get", "list", "watch").forEach(v -> calls.add("/nodes " + v));
                calls.add("/events create in " + config.value("csrflow.approver.event-namespace").orElseThrow());
            }
            case "signer-service" -> {
                csrReads(calls);
                calls.add("certificates.k8s.io/certificatesigningrequests/status update");
                calls.add("certificates.k8s.io/signers sign named " + String.join(",", served(config)));
                // A signer with pod-certificates settings answers PodCertificateRequests, reading the pod
                // and, when a slice points at it, the Services, EndpointSlices and Pods of its namespace.
                if (config.fileProperties().keySet().stream().anyMatch(k -> POD_CERTIFICATES.matcher(k).matches())) {
                    calls.addAll(POD_CERTIFICATE_CALLS);
                }
                // The trust bundle: read and replaced, never created (k8s/ ships it).
                String bundle = " in " + config.value("csrflow.signer.trust-bundle.namespace").orElseThrow()
                        + " named " + config.value("csrflow.signer.trust-bundle.name").orElseThrow();
                calls.add("/configmaps get" + bundle);
                calls.add("/configmaps update" + bundle);
                // A ClusterTrustBundle per served signer: attested for, found by label, written by name.
                if (!config.value("csrflow.signer.cluster-trust-bundles.enabled").orElse("true").equals("false")) {
                    calls.add("certificates.k8s.io/signers attest named " + String.join(",", served(config)));
                    List.of("list", "watch", "create").forEach(v -> calls.add("certificates.k8s.io/clustertrustbundles "
                            + v));
                    String names = " named " + String.join(",", served(config).stream()
                            .map(n -> n.replace('/', ':') + ":bundle").collect(Collectors.toCollection(TreeSet::new)));
                    List.of("get", "update", "delete").forEach(v -> calls.add("certificates.k8s.io/clustertrustbundles "
                            + v + names));
                }
                // The CA bundle ConfigMap of every selected namespace, listed and watched by name.
                if (!config.value("csrflow.signer.namespace-bundles.enabled").orElse("true").equals("false")) {
                    String name = " named " + config.value("csrflow.signer.namespace-bundles.name")
                            .orElse("csrflow-ca-bundle");
                    List.of("list", "watch").forEach(v -> calls.add("/namespaces " + v));
                    calls.add("/configmaps create");
                    List.of("list", "watch", "update", "delete").forEach(v -> calls.add("/configmaps " + v + name));
                }
            }
            case "rotation-scheduler" -> {
                List.of("list", "watch").forEach(v -> calls.add("/nodes " + v));
                // Whether the pod of an overdue pod certificate still exists.
                calls.add("/pods get");
            }
            default -> throw new AssertionError(service);
        }
        return calls;
    }

    /** The signer names the signer serves: those with a CA of their own, or the three of its one CA. */
    static Set<String> served(DeployedConfig config) {
        Set<String> served = new TreeSet<>();
        config.fileProperties().keySet().forEach(name -> {
            Matcher signer = SIGNER_CA.matcher(name);
            if (signer.matches()) {
                served.add(signer.group(1) != null ? signer.group(1) : "kubernetes.io/" + signer.group(2));
            }
        });
        if (config.value("csrflow.signer.ca.cert-file").isPresent()) {
            served.addAll(CA_SIGNERS);
        }
        return served;
    }

    private static void csrReads(Set<String> calls) {
        List.of("get", "list", "watch").forEach(v -> calls.add("certificates.k8s.io/certificatesigningrequests " + v));
    }

    /** Everything {@code objects}' RBAC grants the ServiceAccount {@code namespace/name}, in the form of {@link #calls}. */
    static Set<String> granted(List<JsonNode> objects, String namespace, String name) {
        Set<String> granted = new TreeSet<>();
        for (String bindingKind : List.of("ClusterRoleBinding", "RoleBinding")) {
            for (JsonNode binding : ofKind(objects, bindingKind)) {
                boolean forAccount = false;
                for (JsonNode subject : binding.path("subjects")) {
                    forAccount |= subject.path("kind").asText().equals("ServiceAccount")
                            && subject.path("name").asText().equals(name)
                            && subject.path("namespace").asText().equals(namespace);
                }
                if (!forAccount) {
                    continue;
                }
                JsonNode role = named(objects, binding.path("roleRef").path("kind").asText(),
                        binding.path("roleRef").path("name").asText());
                String scope = bindingKind.equals("RoleBinding") ? " in " + binding.path("metadata").path("namespace").asText() : "";
                if (role.path("kind").asText().equals("Role")) {
                    assertEquals(binding.path("metadata").path("namespace").asText(),
                            role.path("metadata").path("namespace").asText(), "a RoleBinding binds a Role of its namespace");
                }
                for (JsonNode rule : role.path("rules")) {
                    Set<String> names = new TreeSet<>();
                    rule.path("resourceNames").forEach(n -> names.add(n.asText()));
                    String limit = names.isEmpty() ? "" : " named " + String.join(",", names);
                    for (JsonNode group : rule.path("apiGroups")) {
                        for (JsonNode resource : rule.path("resources")) {
                            for (JsonNode verb : rule.path("verbs")) {
                                granted.add(group.asText() + "/" + resource.asText() + " " + verb.asText() + scope + limit);
                            }
                        }
                    }
                }
            }
        }
        return granted;
    }

    static Stream<Arguments> everyServiceOfEveryRendering() {
        return Arrays.stream(Rendering.values()).flatMap(r -> Repo.SERVICES.keySet().stream().sorted()
                .map(service -> Arguments.of(r, service)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("everyServiceOfEveryRendering")
    void eachServiceRunsAsItsOwnRestrictedAccount(Rendering rendering, String service) throws Exception {
        List<JsonNode> objects = rendering.objects();
        JsonNode deployment = named(objects, "Deployment", service);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertEquals(service, pod.path("serviceAccountName").asText());
        named(objects, "ServiceAccount", service);
        assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
        JsonNode container = pod.path("containers").get(0);
        assertFalse(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean(true));
        assertTrue(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean());
        assertEquals("[\"ALL\"]", container.path("securityContext").path("capabilities").path("drop").toString());
        assertEquals("RuntimeDefault", pod.path("securityContext").path("seccompProfile").path("type").asText());
        assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        assertEquals("/q/health/live", container.path("livenessProbe").path("httpGet").path("path").asText());
        assertTrue(container.path("resources").path("limits").has("memory"));
        String port = Repo.properties(service).getProperty("quarkus.http.port");
        assertEquals(port, container.path("ports").get(0).path("containerPort").asText(), "port of " + service);
    }

    /**
     * In every overlay, each service's ServiceAccount (in its Deployment's namespace) is granted
     * exactly what the service calls: verbs, namespaces and resource names, the latter two from the
     * configuration the Deployment gives it (event namespace, trust bundle, signer names served).
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void rbacGrantsNothingBeyondWhatEachServiceCalls(Rendering rendering) {
        assertEquals(List.of(), rbacProblems(rendering.objects()), rendering.toString());
    }

    static List<String> rbacProblems(List<JsonNode> rendered) {
        List<String> problems = new ArrayList<>();
        for (JsonNode deployment : ofKind(rendered, "Deployment")) {
            String service = deployment.path("metadata").path("name").asText();
            String namespace = deployment.path("metadata").path("namespace").asText();
            String account = deployment.path("spec").path("template").path("spec").path("serviceAccountName").asText();
            String accountNamespace = named(rendered, "ServiceAccount", account).path("metadata").path("namespace").asText();
            if (!namespace.equals(accountNamespace)) {
                problems.add(service + "'s ServiceAccount is in " + accountNamespace + ", not in its namespace " + namespace);
            }
            Set<String> granted = granted(rendered, namespace, account);
            Set<String> calls = calls(service, DeployedConfig.of(deployment, rendered));
            Set<String> denied = new TreeSet<>(calls);
            denied.removeAll(granted);
            Set<String> excess = new TreeSet<>(granted);
            excess.removeAll(calls);
            if (!denied.isEmpty()) {
                problems.add(service + " is not granted what it calls: " + denied);
            }
            if (!excess.isEmpty()) {
                problems.add(service + " is granted what it does not call: " + excess);
            }
            granted.stream().filter(g -> g.contains("*")).forEach(g -> problems.add(service + ": a wildcard: " + g));
        }
        return problems;
    }

    /**
     * By default each signer has a CA of its own (not the one csrflow.signer.ca), legacy-unknown is not
     * served, csrflow's workload signer is, and the approver approves for the three Kubernetes signers
     * and for none the signer does not serve.
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void eachKubernetesSignerHasACaOfItsOwnAndLegacyUnknownIsNotServed(Rendering rendering) {
        List<JsonNode> rendered = rendering.objects();
        String overlay = rendering.toString();
        DeployedConfig signer = DeployedConfig.of(named(rendered, "Deployment", "signer-service"), rendered);
        Set<String> expected = new TreeSet<>(CA_SIGNERS);
        expected.add(WORKLOAD_SIGNER);
        assertEquals(expected, served(signer), overlay);
        assertTrue(signer.fileProperties().containsKey("csrflow.signer.signers.\"" + WORKLOAD_SIGNER
                + "\".profile.usages"), overlay + ": " + WORKLOAD_SIGNER + " has a profile");
        for (String name : CA_SIGNERS) {
            String key = name.substring(name.indexOf('/') + 1);
            assertTrue(signer.fileProperties().containsKey("csrflow.signer.signers." + key + ".cert-file"),
                    overlay + ": " + name + " has a CA of its own");
        }
        assertTrue(signer.value("csrflow.signer.ca.cert-file").isEmpty(),
                overlay + ": csrflow.signer.ca and csrflow.signer.signers exclude each other");
        JsonNode approvable = named(rendered, "ClusterRole", "csrflow:approver-service");
        Set<String> approve = new TreeSet<>();
        approvable.path("rules").forEach(rule -> {
            if (rule.path("resources").get(0).asText().equals("signers")) {
                rule.path("resourceNames").forEach(n -> approve.add(n.asText()));
            }
        });
        assertTrue(approve.containsAll(CA_SIGNERS), overlay + ": approves for " + approve);
        Set<String> unserved = new TreeSet<>(approve);
        unserved.removeAll(served(signer));
        assertEquals(Set.of(), unserved, overlay + ": the approver approves for signers nobody here signs for");
    }

    /**
     * The signer's ClusterRole grants sign and attest on exactly the signer names its configuration
     * serves (k8s/base/signer/signer.properties, or the chart's signerService.signers): a signer added
     * to one and not the other either cannot sign or could sign what nobody configured.
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theSignersRoleSignsAndAttestsForExactlyTheConfiguredSigners(Rendering rendering) {
        List<JsonNode> rendered = rendering.objects();
        DeployedConfig signer = DeployedConfig.of(named(rendered, "Deployment", "signer-service"), rendered);
        Map<String, Set<String>> byVerb = new TreeMap<>();
        named(rendered, "ClusterRole", "csrflow:signer-service").path("rules").forEach(rule -> {
            if (texts(rule.path("resources")).contains("signers")) {
                for (String verb : texts(rule.path("verbs"))) {
                    rule.path("resourceNames").forEach(n -> byVerb.computeIfAbsent(verb, v -> new TreeSet<>())
                            .add(n.asText()));
                }
            }
        });
        assertEquals(Map.of("attest", served(signer), "sign", served(signer)), byVerb, rendering.toString());
    }

    /**
     * The dry run's permission is a ClusterRole of its own, granting exactly what the approver asks
     * its callers for, and bound to no one: an administrator binds it.
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theDryRunRoleIsBoundToNoOne(Rendering rendering) {
        assertEquals(List.of(), dryRunRoleProblems(rendering.objects()), rendering.toString());
    }

    static List<String> dryRunRoleProblems(List<JsonNode> rendered) {
        List<String> problems = new ArrayList<>();
        JsonNode role = named(rendered, "ClusterRole", "csrflow-dry-run");
        List<List<String>> rules = new ArrayList<>();
        role.path("rules").forEach(rule -> rules.add(List.of(String.join(",", texts(rule.path("apiGroups"))),
                String.join(",", texts(rule.path("resources"))), String.join(",", texts(rule.path("verbs"))))));
        if (!rules.equals(List.of(List.of(DryRunAccess.GROUP, DryRunAccess.RESOURCE, DryRunAccess.VERB)))) {
            problems.add("csrflow-dry-run grants " + rules);
        }
        for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
            ofKind(rendered, kind).stream().filter(b -> b.path("roleRef").path("name").asText().equals("csrflow-dry-run"))
                    .forEach(b -> problems.add(b.path("metadata").path("name").asText() + " binds csrflow-dry-run"));
        }
        return problems;
    }

    /**
     * The trust bundle ConfigMap the signer may only get and update exists where the signer writes
     * it, without data: applying k8s/ again leaves what the signer wrote.
     */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void theTrustBundleIsShippedEmptyWhereTheSignerWritesIt(Rendering rendering) {
        assertEquals(List.of(), trustBundleProblems(rendering.objects()), rendering.toString());
    }

    static List<String> trustBundleProblems(List<JsonNode> rendered) {
        DeployedConfig signer = DeployedConfig.of(named(rendered, "Deployment", "signer-service"), rendered);
        String namespace = signer.value("csrflow.signer.trust-bundle.namespace").orElseThrow();
        String name = signer.value("csrflow.signer.trust-bundle.name").orElseThrow();
        List<JsonNode> bundles = ofKind(rendered, "ConfigMap").stream()
                .filter(c -> c.path("metadata").path("name").asText().equals(name)
                        && c.path("metadata").path("namespace").asText().equals(namespace)).toList();
        if (bundles.isEmpty()) {
            return List.of("no ConfigMap " + namespace + "/" + name);
        }
        List<String> problems = new ArrayList<>();
        if (bundles.get(0).has("data") || bundles.get(0).has("binaryData")) {
            problems.add("the trust bundle is shipped with data: " + bundles.get(0));
        }
        JsonNode scheduler = named(rendered, "Deployment", "rotation-scheduler");
        if (!scheduler.path("metadata").path("namespace").asText().equals(namespace)
                || !scheduler.path("spec").path("template").path("spec").path("volumes").toString()
                        .contains("\"name\":\"" + name + "\"")) {
            problems.add("the scheduler does not mount the bundle " + namespace + "/" + name);
        }
        return problems;
    }

    /** Every Role and ClusterRole is bound, but the dry run's; every binding's role exists. */
    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyRoleIsBoundAndEveryBindingResolves(Rendering rendering) {
        assertEquals(Set.of("ClusterRole/csrflow-dry-run"), unboundRoles(rendering.objects()), rendering.toString());
    }

    /** Roles and ClusterRoles no binding binds; a binding whose role is not there fails. */
    static Set<String> unboundRoles(List<JsonNode> rendered) {
        Set<String> bound = new TreeSet<>();
        for (String kind : List.of("ClusterRoleBinding", "RoleBinding")) {
            for (JsonNode binding : ofKind(rendered, kind)) {
                JsonNode role = named(rendered, binding.path("roleRef").path("kind").asText(),
                        binding.path("roleRef").path("name").asText());
                bound.add(role.path("kind").asText() + "/" + role.path("metadata").path("name").asText());
            }
        }
        Set<String> roles = new TreeSet<>();
        for (String kind : List.of("ClusterRole", "Role")) {
            ofKind(rendered, kind).forEach(r -> roles.add(kind + "/" + r.path("metadata").path("name").asText()));
        }
        roles.removeAll(bound);
        return roles;
    }

    @ParameterizedTest
    @EnumSource(Rendering.class)
    void everyContractTopicIsAKafkaTopic(Rendering rendering) {
        Set<String> topics = ofKind(rendering.objects(), "KafkaTopic").stream().map(t -> t.path("spec").path("topicName").asText())
                .collect(Collectors.toSet());
        EventType.ALL.forEach(type -> assertTrue(topics.contains(type.defaultTopic()), type.defaultTopic()));
        assertTrue(topics.contains(io.csrflow.events.Topics.APPROVER_DEAD_LETTER)
                && topics.contains(io.csrflow.events.Topics.SIGNER_DEAD_LETTER)
                && topics.contains(io.csrflow.events.Topics.SCHEDULER_DEAD_LETTER));
    }

    /** What k8s/compose applies to k3s is the base's RBAC, unchanged, plus kubeadm's bootstrap bindings. */
    /** The component an operator adds with pod-certificates settings grants the signer exactly what they make it call. */
    @Test
    void thePodCertificatesComponentGrantsTheSignerExactlyWhatPodCertificatesCall() throws Exception {
        List<JsonNode> objects = new ArrayList<>();
        for (String file : List.of("ClusterRole-signer-service-pod-certificates.yaml",
                "ClusterRoleBinding-signer-service-pod-certificates.yaml")) {
            objects.addAll(YamlDocuments.parse(Files.readString(Repo.ROOT.resolve("k8s/components/pod-certificates/"
                    + file))));
        }
        assertEquals(new TreeSet<>(POD_CERTIFICATE_CALLS), granted(objects, "csrflow", "signer-service"));
    }

    @Test
    void composeAppliesTheBasesRbacAndNothingElseOfIt() {
        List<JsonNode> compose = Repo.render("k8s/compose");
        Map<String, List<String>> byKind = compose.stream().collect(Collectors.groupingBy(o -> o.path("kind").asText(),
                TreeMap::new, Collectors.mapping(o -> o.path("metadata").path("name").asText(), Collectors.toList())));
        assertEquals(Set.of("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                "ConfigMap"), byKind.keySet(), byKind.toString());
        assertEquals(List.of("csrflow-ca-bundles"), byKind.get("ConfigMap"));
        Set<String> baseRbac = rbac(Rendering.KUSTOMIZE_BASE.objects());
        Set<String> composeRbac = rbac(compose);
        assertTrue(composeRbac.containsAll(baseRbac), "every grant of the base");
        composeRbac.removeAll(baseRbac);
        assertEquals(3, composeRbac.size(), composeRbac.toString());
        assertTrue(composeRbac.stream().allMatch(b -> b.contains("\"kind\":\"ClusterRoleBinding\"")
                && b.contains("\"kind\":\"Group\"")), "only the kubelet bootstrap bindings, to groups: " + composeRbac);
    }

    static Set<String> rbac(List<JsonNode> objects) {
        return objects.stream().filter(o -> o.path("kind").asText().matches("ServiceAccount|(Cluster)?Role(Binding)?"))
                .map(JsonNode::toString).collect(Collectors.toCollection(TreeSet::new));
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(t -> texts.add(t.asText()));
        return texts;
    }
}
