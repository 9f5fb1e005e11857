package io.csrflow.emulator;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A running Kubernetes API emulator: {@link ApiServerDispatcher} (the API server's rules over the
 * emulator's {@link ObjectStore}) on {@link EmulatorServer}. Usable in-process from tests and standalone
 * through {@link KubeEmulatorMain}.
 */
public final class KubeEmulator implements AutoCloseable {
    private final RequestCounter requests = new RequestCounter();
    private final ApiServerDispatcher dispatcher;
    private final EmulatorServer server;

    private KubeEmulator(EmulatorConfig config, Clock clock, String host, int port, boolean https, Path clientCa,
            EmulatorServer.ServingCertificate serving, ObjectStore.Settings storeSettings) {
        // Discovery documents name the address the server ends up listening on (port 0 picks one).
        this.dispatcher = new ApiServerDispatcher(config, clock, requests, this::hostAndPort, storeSettings);
        try {
            this.server = EmulatorServer.start(InetAddress.getByName(host), port, https, clientCa, serving, dispatcher);
        } catch (IOException e) {
            throw new IllegalStateException("cannot resolve " + host, e);
        }
    }

    /** Starts on {@code host:port} (port 0 picks a free one); callers authenticate with tokens. */
    public static KubeEmulator start(EmulatorConfig config, String host, int port, boolean https) {
        return new KubeEmulator(config, Clock.systemUTC(), host, port, https, null, null, ObjectStore.Settings.DEFAULTS);
    }

    /** For tests of watch history and bookmarks: a short history, frequent bookmarks, over HTTP on loopback. */
    static KubeEmulator startWithStore(ObjectStore.Settings storeSettings) {
        return new KubeEmulator(EmulatorConfig.defaults(), Clock.systemUTC(), "127.0.0.1", 0, false, null, null,
                storeSettings);
    }

    /**
     * Starts over HTTPS and also authenticates callers by client certificates that chain to a
     * certificate in {@code clientCaBundle} (PEM), as the API server's {@code --client-ca-file}.
     */
    public static KubeEmulator startWithClientCa(EmulatorConfig config, String host, int port, Path clientCaBundle) {
        return new KubeEmulator(config, Clock.systemUTC(), host, port, true, clientCaBundle, null,
                ObjectStore.Settings.DEFAULTS);
    }

    /**
     * Starts over HTTPS with the certificate and key in the given PEM files, as kube-apiserver's
     * {@code --tls-cert-file} and {@code --tls-private-key-file}, so that clients verify the server
     * against the CA that issued it; {@code clientCaBundle} may be null (tokens only).
     */
    public static KubeEmulator startWithServingCertificate(EmulatorConfig config, String host, int port,
            Path clientCaBundle, Path certFile, Path keyFile) {
        return new KubeEmulator(config, Clock.systemUTC(), host, port, true, clientCaBundle,
                new EmulatorServer.ServingCertificate(certFile, keyFile), ObjectStore.Settings.DEFAULTS);
    }

    /** An emulator with the default config on a free loopback port, over HTTP. */
    public static KubeEmulator startDefault() {
        return start(EmulatorConfig.defaults(), "127.0.0.1", 0, false);
    }

    private String hostAndPort() {
        return server.hostName() + ":" + server.port();
    }

    public String url() {
        return (server.tls() ? "https://" : "http://") + server.hostName() + ":" + server.port();
    }

    public int port() {
        return server.port();
    }

    public RequestCounter requests() {
        return requests;
    }

    /** Makes another caller known, e.g. a kubelet identity. */
    public void addUser(EmulatorConfig.User user) {
        dispatcher.authenticator().add(user);
    }

    /** A client configuration that authenticates with {@code token}. */
    public Config clientConfig(String token) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withOauthToken(token)
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                .withRequestTimeout(10_000)
                .build();
    }

    /** A client configuration that authenticates with a client certificate and its key (PEM). */
    public Config clientConfig(String certificatePem, String privateKeyPem) {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url())
                .withClientCertData(Base64.getEncoder().encodeToString(certificatePem.getBytes()))
                .withClientKeyData(Base64.getEncoder().encodeToString(privateKeyPem.getBytes()))
                .withClientKeyAlgo(keyAlgorithm(privateKeyPem))
                .withTrustCerts(true)
                .withDisableHostnameVerification(true)
                .withRequestTimeout(10_000)
                .build();
    }

    /** fabric8 must be told the algorithm of a PKCS#8 key; it reads RSA only by default. */
    static String keyAlgorithm(String privateKeyPem) {
        try (PEMParser parser = new PEMParser(
                new StringReader(privateKeyPem))) {
            Object parsed = parser.readObject();
            PrivateKeyInfo info = parsed instanceof PEMKeyPair pair
                    ? pair.getPrivateKeyInfo() : (PrivateKeyInfo) parsed;
            return X9ObjectIdentifiers.id_ecPublicKey.equals(
                    info.getPrivateKeyAlgorithm().getAlgorithm()) ? "EC" : "RSA";
        } catch (IOException | ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a PEM private key", e);
        }
    }

    public KubernetesClient client(String token) {
        return new KubernetesClientBuilder().withConfig(clientConfig(token)).build();
    }

    /** Writes a kubeconfig for kubectl that logs in with {@code token}. */
    public Path writeKubeconfig(Path file, String token) throws IOException {
        String kubeconfig = """
                apiVersion: v1
                kind: Config
                clusters:
                  - name: csrflow-emulator
                    cluster:
                      server: %s
                %s
                users:
                  - name: csrflow-user
                    user:
                      token: %s
                contexts:
                  - name: csrflow-emulator
                    context:
                      cluster: csrflow-emulator
                      user: csrflow-user
                current-context: csrflow-emulator
                """.formatted(url(), server.tls() ? "      insecure-skip-tls-verify: true" : "", token);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, kubeconfig);
        return file;
    }

    @Override
    public void close() {
        server.close();
    }
}
