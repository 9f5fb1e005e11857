package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * An emulator over HTTPS with an administrator's kubeconfig, for tests that drive the real
 * kubectl as a user types it: each run's exit code and what it printed on each stream.
 */
final class KubectlSession implements AutoCloseable {
    /** An AGE under two minutes as kubectl prints it ("7s", "42s", "119s"). */
    private static final Pattern AGE_IN_SECONDS = Pattern.compile("\\b[0-9]+s\\b");
    private static final Pattern TRAILING_BLANKS = Pattern.compile(" +$", Pattern.MULTILINE);
    /** What kubectl did: its exit code and what it printed on each stream. */
    record Run(int code, String out, String err) {
    }

    final KubeEmulator emulator;
    final KubernetesClient admin;
    final Path kubeconfig;
    private final Path dir;

    private KubectlSession(Path dir) throws IOException {
        this.dir = dir;
        this.emulator = KubeEmulator.start(EmulatorConfig.defaults(), "127.0.0.1", 0, true);
        this.admin = emulator.client("admin-token");
        this.kubeconfig = emulator.writeKubeconfig(dir.resolve("kubeconfig"), "admin-token");
    }

    static KubectlSession start(Path dir) throws IOException {
        return new KubectlSession(dir);
    }

    /** kubectl with {@code stdin} (null: none) as its input, however it ends. */
    Run run(String stdin, String... args) {
        List<String> command = command(args);
        try {
            Path err = Files.createTempFile(dir, "kubectl-stderr", ".txt");
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectError(err.toFile()).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(command + " did not finish");
            }
            return new Run(process.exitValue(), out, Files.readString(err));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** kubectl that must succeed: what it printed on stdout. */
    String ok(String... args) {
        Run run = run(null, args);
        assertEquals(0, run.code(), String.join(" ", args) + ": " + run.out() + run.err());
        return run.out();
    }

    /**
     * A table with every age in seconds printed as "0s", padded to the width the age had: kubectl
     * sized the column for the real value ("12s" on a slow machine), so the columns after it stay
     * where kubectl put them.
     */
    static String agesZeroed(String table) {
        String zeroed = AGE_IN_SECONDS.matcher(table)
                .replaceAll(age -> "0s" + " ".repeat(Math.max(0, age.group().length() - 2)));
        // kubectl pads no column at the end of a line; nor does this.
        return TRAILING_BLANKS.matcher(zeroed).replaceAll("");
    }

    /** kubectl that must fail: what it printed on stderr. */
    String fails(String... args) {
        Run run = run(null, args);
        assertEquals(1, run.code(), String.join(" ", args) + ": " + run.out() + run.err());
        return run.err().strip();
    }

    /** kubectl left running (a watch), its two streams merged. */
    Process startInBackground(String... args) throws IOException {
        return new ProcessBuilder(command(args)).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        command.addAll(Arrays.asList(args));
        return command;
    }

    @Override
    public void close() {
        admin.close();
        emulator.close();
    }
}
