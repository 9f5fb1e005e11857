package io.csrflow.signer.pods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.events.PodCertificateObserved;
import io.csrflow.events.PodCertificatePhase;
import io.csrflow.pki.SignerProfile;
import io.csrflow.signer.domain.NamespaceSelector;

/**
 * Every answer {@link PodCertificatePolicy} gives, one request changed at a time from one it issues:
 * the reason the API defines or csrflow names, and a message naming the rule.
 */
class PodCertificatePolicyTest {
    private static final String SIGNER = "csrflow.io/workload-serving";
    private static final String UID = "0b6c2b8e-5d0a-4c57-a2f4-4f1e5c3d2a10";
    private static final KeyPair P256 = ec("secp256r1");
    private static final KeyPair P521 = ec("secp521r1");
    private static final PodCertificateSettings SETTINGS = new PodCertificateSettings(
            List.of(new PodAllowRule(Set.of("shop"), Set.of("web"), NamespaceSelector.parse("app=web"), "app=web"),
                    new PodAllowRule(Set.of("batch"), Set.of("*"), NamespaceSelector.parse(""), "")),
            PodCertificateSettings.DEFAULT_KEY_TYPES, "example.org", true, "cluster.local",
            PodCertificateSettings.DEFAULT_MANAGERS, Set.of("reserved.shop.svc.cluster.local"));
    private static final SignerProfile PROFILE = SignerProfile.of(List.of("server", "client"), List.of("dns", "ip"),
            10, true, Duration.ofHours(24));
    private static final String MANAGER = "endpointslice-controller.k8s.io";

    /** A request of pod web-0 (service account web, node n1) of namespace shop, with a good P-256 proof. */
    private static PodCertificateObserved request(UnaryOperator<Request> change) {
        Request r = change.apply(new Request("shop", "web-0", UID, "web", "n1", 3600, P256, UID, Map.of()));
        return new PodCertificateObserved(r.namespace, "web-0-abcde", "pcr-uid", "7", SIGNER, r.pod, r.podUid, r.sa,
                "sa-uid", r.node, "node-uid", r.maxSeconds, Base64.getEncoder().encodeToString(r.key.getPublic()
                .getEncoded()), Base64.getEncoder().encodeToString(sign(r.key, r.signedUid)), r.annotations, List.of(),
                null, null, null, null, PodCertificatePhase.PENDING, Instant.EPOCH, Instant.EPOCH);
    }

    private record Request(String namespace, String pod, String podUid, String sa, String node, Integer maxSeconds,
                           KeyPair key, String signedUid, Map<String, String> annotations) {
        Request key(KeyPair k) {
            return new Request(namespace, pod, podUid, sa, node, maxSeconds, k, signedUid, annotations);
        }

        Request signed(String uid) {
            return new Request(namespace, pod, podUid, sa, node, maxSeconds, key, uid, annotations);
        }

        Request annotated(Map<String, String> a) {
            return new Request(namespace, pod, podUid, sa, node, maxSeconds, key, signedUid, a);
        }

        Request asked(Integer seconds) {
            return new Request(namespace, pod, podUid, sa, node, seconds, key, signedUid, annotations);
        }
    }

    private static PodNeighbourhood alone(Map<String, String> labels) {
        return new PodNeighbourhood(Optional.of(new PodNeighbourhood.Pod(UID, "web", "n1", labels, false)), List.of(),
                List.of(), Map.of());
    }

    static Stream<Arguments> refusals() {
        PodNeighbourhood web = alone(Map.of("app", "web"));
        return Stream.of(
                Arguments.of("annotations", request(r -> r.annotated(Map.of("example.org/ttl", "1h"))), web,
                        "Denied", "InvalidUnverifiedUserAnnotations", "defines no unverifiedUserAnnotations"),
                Arguments.of("key type the signer does not issue to", request(r -> r.key(P521)), web,
                        "Denied", "UnsupportedKeyType", "key type ECDSAP521 is not issued by signer"),
                Arguments.of("proof over another UID", request(r -> r.signed("another-uid")), web,
                        "Denied", "InvalidProofOfPossession", "over the pod's UID"),
                Arguments.of("pod gone", request(r -> r), new PodNeighbourhood(Optional.empty(), List.of(), List.of(),
                        Map.of()), "Denied", "PodGone", "no longer exists"),
                Arguments.of("pod replaced under the same name", request(r -> r), new PodNeighbourhood(Optional.of(
                        new PodNeighbourhood.Pod("other-uid", "web", "n1", Map.of("app", "web"), false)), List.of(),
                        List.of(), Map.of()), "Denied", "PodGone", "no longer exists"),
                Arguments.of("pod finished", request(r -> r), new PodNeighbourhood(Optional.of(
                        new PodNeighbourhood.Pod(UID, "web", "n1", Map.of("app", "web"), true)), List.of(), List.of(),
                        Map.of()), "Denied", "PodFinished", "has finished or is being deleted"),
                Arguments.of("pod on another node", request(r -> r), new PodNeighbourhood(Optional.of(
                        new PodNeighbourhood.Pod(UID, "web", "n2", Map.of("app", "web"), false)), List.of(), List.of(),
                        Map.of()), "Denied", "PodMismatch", "on node n2"),
                Arguments.of("labels outside the allow-list", request(r -> r), alone(Map.of("app", "db")),
                        "Denied", "NotAllowed", "(service account web, labels {app=db}) matches none of the 2 "
                        + "pod-certificates.allow rules"),
                Arguments.of("lifetime the signer cannot give", request(r -> r), web, "Failed",
                        "SignerValidationFailure", "shorter than the hour"),
                Arguments.of("a proof that is not base64", withProof(request(r -> r), "not base64!"), web, "Denied",
                        "InvalidProofOfPossession", "proofOfPossession is not base64"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesNamingTheRule(String name, PodCertificateObserved request, PodNeighbourhood around, String type,
            String reason, String message) {
        SignerProfile profile = name.startsWith("lifetime") ? SignerProfile.of(List.of("server"), List.of("dns"), 10,
                true, Duration.ofMinutes(30)) : PROFILE;
        PodAnswer answer = PodCertificatePolicy.decide(request, SETTINGS, profile, around);
        String actualType = answer instanceof PodAnswer.Deny ? "Denied" : answer instanceof PodAnswer.Fail ? "Failed"
                : "Issued";
        assertEquals(type, actualType, answer.toString());
        String actualReason = answer instanceof PodAnswer.Deny d ? d.reason() : ((PodAnswer.Fail) answer).reason();
        String actualMessage = answer instanceof PodAnswer.Deny d ? d.message() : ((PodAnswer.Fail) answer).message();
        assertEquals(reason, actualReason, actualMessage);
        assertTrue(actualMessage.contains(message), actualMessage);
    }

    @Test
    void issuesThePodsIdentityForAtMostWhatWasAsked() {
        PodAnswer.Issue issue = assertInstanceOf(PodAnswer.Issue.class, PodCertificatePolicy.decide(request(r -> r),
                SETTINGS, PROFILE, alone(Map.of("app", "web"))));
        assertEquals("spiffe://example.org/ns/shop/sa/web", issue.spiffeId());
        assertEquals(List.of(), issue.dnsNames());
        assertEquals(Duration.ofHours(1), issue.lifetime());
        PodAnswer.Issue capped = assertInstanceOf(PodAnswer.Issue.class, PodCertificatePolicy.decide(
                request(r -> r.asked(7_862_400)), SETTINGS, PROFILE, alone(Map.of("app", "web"))));
        assertEquals(Duration.ofHours(24), capped.lifetime(), "the profile's max-duration caps the lifetime");
        PodAnswer.Issue defaulted = assertInstanceOf(PodAnswer.Issue.class, PodCertificatePolicy.decide(
                request(r -> r.asked(null)), SETTINGS, PROFILE, alone(Map.of("app", "web"))));
        assertEquals(Duration.ofHours(24), defaulted.lifetime(), "the API's default of 24 h");
    }

    @Test
    void namesOnlyTheServicesWhoseEndpointsAreAllPodsOfItsServiceAccount() {
        List<PodNeighbourhood.Endpoint> endpoints = List.of(
                endpoint("web-abc", "web", MANAGER, "web-0"), endpoint("web-abc", "web", MANAGER, "web-1"),
                endpoint("mixed-abc", "mixed", MANAGER, "web-0"), endpoint("mixed-abc", "mixed", MANAGER, "db-0"),
                endpoint("forged", "forged", "someone-else", "web-0"),
                endpoint("ghost-abc", "ghost", MANAGER, "web-0"),
                endpoint("reserved-abc", "reserved", MANAGER, "web-0"),
                endpoint("other-abc", "other", MANAGER, "web-1"));
        // The pods of service account web, as the signer reads them (a field selector): db-0 is not one.
        PodNeighbourhood around = new PodNeighbourhood(Optional.of(new PodNeighbourhood.Pod(UID, "web", "n1",
                Map.of("app", "web"), false)), endpoints, List.of("web", "mixed", "forged", "reserved", "other"),
                Map.of("web-0", "web", "web-1", "web"));
        PodAnswer.Issue issue = assertInstanceOf(PodAnswer.Issue.class, PodCertificatePolicy.decide(request(r -> r),
                SETTINGS, PROFILE, around));
        assertEquals(List.of("web.shop.svc.cluster.local", "web.shop.svc"), issue.dnsNames());
        assertTrue(issue.note().contains("Service shop/mixed also selects pods that do not run as service account web "
                + "(db-0)"), issue.note());
        assertTrue(issue.note().contains("Service shop/forged has EndpointSlice forged managed by someone-else"),
                issue.note());
        assertTrue(issue.note().contains("Service shop/ghost does not exist"), issue.note());
        assertTrue(issue.note().contains("Service shop/reserved has a reserved name"), issue.note());
        assertTrue(!issue.note().contains("shop/other"), "a Service the pod does not back is not mentioned");
    }

    /** More Services than names the profile allows: the pod keeps its identity and the Services that fit. */
    @Test
    void servicesBeyondTheProfilesNamesAreLeftOutNotTheCertificate() {
        List<PodNeighbourhood.Endpoint> endpoints = List.of(endpoint("a-1", "a", MANAGER, "web-0"),
                endpoint("b-1", "b", MANAGER, "web-0"), endpoint("c-1", "c", MANAGER, "web-0"));
        PodNeighbourhood around = new PodNeighbourhood(Optional.of(new PodNeighbourhood.Pod(UID, "web", "n1",
                Map.of("app", "web"), false)), endpoints, List.of("a", "b", "c"), Map.of("web-0", "web"));
        SignerProfile narrow = SignerProfile.of(List.of("server"), List.of("dns"), 5, true, Duration.ofHours(24));
        PodAnswer.Issue issue = assertInstanceOf(PodAnswer.Issue.class, PodCertificatePolicy.decide(request(r -> r),
                SETTINGS, narrow, around));
        assertEquals(List.of("a.shop.svc.cluster.local", "a.shop.svc", "b.shop.svc.cluster.local", "b.shop.svc"),
                issue.dnsNames());
        assertTrue(issue.note().contains("Service shop/c does not fit: signer csrflow.io/workload-serving allows 5 "
                + "names (profile.max-sans)"), issue.note());
    }

    @Test
    void theApiServersServiceIsNeverNamed() {
        PodCertificateObserved inDefault = request(r -> new Request("default", "web-0", UID, "web", "n1", 3600, P256,
                UID, Map.of()));
        PodCertificateSettings anyPod = new PodCertificateSettings(List.of(new PodAllowRule(Set.of("*"), Set.of("*"),
                NamespaceSelector.parse(""), "")), PodCertificateSettings.DEFAULT_KEY_TYPES, "cluster.local", true,
                "cluster.local", PodCertificateSettings.DEFAULT_MANAGERS, Set.of());
        PodNeighbourhood around = new PodNeighbourhood(Optional.of(new PodNeighbourhood.Pod(UID, "web", "n1", Map.of(),
                false)), List.of(new PodNeighbourhood.Endpoint("kubernetes", "kubernetes", MANAGER, "Pod", "default",
                "web-0")), List.of("kubernetes"), Map.of("web-0", "web"));
        PodAnswer.Issue issue = assertInstanceOf(PodAnswer.Issue.class, PodCertificatePolicy.decide(inDefault, anyPod,
                PROFILE, around));
        assertEquals(List.of(), issue.dnsNames());
        assertTrue(issue.note().contains("Service default/kubernetes is the API server's"), issue.note());
    }

    private static PodCertificateObserved withProof(PodCertificateObserved r, String proof) {
        return new PodCertificateObserved(r.namespace(), r.name(), r.uid(), r.resourceVersion(), r.signerName(),
                r.podName(), r.podUid(), r.serviceAccountName(), r.serviceAccountUid(), r.nodeName(), r.nodeUid(),
                r.maxExpirationSeconds(), r.pkixPublicKey(), proof, r.unverifiedUserAnnotations(), r.conditions(),
                null, null, null, null, r.phase(), r.createdAt(), r.observedAt());
    }

    private static PodNeighbourhood.Endpoint endpoint(String slice, String service, String manager, String pod) {
        return new PodNeighbourhood.Endpoint(slice, service, manager, "Pod", "shop", pod);
    }

    private static KeyPair ec(String curve) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec(curve));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sign(KeyPair key, String uid) {
        try {
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(key.getPrivate());
            signature.update(uid.getBytes(StandardCharsets.US_ASCII));
            return signature.sign();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
