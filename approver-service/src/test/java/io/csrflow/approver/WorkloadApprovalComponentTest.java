package io.csrflow.approver;

import static io.csrflow.approver.CsrOutcomes.condition;
import static io.csrflow.approver.CsrOutcomes.events;
import static io.csrflow.approver.CsrOutcomes.lastDecision;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.csrflow.emulator.EmulatorConfig;
import io.csrflow.emulator.KubeEmulator;
import io.csrflow.events.CsrDecision;
import io.csrflow.events.DecisionOutcome;
import io.csrflow.events.EventType;
import io.csrflow.service.CsrSnapshots;
import io.csrflow.testsupport.CsrSubmitter;
import io.csrflow.testsupport.EventProbe;
import io.csrflow.testsupport.EventSender;
import io.csrflow.testsupport.InjectKubeEmulator;
import io.csrflow.testsupport.KafkaBrokers;
import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.TestCsrs;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A pod's ServiceAccount asks for a serving certificate with its own token, against the emulator's
 * Pods, Services, EndpointSlices and TokenRequests and a real broker: approved when the Service and
 * Pod are its own (the message and the Event name them), left pending while the Service does not
 * exist and approved once it does, denied for another service account's Service, left to an
 * administrator when the requester is a person.
 */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class,
        initArgs = @ResourceArg(name = "token", value = "approver-token"))
class WorkloadApprovalComponentTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String SIGNER = "csrflow.io/workload-serving";
    private static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");
    private static final String NS = "shop";

    @InjectKubeEmulator
    KubeEmulator emulator;

    KubernetesClient admin;
    EventProbe<CsrDecision> decisions;
    EventSender sender;

    @BeforeEach
    void cluster() {
        admin = emulator.client("admin-token");
        decisions = EventProbe.onDefaultTopic(KafkaBrokers.shared(), EventType.CSR_DECISION);
        sender = new EventSender(KafkaBrokers.shared(), "/test/watcher");
        if (admin.namespaces().withName(NS).get() != null) {
            return;
        }
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create();
        for (String account : List.of("web", "other")) {
            admin.serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder().withNewMetadata()
                    .withName(account).endMetadata().build()).create();
        }
        // Creating CSRs takes RBAC, as in any cluster: here every service account of the namespace may.
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("shop-requests-certificates").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "system:node-bootstrapper")
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
                .withName("system:serviceaccounts:" + NS).endSubject().build()).create();
        emulator.addUser(new EmulatorConfig.User("jane-token", "jane", null, List.of("developers"), null));
        // Another authenticator's user (a client certificate, a webhook) may be named like a ServiceAccount.
        emulator.addUser(new EmulatorConfig.User("named-like-web-token", "system:serviceaccount:shop:web", null,
                List.of("developers"), null));
        admin.rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder().withNewMetadata()
                .withName("jane-requests-workload-certificates").endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", "system:node-bootstrapper")
                .addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("User").withName("jane")
                .endSubject().addNewSubject().withApiGroup("rbac.authorization.k8s.io").withKind("Group")
                .withName("developers").endSubject().build()).create();
        pod("web-1", "web", "10.0.34.2");
        pod("web-2", "web", "10.0.34.3");
        pod("other-1", "other", "10.0.34.9");
        service("web-svc", "web-1");
        service("other-svc", "other-1");
    }

    @AfterEach
    void disconnect() {
        sender.close();
        decisions.close();
        admin.close();
    }

    /** A running pod of the service account, its IP written through pods/status as the kubelet would. */
    private void pod(String name, String account, String ip) {
        admin.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NS)
                .addToLabels("app", name).endMetadata().withNewSpec().withServiceAccountName(account)
                .addNewContainer().withName("app").withImage("registry.example/app:1").endContainer().endSpec()
                .build()).create();
        admin.pods().inNamespace(NS).withName(name).editStatus(p -> new PodBuilder(p).withNewStatus()
                .withPhase("Running").withPodIP(ip).addNewPodIP(ip).endStatus().build());
    }

    /** A Service and the EndpointSlice the EndpointSlice controller would write for it. */
    private void service(String name, String... pods) {
        admin.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(name)
                .withNamespace(NS).endMetadata().withNewSpec().addToSelector("app", name).addNewPort().withPort(443)
                .endPort().endSpec().build()).create();
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName(name + "-abcde")
                .withNamespace(NS).addToLabels("kubernetes.io/service-name", name)
                .addToLabels("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io").endMetadata()
                .withAddressType("IPv4");
        for (String pod : pods) {
            Pod live = admin.pods().inNamespace(NS).withName(pod).get();
            slice.addNewEndpoint().withAddresses(live.getStatus().getPodIP()).withNewTargetRef().withKind("Pod")
                    .withNamespace(NS).withName(pod).withUid(live.getMetadata().getUid()).endTargetRef().endEndpoint();
        }
        admin.discovery().v1().endpointSlices().inNamespace(NS).resource(slice.build()).create();
    }

    private String clusterIp(String service) {
        return admin.services().inNamespace(NS).withName(service).get().getSpec().getClusterIP();
    }

    private String token(String account) {
        return admin.serviceAccounts().inNamespace(NS).withName(account).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(3600L).endSpec().build()).getStatus().getToken();
    }

    /** A token bound to the pod, as the kubelet mounts it (the API server adds the pod's name and uid). */
    private String podBoundToken(String account, String pod) {
        Pod live = admin.pods().inNamespace(NS).withName(pod).get();
        return admin.serviceAccounts().inNamespace(NS).withName(account).tokenRequest(new TokenRequestBuilder()
                .withNewSpec().withExpirationSeconds(3600L).withNewBoundObjectRef().withApiVersion("v1").withKind("Pod")
                .withName(pod).withUid(live.getMetadata().getUid()).endBoundObjectRef().endSpec().build())
                .getStatus().getToken();
    }

    /** Created with the requester's own token, then announced as the watcher would announce it. */
    private void request(String token, String name, TestCsrs csr) {
        CertificateSigningRequest created = CsrSubmitter.submit(emulator, token, name, SIGNER, SERVING, csr.pem(), null);
        sender.send(EventType.CSR_OBSERVED, CsrSnapshots.of(created, false, Clock.systemUTC().instant()));
    }

    @Test
    void aPodsServiceAccountIsApprovedForItsServiceAndPodNamingWhatEntitlesEachSan() {
        String clusterIp = clusterIp("web-svc");
        request(token("web"), "web-serving", TestCsrs.subject("web-1.shop.pod.cluster.local")
                .dnsNames("web-svc.shop.svc.cluster.local", "web-1.shop.pod.cluster.local")
                .ipAddresses(clusterIp, "10.0.34.2"));

        await().atMost(WAIT).until(() -> condition(admin, "web-serving") != null);
        CertificateSigningRequestCondition approved = condition(admin, "web-serving");
        assertEquals("Approved", approved.getType());
        assertEquals("AutoApproved", approved.getReason());
        assertEquals("Auto approving workload serving certificate for service account shop/web: "
                + "web-svc.shop.svc.cluster.local: Service shop/web-svc (pods of web); "
                + "web-1.shop.pod.cluster.local: Pod shop/web-1; " + clusterIp + ": Service shop/web-svc (pods of web); "
                + "10.0.34.2: Pod shop/web-1", approved.getMessage());

        await().atMost(WAIT).until(() -> !events(admin, "web-serving").isEmpty());
        assertEquals(approved.getMessage(), events(admin, "web-serving").get(0).getMessage());
        await().atMost(WAIT).until(() -> lastDecision(decisions, "web-serving") != null);
        CsrDecision decision = lastDecision(decisions, "web-serving");
        assertEquals("workload-serving", decision.rule());
        assertTrue(decision.checks().stream().anyMatch(c -> c.name().equals("sans-entitled") && c.passed()));
    }

    @Test
    void aServiceThatDoesNotExistYetKeepsTheCsrPendingUntilItDoes() {
        request(token("web"), "late-serving", TestCsrs.subject(null).dnsNames("late-svc.shop.svc"));

        await().atMost(WAIT).until(() -> lastDecision(decisions, "late-serving") != null);
        assertEquals("WorkloadNotFoundYet", lastDecision(decisions, "late-serving").reason());
        assertEquals("late-svc.shop.svc names Service shop/late-svc, which does not exist yet; will ask again",
                lastDecision(decisions, "late-serving").message());
        assertNull(condition(admin, "late-serving"));

        service("late-svc", "web-1");
        await().atMost(WAIT).until(() -> condition(admin, "late-serving") != null);
        assertEquals("Approved", condition(admin, "late-serving").getType());
        assertTrue(condition(admin, "late-serving").getMessage().contains("late-svc.shop.svc: Service shop/late-svc (pods of web)"));
    }

    @Test
    void anotherServiceAccountsServiceIsDeniedSayingWhose() {
        request(token("web"), "impostor-serving", TestCsrs.subject(null).dnsNames("web-svc.shop.svc", "other-svc.shop.svc"));

        await().atMost(WAIT).until(() -> condition(admin, "impostor-serving") != null);
        assertEquals("Denied", condition(admin, "impostor-serving").getType());
        assertEquals("SANNotEntitled", condition(admin, "impostor-serving").getReason());
        assertEquals("Denying workload serving certificate for service account shop/web: other-svc.shop.svc selects "
                + "pods of service account other, not web", condition(admin, "impostor-serving").getMessage());
        await().atMost(WAIT).until(() -> !events(admin, "impostor-serving").isEmpty());
        assertEquals("Warning", events(admin, "impostor-serving").get(0).getType());
    }

    /**
     * By default a Service's short names are not certified: {@code web-svc} means another Service in
     * every namespace that resolves it, while every namespace trusts the same CA.
     */
    @Test
    void aShortServiceNameIsDeniedByDefaultNamingTheFullOne() {
        request(token("web"), "short-serving", TestCsrs.subject(null).dnsNames("web-svc"));

        await().atMost(WAIT).until(() -> condition(admin, "short-serving") != null);
        assertEquals("Denied", condition(admin, "short-serving").getType());
        assertEquals("SANNotEntitled", condition(admin, "short-serving").getReason());
        assertTrue(condition(admin, "short-serving").getMessage().contains("web-svc is a short Service name, which means "
                + "another Service in every namespace that resolves it (csrflow.approver.workload.short-names is off): "
                + "ask for web-svc.shop.svc.cluster.local"), condition(admin, "short-serving").getMessage());
    }

    @Test
    void aPodBoundTokenGetsItsOwnPodsAddressesOnly() {
        request(podBoundToken("web", "web-1"), "sibling-serving", TestCsrs.subject(null).ipAddresses("10.0.34.3"));

        await().atMost(WAIT).until(() -> condition(admin, "sibling-serving") != null);
        assertEquals("Denied", condition(admin, "sibling-serving").getType());
        assertTrue(condition(admin, "sibling-serving").getMessage().contains("10.0.34.3 is Pod shop/web-2, not Pod shop/web-1"),
                condition(admin, "sibling-serving").getMessage());

        request(podBoundToken("web", "web-1"), "own-serving", TestCsrs.subject(null).dnsNames("web-svc.shop.svc")
                .ipAddresses("10.0.34.2"));
        await().atMost(WAIT).until(() -> condition(admin, "own-serving") != null);
        assertEquals("Approved", condition(admin, "own-serving").getType());
    }

    @Test
    void aPersonsRequestIsLeftForAnAdministrator() {
        request("jane-token", "jane-serving", TestCsrs.subject(null).dnsNames("web-svc.shop.svc"));

        await().atMost(WAIT).until(() -> lastDecision(decisions, "jane-serving") != null);
        CsrDecision decision = lastDecision(decisions, "jane-serving");
        assertEquals(DecisionOutcome.NO_OPINION, decision.outcome());
        assertEquals("NotAServiceAccount", decision.reason());
        assertEquals("left for an administrator: requester jane is not a service account", decision.message());
        assertNull(condition(admin, "jane-serving"));
    }

    @Test
    void aUserNamedLikeAServiceAccountWithoutItsGroupsIsLeftForAnAdministrator() {
        request("named-like-web-token", "named-like-web", TestCsrs.subject(null).dnsNames("web-svc.shop.svc"));

        await().atMost(WAIT).until(() -> lastDecision(decisions, "named-like-web") != null);
        CsrDecision decision = lastDecision(decisions, "named-like-web");
        assertEquals(DecisionOutcome.NO_OPINION, decision.outcome());
        assertEquals("NotAServiceAccount", decision.reason());
        assertEquals("left for an administrator: requester system:serviceaccount:shop:web has a service account's name "
                + "but not its groups [system:serviceaccounts, system:serviceaccounts:shop]: not a ServiceAccount token",
                decision.message());
        assertNull(condition(admin, "named-like-web"));
    }
}
