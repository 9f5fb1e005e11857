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
    final int port;
    private final Path stateDir;
    private final Map<String, String> env;
    private final JavaProcess process;

    SchedulerProcess(String name, Map<String, String> env) {
        this(name, env, JavaProcess.freePort(), newStateDir(name));
    }

    private SchedulerProcess(String name, Map<String, String> env, int port, Path stateDir) {
        this.port = port;
        this.stateDir = stateDir;
        this.env = Map.copyOf(env);
        Map<String, String> all = new HashMap<>(env);
        all.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        all.put("CSRFLOW_SCHEDULER_ADVERTISED_ADDRESS", "127.0.0.1:" + port);
        all.put("CSRFLOW_SCHEDULER_STATE_DIR", stateDir.toString());
        process = JavaProcess.quarkus(name, Path.of(""), Path.of("target", "it-logs"), all);
    }

    private static Path newStateDir(String name) {
        try {
            return Files.createTempDirectory("scheduler-" + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, as an OOM kill or a node losing power ends it. */
    void kill() {
        process.kill();
    }

    /** The same replica started again, as Kubernetes restarts a container: same port, state and settings. */
    SchedulerProcess restartedAs(String name) {
        return new SchedulerProcess(name, env, port, stateDir);
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
