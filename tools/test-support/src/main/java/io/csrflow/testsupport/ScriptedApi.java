package io.csrflow.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * An API server for one kind of object whose answers a test sets: a list of the given items, or JSON
 * no Kubernetes list or watch event can be read from (a field of the wrong type, as a version skew
 * would give), which is what makes a fabric8 informer stop for good rather than retry. Watches are
 * plain chunked HTTP, each closed after a second so that the client watches again and meets the
 * current answer; a readable watch carries no event.
 */
public final class ScriptedApi implements AutoCloseable {
    /** What the list and the watch answer. */
    public enum Answer {
        /** A list of the items, and quiet watches. */
        READABLE,
        /** An unreadable list. */
        UNREADABLE_LIST,
        /** A readable list, then a watch whose first event cannot be read. */
        UNREADABLE_WATCH
    }

    private static final String UNREADABLE_OBJECT = "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":17}";

    private final HttpServer server;
    private final AtomicInteger lists = new AtomicInteger();
    private volatile Answer answer;
    private volatile List<String> items = List.of();

    private ScriptedApi(HttpServer server, Answer answer) {
        this.server = server;
        this.answer = answer;
    }

    public static ScriptedApi start(Answer answer) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ScriptedApi api = new ScriptedApi(server, answer);
        server.setExecutor(Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "scripted-api");
            thread.setDaemon(true);
            return thread;
        }));
        server.createContext("/", api::serve);
        server.start();
        return api;
    }

    public void answer(Answer next) {
        this.answer = next;
    }

    /** The objects a readable list holds, each as JSON. */
    public void items(List<String> json) {
        this.items = List.copyOf(json);
    }

    /** How many lists were asked for: each new or started-again informer lists once. */
    public int lists() {
        return lists.get();
    }

    /** A client of it that asks once per request and watches over HTTP. */
    public KubernetesClient client() {
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder().withMasterUrl("http://"
                + server.getAddress().getHostString() + ":" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0).withOnlyHttpWatches(true).build()).build();
    }

    private void serve(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getQuery();
        boolean watch = query != null && query.contains("watch=true");
        Answer now = answer;
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try (OutputStream body = exchange.getResponseBody()) {
            if (!watch) {
                lists.incrementAndGet();
                String list = now == Answer.UNREADABLE_LIST ? "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":["
                        + UNREADABLE_OBJECT + "]}" : "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"metadata\":"
                        + "{\"resourceVersion\":\"1\"},\"items\":[" + String.join(",", items) + "]}";
                byte[] bytes = list.getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, bytes.length);
                body.write(bytes);
                return;
            }
            exchange.sendResponseHeaders(200, 0);
            if (now == Answer.UNREADABLE_WATCH) {
                body.write(("{\"type\":\"ADDED\",\"object\":" + UNREADABLE_OBJECT + "}\n").getBytes(StandardCharsets.UTF_8));
                body.flush();
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
