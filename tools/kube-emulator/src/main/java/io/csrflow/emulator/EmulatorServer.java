package io.csrflow.emulator;

import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLPeerUnverifiedException;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SelfSignedCertificate;

/**
 * The emulator's HTTP(S) listener. It replaces fabric8's {@code MockWebServer} (whose requests
 * carry no TLS details) so that a caller's client certificate can authenticate it, as the API
 * server's x509 authenticator does: a certificate chaining to the client CA bundle is asked for,
 * not required (token callers connect without one); a certificate that does not chain fails the
 * handshake. The verified identity travels to the dispatcher in {@link ClientCertIdentity} headers,
 * which are removed from every incoming request first, so a caller can never set them itself.
 *
 * <p>Every request goes to the dispatcher as a mock-server {@link RecordedRequest}; its answer is
 * written back, except a {@link WatchResponse}, which stays open as the API server serves watches:
 * chunked HTTP (one JSON event per line, what kubectl and client-go use) or a WebSocket (one event
 * per text message, what fabric8 clients try first), with BOOKMARKs every bookmark interval when
 * the client allows them, and closed at the watch's timeout.
 */
final class EmulatorServer implements AutoCloseable {
    private static final String[] WEBSOCKET_SUB_PROTOCOLS = {
        "v1.channel.k8s.io", "v2.channel.k8s.io", "v3.channel.k8s.io", "v4.channel.k8s.io"};

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final boolean tls;
    private final String hostName;

    /**
     * The certificate (chain) and private key, PEM files, served instead of a self-signed certificate,
     * as kube-apiserver's {@code --tls-cert-file} and {@code --tls-private-key-file}: clients can then
     * verify the server against the CA that issued it.
     */
    record ServingCertificate(Path certFile, Path keyFile) {
    }

    private EmulatorServer(InetAddress address, int port, boolean tls, Path clientCaBundle, ServingCertificate serving,
            Dispatcher dispatcher) {
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
        if (serving != null && !tls) {
            throw new IllegalArgumentException("a serving certificate needs HTTPS; drop --http or the certificate");
        }
        if (tls) {
            options.setSsl(true).setKeyCertOptions(serving == null ? SelfSignedCertificate.create(hostName).keyCertOptions()
                    : new PemKeyCertOptions().setCertPath(serving.certFile().toString())
                            .setKeyPath(serving.keyFile().toString()));
            if (clientCaBundle != null) {
                options.setClientAuth(ClientAuth.REQUEST)
                        .setTrustOptions(new PemTrustOptions().addCertPath(clientCaBundle.toString()));
            }
        }
        this.server = vertx.createHttpServer(options).requestHandler(request -> {
            ClientCertIdentity.stripFrom(request.headers());
            X509Certificate peer = peerCertificate(request);
            if (peer != null) {
                try {
                    ClientCertIdentity.of(peer).addTo(request.headers());
                } catch (IllegalArgumentException e) {
                    // The API server's x509 authenticator fails such a certificate: the request is unauthorized.
                    request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
                            .end(Json.write(Json.status(401, "Unauthorized", "Unauthorized", null)));
                    return;
                }
            }
            handle(request, dispatcher);
        });
    }

    private void handle(HttpServerRequest request, Dispatcher dispatcher) {
        if (isWebSocketUpgrade(request)) {
            respond(request, dispatcher, null);
            return;
        }
        request.body()
                .onSuccess(body -> respond(request, dispatcher, body.length() == 0 ? null : body.getBytes()))
                .onFailure(e -> {
                    if (!request.response().headWritten()) {
                        request.response().setStatusCode(400).end();
                    }
                });
    }

    private void respond(HttpServerRequest request, Dispatcher dispatcher, byte[] body) {
        RecordedRequest recorded = new RecordedRequest(request.version().alpnName().toUpperCase(Locale.ROOT),
                HttpMethod.fromVertx(request.method()), request.uri(),
                Headers.builder().addAll(request.headers()).build(),
                new io.fabric8.mockwebserver.http.Buffer(body));
        MockResponse answer = dispatcher.dispatch(recorded);
        if (answer instanceof WatchResponse watch) {
            serveWatch(request, watch.stream());
            return;
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(answer.code());
        answer.getHeaders().toMultimap().forEach((name, values) -> response.headers().add(name, values));
        if (answer.getBody() != null && answer.getBody().size() > 0) {
            response.end(Buffer.buffer(answer.getBody().getBytes()));
        } else {
            response.end();
        }
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    private void serveWatch(HttpServerRequest request, WatchStream stream) {
        Context context = vertx.getOrCreateContext();
        Executor executor = task -> context.runOnContext(ignored -> task.run());
        if (isWebSocketUpgrade(request)) {
            request.toWebSocket()
                    .onSuccess(socket -> {
                        socket.handler(ignored -> { });
                        Runnable stopTimers = startTimers(stream);
                        socket.closeHandler(ignored -> {
                            stopTimers.run();
                            stream.cancel();
                        });
                        stream.attach(webSocketSink(socket, stopTimers), executor);
                    })
                    .onFailure(e -> stream.cancel());
            return;
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        response.writeHead();
        Runnable stopTimers = startTimers(stream);
        response.closeHandler(ignored -> {
            stopTimers.run();
            stream.cancel();
        });
        stream.attach(httpSink(response, stopTimers), executor);
    }

    /** BOOKMARKs every bookmark interval (when the client allows them) and the end at the watch's timeout. */
    private Runnable startTimers(WatchStream stream) {
        long bookmarkMillis = stream.store().settings().bookmarkInterval().toMillis();
        long bookmarks = stream.bookmarks() ? vertx.setPeriodic(bookmarkMillis, id -> stream.bookmark()) : -1;
        long timeout = vertx.setTimer(stream.timeoutSeconds() * 1000, id -> stream.finish());
        return () -> {
            if (bookmarks >= 0) {
                vertx.cancelTimer(bookmarks);
            }
            vertx.cancelTimer(timeout);
        };
    }

    private static WatchStream.Sink httpSink(HttpServerResponse response, Runnable stopTimers) {
        return new WatchStream.Sink() {
            @Override
            public void send(byte[] frame) {
                if (!response.closed()) {
                    response.write(Buffer.buffer(frame));
                }
            }

            @Override
            public boolean congested() {
                return response.writeQueueFull();
            }

            @Override
            public void onDrained(Runnable drained) {
                response.drainHandler(ignored -> drained.run());
            }

            @Override
            public void end() {
                stopTimers.run();
                if (!response.closed() && !response.ended()) {
                    response.end();
                }
            }
        };
    }

    private static WatchStream.Sink webSocketSink(ServerWebSocket socket, Runnable stopTimers) {
        return new WatchStream.Sink() {
            @Override
            public void send(byte[] frame) {
                if (!socket.isClosed()) {
                    socket.writeTextMessage(new String(frame, StandardCharsets.UTF_8));
                }
            }

            @Override
            public boolean congested() {
                return socket.writeQueueFull();
            }

            @Override
            public void onDrained(Runnable drained) {
                socket.drainHandler(ignored -> drained.run());
            }

            @Override
            public void end() {
                stopTimers.run();
                if (!socket.isClosed()) {
                    socket.close((short) 1000);
                }
            }
        };
    }

    /**
     * Listens on {@code address:port} (0: a free port); {@code clientCaBundle} may be null (tokens only),
     * {@code serving} too (a self-signed certificate).
     */
    static EmulatorServer start(InetAddress address, int port, boolean tls, Path clientCaBundle,
            ServingCertificate serving, Dispatcher dispatcher) {
        EmulatorServer emulatorServer = new EmulatorServer(address, port, tls, clientCaBundle, serving, dispatcher);
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
