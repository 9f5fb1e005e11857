package io.csrflow.scheduler.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.csrflow.testsupport.JavaProcess;

/** The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a process of its own. */
final class SchedulerProcess implements AutoCloseable {
    final int port = JavaProcess.freePort();
    private final JavaProcess process;

    SchedulerProcess(String name, Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        all.put("CSRFLOW_SCHEDULER_ADVERTISED_ADDRESS", "127.0.0.1:" + port);
        try {
            all.put("CSRFLOW_SCHEDULER_STATE_DIR", Files.createTempDirectory("scheduler-" + name).toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = JavaProcess.quarkus(name, Path.of(""), Path.of("target", "it-logs"), all);
    }

    HttpResponse<String> get(String pathAndQuery) {
        return JavaProcess.get(port, pathAndQuery);
    }

    boolean ready() {
        return process.answers(port, "/q/health/ready");
    }

    /** SIGTERM, as Kubernetes stops a pod. */
    @Override
    public void close() {
        process.close();
    }
}
