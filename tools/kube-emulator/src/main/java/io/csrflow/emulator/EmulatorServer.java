package io.csrflow.emulator;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.HttpServerRequestHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;

/**
 * The emulator's HTTP(S) listener. It replaces fabric8's {@code MockWebServer} (whose requests
 * carry no TLS details) so that a caller's client certificate can authenticate it, as the API
 * server's x509 authenticator does: a certificate chaining to the client CA bundle is asked for,
 * not required (token callers connect without one); a certificate that does not chain fails the
 * handshake. The verified identity travels to the dispatcher in {@link ClientCertIdentity} headers,
 * which are removed from every incoming request first, so a caller can never set them itself.
 */
final class EmulatorServer implements AutoCloseable {
    private static final String[] WEBSOCKET_SUB_PROTOCOLS = {
        "v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io"};

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final boolean tls;
    private final String hostName;

    private EmulatorServer(InetAddress address, int port, boolean tls, Path clientCaBundle, Dispatcher dispatcher) {
        if (clientCaBundle != null && !tls) {
            throw new IllegalArgumentException("client certificates need HTTPS; drop --http or the client CA");
        }
        this.tls = tls;
        this.hostName = address.getHostAddress().equals("127.0.0.1") ? "localhost" : address.getHostAddress();
        HttpServerOptions options = new HttpServerOptions()
                .setHost(address.getHostAddress())
                .setPort(port)
                .setWebSocketSubProtocols(List.of(WEBSOCKET_SUB_PROTOCOLS))
                .setHandle100ContinueAutomatically(true);
        if (tls) {
            SelfSignedCertificate serving = SelfSignedCertificate.create(hostName);
            options.setSsl(true).setKeyCertOptions(serving.keyCertOptions());
            if (clientCaBundle != null) {
                options.setClientAuth(ClientAuth.REQUEST)
                        .setTrustOptions(new PemTrustOptions().addCertPath(clientCaBundle.toString()));
            }
        }
        HttpServerRequestHandler mock = new HttpServerRequestHandler(vertx) {
            @Override
            protected MockResponse onHttpRequest(RecordedRequest request) {
                return dispatcher.dispatch(request);
            }
        };
        this.server = vertx.createHttpServer(options).requestHandler(request -> {
            ClientCertIdentity.stripFrom(request.headers());
            X509Certificate peer = peerCertificate(request);
            if (peer != null) {
                ClientCertIdentity.of(peer).addTo(request.headers());
            }
            mock.handle(request);
        });
    }

    /** Listens on {@code address:port} (0: a free port); {@code clientCaBundle} may be null (tokens only). */
    static EmulatorServer start(InetAddress address, int port, boolean tls, Path clientCaBundle, Dispatcher dispatcher) {
        EmulatorServer emulatorServer = new EmulatorServer(address, port, tls, clientCaBundle, dispatcher);
        try {
            await(emulatorServer.server.listen(), "cannot listen on " + address.getHostAddress() + ":" + port);
        } catch (RuntimeException e) {
            emulatorServer.vertx.close();
            throw e;
        }
        return emulatorServer;
    }

    private static X509Certificate peerCertificate(HttpServerRequest request) {
        if (!request.isSSL() || request.sslSession() == null) {
            return null;
        }
        try {
            Certificate[] chain = request.sslSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x509 ? x509 : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    private static <T> T await(Future<T> future, String failure) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(failure + ": " + e.getMessage(), e);
        }
    }

    String hostName() {
        return hostName;
    }

    int port() {
        return server.actualPort();
    }

    boolean tls() {
        return tls;
    }

    @Override
    public void close() {
        await(server.close(), "cannot stop the emulator's listener");
        await(vertx.close(), "cannot stop Vert.x");
    }
}
