package io.csrflow.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker key and self-signed certificate for 127.0.0.1 made with the JDK's {@code keytool}: a
 * PKCS#12 keystore for the broker and the certificate as PEM, which clients trust as their CA.
 */
final class BrokerKeystore {
    static final String PASSWORD = "broker-keystore";

    private BrokerKeystore() {
    }

    static Path keystoreFile(Path dir) {
        return dir.resolve("broker.p12");
    }

    static Path caFile(Path dir) {
        return dir.resolve("broker-ca.crt");
    }

    static void create(Path dir) throws IOException {
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg",
                "SHA256withECDSA", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystoreFile(dir).toString(), "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystoreFile(dir).toString(), "-storepass",
                PASSWORD, "-file", caFile(dir).toString());
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
