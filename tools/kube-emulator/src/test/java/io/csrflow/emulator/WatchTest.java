package io.csrflow.emulator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Watches as kube-apiserver serves them: resuming from a resourceVersion without replaying what
 * the client has already seen, 410 Expired once the history no longer reaches back that far (and
 * an informer that relists and catches up), BOOKMARKs, the watch's timeout, selectors applied to
 * events, over chunked HTTP and over WebSockets.
 */
class WatchTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int HISTORY = 20;

    static KubeEmulator emulator;
    static KubernetesClient admin;

    @BeforeAll
    static void start() {
        emulator = KubeEmulator.startWithStore(new ObjectStore.Settings(HISTORY, Duration.ofMillis(300)));
        admin = emulator.client("admin-token");
    }

    @AfterAll
    static void stop() {
        admin.close();
        emulator.close();
    }

    private static ConfigMap configMap(String namespace, String name, Map<String, String> labels) {
        return admin.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder().withNewMetadata()
                .withName(name).withLabels(labels).endMetadata().addToData("k", "v").build()).create();
    }

    private static String listResourceVersion(String namespace) {
        return admin.configMaps().inNamespace(namespace).list().getMetadata().getResourceVersion();
    }

    private static RawWatch watch(String namespace, String query) throws Exception {
        return RawWatch.open(emulator.url(), "/api/v1/namespaces/" + namespace + "/configmaps" + query,
                "admin-token");
    }

    private static String describe(JsonNode event) {
        return event == null ? "nothing" : event.path("type").asText() + " "
                + event.path("object").path("metadata").path("name").asText();
    }

    @Test
    void resumesFromAResourceVersionWithoutReplayingWhatTheClientHasSeen() throws Exception {
        configMap("resume", "a", Map.of());
        configMap("resume", "b", Map.of());
        String seen = listResourceVersion("resume");
        admin.configMaps().inNamespace("resume").withName("a").edit(cm -> new ConfigMapBuilder(cm)
                .addToData("k", "changed").build());

        try (RawWatch watch = watch("resume", "?resourceVersion=" + seen)) {
            assertEquals(200, watch.status());
            assertEquals("MODIFIED a", describe(watch.nextChange(WAIT)), "the change made after the list");
            configMap("resume", "c", Map.of());
            assertEquals("ADDED c", describe(watch.nextChange(WAIT)), "no ADDED replay of a and b");
            assertNull(watch.nextChange(Duration.ofMillis(300)));
        }
    }

    @Test
    void startsWithTheCurrentObjectsWhenNoResourceVersionIsGiven() throws Exception {
        configMap("fresh", "b", Map.of());
        configMap("fresh", "a", Map.of());
        try (RawWatch watch = watch("fresh", "")) {
            assertEquals("ADDED a", describe(watch.nextChange(WAIT)));
            assertEquals("ADDED b", describe(watch.nextChange(WAIT)));
            configMap("fresh", "c", Map.of());
            assertEquals("ADDED c", describe(watch.nextChange(WAIT)));
        }
    }

    @Test
    void fabric8WatchesResumeWithoutReplayOverWebSocketsAndOverHttp() throws Exception {
        configMap("fabric8", "old", Map.of());
        for (boolean httpOnly : List.of(false, true)) {
            String seen = listResourceVersion("fabric8");
            BlockingQueue<String> events = new LinkedBlockingQueue<>();
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                    emulator.clientConfig("admin-token")).withOnlyHttpWatches(httpOnly).build()).build();
                    Watch ignored = client.configMaps().inNamespace("fabric8").watch(
                            new ListOptionsBuilder().withResourceVersion(seen).build(), new Watcher<>() {
                                @Override
                                public void eventReceived(Action action, ConfigMap resource) {
                                    events.add(action + " " + resource.getMetadata().getName());
                                }

                                @Override
                                public void onClose(WatcherException cause) {
                                    events.add("CLOSED " + cause);
                                }
                            })) {
                String name = httpOnly ? "over-http" : "over-websocket";
                configMap("fabric8", name, Map.of());
                assertEquals("ADDED " + name, events.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
                assertNull(events.poll(300, TimeUnit.MILLISECONDS));
            }
        }
        assertTrue(emulator.requests().count("watch configmaps") >= 2);
    }

    @Test
    void answersGoneWhenTheResourceVersionIsOlderThanTheHistory() throws Exception {
        String old = listResourceVersion("expired");
        for (int i = 0; i < HISTORY + 5; i++) {
            configMap("expired", "cm-" + i, Map.of());
        }
        try (RawWatch watch = watch("expired", "?resourceVersion=" + old)) {
            assertEquals(200, watch.status(), "the API server answers 200, then an ERROR event");
            JsonNode error = watch.next(WAIT);
            assertNotNull(error);
            assertEquals("ERROR", error.path("type").asText());
            assertEquals(410, error.path("object").path("code").asInt());
            assertEquals("Expired", error.path("object").path("reason").asText());
            assertTrue(error.path("object").path("message").asText().startsWith("too old resource version: " + old),
                    error.toString());
            assertEquals(RawWatch.END, watch.next(WAIT), "the stream ends after the error");
        }
    }

    @Test
    void anInformerThatMissedTooMuchRelistsAfterGoneAndCatchesUp() throws Exception {
        configMap("relist", "before-1", Map.of());
        configMap("relist", "before-2", Map.of());
        try (TcpProxy proxy = new TcpProxy(emulator.port());
                KubernetesClient client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
                        emulator.clientConfig("admin-token")).withMasterUrl(proxy.url())
                        .withWatchReconnectInterval(500).build()).build()) {
            List<String> added = new java.util.concurrent.CopyOnWriteArrayList<>();
            SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace("relist")
                    .inform(new ResourceEventHandler<>() {
                        @Override
                        public void onAdd(ConfigMap obj) {
                            added.add(obj.getMetadata().getName());
                        }

                        @Override
                        public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
                        }

                        @Override
                        public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
                        }
                    });
            await().atMost(WAIT).until(informer::hasSynced);
            long listsBefore = emulator.requests().count("list configmaps");

            proxy.cutConnections();
            for (int i = 0; i < HISTORY + 5; i++) {
                configMap("relist", "missed-" + i, Map.of());
            }
            admin.configMaps().inNamespace("relist").withName("before-1").delete();

            Set<String> expected = new java.util.TreeSet<>(List.of("before-2"));
            for (int i = 0; i < HISTORY + 5; i++) {
                expected.add("missed-" + i);
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(expected,
                    informer.getStore().list().stream().map(cm -> cm.getMetadata().getName())
                            .collect(Collectors.toCollection(java.util.TreeSet::new))));
            assertTrue(emulator.requests().count("list configmaps") > listsBefore, "the informer relisted");
            informer.close();
        }
    }

    @Test
    void sendsBookmarksWithTheCurrentResourceVersionOnlyWhenAllowed() throws Exception {
        configMap("bookmarks", "watched", Map.of());
        String seen = listResourceVersion("bookmarks");
        try (RawWatch plain = watch("bookmarks", "?resourceVersion=" + seen);
                RawWatch bookmarked = watch("bookmarks", "?resourceVersion=" + seen + "&allowWatchBookmarks=true")) {
            ConfigMap elsewhere = configMap("bookmarks-elsewhere", "other", Map.of());
            long written = Long.parseLong(elsewhere.getMetadata().getResourceVersion());

            JsonNode bookmark = bookmarked.next(WAIT);
            while (bookmark != null && Long.parseLong(bookmark.path("object").path("metadata")
                    .path("resourceVersion").asText()) < written) {
                assertEquals("BOOKMARK", bookmark.path("type").asText());
                bookmark = bookmarked.next(WAIT);
            }
            assertNotNull(bookmark, "a BOOKMARK at or after the latest write, in any namespace");
            assertEquals("BOOKMARK", bookmark.path("type").asText());
            assertEquals("ConfigMap", bookmark.path("object").path("kind").asText());
            assertNull(plain.next(Duration.ofSeconds(1)), "no BOOKMARK unless the client allows them");
        }
    }

    @Test
    void endsAWatchAtItsTimeout() throws Exception {
        try (RawWatch watch = watch("timeout", "?timeoutSeconds=1")) {
            long started = System.nanoTime();
            assertEquals(RawWatch.END, watch.next(WAIT));
            assertTrue(System.nanoTime() - started >= 900_000_000L);
        }
    }

    @Test
    void appliesLabelAndFieldSelectorsToEventsAsTheApiServerDoes() throws Exception {
        String seen = listResourceVersion("selected");
        try (RawWatch watch = watch("selected", "?resourceVersion=" + seen + "&labelSelector=tier%20in%20(web)");
                RawWatch byName = watch("selected", "?resourceVersion=" + seen
                        + "&fieldSelector=metadata.name%3Dmoves")) {
            configMap("selected", "web", Map.of("tier", "web"));
            configMap("selected", "moves", Map.of("tier", "db"));
            assertEquals("ADDED web", describe(watch.nextChange(WAIT)));
            assertEquals("ADDED moves", describe(byName.nextChange(WAIT)));

            admin.configMaps().inNamespace("selected").withName("moves").edit(cm -> new ConfigMapBuilder(cm)
                    .editMetadata().addToLabels("tier", "web").endMetadata().build());
            assertEquals("ADDED moves", describe(watch.nextChange(WAIT)), "starts to match: ADDED");
            assertEquals("MODIFIED moves", describe(byName.nextChange(WAIT)));

            admin.configMaps().inNamespace("selected").withName("web").edit(cm -> new ConfigMapBuilder(cm)
                    .editMetadata().addToLabels("tier", "cache").endMetadata().build());
            JsonNode left = watch.nextChange(WAIT);
            assertEquals("DELETED web", describe(left), "stops matching: DELETED");
            assertEquals("web", left.path("object").path("metadata").path("labels").path("tier").asText(),
                    "with its last matching state");
            assertNull(byName.nextChange(Duration.ofMillis(300)), "other names are not sent");
        }
    }

    @Test
    void aResourceVersionInTheFutureIsAnError() throws Exception {
        long future = Long.parseLong(listResourceVersion("future")) + 1_000_000;
        try (RawWatch watch = watch("future", "?resourceVersion=" + future)) {
            JsonNode error = watch.next(WAIT);
            assertEquals("ERROR", error.path("type").asText());
            assertEquals(504, error.path("object").path("code").asInt());
        }
    }
}
