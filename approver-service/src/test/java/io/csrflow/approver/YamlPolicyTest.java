package io.csrflow.approver;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.TestCsrs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** The policy comes from a mounted YAML file: its rules decide, as the dry run shows. */
@QuarkusTest
@TestProfile(YamlPolicyTest.MountedPolicy.class)
class YamlPolicyTest {
    public static class MountedPolicy implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.config.locations", "approver-policy.yaml");
        }

        @Override
        public boolean disableGlobalTestResources() {
            return true;
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KafkaTestResource.class),
                    new TestResourceEntry(KubeEmulatorTestResource.class, Map.of("token", "approver-token")));
        }
    }

    private static String csr(String signer, String usages, String username, String groups, String base64Pem) {
        return "{\"kind\":\"CertificateSigningRequest\",\"spec\":{\"signerName\":\"" + signer + "\",\"usages\":["
                + usages + "],\"username\":\"" + username + "\",\"groups\":[" + groups + "],\"request\":\""
                + base64Pem + "\"}}";
    }

    @Test
    void rulesOfTheFileDecide() {
        given().contentType("application/json").auth().oauth2("admin-token").body(csr("kubernetes.io/kube-apiserver-client",
                "\"digital signature\",\"client auth\"", "jane", "\"developers\"",
                TestCsrs.subject("jane", "developers").base64Pem()))
                .post("/v1/evaluate").then().statusCode(200)
                .body("outcome", equalTo("APPROVED"))
                .body("message", containsString("developers-self"));

        given().contentType("application/json").auth().oauth2("admin-token").body(csr("kubernetes.io/kube-apiserver-client-kubelet",
                "\"digital signature\",\"client auth\"", "jane", "\"developers\"", TestCsrs.kubelet("x").base64Pem()))
                .post("/v1/evaluate").then().statusCode(200)
                .body("outcome", equalTo("DENIED")).body("reason", equalTo("NotAuthorized"));

        given().contentType("application/json").auth().oauth2("admin-token").body(csr("kubernetes.io/kubelet-serving",
                "\"digital signature\",\"server auth\"", "system:node:x", "\"system:nodes\"",
                TestCsrs.kubelet("x").dnsNames("x", "x.lan", "x.cluster").base64Pem()))
                .post("/v1/evaluate").then().statusCode(200)
                .body("reason", equalTo("OutsideServingPolicy"))
                .body("message", equalTo("3 SANs requested; at most 2 are allowed"));

        given().contentType("application/json").auth().oauth2("admin-token").body(csr("csrflow.io/workload-serving",
                "\"digital signature\",\"server auth\"", "jane", "\"platform\"",
                TestCsrs.subject(null).dnsNames("api.platform.example.com").ipAddresses("192.0.2.7").base64Pem()))
                .post("/v1/evaluate").then().statusCode(200)
                .body("outcome", equalTo("APPROVED"))
                .body("message", equalTo("Auto approving workload serving certificate for jane by the administrator's "
                        + "rule platform-team"));
    }
}
