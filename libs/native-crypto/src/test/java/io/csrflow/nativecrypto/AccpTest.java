package io.csrflow.nativecrypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.Security;
import java.security.Signature;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** This test JVM is the one that has ACCP put first: the module's tests are its only users. */
class AccpTest {

    @Test
    void firstAmongTheProvidersWithTlsStillWorkingAndTheKeyExchangeOnP256(@TempDir Path dir) throws Exception {
        // ACCP's jar is for linux-x86_64; elsewhere preferFirst says why it changed nothing.
        assumeTrue(Accp.problem() == null, () -> "ACCP does not load here: " + Accp.problem());

        String said = Accp.preferFirst();

        assertTrue(said.startsWith("ACCP "), said);
        assertEquals(Accp.provider(), Security.getProviders()[0]);
        assertEquals(Accp.provider(), KeyPairGenerator.getInstance("EC").getProvider());
        assertEquals(Accp.provider(), Signature.getInstance("SHA256withECDSA").getProvider());
        assertTrue(System.getProperty(Accp.NAMED_GROUPS).startsWith("secp256r1,"));

        // A TLS 1.3 handshake, mutual, with an EC key, through JSSE with ACCP underneath.
        Path store = dir.resolve("tls.p12");
        Process keytool = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString(), "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "tls", "-dname",
                "CN=localhost", "-validity", "1", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass",
                "changeit")).redirectErrorStream(true).start();
        assertEquals(0, keytool.waitFor(), new String(keytool.getInputStream().readAllBytes()));
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keys);
        SSLContext tls = SSLContext.getInstance("TLSv1.3");
        tls.init(keyManagers.getKeyManagers(), trust.getTrustManagers(), null);

        try (SSLServerSocket server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0)) {
            server.setNeedClientAuth(true);
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    int b = accepted.getInputStream().read();
                    accepted.getOutputStream().write(b + 1);
                    accepted.getOutputStream().flush();
                    return accepted.getSession().getPeerPrincipal().getName();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket client = (SSLSocket) tls.getSocketFactory().createSocket("localhost", server.getLocalPort())) {
                OutputStream out = client.getOutputStream();
                out.write(41);
                out.flush();
                assertEquals(42, client.getInputStream().read());
                assertEquals("TLSv1.3", client.getSession().getProtocol());
            }
            assertEquals("CN=localhost", served.get(30, TimeUnit.SECONDS));
        }
    }
}
