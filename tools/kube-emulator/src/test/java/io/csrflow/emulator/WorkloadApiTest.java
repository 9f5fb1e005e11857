package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The kinds of the workload certificate flow as a client sees them over HTTP: Pods, Services (cluster
 * IPs), EndpointSlices, ServiceAccounts and their TokenRequests (who a token is, until its pod goes),
 * ClusterTrustBundles and the attest admission; each refusal with the API server's status and words.
 */
class WorkloadApiTest {
    private static final String NS = "w";
    private static final String PODS = "/api/v1/namespaces/" + NS + "/pods";
    private static final String SERVICES = "/api/v1/namespaces/" + NS + "/services";
    private static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/" + NS + "/endpointslices";
    private static final String ACCOUNTS = "/api/v1/namespaces/" + NS + "/serviceaccounts";
    private static final String BUNDLES = "/apis/certificates.k8s.io/v1beta1/clustertrustbundles";
    private static final String ADMIN = "admin-token";

    @TempDir
    static Path dir;
    static KubeEmulator emulator;
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String caPem;
    static String webPodUid;

    record Answer(int code, JsonNode body) {
        String message() {
            return body.path("message").asText();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        emulator = KubeEmulator.startDefault();
        ok(send("POST", "/api/v1/namespaces", ADMIN, "{\"metadata\":{\"name\":\"" + NS + "\"}}"));
        for (String account : List.of("web", "other", "publisher")) {
            ok(send("POST", ACCOUNTS, ADMIN, "{\"metadata\":{\"name\":\"" + account + "\"}}"));
        }
        webPodUid = ok(send("POST", PODS, ADMIN, pod("web-1", "web"))).body().path("metadata").path("uid").asText();
        ok(send("POST", SERVICES, ADMIN, service("taken", "\"clusterIP\":\"10.96.0.10\",")));
        caPem = Openssl.selfSignedCertificate(dir, "/CN=workload-ca");
        // The publisher may write bundles but attest for nobody: the attest check is all that stands in its way.
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", ADMIN, """
                {"metadata":{"name":"bundle-writer"},"rules":[{"apiGroups":["certificates.k8s.io"],
                "resources":["clustertrustbundles"],"verbs":["create","update","patch","get"]}]}"""));
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", ADMIN, """
                {"metadata":{"name":"bundle-writer"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io",
                "kind":"ClusterRole","name":"bundle-writer"},"subjects":[{"kind":"ServiceAccount",
                "name":"publisher","namespace":"w"}]}"""));
    }

    /** Workloads request certificates only once an administrator lets them, as on a cluster. */
    static void letNamespaceRequestCertificates() throws Exception {
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", ADMIN, """
                {"metadata":{"name":"csr-creator"},"rules":[{"apiGroups":["certificates.k8s.io"],
                "resources":["certificatesigningrequests"],"verbs":["create","get"]}]}"""));
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", ADMIN, """
                {"metadata":{"name":"csr-creator"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io",
                "kind":"ClusterRole","name":"csr-creator"},"subjects":[{"kind":"Group",
                "name":"system:serviceaccounts:w"}]}"""));
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    static Answer send(String method, String path, String token, String body) throws IOException,
            InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), Json.MAPPER.readTree(response.body()));
    }

    static Answer ok(Answer answer) {
        assertTrue(answer.code() / 100 == 2, answer.body().toString());
        return answer;
    }

    static String pod(String name, String account) {
        return """
                {"metadata":{"name":"%s","labels":{"app":"web"}},"spec":{%s"nodeName":"node-1",
                "containers":[{"name":"c","image":"nginx:1.25"}]}}""".formatted(name,
                account == null ? "" : "\"serviceAccountName\":\"" + account + "\",");
    }

    static String service(String name, String extraSpec) {
        return """
                {"metadata":{"name":"%s"},"spec":{%s"selector":{"app":"web"},"ports":[{"port":443}]}}"""
                .formatted(name, extraSpec);
    }

    static String bundle(String name, String signerName, String pem) {
        ObjectNode bundle = Json.MAPPER.createObjectNode();
        bundle.putObject("metadata").put("name", name);
        ObjectNode spec = bundle.putObject("spec").put("trustBundle", pem);
        if (signerName != null) {
            spec.put("signerName", signerName);
        }
        return Json.write(bundle);
    }

    static String token(String account, String boundPod, long seconds) throws Exception {
        String ref = boundPod == null ? "" : ",\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\""
                + boundPod + "\"}";
        return ok(send("POST", ACCOUNTS + "/" + account + "/token", ADMIN, "{\"spec\":{\"expirationSeconds\":"
                + seconds + ref + "}}")).body().path("status").path("token").asText();
    }

    /** One request and the API server's answer; a message ending in {@code *} is a prefix. */
    record Row(String title, String method, String path, String body, int code, String reason, String message) {
        @Override
        public String toString() {
            return title;
        }
    }

    static Stream<Row> refusals() {
        String notCa = TestCsrs.certificatePem("leaf");
        return Stream.of(
                new Row("a pod without containers", "POST", PODS, "{\"metadata\":{\"name\":\"p1\"},\"spec\":{}}",
                        422, "Invalid", "Pod \"p1\" is invalid: spec.containers: Required value"),
                new Row("a container without image", "POST", PODS,
                        "{\"metadata\":{\"name\":\"p2\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}", 422, "Invalid",
                        "Pod \"p2\" is invalid: spec.containers[0].image: Required value"),
                new Row("a pod hostname that is no DNS label", "POST", PODS,
                        "{\"metadata\":{\"name\":\"p3\"},\"spec\":{\"hostname\":\"A_B\",\"containers\":[{\"name\":\"c\","
                                + "\"image\":\"x\"}]}}", 422, "Invalid",
                        "Pod \"p3\" is invalid: spec.hostname: Invalid value: \"A_B\": a lowercase RFC 1123 label*"),
                new Row("a pod of a service account that does not exist", "POST", PODS, pod("p4", "ghost"), 403,
                        "Forbidden", "pods \"p4\" is forbidden: error looking up service account w/ghost: "
                                + "serviceaccount \"ghost\" not found"),
                new Row("a pod IP that is no IP", "PUT", PODS + "/web-1/status",
                        "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"podIP\":\"10.0.0.300\"}}", 422, "Invalid",
                        "Pod \"web-1\" is invalid: status.podIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP "
                                + "address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
                new Row("a pod IP listed twice", "PUT", PODS + "/web-1/status",
                        "{\"metadata\":{\"name\":\"web-1\"},\"status\":{\"podIPs\":[{\"ip\":\"10.0.0.5\"},"
                                + "{\"ip\":\"10.0.0.5\"}]}}", 422, "Invalid",
                        "Pod \"web-1\" is invalid: [status.podIPs[1]: Duplicate value: core.PodIP{IP:\"10.0.0.5\"}, "
                                + "status.podIPs: Invalid value: *"),
                new Row("a pod's containers changed by an update", "PUT", PODS + "/web-1",
                        "{\"metadata\":{\"name\":\"web-1\"},\"spec\":{\"serviceAccountName\":\"web\",\"nodeName\":"
                                + "\"node-1\",\"containers\":[{\"name\":\"d\",\"image\":\"x\"}]}}", 422, "Invalid",
                        "Pod \"web-1\" is invalid: spec: Forbidden: pod updates may not change fields other than*"),
                new Row("a cluster IP outside the service range", "POST", SERVICES,
                        service("s1", "\"clusterIP\":\"10.0.0.1\","), 422, "Invalid",
                        "Service \"s1\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.1\"}: failed to "
                                + "allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range "
                                + "of valid IPs is 10.96.0.0/12"),
                new Row("a cluster IP another Service holds", "POST", SERVICES,
                        service("s2", "\"clusterIP\":\"10.96.0.10\","), 422, "Invalid",
                        "Service \"s2\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed "
                                + "to allocate IP 10.96.0.10: provided IP is already allocated"),
                new Row("the API server's own cluster IP", "POST", SERVICES,
                        service("s3", "\"clusterIP\":\"10.96.0.1\","), 422, "Invalid",
                        "Service \"s3\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.1\"}: failed "
                                + "to allocate IP 10.96.0.1: provided IP is already allocated"),
                new Row("a Service without ports", "POST", SERVICES,
                        "{\"metadata\":{\"name\":\"s4\"},\"spec\":{}}", 422, "Invalid",
                        "Service \"s4\" is invalid: spec.ports: Required value"),
                new Row("a Service name that is no DNS-1035 label", "POST", SERVICES, service("1svc", ""), 422,
                        "Invalid", "Service \"1svc\" is invalid: metadata.name: Invalid value: \"1svc\": a DNS-1035 "
                                + "label must consist of*"),
                new Row("a changed cluster IP", "PUT", SERVICES + "/taken",
                        service("taken", "\"clusterIP\":\"10.96.0.11\","), 422, "Invalid",
                        "Service \"taken\" is invalid: spec.clusterIP: Invalid value: \"10.96.0.11\": field is "
                                + "immutable"),
                new Row("an EndpointSlice without address type", "POST", SLICES,
                        "{\"metadata\":{\"name\":\"e1\"},\"endpoints\":[]}", 422, "Invalid",
                        "EndpointSlice.discovery.k8s.io \"e1\" is invalid: addressType: Required value"),
                new Row("an EndpointSlice of loopback addresses", "POST", SLICES,
                        "{\"metadata\":{\"name\":\"e2\"},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":"
                                + "[\"127.0.0.1\"]}]}", 422, "Invalid",
                        "EndpointSlice.discovery.k8s.io \"e2\" is invalid: endpoints[0].addresses[0]: Invalid value: "
                                + "\"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)"),
                new Row("an IPv4 EndpointSlice with an IPv6 address", "POST", SLICES,
                        "{\"metadata\":{\"name\":\"e3\"},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":"
                                + "[\"fd00::1\"]}]}", 422, "Invalid",
                        "EndpointSlice.discovery.k8s.io \"e3\" is invalid: endpoints[0].addresses[0]: Invalid value: "
                                + "\"fd00::1\": must be a valid IPv4 address"),
                new Row("a token of a service account that does not exist", "POST", ACCOUNTS + "/ghost/token", "{}",
                        404, "NotFound", "serviceaccounts \"ghost\" not found"),
                new Row("a token shorter than ten minutes", "POST", ACCOUNTS + "/web/token",
                        "{\"spec\":{\"expirationSeconds\":599}}", 422, "Invalid",
                        "TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: "
                                + "599: may not specify a duration less than 10 minutes"),
                new Row("a token bound to a pod that does not exist", "POST", ACCOUNTS + "/web/token",
                        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"gone\"}}}",
                        404, "NotFound", "pods \"gone\" not found"),
                new Row("a token bound to a pod of another service account", "POST", ACCOUNTS + "/other/token",
                        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"web-1\"}}}",
                        400, "BadRequest", "cannot bind token for serviceaccount \"other\" to pod running with "
                                + "different serviceaccount name."),
                new Row("a token bound to a pod by a stale uid", "POST", ACCOUNTS + "/web/token",
                        "{\"spec\":{\"boundObjectRef\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"web-1\","
                                + "\"uid\":\"0000\"}}}", 409, "Conflict",
                        "Operation cannot be fulfilled on Pod \"web-1\": the UID in the bound object reference (0000) "
                                + "does not match the UID in record. The object might have been deleted and then "
                                + "recreated"),
                new Row("a signer's bundle not named after the signer", "POST", BUNDLES,
                        bundle("wrong", "example.com/serving", caPem), 422, "Invalid",
                        "ClusterTrustBundle.certificates.k8s.io \"wrong\" is invalid: metadata.name: Invalid value: "
                                + "\"wrong\": ClusterTrustBundle for signerName example.com/serving must be named with "
                                + "prefix example.com:serving:"),
                new Row("a bundle without signer whose name has a colon", "POST", BUNDLES,
                        bundle("a:b", null, caPem), 422, "Invalid",
                        "ClusterTrustBundle.certificates.k8s.io \"a:b\" is invalid: metadata.name: Invalid value: "
                                + "\"a:b\": ClusterTrustBundle without signer name must not have \":\" in its name"),
                new Row("a bundle of a certificate that is no CA", "POST", BUNDLES, bundle("leaf", null, notCa),
                        422, "Invalid", "ClusterTrustBundle.certificates.k8s.io \"leaf\" is invalid: spec.trustBundle: "
                                + "Invalid value: \"<value omitted>\": entry 0 does not have the CA bit set"),
                new Row("a bundle with the same CA twice", "POST", BUNDLES, bundle("twice", null, caPem + caPem),
                        422, "Invalid", "ClusterTrustBundle.certificates.k8s.io \"twice\" is invalid: spec.trustBundle: "
                                + "Invalid value: \"<value omitted>\": duplicate trust anchor (indices [0 1])"),
                new Row("a bundle of a private key", "POST", BUNDLES,
                        bundle("key", null, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 422,
                        "Invalid", "ClusterTrustBundle.certificates.k8s.io \"key\" is invalid: spec.trustBundle: "
                                + "Invalid value: \"<value omitted>\": entry 0 has bad block type: PRIVATE KEY"),
                new Row("an empty bundle", "POST", BUNDLES, bundle("empty", null, ""), 422, "Invalid",
                        "ClusterTrustBundle.certificates.k8s.io \"empty\" is invalid: spec.trustBundle: Invalid value: "
                                + "\"<value omitted>\": at least one trust anchor must be provided"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesAsTheApiServerDoes(Row row) throws Exception {
        Answer answer = send(row.method(), row.path(), ADMIN, row.body());
        assertEquals(row.code(), answer.code(), answer.body().toString());
        assertEquals(row.reason(), answer.body().path("reason").asText(), answer.body().toString());
        if (row.message().endsWith("*")) {
            String prefix = row.message().substring(0, row.message().length() - 1);
            assertTrue(answer.message().startsWith(prefix), answer.message());
        } else {
            assertEquals(row.message(), answer.message());
        }
    }

    @Test
    void podsRunAsTheDefaultServiceAccountAndStartPendingWhateverTheirStatusSays() throws Exception {
        JsonNode created = ok(send("POST", PODS, ADMIN, """
                {"metadata":{"name":"plain"},"spec":{"containers":[{"name":"c","image":"x"}]},
                "status":{"phase":"Running","podIP":"10.0.0.9"}}""")).body();
        assertEquals("default", created.path("spec").path("serviceAccountName").asText());
        assertEquals("Pending", created.path("status").path("phase").asText());
        assertFalse(created.path("status").has("podIP"), created.toString());
    }

    @Test
    void podStatusIsWrittenThroughStatusWithPodIpFirstOfPodIps() throws Exception {
        ok(send("POST", PODS, ADMIN, pod("ips", "web")));
        JsonNode updated = ok(send("PUT", PODS + "/ips/status", ADMIN, """
                {"metadata":{"name":"ips"},"status":{"phase":"Running","podIP":"10.0.34.2",
                "podIPs":[{"ip":"10.0.34.2"},{"ip":"fd00::2"}],"hostIP":"192.168.1.10"}}""")).body();
        assertEquals("Running", updated.path("status").path("phase").asText());
        assertEquals("10.0.34.2", updated.path("status").path("podIPs").get(0).path("ip").asText());
        assertEquals("fd00::2", updated.path("status").path("podIPs").get(1).path("ip").asText());
        assertEquals("192.168.1.10", updated.path("status").path("hostIPs").get(0).path("ip").asText());
        JsonNode objectUpdate = ok(send("PUT", PODS + "/ips", ADMIN, pod("ips", "web").replace("nginx:1.25",
                "nginx:1.26"))).body();
        assertEquals("10.0.34.2", objectUpdate.path("status").path("podIP").asText(),
                "an update of the object keeps the status");
        assertEquals("nginx:1.26", objectUpdate.path("spec").path("containers").get(0).path("image").asText());
    }

    @Test
    void servicesGetDistinctClusterIpsFromTheRangeAndFreeThemOnDelete() throws Exception {
        Set<String> ips = new HashSet<>(Set.of("10.96.0.1", "10.96.0.10"));
        for (int i = 0; i < 20; i++) {
            JsonNode spec = ok(send("POST", SERVICES, ADMIN, service("many-" + i, ""))).body().path("spec");
            String ip = spec.path("clusterIP").asText();
            assertTrue(ServiceCidr.parse("10.96.0.0/12").contains(IpAddresses.parse(ip)), ip);
            assertTrue(ips.add(ip), ip + " handed out twice");
            assertEquals(ip, spec.path("clusterIPs").get(0).asText());
            assertEquals("ClusterIP", spec.path("type").asText());
            assertEquals(443, spec.path("ports").get(0).path("targetPort").asInt());
        }
        JsonNode headless = ok(send("POST", SERVICES, ADMIN, service("headless", "\"clusterIP\":\"None\","))).body();
        assertEquals("None", headless.path("spec").path("clusterIP").asText());
        JsonNode kept = ok(send("PUT", SERVICES + "/taken", ADMIN, service("taken", ""))).body();
        assertEquals("10.96.0.10", kept.path("spec").path("clusterIP").asText(), "an update without the IP keeps it");
        ok(send("POST", SERVICES, ADMIN, service("fixed", "\"clusterIP\":\"10.96.0.20\",")));
        ok(send("DELETE", SERVICES + "/fixed", ADMIN, null));
        ok(send("POST", SERVICES, ADMIN, service("fixed-again", "\"clusterIP\":\"10.96.0.20\",")));
        JsonNode apiServer = ok(send("GET", "/api/v1/namespaces/default/services/kubernetes", ADMIN, null)).body();
        assertEquals("10.96.0.1", apiServer.path("spec").path("clusterIP").asText());
    }

    @Test
    void serviceClusterIpRangeIsASetting() {
        try (KubeEmulator own = KubeEmulator.start(EmulatorConfig.defaults().withServiceClusterIpRange(
                "172.168.0.0/16"), "127.0.0.1", 0, false);
                var admin = own.client(ADMIN)) {
            var created = admin.services().inNamespace("default").resource(new io.fabric8.kubernetes.api.model
                    .ServiceBuilder().withNewMetadata().withName("svc").endMetadata().withNewSpec()
                    .withClusterIP("172.168.0.24").addNewPort().withPort(443).endPort().endSpec().build()).create();
            assertEquals("172.168.0.24", created.getSpec().getClusterIP());
            assertEquals("172.168.0.1", admin.services().inNamespace("default").withName("kubernetes").get()
                    .getSpec().getClusterIP());
        }
    }

    @Test
    void everyNamespaceHasADefaultServiceAccountEvenAfterItIsDeleted() throws Exception {
        ok(send("POST", "/api/v1/namespaces", ADMIN, "{\"metadata\":{\"name\":\"fresh\"}}"));
        String uid = ok(send("GET", "/api/v1/namespaces/fresh/serviceaccounts/default", ADMIN, null)).body()
                .path("metadata").path("uid").asText();
        ok(send("DELETE", "/api/v1/namespaces/fresh/serviceaccounts/default", ADMIN, null));
        String again = ok(send("GET", "/api/v1/namespaces/fresh/serviceaccounts/default", ADMIN, null)).body()
                .path("metadata").path("uid").asText();
        assertNotEquals(uid, again);
        ok(send("GET", "/api/v1/namespaces/kube-system/serviceaccounts/default", ADMIN, null));
    }

    @Test
    void aPodBoundTokenIsItsServiceAccountWithThePodUntilThePodIsDeleted() throws Exception {
        ok(send("POST", PODS, ADMIN, pod("bound", "web")));
        String podUid = ok(send("GET", PODS + "/bound", ADMIN, null)).body().path("metadata").path("uid").asText();
        String token = token("web", "bound", 3600);
        String accountUid = ok(send("GET", ACCOUNTS + "/web", ADMIN, null)).body().path("metadata").path("uid")
                .asText();

        JsonNode whoami = ok(send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}")).body()
                .path("status").path("userInfo");
        assertEquals("system:serviceaccount:w:web", whoami.path("username").asText());
        assertEquals(accountUid, whoami.path("uid").asText());
        assertEquals("[\"system:serviceaccounts\",\"system:serviceaccounts:w\",\"system:authenticated\"]",
                whoami.path("groups").toString());
        assertEquals("[\"bound\"]", whoami.path("extra").path(ServiceAccountTokens.POD_NAME).toString());
        assertEquals("[\"" + podUid + "\"]", whoami.path("extra").path(ServiceAccountTokens.POD_UID).toString());
        assertEquals("[\"node-1\"]", whoami.path("extra").path(ServiceAccountTokens.NODE_NAME).toString());

        JsonNode review = ok(send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", ADMIN,
                "{\"spec\":{\"token\":\"" + token + "\"}}")).body().path("status");
        assertTrue(review.path("authenticated").asBoolean(), review.toString());
        assertEquals("[\"bound\"]", review.path("user").path("extra").path(ServiceAccountTokens.POD_NAME).toString());

        letNamespaceRequestCertificates();
        String csr = TestCsrs.pem("CERTIFICATE REQUEST", TestCsrs.request().subject("CN=bound.w.pod.cluster.local")
                .der());
        JsonNode spec = ok(send("POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests", token, """
                {"metadata":{"name":"bound-csr"},"spec":{"signerName":"csrflow.io/workload-serving",
                "usages":["digital signature","key encipherment","server auth"],"request":"%s"}}"""
                .formatted(TestCsrs.base64(csr)))).body().path("spec");
        assertEquals("system:serviceaccount:w:web", spec.path("username").asText());
        assertEquals(accountUid, spec.path("uid").asText());
        assertEquals("[\"" + podUid + "\"]", spec.path("extra").path(ServiceAccountTokens.POD_UID).toString());

        ok(send("DELETE", PODS + "/bound", ADMIN, null));
        assertEquals(401, send("GET", ACCOUNTS + "/web", token, null).code());
        JsonNode after = ok(send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", ADMIN,
                "{\"spec\":{\"token\":\"" + token + "\"}}")).body().path("status");
        assertFalse(after.path("authenticated").asBoolean(), after.toString());
    }

    @Test
    void aTokenForAnotherAudienceDoesNotAuthenticateToTheApiServer() throws Exception {
        String token = ok(send("POST", ACCOUNTS + "/web/token", ADMIN, "{\"spec\":{\"audiences\":[\"vault\"]}}"))
                .body().path("status").path("token").asText();
        assertEquals(401, send("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", token, "{}").code());
        JsonNode review = ok(send("POST", "/apis/authentication.k8s.io/v1/tokenreviews", ADMIN,
                "{\"spec\":{\"token\":\"" + token + "\",\"audiences\":[\"vault\"]}}")).body().path("status");
        assertTrue(review.path("authenticated").asBoolean(), review.toString());
        assertEquals("[\"vault\"]", review.path("audiences").toString());
    }

    @Test
    void publishingASignersBundleNeedsAttestForThatSigner() throws Exception {
        String publisher = token("publisher", null, 3600);
        Answer refused = send("POST", BUNDLES, publisher, bundle("example.com:serving:a", "example.com/serving",
                caPem));
        assertEquals(403, refused.code(), refused.body().toString());
        assertEquals("clustertrustbundles.certificates.k8s.io \"example.com:serving:a\" is forbidden: user not "
                + "permitted to attest for signerName \"example.com/serving\"", refused.message());
        ok(send("POST", BUNDLES, publisher, bundle("no-signer", null, caPem)));

        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles", ADMIN, """
                {"metadata":{"name":"attest-example"},"rules":[{"apiGroups":["certificates.k8s.io"],
                "resources":["signers"],"resourceNames":["example.com/*"],"verbs":["attest"]}]}"""));
        ok(send("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", ADMIN, """
                {"metadata":{"name":"attest-example"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io",
                "kind":"ClusterRole","name":"attest-example"},"subjects":[{"kind":"ServiceAccount",
                "name":"publisher","namespace":"w"}]}"""));
        JsonNode created = ok(send("POST", BUNDLES, publisher, bundle("example.com:serving:a", "example.com/serving",
                caPem))).body();
        assertEquals("certificates.k8s.io/v1beta1", created.path("apiVersion").asText());
        Answer otherDomain = send("POST", BUNDLES, publisher, bundle("other.io:serving:a", "other.io/serving", caPem));
        assertEquals(403, otherDomain.code(), otherDomain.body().toString());

        // The API server validates first (422, field is immutable); here admission answers first, in its words.
        Answer moved = send("PUT", BUNDLES + "/example.com:serving:a", ADMIN, bundle("example.com:serving:a",
                "example.com/other", caPem));
        assertEquals(403, moved.code(), moved.body().toString());
        assertEquals("clustertrustbundles.certificates.k8s.io \"example.com:serving:a\" is forbidden: changing "
                + "signerName is forbidden", moved.message());
        JsonNode listed = ok(send("GET", BUNDLES + "?fieldSelector=spec.signerName%3Dexample.com%2Fserving", ADMIN,
                null)).body();
        assertEquals(1, listed.path("items").size(), listed.toString());
    }

    @Test
    void aPatchOfASignersBundleNeedsAttestToo() throws Exception {
        ok(send("POST", BUNDLES, ADMIN, bundle("patched.io:signer:a", "patched.io/signer", caPem)));
        String publisher = token("publisher", null, 3600);
        HttpRequest patch = HttpRequest.newBuilder(URI.create(emulator.url() + BUNDLES + "/patched.io:signer:a"))
                .header("Authorization", "Bearer " + publisher)
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(Json.write(Json.parseObject(
                        "{\"spec\":{\"trustBundle\":" + Json.MAPPER.writeValueAsString(
                                Openssl.selfSignedCertificate(dir, "/CN=other-ca")) + "}}")))).build();
        HttpResponse<String> answer = HTTP.send(patch, HttpResponse.BodyHandlers.ofString());
        assertEquals(403, answer.statusCode(), answer.body());
    }

    @Test
    void aNodeWritesTheStatusOfItsOwnPodsOnly() throws Exception {
        String node = "demo-node-1-token";
        ok(send("POST", PODS, ADMIN, pod("on-demo", "web").replace("node-1", "demo-node-1")));
        String status = "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"app\":\"web\"}},\"status\":{\"phase\":"
                + "\"Running\",\"podIP\":\"10.0.34.7\"}}";
        JsonNode own = ok(send("PUT", PODS + "/on-demo/status", node, status.formatted("on-demo"))).body();
        assertEquals("10.0.34.7", own.path("status").path("podIP").asText());
        Answer other = send("PUT", PODS + "/web-1/status", node, status.formatted("web-1"));
        assertEquals(403, other.code(), other.body().toString());
        assertEquals("pods \"web-1\" is forbidden: node \"demo-node-1\" can only update pod status for pods with "
                + "spec.nodeName set to itself", other.message());
        Answer created = send("POST", PODS, node, pod("made-by-node", "web").replace("node-1", "demo-node-1"));
        assertEquals(403, created.code(), created.body().toString());
        assertEquals("pods \"made-by-node\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" "
                + "annotation, node \"demo-node-1\" can only create mirror pods", created.message());
    }

    @Test
    void fabric8RequestsTokensAndInformsOnPodsServicesAndSlices() throws Exception {
        try (var admin = emulator.client(ADMIN)) {
            var answer = admin.serviceAccounts().inNamespace(NS).withName("web").tokenRequest(
                    new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec()
                            .withExpirationSeconds(3600L).withNewBoundObjectRef().withKind("Pod").withApiVersion("v1")
                            .withName("web-1").endBoundObjectRef().endSpec().build());
            try (var asPod = emulator.client(answer.getStatus().getToken())) {
                // Authenticated (403, not 401) as the service account, which may not read Secrets.
                var refused = org.junit.jupiter.api.Assertions.assertThrows(
                        io.fabric8.kubernetes.client.KubernetesClientException.class,
                        () -> asPod.secrets().inNamespace(NS).list());
                assertEquals(403, refused.getCode());
                assertTrue(refused.getStatus().getMessage().contains("User \"system:serviceaccount:w:web\""),
                        refused.getStatus().getMessage());
            }
            try (var pods = admin.pods().inAnyNamespace().inform();
                    var services = admin.services().inAnyNamespace().inform();
                    var slices = admin.discovery().v1().endpointSlices().inAnyNamespace().inform()) {
                assertTrue(pods.getStore().list().stream().anyMatch(p -> p.getMetadata().getName().equals("web-1")));
                assertTrue(services.getStore().list().stream().anyMatch(v -> v.getMetadata().getName()
                        .equals("kubernetes")));
                assertTrue(slices.hasSynced());
            }
        }
    }

    @Test
    void aProtobufBodyOfAKindNotDecodedIs415AndOfAResourceNotServed404() throws Exception {
        byte[] unknown = {'k', '8', 's', 0, 0x12, 0};
        HttpResponse<String> pod = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + PODS))
                .header("Authorization", "Bearer " + ADMIN).header("Content-Type", "application/vnd.kubernetes.protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(unknown)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, pod.statusCode(), pod.body());
        assertEquals("the emulator reads protobuf only for namespaces, serviceaccounts, serviceaccounts/token, "
                + "services, configmaps, secrets, roles, rolebindings, clusterroles, clusterrolebindings, "
                + "certificatesigningrequests/approval, subjectaccessreviews and selfsubjectaccessreviews; send "
                + "application/json", Json.MAPPER.readTree(pod.body()).path("message").asText());
        HttpResponse<String> deployment = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url()
                + "/apis/apps/v1/namespaces/" + NS + "/deployments")).header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/vnd.kubernetes.protobuf")
                .POST(HttpRequest.BodyPublishers.ofByteArray(unknown)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, deployment.statusCode(), deployment.body());
    }
}
