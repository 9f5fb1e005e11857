package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.csrflow.emulator.KubectlSession.Run;

/**
 * The real kubectl against the emulator for what a workload and its administrator type in the
 * certificate flow: namespaces, service accounts and their tokens, pods, services, EndpointSlices,
 * ClusterTrustBundles, the RBAC objects that let a workload request certificates, ConfigMaps and
 * Secrets, created (kubectl's typed {@code create} subcommands send protobuf), applied, listed and
 * described, asserted on what kubectl prints.
 */
class WorkloadKubectlTest {
    @TempDir
    static Path dir;
    static KubectlSession session;

    private static final String WORKLOAD = """
            apiVersion: v1
            kind: Pod
            metadata: {name: my-pod, namespace: my-namespace, labels: {app: my-svc}}
            spec:
              serviceAccountName: my-sa
              hostname: my-pod
              subdomain: my-svc
              nodeName: node-1
              containers: [{name: server, image: "nginx:1.25"}]
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: my-svc, namespace: my-namespace}
            spec:
              clusterIP: 10.96.0.24
              selector: {app: my-svc}
              ports: [{name: https, port: 443, targetPort: 8443}]
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: my-svc-1, namespace: my-namespace, labels: {kubernetes.io/service-name: my-svc}}
            addressType: IPv4
            ports: [{name: https, port: 8443, protocol: TCP}]
            endpoints:
            - addresses: [10.0.34.2]
              conditions: {ready: true}
              targetRef: {kind: Pod, name: my-pod, namespace: my-namespace}
            """;

    @BeforeAll
    static void start() throws IOException {
        session = KubectlSession.start(dir);
        session.ok("create", "namespace", "my-namespace");
        session.ok("create", "serviceaccount", "my-sa", "-n", "my-namespace");
        Run applied = session.run(WORKLOAD, "apply", "-f", "-");
        assertEquals(0, applied.code(), applied.out() + applied.err());
        session.admin.pods().inNamespace("my-namespace").withName("my-pod").editStatus(p -> {
            p.getStatus().setPhase("Running");
            p.getStatus().setPodIP("10.0.34.2");
            return p;
        });
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    @Test
    void getPrintsTheApiServersColumnsForEachKind() {
        assertEquals("""
                NAME     READY   STATUS    RESTARTS   AGE   IP          NODE     NOMINATED NODE   READINESS GATES
                my-pod   0/1     Running   0          0s    10.0.34.2   node-1   <none>           <none>
                """, KubectlSession.agesZeroed(session.ok("get", "pods", "-n", "my-namespace", "-o", "wide")));
        assertEquals("""
                NAME     TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE
                my-svc   ClusterIP   10.96.0.24   <none>        443/TCP   0s
                """, KubectlSession.agesZeroed(session.ok("get", "services", "-n", "my-namespace")));
        assertEquals("""
                NAME       ADDRESSTYPE   PORTS   ENDPOINTS   AGE
                my-svc-1   IPv4          8443    10.0.34.2   0s
                """, KubectlSession.agesZeroed(session.ok("get", "endpointslices", "-n", "my-namespace")));
        String accounts = session.ok("get", "sa", "-n", "my-namespace");
        assertTrue(accounts.startsWith("NAME      SECRETS   AGE\ndefault   0 "), accounts);
        assertTrue(accounts.contains("\nmy-sa     0 "), accounts);
        assertTrue(session.ok("get", "svc", "kubernetes", "-n", "default").contains("10.96.0.1 "));
    }

    @Test
    void describeShowsTheServicesEndpointsAndThePodsServiceAccount() {
        String service = session.ok("describe", "service", "my-svc", "-n", "my-namespace");
        assertTrue(service.contains("Endpoints:                10.0.34.2:8443"), service);
        assertTrue(service.contains("IP:                       10.96.0.24"), service);
        String pod = session.ok("describe", "pod", "my-pod", "-n", "my-namespace");
        assertTrue(pod.contains("Service Account:  my-sa"), pod);
        assertTrue(pod.contains("IP:               10.0.34.2"), pod);
    }

    @Test
    void createTokenBoundToThePodAuthenticatesAsTheServiceAccountWithThePod() {
        String token = session.ok("create", "token", "my-sa", "-n", "my-namespace", "--bound-object-kind", "Pod",
                "--bound-object-name", "my-pod").strip();
        String whoami = session.ok("--token", token, "auth", "whoami");
        assertTrue(whoami.contains("system:serviceaccount:my-namespace:my-sa"), whoami);
        assertTrue(whoami.contains("[system:serviceaccounts system:serviceaccounts:my-namespace "
                + "system:authenticated]"), whoami);
        assertTrue(whoami.matches("(?s).*authentication.kubernetes.io/pod-name\\s+\\[my-pod].*"), whoami);
        assertEquals("error: failed to create token: TokenRequest.authentication.k8s.io \"\" is invalid: "
                + "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes",
                session.fails("create", "token", "my-sa", "-n", "my-namespace", "--duration", "5m"));
        assertEquals("error: failed to create token: serviceaccounts \"ghost\" not found",
                session.fails("create", "token", "ghost", "-n", "my-namespace"));
    }

    @Test
    void createServiceAllocatesOrTakesTheClusterIp() {
        session.ok("create", "namespace", "typed");
        session.ok("create", "service", "clusterip", "typed", "-n", "typed", "--tcp=443:8443",
                "--clusterip=10.96.0.25");
        assertEquals("10.96.0.25 app=typed 8443", session.ok("get", "service", "typed", "-n", "typed", "-o",
                "jsonpath={.spec.clusterIP} app={.spec.selector.app} {.spec.ports[0].targetPort}"));
        assertEquals("error: failed to create ClusterIP service: Service \"outside\" is invalid: spec.clusterIPs: "
                + "Invalid value: []string{\"10.0.0.1\"}: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is "
                + "not in the valid range. The range of valid IPs is 10.96.0.0/12", session.fails("create", "service",
                "clusterip", "outside", "-n", "typed", "--tcp=443", "--clusterip=10.0.0.1"));
    }

    @Test
    void aNewNamespaceHasItsDefaultServiceAccount() {
        session.ok("create", "namespace", "fresh");
        assertTrue(session.ok("get", "serviceaccount", "default", "-n", "fresh", "-o", "name")
                .contains("serviceaccount/default"));
    }

    @Test
    void applyValidatesWithoutValidateFalseAndShowsTheApiServersRefusals() {
        Run refused = session.run("""
                apiVersion: v1
                kind: Service
                metadata: {name: taken, namespace: my-namespace}
                spec:
                  clusterIP: 10.96.0.24
                  ports: [{port: 443}]
                """, "apply", "-f", "-");
        assertEquals(1, refused.code(), refused.out());
        assertTrue(refused.err().contains("failed to allocate IP 10.96.0.24: provided IP is already allocated"),
                refused.err());
        Run unknownField = session.run("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: typo, namespace: my-namespace}
                addressType: IPv4
                endpoint: []
                """, "apply", "-f", "-");
        assertEquals(1, unknownField.code(), unknownField.out());
        assertTrue(unknownField.err().contains("unknown field \"endpoint\""), unknownField.err());
    }

    @Test
    void clusterTrustBundlesListWithTheirSigner() {
        String ca = Openssl.selfSignedCertificate(dir, "/CN=my-signer-ca").strip().replace("\n", "\n    ");
        Run applied = session.run("""
                apiVersion: certificates.k8s.io/v1beta1
                kind: ClusterTrustBundle
                metadata: {name: "example.com:serving:bundle"}
                spec:
                  signerName: example.com/serving
                  trustBundle: |
                    %s
                """.formatted(ca), "apply", "-f", "-");
        assertEquals(0, applied.code(), applied.out() + applied.err());
        assertEquals("""
                NAME                         SIGNERNAME
                example.com:serving:bundle   example.com/serving
                """, session.ok("get", "clustertrustbundles"));
    }

    @Test
    void createClusterRoleAndBindingLetTheServiceAccountRequestCertificates() {
        String token = session.ok("create", "token", "default", "-n", "my-namespace").strip();
        Run before = session.run(null, "auth", "can-i", "create", "certificatesigningrequests", "--token", token);
        assertEquals(1, before.code(), before.out() + before.err());
        assertEquals("no\n", before.out());
        assertEquals("clusterrole.rbac.authorization.k8s.io/csr-requester created\n", session.ok("create",
                "clusterrole", "csr-requester", "--verb=create,get,list,watch",
                "--resource=certificatesigningrequests.certificates.k8s.io"));
        assertEquals("clusterrolebinding.rbac.authorization.k8s.io/csr-requester created\n", session.ok("create",
                "clusterrolebinding", "csr-requester", "--clusterrole=csr-requester",
                "--serviceaccount=my-namespace:default", "--user=bob", "--group=requesters"));
        assertEquals("yes\n", session.ok("auth", "can-i", "create", "certificatesigningrequests", "--token", token));
        assertEquals("yes\n", session.ok("auth", "can-i", "watch", "certificatesigningrequests.certificates.k8s.io",
                "--token", token));
        Run delete = session.run(null, "auth", "can-i", "delete", "certificatesigningrequests", "--token", token);
        assertEquals("no\n", delete.out(), delete.err());
        assertEquals("certificates.k8s.io certificatesigningrequests create get list watch", session.ok("get",
                "clusterrole", "csr-requester", "-o", "jsonpath={.rules[0].apiGroups[0]} {.rules[0].resources[0]} "
                + "{.rules[*].verbs[*]}"));
        assertEquals("""
                NAME            ROLE                        AGE   USERS   GROUPS       SERVICEACCOUNTS
                csr-requester   ClusterRole/csr-requester   0s    bob     requesters   my-namespace/default
                """, KubectlSession.agesZeroed(session.ok("get", "clusterrolebinding", "csr-requester", "-o", "wide")));
        assertEquals("User:rbac.authorization.k8s.io:bob: Group:rbac.authorization.k8s.io:requesters: "
                + "ServiceAccount::default:my-namespace", session.ok("get", "clusterrolebinding", "csr-requester",
                "-o", "jsonpath={range .subjects[*]}{.kind}:{.apiGroup}:{.name}:{.namespace} {end}").strip());
        String yaml = session.ok("get", "clusterrole", "csr-requester", "-o", "yaml");
        assertFalse(yaml.contains("generateName"), yaml);
        assertEquals("error: failed to create clusterrolebinding: clusterrolebindings.rbac.authorization.k8s.io "
                + "\"csr-requester\" already exists", session.fails("create", "clusterrolebinding", "csr-requester",
                "--clusterrole=csr-requester", "--user=bob"));
    }

    @Test
    void createRoleAndRoleBindingGrantInTheirNamespaceOnly() {
        session.ok("create", "namespace", "roles");
        session.ok("create", "serviceaccount", "reader", "-n", "roles");
        String token = session.ok("create", "token", "reader", "-n", "roles").strip();
        assertEquals("role.rbac.authorization.k8s.io/config-reader created\n", session.ok("create", "role",
                "config-reader", "-n", "roles", "--verb=get,list", "--resource=configmaps",
                "--resource-name=settings"));
        assertEquals("rolebinding.rbac.authorization.k8s.io/config-reader created\n", session.ok("create",
                "rolebinding", "config-reader", "-n", "roles", "--role=config-reader",
                "--serviceaccount=roles:reader"));
        assertEquals("yes\n", session.ok("auth", "can-i", "get", "configmaps/settings", "-n", "roles", "--token",
                token));
        for (String[] refused : new String[][] {{"get", "configmaps/other", "-n", "roles"},
                {"get", "configmaps/settings", "-n", "default"}, {"list", "secrets", "-n", "roles"}}) {
            Run run = session.run(null, concat(new String[] {"auth", "can-i"}, refused, "--token", token));
            assertEquals("no\n", run.out(), String.join(" ", refused) + ": " + run.err());
        }
        assertEquals("""
                NAME            ROLE                 AGE   USERS   GROUPS   SERVICEACCOUNTS
                config-reader   Role/config-reader   0s                     roles/reader
                """, KubectlSession.agesZeroed(
                        session.ok("get", "rolebinding", "config-reader", "-n", "roles", "-o", "wide")));
        assertEquals("[\"\"] [\"configmaps\"] [\"settings\"] [\"get\",\"list\"]", session.ok("get", "role",
                "config-reader", "-n", "roles", "-o", "jsonpath={.rules[0].apiGroups} {.rules[0].resources} "
                + "{.rules[0].resourceNames} {.rules[0].verbs}"));
    }

    @Test
    void createConfigMapAndSecretsKeepTheirDataAndType() throws IOException {
        session.ok("create", "namespace", "data");
        Files.write(dir.resolve("blob.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
        assertEquals("configmap/settings created\n", session.ok("create", "configmap", "settings", "-n", "data",
                "--from-literal=mode=strict", "--from-file=blob.bin"));
        assertEquals("mode=strict blob.bin=//4A", session.ok("get", "configmap", "settings", "-n", "data", "-o",
                "jsonpath=mode={.data.mode} blob.bin={.binaryData.blob\\.bin}"));
        assertEquals("secret/password created\n", session.ok("create", "secret", "generic", "password", "-n", "data",
                "--from-literal=password=hunter2", "--from-literal=user=admin"));
        assertEquals("Opaque aHVudGVyMg==", session.ok("get", "secret", "password", "-n", "data", "-o",
                "jsonpath={.type} {.data.password}"));
        Path key = dir.resolve("tls.key");
        Path certificate = dir.resolve("tls.crt");
        Openssl.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", key.toString(), "-out", certificate.toString(), "-subj", "/CN=tls", "-days", "1");
        assertEquals("secret/serving created\n", session.ok("create", "secret", "tls", "serving", "-n", "data",
                "--cert=" + certificate, "--key=" + key));
        assertEquals("""
                NAME       TYPE                DATA   AGE
                password   Opaque              2      0s
                serving    kubernetes.io/tls   2      0s
                """, KubectlSession.agesZeroed(session.ok("get", "secrets", "-n", "data")));
        String crt = session.admin.secrets().inNamespace("data").withName("serving").get().getData().get("tls.crt");
        assertEquals(Files.readString(certificate), new String(Base64.getDecoder().decode(crt),
                StandardCharsets.UTF_8));
    }

    private static String[] concat(String[] first, String[] second, String... third) {
        return Stream.of(first, second, third).flatMap(Arrays::stream)
                .toArray(String[]::new);
    }
}
