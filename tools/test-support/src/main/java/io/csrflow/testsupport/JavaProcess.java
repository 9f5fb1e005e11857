package io.csrflow.testsupport;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A packaged csrflow component (a Quarkus service's {@code quarkus-run.jar}, the emulator, the fleet
 * simulator) running as a JVM of its own, its output in a log file, stopped with SIGTERM as
 * Kubernetes stops a pod.
 */
public final class JavaProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** How long a stopped process may take to shut down before it is killed. */
    private static final Duration GRACE = Duration.ofSeconds(40);
    /**
     * The JVM options of every image ({@code JAVA_OPTS} in its Dockerfile, less the share of the
     * container's memory that {@code -Xmx} stands for here), so that tests and benchmarks run each
     * JVM with the collector it runs with in a cluster. The JDK's default, G1, cost csrflow's four
     * services about 14% more CPU per certificate on two cores (docs/performance.md).
     */
    public static final List<String> IMAGE_JVM_OPTIONS = List.of("-XX:+UseParallelGC", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90",
            "-XX:+ExitOnOutOfMemoryError");

    private final String name;
    private final Path log;
    private final Process process;

    private JavaProcess(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
    }

    /**
     * Runs {@code java <image JVM options> -Xmx… <javaArgs>} with {@code env} added to this JVM's
     * environment.
     */
    public static JavaProcess start(String name, Path logDir, String maxHeap, Map<String, String> env,
            String... javaArgs) {
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            List<String> command = javaCommand(maxHeap);
            command.addAll(List.of(javaArgs));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
            builder.environment().putAll(env);
            return new JavaProcess(name, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    /** {@code java}, the images' JVM options and {@code -Xmx<maxHeap>}: the start of every command line here. */
    public static List<String> javaCommand(String maxHeap) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(IMAGE_JVM_OPTIONS);
        command.add("-Xmx" + maxHeap);
        return command;
    }

    /** A Quarkus service from its {@code target/quarkus-app}. */
    public static JavaProcess quarkus(String name, Path moduleDir, Path logDir, Map<String, String> env) {
        Path jar = moduleDir.resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + moduleDir.getFileName() + " first");
        }
        return start(name, logDir, "256m", env, "-jar", jar.toString());
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** GET on 127.0.0.1:{@code port}; an unreachable server counts as status 0. */
    public static HttpResponse<String> get(int port, String pathAndQuery) {
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

    /** True when {@code path} on {@code port} answers 200; fails at once if the process has exited. */
    public boolean answers(int port, String path) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
        }
        try {
            return get(port, path).statusCode() == 200;
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    /** Waits until {@code path} on {@code port} answers 200. */
    public JavaProcess awaitAnswer(int port, String path, Duration timeout) {
        long giveUpAt = System.nanoTime() + timeout.toNanos();
        while (!answers(port, path)) {
            if (System.nanoTime() > giveUpAt) {
                throw new IllegalStateException(name + " did not answer " + path + " within " + timeout + "; see " + log);
            }
            sleep(250);
        }
        return this;
    }

    @Override
    public void close() {
        closeTogether(List.of(this));
    }

    /**
     * SIGTERM to every one of them first, then up to 40 s for them all to exit: stopped one at a time,
     * each would wait for the one before it to finish its shutdown.
     */
    public static void closeTogether(List<JavaProcess> processes) {
        processes.forEach(each -> each.process.destroy());
        long giveUpAt = System.nanoTime() + GRACE.toNanos();
        for (JavaProcess each : processes) {
            killUnlessExited(each.process, Duration.ofNanos(Math.max(0, giveUpAt - System.nanoTime())));
        }
    }

    /** SIGKILL, as a crashed node or an OOM kill: no shutdown hook runs, nothing is flushed. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The operating system's process id, for reading its CPU time and memory in /proc. */
    public long pid() {
        return process.pid();
    }

    /** SIGTERM, then SIGKILL if the process has not exited within {@code grace}. */
    public static void terminate(Process process, Duration grace) {
        process.destroy();
        killUnlessExited(process, grace);
    }

    private static void killUnlessExited(Process process, Duration grace) {
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() {
        // Below Linux's ephemeral range (32768-60999): a port the kernel picked for us is as likely
        // to be picked again for some client's outgoing connection before the process we start
        // binds it. Never the same port twice in one JVM.
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12_000);
            if (!HANDED_OUT.add(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port)) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free port found between 20000 and 32000");
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
