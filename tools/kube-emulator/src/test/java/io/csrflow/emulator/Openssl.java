package io.csrflow.emulator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Makes keys, CSRs and certificates with the openssl binary, an independent client. */
final class Openssl {
    private Openssl() {
    }

    /** A PEM CSR for an EC P-256 key with the given subject (e.g. {@code /O=system:nodes/CN=system:node:a}). */
    static String csr(Path dir, String subject) {
        Path key = dir.resolve("key-" + System.nanoTime() + ".pem");
        run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        return run(dir, "openssl", "req", "-new", "-key", key.toString(), "-subj", subject);
    }

    /** A self-signed PEM certificate. */
    static String selfSignedCertificate(Path dir, String subject) {
        Path key = dir.resolve("ca-" + System.nanoTime() + ".pem");
        run(dir, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        return run(dir, "openssl", "req", "-x509", "-new", "-key", key.toString(), "-subj", subject, "-days", "1");
    }

    /** The same CSR with one bit of its signature flipped: well-formed, but it does not verify. */
    static String withBrokenSignature(String pemCsr) {
        String base64 = pemCsr.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        der[der.length - 3] ^= 0x01;
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    static String run(Path dir, String... command) {
        return runWithInput(dir, null, command);
    }

    static String runWithInput(Path dir, String input, String... command) {
        Path err = null;
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile());
            // In the system's temp directory, not the working one (often the repository), and removed after.
            err = Files.createTempFile("csrflow-cli-stderr", ".txt");
            builder.redirectError(err.toFile());
            Process process = builder.start();
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
            throw new IllegalStateException("cannot run " + command[0], e);
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
}
