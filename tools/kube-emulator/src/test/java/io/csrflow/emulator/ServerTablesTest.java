package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The server-side Tables behind {@code kubectl get}, as JSON: their shape, when content
 * negotiation picks them, and the cells of the printers kubectl's own tests do not reach.
 */
class ServerTablesTest {
    private static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io";
    private static final String KUBECTL_ACCEPT = TABLE + ",application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
            + "application/json";

    static KubeEmulator emulator;
    static KubernetesClient admin;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startDefault();
        admin = emulator.client("admin-token");
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    private static JsonNode get(String path, String accept) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(emulator.url() + path))
                .header("Authorization", "Bearer admin-token").header("Accept", accept).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.MAPPER.readTree(response.body());
    }

    private static List<String> cells(JsonNode row) {
        List<String> cells = new ArrayList<>();
        row.path("cells").forEach(c -> cells.add(c.asText()));
        return cells;
    }

    private static String ago(Duration duration) {
        return Instant.now().minus(duration).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    @Test
    void tableOfCsrsHasTheServersColumnsAndPartialObjectMetadataRows() throws Exception {
        admin.certificates().v1().certificateSigningRequests().resource(CsrApiRulesTest.csr("tabled",
                TestCsrs.request().pem()).build()).create();

        JsonNode table = get("/apis/certificates.k8s.io/v1/certificatesigningrequests/tabled", KUBECTL_ACCEPT);

        assertEquals("Table", table.path("kind").asText());
        assertEquals("meta.k8s.io/v1", table.path("apiVersion").asText());
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText() + ":" + c.path("type")
                .asText() + ":" + c.path("format").asText() + ":" + c.path("priority").asInt()));
        assertEquals(List.of("Name:string:name:0", "Age:string::0", "SignerName:string::0", "Requestor:string::0",
                "RequestedDuration:string::0", "Condition:string::0"), columns);
        assertEquals(1, table.path("rows").size());
        JsonNode row = table.path("rows").get(0);
        List<String> cells = cells(row);
        assertTrue(cells.get(1).matches("\\d+s"), cells.toString());
        assertEquals(List.of("tabled", "kubernetes.io/kube-apiserver-client-kubelet", "kubernetes-admin", "<none>",
                "Pending"), List.of(cells.get(0), cells.get(2), cells.get(3), cells.get(4), cells.get(5)));
        assertEquals("PartialObjectMetadata", row.path("object").path("kind").asText());
        assertEquals("meta.k8s.io/v1", row.path("object").path("apiVersion").asText());
        assertEquals("tabled", row.path("object").path("metadata").path("name").asText());
        assertTrue(row.path("object").path("metadata").hasNonNull("resourceVersion"));
        assertTrue(row.path("object").path("spec").isMissingNode(), "metadata only");
    }

    @ParameterizedTest(name = "Accept: {0}")
    @CsvSource(delimiter = '|', value = {
        TABLE + " | Table",
        KUBECTL_ACCEPT + " | Table",
        "application/json | ConfigMapList",
        "application/json;as=Table | ConfigMapList",
        "application/json, " + TABLE + " | ConfigMapList",
        "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, " + TABLE + " | Table",
    })
    void negotiatesATableOnlyWhenItIsTheFirstAnswerTheClientTakes(String accept, String kind) throws Exception {
        assertEquals(kind, get("/api/v1/namespaces/default/configmaps", accept).path("kind").asText());
    }

    @Test
    void pagedTableKeepsTheListsContinueAndRemainingCount() throws Exception {
        for (int i = 0; i < 3; i++) {
            admin.configMaps().inNamespace("paged").resource(new ConfigMapBuilder().withNewMetadata()
                    .withName("cm-" + i).endMetadata().addToData("a", "1").addToData("b", "2").build()).create();
        }

        JsonNode table = get("/api/v1/namespaces/paged/configmaps?limit=2", TABLE);

        assertEquals(2, table.path("rows").size());
        assertTrue(!table.path("metadata").path("continue").asText().isEmpty(), table.toString());
        assertEquals(1, table.path("metadata").path("remainingItemCount").asInt(), table.toString());
        assertEquals("Data", table.path("columnDefinitions").get(1).path("name").asText());
        assertEquals("string", table.path("columnDefinitions").get(1).path("type").asText());
        assertEquals(2, table.path("rows").get(0).path("cells").get(1).asInt());
    }

    /** One Event, written through either API, printed alike from both: what the server's internal Event has. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"core", "events.k8s.io"})
    void eventsPrintTheSameThroughBothApis(String writtenThrough) throws Exception {
        String namespace = "events-" + writtenThrough.replace(".", "-");
        if (writtenThrough.equals("core")) {
            admin.v1().events().inNamespace(namespace).resource(new EventBuilder().withNewMetadata().withName("e1")
                    .endMetadata().withNewInvolvedObject().withKind("CertificateSigningRequest").withName("csr-1")
                    .withFieldPath("status.conditions").endInvolvedObject().withType("Warning").withReason("Denied")
                    .withMessage("  denied by policy  ").withReportingComponent("csrflow.io/approver")
                    .withReportingInstance("approver-0").withEventTime(new MicroTime(ago(Duration.ofHours(10))))
                    .withAction("Deny").build()).create();
        } else {
            admin.events().v1().events().inNamespace(namespace).resource(new io.fabric8.kubernetes.api.model.events.v1
                    .EventBuilder().withNewMetadata().withName("e1").endMetadata().withNewRegarding()
                    .withKind("CertificateSigningRequest").withName("csr-1").withFieldPath("status.conditions")
                    .endRegarding().withType("Warning").withReason("Denied").withNote("  denied by policy  ")
                    .withReportingController("csrflow.io/approver").withReportingInstance("approver-0")
                    .withEventTime(new MicroTime(ago(Duration.ofHours(10)))).withAction("Deny").build()).create();
        }
        List<String> expected = List.of("10h", "Warning", "Denied", "certificatesigningrequest/csr-1",
                "status.conditions", "csrflow.io/approver, approver-0", "denied by policy", "10h", "1", "e1");

        for (String path : List.of("/api/v1/namespaces/" + namespace + "/events",
                "/apis/events.k8s.io/v1/namespaces/" + namespace + "/events")) {
            JsonNode table = get(path, TABLE);
            List<String> columns = new ArrayList<>();
            table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText() + ":"
                    + c.path("priority").asInt()));
            assertEquals(List.of("Last Seen:0", "Type:0", "Reason:0", "Object:0", "Subobject:1", "Source:1",
                    "Message:0", "First Seen:1", "Count:1", "Name:1"), columns, path);
            assertEquals(expected, cells(table.path("rows").get(0)), path);
        }
    }

    @Test
    void aSeriesGivesTheLastSeenAndCount() throws Exception {
        admin.events().v1().events().inNamespace("series").resource(new io.fabric8.kubernetes.api.model.events.v1
                .EventBuilder().withNewMetadata().withName("repeated").endMetadata().withNewRegarding()
                .withKind("Node").withName("worker-1").endRegarding().withType("Normal").withReason("Renewed")
                .withNote("renewed").withReportingController("csrflow.io/scheduler").withReportingInstance("s-0")
                .withEventTime(new MicroTime(ago(Duration.ofDays(3)))).withAction("Renew").withNewSeries()
                .withCount(7).withLastObservedTime(new MicroTime(ago(Duration.ofHours(10)))).endSeries().build())
                .create();

        List<String> cells = cells(get("/apis/events.k8s.io/v1/namespaces/series/events", TABLE).path("rows").get(0));

        assertEquals(List.of("10h", "Normal", "Renewed", "node/worker-1", "", "csrflow.io/scheduler, s-0", "renewed",
                "3d", "7", "repeated"), cells);
    }

    @Test
    void roleBindingsPrintTheRoleAndTheSubjectsByKind() throws Exception {
        admin.rbac().roleBindings().inNamespace("bound").resource(new RoleBindingBuilder().withNewMetadata()
                .withName("readers").endMetadata().withNewRoleRef().withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole").withName("view").endRoleRef()
                .addNewSubject().withKind("User").withName("jane").endSubject()
                .addNewSubject().withKind("User").withName("joe").endSubject()
                .addNewSubject().withKind("Group").withName("auditors").endSubject()
                .addNewSubject().withKind("ServiceAccount").withName("approver").withNamespace("csrflow").endSubject()
                .build()).create();

        JsonNode table = get("/apis/rbac.authorization.k8s.io/v1/namespaces/bound/rolebindings", TABLE);

        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText() + ":"
                + c.path("priority").asInt()));
        assertEquals(List.of("Name:0", "Role:0", "Age:0", "Users:1", "Groups:1", "ServiceAccounts:1"), columns);
        List<String> cells = cells(table.path("rows").get(0));
        assertTrue(cells.remove(2).matches("\\d+s"), cells.toString());
        assertEquals(List.of("readers", "ClusterRole/view", "jane, joe", "auditors", "csrflow/approver"), cells);
    }

    @Test
    void kindsWithoutAPrinterGetNameAndCreatedAt() throws Exception {
        JsonNode table = get("/apis/rbac.authorization.k8s.io/v1/clusterroles", TABLE);

        assertEquals("Name", table.path("columnDefinitions").get(0).path("name").asText());
        assertEquals("Created At", table.path("columnDefinitions").get(1).path("name").asText());
        assertEquals("date", table.path("columnDefinitions").get(1).path("type").asText());
        assertTrue(table.path("rows").size() > 0);
        for (JsonNode row : table.path("rows")) {
            Instant.parse(row.path("cells").get(1).asText());
        }
    }
}
