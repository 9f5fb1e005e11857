package io.csrflow.signer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.KubeEmulator;
import io.csrflow.pki.Pem;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.TestCa;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundle;
import io.fabric8.kubernetes.api.model.certificates.v1beta1.ClusterTrustBundleList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Trust distribution as a workload and a cluster see it: a ClusterTrustBundle per served signer, and
 * the csrflow-ca-bundle ConfigMap in every selected namespace, there for a namespace made after the
 * signer started, back after a deletion or an edit, following a CA rotation, and absent where the
 * selector says no.
 */
@QuarkusTest
@TestProfile(WorkloadSignerResource.WorkloadSigners.class)
class TrustDistributionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String BUNDLE = "csrflow-ca-bundle";
    private static final String WORKLOAD_KEY = "csrflow.io_workload-serving.crt";

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;

    @BeforeEach
    void connect() {
        admin = emulator.client("admin-token");
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    private void namespace(String name, Map<String, String> labels) {
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
    }

    private ConfigMap bundleIn(String namespace) {
        return admin.configMaps().inNamespace(namespace).withName(BUNDLE).get();
    }

    /**
     * The ConfigMap once its workload key holds {@code cas} (among the earlier CAs a rotation in another
     * test left trusted) and {@code ca.crt} holds the same.
     */
    private ConfigMap awaitBundle(String namespace, List<X509Certificate> cas) {
        return await().atMost(WAIT).until(() -> bundleIn(namespace), c -> c != null && c.getData() != null
                && c.getData().containsKey(WORKLOAD_KEY) && Pem.certificates(c.getData().get(WORKLOAD_KEY)).containsAll(cas)
                && Set.copyOf(Pem.certificates(c.getData().get(WORKLOAD_KEY))).equals(Set.copyOf(Pem.certificates(
                        c.getData().get("ca.crt")))));
    }

    private static X509Certificate workloadCa() throws Exception {
        return Pem.firstCertificate(Files.readString(WorkloadSignerResource.workload.resolve("ca.crt")));
    }

    private ClusterTrustBundle clusterTrustBundle(String name) {
        return admin.resources(ClusterTrustBundle.class, ClusterTrustBundleList.class).withName(name).get();
    }

    @Test
    void aNamespaceCreatedAfterTheStartGetsTheWorkloadSignersBundleOnly() throws Exception {
        namespace("team-new", Map.of());

        ConfigMap bundle = awaitBundle("team-new", List.of(workloadCa()));
        // The kubernetes.io signers are the cluster's own; workloads are given only csrflow's signers.
        assertEquals(Set.of(WORKLOAD_KEY, "ca.crt"), bundle.getData().keySet());
        assertEquals(workloadCa(), Pem.certificates(bundle.getData().get(WORKLOAD_KEY)).get(0), "the signing CA first");
        assertEquals("csrflow-signer-service", bundle.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
    }

    @Test
    void aDeletedOrEditedBundleIsPutBack() throws Exception {
        namespace("team-careless", Map.of());
        ConfigMap first = awaitBundle("team-careless", List.of(workloadCa()));

        admin.configMaps().inNamespace("team-careless").withName(BUNDLE).delete();
        ConfigMap recreated = await().atMost(WAIT).until(() -> bundleIn("team-careless"),
                c -> c != null && !c.getMetadata().getUid().equals(first.getMetadata().getUid()));
        assertEquals(first.getData(), recreated.getData());

        // Someone adds a CA of their own to what every pod of the namespace trusts.
        TestCa intruder = TestCa.create(Files.createTempDirectory("intruder"), "intruder",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(30)));
        ConfigMap edited = new io.fabric8.kubernetes.api.model.ConfigMapBuilder(recreated).addToData("ca.crt",
                recreated.getData().get("ca.crt") + Files.readString(intruder.certFile())).build();
        admin.configMaps().inNamespace("team-careless").resource(edited).update();
        await().atMost(WAIT).until(() -> Set.copyOf(Pem.certificates(bundleIn("team-careless").getData().get("ca.crt"))),
                cas -> cas.equals(Set.copyOf(Pem.certificates(recreated.getData().get("ca.crt")))));

        // Or beside the data, where a pod mounting the whole directory (SSL_CERT_DIR) would find it.
        ConfigMap current = bundleIn("team-careless");
        admin.configMaps().inNamespace("team-careless").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder(
                current).addToBinaryData("intruder.crt", java.util.Base64.getEncoder().encodeToString(
                        Files.readAllBytes(intruder.certFile()))).build()).update();
        await().atMost(WAIT).until(() -> bundleIn("team-careless").getBinaryData(), binary -> binary == null
                || binary.isEmpty());
        assertEquals(recreated.getData(), bundleIn("team-careless").getData());
    }

    @Test
    void aNamespaceTheSelectorLeavesOutGetsNoneAndLosesItsOwnWhenItOptsOut() throws Exception {
        namespace("team-opted-out", Map.of(WorkloadSignerResource.OPT_OUT, "true"));
        namespace("team-after-opted-out", Map.of());
        // The namespace made second is served, so the first has been judged by then.
        awaitBundle("team-after-opted-out", List.of(workloadCa()));
        assertNull(bundleIn("team-opted-out"));

        var optingOut = admin.namespaces().withName("team-after-opted-out").get();
        optingOut.getMetadata().getLabels().put(WorkloadSignerResource.OPT_OUT, "true");
        admin.namespaces().resource(optingOut).update();
        await().atMost(WAIT).until(() -> bundleIn("team-after-opted-out") == null);
    }

    @Test
    void eachServedSignerHasAClusterTrustBundleLinkedToIt() throws Exception {
        ClusterTrustBundle workload = await().atMost(WAIT).until(() -> clusterTrustBundle(
                "csrflow.io:workload-serving:bundle"), b -> b != null);
        assertEquals("csrflow.io/workload-serving", workload.getSpec().getSignerName());
        assertTrue(Pem.certificates(workload.getSpec().getTrustBundle()).contains(workloadCa()));
        ClusterTrustBundle kubeletServing = await().atMost(WAIT).until(() -> clusterTrustBundle(
                "kubernetes.io:kubelet-serving:bundle"), b -> b != null);
        assertEquals(List.of(Pem.firstCertificate(Files.readString(WorkloadSignerResource.shared.resolve("ca.crt")))),
                Pem.certificates(kubeletServing.getSpec().getTrustBundle()), "the shared CA, and only it");
        assertEquals(null, clusterTrustBundle("kubernetes.io:legacy-unknown:bundle"), "legacy-unknown is not served");
    }

    /**
     * A rotation as an operator does it (next CA published first, then the switch): every namespace
     * and the ClusterTrustBundle trust the next CA before it signs, and the old one while its
     * certificates may be valid.
     */
    @Test
    void theBundlesFollowARotation() throws Exception {
        namespace("team-rotating", Map.of());
        X509Certificate old = workloadCa();
        awaitBundle("team-rotating", List.of(old));

        TestCa next = TestCa.create(Files.createTempDirectory("next-workload-ca"), "csrflow-test-workload-ca-next",
                Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(365)));
        WorkloadSignerTest.rotate(next);
        X509Certificate current = Pem.firstCertificate(Files.readString(next.certFile()));

        ConfigMap rotated = awaitBundle("team-rotating", List.of(current, old));
        assertEquals(current, Pem.certificates(rotated.getData().get(WORKLOAD_KEY)).get(0), "the signing CA first");
        await().atMost(WAIT).until(() -> clusterTrustBundle("csrflow.io:workload-serving:bundle"), b -> b != null
                && Pem.certificates(b.getSpec().getTrustBundle()).containsAll(List.of(current, old)));
    }
}
