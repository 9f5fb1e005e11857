package io.csrflow.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line client (openssl, cfssl, kubectl) and returns what it printed. */
public final class Cli {
    private Cli() {
    }

    public static String run(Path dir, String input, String... command) {
        Path err = null;
        try {
            // In the system's temp directory, not the working one (often the repository), and removed after.
            err = Files.createTempFile("csrflow-cli-stderr", ".txt");
            Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                    .redirectError(err.toFile()).start();
            if (input != null) {
                process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(Arrays.toString(command) + " failed: " + out + Files.readString(err));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command[0] + " (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (err != null) {
                try {
                    Files.deleteIfExists(err);
                } catch (IOException ignored) {
                    // a file left in the temp directory does no harm
                }
            }
        }
    }

    /** A CSR made by openssl for a fresh key ({@code ec} P-256 or {@code rsa:2048}) and subject. */
    public static String opensslCsr(Path dir, String keyType, String subject, String... sans) {
        Path key = dir.resolve("openssl-" + System.nanoTime() + ".key");
        String[] base = keyType.equals("ec")
                ? new String[] {"openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key.toString(), "-subj", subject}
                : new String[] {"openssl", "req", "-new", "-newkey", keyType, "-nodes", "-keyout", key.toString(),
                    "-subj", subject};
        String[] command = base;
        if (sans.length > 0) {
            command = Arrays.copyOf(base, base.length + 2);
            command[base.length] = "-addext";
            command[base.length + 1] = "subjectAltName=" + String.join(",", sans);
        }
        return run(dir, null, command);
    }

    /** A CSR made by {@code cfssl genkey}, as the Kubernetes documentation shows it. */
    public static String cfsslCsr(Path dir, String commonName, String organization, String keyAlgo, int keySize,
            String... hosts) {
        String json = """
                {"CN": "%s", "hosts": [%s], "key": {"algo": "%s", "size": %d}, "names": [{"O": "%s"}]}
                """.formatted(commonName, hosts.length == 0 ? "" : "\"" + String.join("\",\"", hosts) + "\"",
                keyAlgo, keySize, organization);
        String out = run(dir, json, "cfssl", "genkey", "-");
        int start = out.indexOf("-----BEGIN CERTIFICATE REQUEST-----");
        int end = out.indexOf("-----END CERTIFICATE REQUEST-----");
        if (start < 0 || end < 0) {
            throw new IllegalStateException("cfssl printed no CSR: " + out);
        }
        return out.substring(start, end + "-----END CERTIFICATE REQUEST-----".length())
                .replace("\\n", "\n") + "\n";
    }
}
