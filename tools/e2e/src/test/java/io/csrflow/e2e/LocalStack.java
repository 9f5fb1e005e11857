package io.csrflow.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.csrflow.testsupport.JavaProcess;

/**
 * One {@code ./csrflow up} as a user runs it in a terminal, with a state directory and ports of its
 * own (a developer's {@code .csrflow} and running stack are left alone), and the real kubectl with
 * the kubeconfig the script prints.
 */
final class LocalStack {
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(3);

    final Path dir;
    final Path state;
    final Path kubeconfig;
    final Map<String, Integer> ports = new LinkedHashMap<>();
    final List<String> scriptOutput = new CopyOnWriteArrayList<>();
    private final String name;
    private final Map<String, String> settings;
    private final long startedAt = System.nanoTime();
    Process script;
    /** Copies the script's output into {@link #scriptOutput}; ends when the output does. */
    private Thread reader;

    LocalStack(Path dir, String name) {
        this(dir, name, Map.of());
    }

    /** @param settings environment variables the script and every service it starts see (service settings) */
    LocalStack(Path dir, String name, Map<String, String> settings) {
        this.dir = dir;
        this.name = name;
        this.settings = Map.copyOf(settings);
        this.state = dir.resolve("state");
        this.kubeconfig = state.resolve("kubeconfig");
        for (String port : List.of("KAFKA", "KAFKA_CONTROLLER", "API", "WATCHER", "APPROVER", "SIGNER", "SCHEDULER",
                "FLEET")) {
            ports.put(port, JavaProcess.freePort());
        }
    }

    /** Runs {@code ./csrflow up ARGS} until it printed its summary, every service is ready and the fleet answers. */
    void up(String... args) throws Exception {
        // Its own session and process group, as a command typed in a terminal, so that Ctrl-C can go
        // to the whole group. A JVM started from a background job inherits SIGINT ignored and passes
        // that on, and bash cannot trap a signal that was ignored when it started: hence
        // --default-signal, which gives the script the SIGINT a terminal's shell gives it.
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT", "setsid",
                LocalSystem.ROOT.resolve("csrflow").toString(), "up"));
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(LocalSystem.ROOT.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment());
        script = builder.start();
        script.getOutputStream().close();
        Files.createDirectories(LocalSystem.LOGS);
        reader = new Thread(() -> copyLines(script, LocalSystem.LOGS.resolve(name + "-csrflow-up.log"),
                scriptOutput::add), "csrflow-up-output");
        reader.setDaemon(true);
        reader.start();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() ->
                processGroup(script.pid()) == script.pid() || !script.isAlive());

        long giveUpAt = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (!scriptOutput.contains("  Ctrl-C stops everything.")) {
            if (!script.isAlive()) {
                throw new IllegalStateException("./csrflow up exited with " + script.exitValue() + ":\n" + output());
            }
            if (System.nanoTime() > giveUpAt) {
                throw new IllegalStateException("./csrflow up did not finish starting within " + UP_TIMEOUT + ":\n"
                        + output());
            }
            Thread.sleep(250);
        }
        assertTrue(Files.isRegularFile(kubeconfig), "no kubeconfig at " + kubeconfig + ":\n" + output());
        assertTrue(output().contains("kubectl --kubeconfig " + kubeconfig + " get csr"),
                "the script tells the user which kubeconfig to use:\n" + output());
        assertFalse(output().contains("is not ready yet"), output());
        for (String service : List.of("WATCHER", "APPROVER", "SIGNER", "SCHEDULER")) {
            assertEquals(200, JavaProcess.get(ports.get(service), "/q/health/ready").statusCode(),
                    service + " is not ready:\n" + output());
        }
        // The script starts the fleet in the background and prints the summary while it starts.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> JavaProcess.get(ports.get("FLEET"), "/healthz").statusCode() == 200);
        log("./csrflow up printed its summary and every service is ready");
    }

    /** Stops the script as Ctrl-C would, runs {@code ./csrflow down}, kills what is left and keeps the logs. */
    void down() throws IOException {
        try {
            if (script != null && script.isAlive()) {
                // SIGTERM runs the same trap as Ctrl-C.
                JavaProcess.terminate(script, Duration.ofSeconds(90));
            }
            runScript("down");
        } finally {
            if (script != null) {
                for (ProcessHandle left : groupMembers(script.pid())) {
                    log("killing what the stack left running: " + describe(left));
                    left.destroyForcibly();
                }
            }
            copyStackLogs();
        }
        log("done in " + Duration.ofNanos(System.nanoTime() - startedAt).toSeconds() + " s");
    }

    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(settings);
        env.put("CSRFLOW_STATE", state.toString());
        ports.forEach((port, number) -> env.put("CSRFLOW_" + port + "_PORT", Integer.toString(number)));
        // A new user's empty discovery cache, and none left behind in ~/.kube (a port used again by
        // another emulator would otherwise meet discovery cached from this one).
        env.put("KUBECACHEDIR", dir.resolve("kube-cache").toString());
        return env;
    }

    List<String> kubectlCommand(String... args) {
        return kubectlCommand(kubeconfig, args);
    }

    List<String> kubectlCommand(Path config, String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", config.toString(),
                "--cache-dir", dir.resolve("kube-cache").toString()));
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** stdout of a kubectl command that must succeed and print nothing on stderr. */
    String kubectl(String... args) {
        return kubectlWithInput(null, args);
    }

    String kubectlWithInput(String input, String... args) {
        return succeeded(run(input, kubectlCommand(args)), "kubectl " + String.join(" ", args));
    }

    /** The output of a command that must succeed and print nothing on stderr. */
    static String succeeded(Result result, String what) {
        assertEquals(0, result.exit(), what + " failed: " + result);
        assertEquals("", result.err(), what + " complained: " + result);
        return result.out();
    }

    String runScript(String subcommand) {
        Result result = run(null, List.of(LocalSystem.ROOT.resolve("csrflow").toString(), subcommand));
        assertEquals(0, result.exit(), "./csrflow " + subcommand + ": " + result);
        return result.out();
    }

    /** What a command printed, as the user sees it in a terminal. */
    record Result(int exit, String out, String err) {
    }

    Result run(String input, List<String> command) {
        try {
            Path err = Files.createTempFile(dir, "stderr", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile());
            builder.environment().putAll(environment());
            Process process = builder.start();
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), out, Files.readString(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path write(String file, String content) {
        try {
            return Files.writeString(dir.resolve(file), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        return String.join("\n", scriptOutput);
    }

    /**
     * Waits until every line the script printed is in {@link #scriptOutput}: the script may have
     * exited while its last lines are still on their way through the pipe to the reader.
     */
    void awaitOutputEnd(Duration timeout) throws InterruptedException {
        reader.join(timeout.toMillis());
        assertFalse(reader.isAlive(), "the script's output did not end within " + timeout + ":\n" + output());
    }

    void log(String message) {
        System.out.printf("[%s] %5.1f s  %s%n", name, (System.nanoTime() - startedAt) / 1e9, message);
    }

    /** Each line the process prints, to its log file as it is and to {@code lines} without colours. */
    static void copyLines(Process process, Path log, Consumer<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(log)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                out.write(line + "\n");
                out.flush();
                lines.accept(ANSI.matcher(line).replaceAll(""));
            }
        } catch (IOException ignored) {
            // the process was stopped
        }
    }

    private void copyStackLogs() throws IOException {
        Path logs = state.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        Path target = Files.createDirectories(LocalSystem.LOGS.resolve(name));
        try (Stream<Path> files = Files.list(logs)) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /**
     * A table as kubectl prints it: column names in the header, each cell starting where its
     * column's name starts (kubectl aligns with a tab writer); the last column runs to the end of
     * the line, as MESSAGE may have blanks.
     */
    record Table(List<String> columns, List<Map<String, String>> rows) {
        private static final Pattern NAME = Pattern.compile("\\S+(?: \\S+)*");

        static Table parse(String text) {
            List<String> lines = text.lines().filter(line -> !line.isBlank()).toList();
            assertFalse(lines.isEmpty(), "kubectl printed no table");
            List<String> columns = new ArrayList<>();
            List<Integer> starts = new ArrayList<>();
            Matcher name = NAME.matcher(lines.get(0));
            while (name.find()) {
                columns.add(name.group());
                starts.add(name.start());
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    int from = Math.min(starts.get(i), line.length());
                    int to = i + 1 < columns.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
                    row.put(columns.get(i), line.substring(from, to).trim());
                }
                rows.add(row);
            }
            return new Table(List.copyOf(columns), rows);
        }
    }

    // --- processes ---

    /** The process group of {@code pid}, from /proc (the field after the state in /proc/PID/stat). */
    static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every live process in the group {@code pgid}: what the script started, however deep. */
    static List<ProcessHandle> groupMembers(long pgid) {
        return ProcessHandle.allProcesses().filter(p -> p.isAlive() && processGroup(p.pid()) == pgid).toList();
    }

    static String describe(ProcessHandle process) {
        String command = process.info().commandLine().orElse(process.info().command().orElse("?"));
        return process.pid() + " " + (command.length() > 160 ? command.substring(0, 160) + "..." : command);
    }

    static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
