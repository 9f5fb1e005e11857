package io.csrflow.scheduler.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a process of its own. */
final class SchedulerProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    final int port;
    private final Process process;

    SchedulerProcess(String name, Map<String, String> env) {
        try {
            port = freePort();
            Path logs = Files.createDirectories(Path.of("target", "it-logs"));
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString());
            Map<String, String> all = new HashMap<>(env);
            all.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            all.put("CSRFLOW_SCHEDULER_ADVERTISED_ADDRESS", "127.0.0.1:" + port);
            all.put("CSRFLOW_SCHEDULER_STATE_DIR", Files.createTempDirectory("scheduler-" + name).toString());
            pb.environment().putAll(all);
            pb.redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    HttpResponse<String> get(String pathAndQuery) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("the scheduler on port " + port + " exited; see target/it-logs");
        }
        try {
            return get("/q/health/ready").statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** SIGTERM, as Kubernetes stops a pod. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(40, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
