package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import io.csrflow.deploy.Rendering.Tool;
import io.csrflow.deploy.Rendering.Variant;

/**
 * charts/csrflow against k8s/: {@code helm lint} passes with every preset, and each preset renders
 * the objects its overlay renders, field for field ({@link Chart#comparable} says the three
 * differences that are not drift), so that the chart and the overlays cannot drift apart. Every
 * value shows in what the chart renders and keeps every deployment check green; the schema refuses
 * what the chart would otherwise ignore or the API server reject. The checks the overlays get run on
 * every preset as well, through {@link Rendering}.
 */
class HelmChartTest {
    /** Maps rendered whole (toYaml), whose keys are the user's: a row that sets any key in one covers it. */
    private static final Set<String> OPAQUE = Set.of("resources", "nodeSelector", "kafka.config", "kafka.nodePool.storage");
    /** Values every Deployment gets from one template: a row for one service covers the four. */
    private static final Pattern PER_SERVICE = Pattern.compile(
            "^(csrWatcher|approverService|signerService|rotationScheduler)\\.(replicas|image|resources|nodeSelector"
                    + "|tolerations|extraEnv)\\b");

    @ParameterizedTest
    @EnumSource(Variant.class)
    void lintsWithoutWarningsWithEveryPreset(Variant variant, @TempDir Path work) {
        LintResult lint = Chart.lint(variant.preset, work);
        assertFalse(lint.isFailed(), lint.getMessages().toString());
        assertEquals(List.of(), lint.getMessages().stream().filter(m -> !m.startsWith("[INFO]")).toList());
    }

    /** The same (kind, namespace, name) as the overlay: no object more, none less. */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void rendersTheObjectsItsOverlayRenders(Variant variant) {
        assertEquals(Chart.comparable(Rendering.of(Tool.KUSTOMIZE, variant).objects()).keySet(),
                Chart.comparable(Rendering.of(Tool.HELM, variant).objects()).keySet());
    }

    /**
     * Every object as the overlay renders it: Deployments' environment, volumes, security contexts,
     * probes and resources, every RBAC rule, Kafka's listeners and ACLs, the NetworkPolicies.
     */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void rendersEveryObjectAsItsOverlayDoes(Variant variant) {
        assertEquals(List.of(), drift(Rendering.of(Tool.KUSTOMIZE, variant).objects(),
                Rendering.of(Tool.HELM, variant).objects()), Rendering.of(Tool.HELM, variant).toString());
    }

    /** What the comparison reports, for each kind of drift a chart edit could bring. */
    @Test
    void theComparisonCatchesDrift() {
        List<JsonNode> kustomize = Rendering.KUSTOMIZE_PRODUCTION.objects();
        List<JsonNode> helm = Rendering.HELM_PRODUCTION.objects();
        assertEquals(List.of("Deployment csrflow/approver-service /spec/template/spec/containers/0/env/12/value: "
                + "\"http://opentelemetry-collector.observability.svc:4317\" | \"http://otel:4317\""),
                drift(kustomize, changed(helm, "Deployment", "approver-service", d -> env(d, "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")
                        .put("value", "http://otel:4317"))));
        assertEquals(List.of("Deployment csrflow-signer/signer-service /spec/template/spec/volumes/2/secret/defaultMode: 288 | 292"),
                drift(kustomize, changed(helm, "Deployment", "signer-service", d -> ((ObjectNode) d
                        .at("/spec/template/spec/volumes/2/secret")).put("defaultMode", 0444))));
        assertEquals(List.of("Deployment csrflow/csr-watcher /spec/template/spec/securityContext/runAsNonRoot: true | (none)"),
                drift(kustomize, changed(helm, "Deployment", "csr-watcher", d -> ((ObjectNode) d
                        .at("/spec/template/spec/securityContext")).remove("runAsNonRoot"))));
        assertEquals(List.of("ClusterRole csrflow:csr-watcher /rules/0/verbs: [\"get\",\"list\",\"watch\",\"delete\"] | "
                + "[\"get\",\"list\",\"watch\",\"delete\",\"update\"]"),
                drift(kustomize, changed(helm, "ClusterRole", "csrflow:csr-watcher", r -> ((ArrayNode) r
                        .at("/rules/0/verbs")).add("update"))));
        List<JsonNode> withoutBudget = helm.stream().filter(o -> !(o.path("kind").asText().equals("PodDisruptionBudget")
                && o.path("metadata").path("name").asText().equals("csr-watcher"))).toList();
        assertEquals(List.of("only kubectl kustomize renders PodDisruptionBudget csrflow/csr-watcher"),
                drift(kustomize, withoutBudget));
    }

    /**
     * A signer given pod-certificates properties in values gets the rules those make it call, and a
     * chart without them none (the default rendering's check): RBAC follows the configuration.
     */
    @Test
    void aSignerWithPodCertificatesGetsExactlyTheRulesTheyCall(@TempDir Path work) throws IOException {
        Path values = Files.writeString(work.resolve("pod-certificates.yaml"), """
                signerService:
                  signers:
                    - name: csrflow.io/workload-serving
                      secretName: csrflow-workload-serving-ca
                      properties:
                        profile.usages: server
                        pod-certificates.allow[0].namespaces: shop
                """);
        List<JsonNode> objects = Chart.template(values.toString(), Map.of());
        DeployedConfig config = DeployedConfig.of(KubernetesManifestsTest.named(objects, "Deployment", "signer-service"),
                objects);
        Set<String> calls = KubernetesManifestsTest.calls("signer-service", config);
        assertTrue(calls.containsAll(KubernetesManifestsTest.POD_CERTIFICATE_CALLS), calls.toString());
        assertEquals(calls, KubernetesManifestsTest.granted(objects, "csrflow", "signer-service"));
        assertFalse(KubernetesManifestsTest.granted(Chart.template(null), "csrflow", "signer-service")
                .contains("certificates.k8s.io/podcertificaterequests get"));
    }

    /** The chart's copy of the Grafana dashboard (a chart reads only its own files) is k8s/base's. */
    @Test
    void theDashboardIsK8sBasesDashboard() throws IOException {
        assertEquals(Files.readString(Repo.ROOT.resolve("k8s/base/grafana/csrflow-dashboard.json")),
                Files.readString(Chart.DIR.resolve("files/csrflow-dashboard.json")),
                "copy k8s/base/grafana/csrflow-dashboard.json to charts/csrflow/files/");
    }

    /**
     * Setting a value (--set, {@code ;} between several) changes the rendered field it is for, and
     * what is rendered still passes every deployment check. Fields: a JSON pointer into the object,
     * {@code env:NAME} for its container's variable, {@code property:KEY} for its signer.properties,
     * or {@code -} for the object itself; an object name ending in {@code *} is a prefix.
     */
    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
        csrWatcher.replicas=5                          | Deployment/csr-watcher         | /spec/replicas | 5
        approverService.replicas=4                     | Deployment/approver-service    | /spec/replicas | 4
        signerService.replicas=4                       | Deployment/signer-service      | /spec/replicas | 4
        rotationScheduler.replicas=4                   | Deployment/rotation-scheduler  | /spec/replicas | 4
        image.tag=1.2.3                                | Deployment/approver-service    | /spec/template/spec/containers/0/image | csrflow/approver-service:1.2.3
        csrWatcher.image.repository=r.example/csrflow/watcher | Deployment/csr-watcher  | /spec/template/spec/containers/0/image | r.example/csrflow/watcher:0.1.0
        approverService.image.repository=r.example/a   | Deployment/approver-service    | /spec/template/spec/containers/0/image | r.example/a:0.1.0
        signerService.image.repository=r.example/s     | Deployment/signer-service      | /spec/template/spec/containers/0/image | r.example/s:0.1.0
        rotationScheduler.image.repository=r.example/r | Deployment/rotation-scheduler  | /spec/template/spec/containers/0/image | r.example/r:0.1.0
        image.pullPolicy=Always                        | Deployment/rotation-scheduler  | /spec/template/spec/containers/0/imagePullPolicy | Always
        imagePullSecrets[0].name=regcred               | Deployment/csr-watcher         | /spec/template/spec/imagePullSecrets/0/name | regcred
        rotationScheduler.resources.limits.memory=1Gi  | Deployment/rotation-scheduler  | /spec/template/spec/containers/0/resources/limits/memory | 1Gi
        csrWatcher.nodeSelector.disktype=ssd           | Deployment/csr-watcher         | /spec/template/spec/nodeSelector/disktype | ssd
        approverService.tolerations[0].key=dedicated;approverService.tolerations[0].operator=Exists | Deployment/approver-service | /spec/template/spec/tolerations/0/key | dedicated
        csrWatcher.extraEnv[0].name=CSRFLOW_WATCHER_RESYNC;csrWatcher.extraEnv[0].value=5m | Deployment/csr-watcher | env:CSRFLOW_WATCHER_RESYNC | 5m
        topologySpreadConstraints[0].maxSkew=2;topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone;topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule | Deployment/signer-service | /spec/template/spec/topologySpreadConstraints/0/topologyKey | topology.kubernetes.io/zone
        namespace=certs                                | Deployment/csr-watcher         | /metadata/namespace | certs
        namespace=certs                                | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_LEADER_ELECTION_NAMESPACE | certs
        namespace=certs                                | Role/csr-watcher               | /metadata/namespace | certs
        namespace=certs                                | Deployment/signer-service      | env:CSRFLOW_SIGNER_TRUST_BUNDLE_NAMESPACE | certs
        namespace=certs                                | Kafka/csrflow                  | /metadata/namespace | certs
        createNamespaces=false                         | Namespace/csrflow              | - | <absent>
        logs.json=false                                | Deployment/csr-watcher         | env:QUARKUS_LOG_CONSOLE_JSON_ENABLED | false
        tracing.enabled=false                          | Deployment/approver-service    | env:QUARKUS_OTEL_SDK_DISABLED | true
        tracing.otlpEndpoint=http://otel.tracing.svc:4317 | Deployment/signer-service   | env:QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT | http://otel.tracing.svc:4317
        monitoring.namespace=prometheus                | NetworkPolicy/csrflow-services | /spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name | prometheus
        monitoring.serviceMonitor.enabled=false        | ServiceMonitor/csrflow         | - | <absent>
        monitoring.serviceMonitor.interval=1m          | ServiceMonitor/csrflow         | /spec/endpoints/0/interval | 1m
        monitoring.grafanaDashboard.enabled=false      | ConfigMap/csrflow-grafana-dashboard | - | <absent>
        strimziNamespace=kafka-system                  | NetworkPolicy/kafka-brokers    | /spec/ingress/2/from/1/namespaceSelector/matchLabels/kubernetes.io~1metadata.name | kafka-system
        kafka.bootstrapServers=kafka.example:9092      | Deployment/approver-service    | env:KAFKA_BOOTSTRAP_SERVERS | kafka.example:9092
        kafka.scramTls.enabled=true                    | Deployment/csr-watcher         | env:KAFKA_SECURITY_PROTOCOL | SASL_SSL
        kafka.scramTls.enabled=true                    | Deployment/csr-watcher         | env:KAFKA_BOOTSTRAP_SERVERS | csrflow-kafka-bootstrap:9093
        kafka.scramTls.enabled=true                    | KafkaUser/rotation-scheduler   | /spec/authentication/type | scram-sha-512
        kafka.scramTls.enabled=true;signerService.namespace=csrflow-signer;kafka.scramTls.signerPasswordSecret=signer-kafka | KafkaUser/signer-service | /spec/authentication/password/valueFrom/secretKeyRef/name | signer-kafka
        kafka.nodePool.replicas=5                      | KafkaNodePool/combined         | /spec/replicas | 5
        kafka.nodePool.storage.size=50Gi               | KafkaNodePool/combined         | /spec/storage/size | 50Gi
        kafka.config.min\\.insync\\.replicas=3         | Kafka/csrflow                  | /spec/kafka/config/min.insync.replicas | 3
        kafka.topics.replicas=2                        | KafkaTopic/csr-observed        | /spec/replicas | 2
        kafka.topics.partitions=24                     | KafkaTopic/cert-issued         | /spec/partitions | 24
        kafka.topics.partitions=24                     | KafkaTopic/signer-service-dlq  | /spec/partitions | 1
        csrWatcher.cleaner.enabled=false               | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_CLEANER_ENABLED | false
        csrWatcher.cleaner.enabled=false               | ClusterRole/csrflow:csr-watcher | /rules/0/verbs | '["get","list","watch"]'
        csrWatcher.cleaner.interval=10m                | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_CLEANER_INTERVAL | 10m
        csrWatcher.cleaner.issuedMaxAge=2h             | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_CLEANER_ISSUED_MAX_AGE | 2h
        csrWatcher.cleaner.deniedMaxAge=3h             | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_CLEANER_DENIED_MAX_AGE | 3h
        csrWatcher.cleaner.failedMaxAge=4h             | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_CLEANER_FAILED_MAX_AGE | 4h
        csrWatcher.cleaner.pendingMaxAge=48h           | Deployment/csr-watcher         | env:CSRFLOW_WATCHER_CLEANER_PENDING_MAX_AGE | 48h
        approverService.eventNamespace=csrflow-events  | Deployment/approver-service    | env:CSRFLOW_APPROVER_EVENT_NAMESPACE | csrflow-events
        approverService.eventNamespace=csrflow-events  | RoleBinding/csrflow:approver-service | /metadata/namespace | csrflow-events
        approverService.signerNames[0]=kubernetes.io/kubelet-serving | ClusterRole/csrflow:approver-service | /rules/2/resourceNames | '["kubernetes.io/kubelet-serving","csrflow.io/workload-serving"]'
        approverService.workload.enabled=false         | ClusterRole/csrflow:approver-service | /rules/2/resourceNames | '["kubernetes.io/kube-apiserver-client-kubelet","kubernetes.io/kubelet-serving","kubernetes.io/kube-apiserver-client"]'
        approverService.workload.enabled=false         | Deployment/approver-service    | env:CSRFLOW_APPROVER_WORKLOAD_ENABLED | false
        approverService.workload.signerNames[0]=example.com/serving | ClusterRole/csrflow:approver-service | /rules/2/resourceNames | '["kubernetes.io/kube-apiserver-client-kubelet","kubernetes.io/kubelet-serving","kubernetes.io/kube-apiserver-client","example.com/serving"]'
        approverService.workload.signerNames[0]=example.com/serving | Deployment/approver-service | env:CSRFLOW_APPROVER_WORKLOAD_SIGNER_NAMES | example.com/serving
        approverService.workload.endpointSliceManagers[0]=mesh.example/slices | Deployment/approver-service | env:CSRFLOW_APPROVER_WORKLOAD_ENDPOINT_SLICE_MANAGERS | mesh.example/slices
        approverService.signerNames[0]=kubernetes.io/kubelet-serving | Deployment/approver-service | env:CSRFLOW_APPROVER_SIGNER_NAMES | kubernetes.io/kubelet-serving
        approverService.kubeletServing.dnsNamePattern=node-[0-9]+[.]example[.]internal | Deployment/approver-service | env:CSRFLOW_APPROVER_KUBELET_SERVING_DNS_NAME_PATTERN | node-[0-9]+[.]example[.]internal
        approverService.kubeletServing.ipRanges[0]=10.1.0.0/16;approverService.kubeletServing.ipRanges[1]=fd12:3456::/32 | Deployment/approver-service | env:CSRFLOW_APPROVER_KUBELET_SERVING_IP_RANGES | 10.1.0.0/16,fd12:3456::/32
        approverService.cluster.serviceCidrs[0]=10.43.0.0/16 | Deployment/approver-service | env:CSRFLOW_APPROVER_CLUSTER_SERVICE_CIDRS | 10.43.0.0/16
        approverService.cluster.domain=cluster.example | Deployment/approver-service    | env:CSRFLOW_APPROVER_CLUSTER_DOMAIN | cluster.example
        signerService.namespace=csrflow-signer         | Deployment/signer-service      | /metadata/namespace | csrflow-signer
        signerService.namespace=csrflow-signer         | Namespace/csrflow-signer       | /metadata/labels/pod-security.kubernetes.io~1enforce | restricted
        signerService.namespace=csrflow-signer         | NetworkPolicy/signer-service   | /metadata/namespace | csrflow-signer
        signerService.namespace=csrflow-signer         | Deployment/signer-service      | env:KAFKA_BOOTSTRAP_SERVERS | csrflow-kafka-bootstrap.csrflow.svc:9092
        signerService.namespace=csrflow-signer         | ClusterRoleBinding/csrflow:signer-service | /subjects/0/namespace | csrflow-signer
        signerService.signers[0].name=legacy-unknown;signerService.signers[0].secretName=csrflow-legacy-unknown-ca;signerService.signers[0].properties.allowed-usages=client auth | ClusterRole/csrflow:signer-service | /rules/2/resourceNames | '["kubernetes.io/legacy-unknown"]'
        signerService.signers[0].name=legacy-unknown;signerService.signers[0].secretName=csrflow-legacy-unknown-ca;signerService.signers[0].properties.allowed-usages=client auth | ConfigMap/csrflow-signer-config-* | property:csrflow.signer.signers.legacy-unknown.allowed-usages | client auth
        signerService.signers[0].name=legacy-unknown;signerService.signers[0].secretName=csrflow-legacy-unknown-ca;signerService.signers[0].properties.allowed-usages=client auth | Deployment/signer-service | /spec/template/spec/volumes/2/secret/secretName | csrflow-legacy-unknown-ca
        rotationScheduler.replicationFactor=2          | Deployment/rotation-scheduler  | env:CSRFLOW_SCHEDULER_REPLICATION_FACTOR | 2
        rotationScheduler.standbyReplicas=2            | Deployment/rotation-scheduler  | env:CSRFLOW_SCHEDULER_STANDBY_REPLICAS | 2
        rotationScheduler.standbyReplicas=0            | Deployment/rotation-scheduler  | env:CSRFLOW_SCHEDULER_STANDBY_REPLICAS | 0
        rotationScheduler.stateSizeLimit=5Gi           | Deployment/rotation-scheduler  | /spec/template/spec/volumes/1/emptyDir/sizeLimit | 5Gi
        """)
    void everyValueShowsInWhatTheChartRenders(String set, String object, String field, String expected) {
        Map<String, String> values = sets(set);
        List<JsonNode> objects = Chart.template(null, values);
        assertEquals(expected, field(objects, object, field));
        assertEquals(List.of(), everyDeploymentCheck(objects, values.getOrDefault("strimziNamespace",
                KafkaAccessTest.STRIMZI_NAMESPACE)), "the checks the overlays get");
    }

    /** Each of values.yaml's settings is set by a row of {@link #everyValueShowsInWhatTheChartRenders}. */
    @Test
    void everyValueHasARowInTheTable() throws Exception {
        Set<String> settings = new TreeSet<>();
        leaves(new YAMLMapper().readTree(Chart.DIR.resolve("values.yaml").toFile()), "", settings);
        Set<String> rows = new TreeSet<>();
        CsvSource table = getClass().getDeclaredMethod("everyValueShowsInWhatTheChartRenders", String.class,
                String.class, String.class, String.class).getAnnotation(CsvSource.class);
        for (String row : table.textBlock().strip().split("\n")) {
            sets(row.substring(0, row.indexOf('|')).strip()).keySet()
                    .forEach(key -> rows.add(perService(key.replaceAll("\\[[0-9]+]", "").replace("\\.", "."))));
        }
        Set<String> missing = settings.stream().map(HelmChartTest::perService)
                .filter(s -> rows.stream().noneMatch(r -> r.equals(s) || r.startsWith(s + ".")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of(), missing);
    }

    /** A misspelt or mistyped value fails the install instead of being ignored or sent to the API server. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        csrWatcher.replica=2                                | csrWatcher: Additional property replica is not allowed
        kafka.scramTls.enabled=yes                          | kafka.scramTls.enabled: Invalid type. Expected: boolean
        rotationScheduler.standbyReplicas=-1                | rotationScheduler.standbyReplicas: Must be greater than or equal to 0
        kafka.topics.partitions=0                           | kafka.topics.partitions: Must be greater than or equal to 1
        namespace=CSRflow                                   | namespace: Does not match pattern
        csrWatcher.cleaner.interval=hourly                  | csrWatcher.cleaner.interval: Does not match pattern
        approverService.signerNames[0]=kubelet-serving      | approverService.signerNames.0: Does not match pattern
        signerService.signers[0].name=kubernetes.io/kubelet-serving;signerService.signers[0].secretName=ca | give Kubernetes' signers without kubernetes.io/
        signerService.signers[0].name=serving;signerService.signers[0].secretName=ca;signerService.signers[1].name=Example.com/x;signerService.signers[1].secretName=ca2 | signerService.signers.1.name: Does not match pattern
        csrWatcher.extraEnv[0].name=CSRFLOW_WATCHER_RESYNC;csrWatcher.extraEnv[0].value=300 | csrWatcher.extraEnv.0.value: Invalid type. Expected: string
        """)
    void theSchemaRefusesWhatTheChartWouldMisrender(String set, String message) {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Chart.template(null, sets(set)));
        assertTrue(refused.getMessage().contains(message), refused.getMessage());
    }

    /**
     * Values that would silently widen a grant or shorten an age fail the install: an empty list of
     * signer names would render an empty resourceNames, which RBAC reads as every signer; an age
     * without its unit is seconds.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        signerService: {signers: []}                  | signerService.signers: Array must have at least 1 items
        approverService: {signerNames: []}            | approverService.signerNames: Array must have at least 1 items
        csrWatcher: {cleaner: {pendingMaxAge: "24"}}  | csrWatcher.cleaner.pendingMaxAge: Does not match pattern
        """)
    void theSchemaRefusesValuesThatWouldWidenAGrantOrShortenAnAge(String values, String message, @TempDir Path dir)
            throws IOException {
        Path file = Files.writeString(dir.resolve("values.yaml"), values + "\n");
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Chart.template(file.toString(), Map.of()));
        assertTrue(refused.getMessage().contains(message), refused.getMessage());
    }

    /** After install, NOTES.txt names every CA Secret the signer mounts, in the namespace it runs in. */
    @ParameterizedTest
    @EnumSource(Variant.class)
    void notesNameEverySecretTheSignerNeedsWhereItNeedsIt(Variant variant) {
        var install = new Helm(Chart.DIR).install().withName(Chart.RELEASE).dryRun().clientOnly();
        if (variant.preset != null) {
            install = install.withValuesFile(Chart.DIR.resolve(variant.preset));
        }
        String notes = install.call().getOutput();
        List<JsonNode> objects = Rendering.of(Tool.HELM, variant).objects();
        JsonNode signer = KubernetesManifestsTest.named(objects, "Deployment", "signer-service");
        String namespace = signer.path("metadata").path("namespace").asText();
        List<String> secrets = new ArrayList<>();
        signer.at("/spec/template/spec/volumes").forEach(v -> {
            if (v.has("secret")) {
                secrets.add(v.path("secret").path("secretName").asText());
            }
        });
        assertEquals(4, secrets.size(), secrets.toString());
        secrets.forEach(s -> assertTrue(notes.contains("kubectl -n " + namespace + " create secret tls " + s + " "), notes));
        assertEquals(variant == Variant.PRODUCTION, notes.contains("kubectl -n " + namespace
                + " create secret generic signer-service "), notes);
    }

    /** Every problem the deployment checks find in {@code objects}. */
    static List<String> everyDeploymentCheck(List<JsonNode> objects, String strimziNamespace) {
        List<String> problems = new ArrayList<>(OverlaysTest.problems(objects));
        problems.addAll(KubernetesManifestsTest.rbacProblems(objects));
        problems.addAll(KubernetesManifestsTest.dryRunRoleProblems(objects));
        problems.addAll(KubernetesManifestsTest.trustBundleProblems(objects));
        Set<String> unbound = KubernetesManifestsTest.unboundRoles(objects);
        if (!unbound.equals(Set.of("ClusterRole/csrflow-dry-run"))) {
            problems.add("unbound roles: " + unbound);
        }
        problems.addAll(EnvironmentMatchesCodeTest.unknownSettings(objects));
        problems.addAll(EnvironmentMatchesCodeTest.undefinedReferences(objects));
        problems.addAll(MountedFilesTest.unreadableFiles(objects));
        problems.addAll(MountedFilesTest.unmountedFiles(objects));
        problems.addAll(KafkaAccessTest.problems(objects, strimziNamespace));
        return problems;
    }

    /** How {@code helm} differs from {@code kustomize}, object by object, field by field. */
    static List<String> drift(List<JsonNode> kustomize, List<JsonNode> helm) {
        Map<String, JsonNode> k = Chart.comparable(kustomize);
        Map<String, JsonNode> h = Chart.comparable(helm);
        List<String> drift = new ArrayList<>();
        k.keySet().stream().filter(key -> !h.containsKey(key)).forEach(key -> drift.add("only kubectl kustomize renders " + key));
        h.keySet().stream().filter(key -> !k.containsKey(key)).forEach(key -> drift.add("only helm template renders " + key));
        k.forEach((key, object) -> {
            if (h.containsKey(key)) {
                Chart.differences(object, h.get(key)).forEach(d -> drift.add(key + " " + d));
            }
        });
        return drift;
    }

    private static List<JsonNode> changed(List<JsonNode> objects, String kind, String name, Consumer<ObjectNode> change) {
        List<JsonNode> copy = new ArrayList<>();
        for (JsonNode object : objects) {
            JsonNode c = object.deepCopy();
            if (c.path("kind").asText().equals(kind) && c.path("metadata").path("name").asText().equals(name)) {
                change.accept((ObjectNode) c);
            }
            copy.add(c);
        }
        return copy;
    }

    private static ObjectNode env(JsonNode deployment, String name) {
        for (JsonNode e : deployment.at("/spec/template/spec/containers/0/env")) {
            if (e.path("name").asText().equals(name)) {
                return (ObjectNode) e;
            }
        }
        throw new AssertionError("no " + name);
    }

    private static Map<String, String> sets(String text) {
        Map<String, String> sets = new LinkedHashMap<>();
        for (String set : text.split(";")) {
            sets.put(set.substring(0, set.indexOf('=')).strip(), set.substring(set.indexOf('=') + 1).strip());
        }
        return sets;
    }

    private static String field(List<JsonNode> objects, String object, String field) {
        String kind = object.substring(0, object.indexOf('/'));
        String name = object.substring(object.indexOf('/') + 1);
        Optional<JsonNode> found = objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                && (name.endsWith("*") ? o.path("metadata").path("name").asText().startsWith(name.substring(0, name.length() - 1))
                        : o.path("metadata").path("name").asText().equals(name))).findFirst();
        if (found.isEmpty()) {
            return "<absent>";
        }
        JsonNode node = null;
        if (field.equals("-")) {
            return "<present>";
        } else if (field.startsWith("env:")) {
            for (JsonNode e : found.get().at("/spec/template/spec/containers/0/env")) {
                if (e.path("name").asText().equals(field.substring(4))) {
                    node = e.path("value");
                }
            }
        } else if (field.startsWith("property:")) {
            Properties properties = new Properties();
            try {
                properties.load(new StringReader(found.get().at("/data/signer.properties").asText()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return properties.getProperty(field.substring(9), "<absent>");
        } else {
            node = found.get().at(field);
        }
        return node == null || node.isMissingNode() ? "<absent>" : node.isValueNode() ? node.asText() : node.toString();
    }

    /** The settings of values.yaml: its scalars and lists, and the maps rendered whole ({@link #OPAQUE}). */
    private static void leaves(JsonNode node, String path, Set<String> settings) {
        String withoutService = path.replaceFirst("^(csrWatcher|approverService|signerService|rotationScheduler)\\.", "");
        if (node.isObject() && !node.isEmpty() && !OPAQUE.contains(path) && !OPAQUE.contains(withoutService)) {
            node.fields().forEachRemaining(f -> leaves(f.getValue(), (path.isEmpty() ? "" : path + ".") + f.getKey(), settings));
        } else {
            settings.add(path);
        }
    }

    private static String perService(String setting) {
        return PER_SERVICE.matcher(setting).replaceFirst("<service>.$2");
    }
}
