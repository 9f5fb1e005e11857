package io.csrflow.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A watch over plain HTTP/1.1 as kubectl and client-go make it: a GET whose chunked response
 * carries one JSON event per line. Read on a socket of its own so that a test sees each event as
 * it arrives, sees the server end the stream, and can drop the connection.
 */
final class RawWatch implements AutoCloseable {
    /** Put in the queue when the server ends the stream. */
    static final JsonNode END = Json.MAPPER.createObjectNode().put("type", "END-OF-STREAM");

    private final Socket socket;
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final int status;

    private RawWatch(Socket socket, int status) {
        this.socket = socket;
        this.status = status;
    }

    /** Opens {@code pathAndQuery} (watch=true is added) on {@code baseUrl} with a bearer token. */
    static RawWatch open(String baseUrl, String pathAndQuery, String token) throws IOException {
        URI uri = URI.create(baseUrl);
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        String path = pathAndQuery + (pathAndQuery.contains("?") ? "&" : "?") + "watch=true";
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nAuthorization: Bearer " + token + "\r\nAccept: application/json\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String statusLine = line(in);
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            chunked |= header.toLowerCase(java.util.Locale.ROOT).startsWith("transfer-encoding: chunked");
        }
        RawWatch watch = new RawWatch(socket, Integer.parseInt(statusLine.split(" ")[1]));
        boolean isChunked = chunked;
        Thread reader = new Thread(() -> watch.read(in, isChunked), "raw-watch");
        reader.setDaemon(true);
        reader.start();
        return watch;
    }

    int status() {
        return status;
    }

    /** The next event, or null if none arrives in time; {@link #END} when the server ended the stream. */
    JsonNode next(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next event that is not a BOOKMARK. */
    JsonNode nextChange(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode event = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (event == null || !"BOOKMARK".equals(event.path("type").asText())) {
                return event;
            }
        }
    }

    private void read(InputStream in, boolean chunked) {
        ByteArrayOutputStream lineBuffer = new ByteArrayOutputStream();
        try {
            while (true) {
                int length;
                if (chunked) {
                    String size = line(in);
                    length = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (length == 0) {
                        break;
                    }
                } else {
                    length = Integer.MAX_VALUE;
                }
                for (int i = 0; i < length; i++) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    if (b == '\n') {
                        events.add(Json.MAPPER.readTree(lineBuffer.toByteArray()));
                        lineBuffer.reset();
                    } else {
                        lineBuffer.write(b);
                    }
                }
                if (chunked) {
                    line(in);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the connection went away: the stream has ended
        } finally {
            events.add(END);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
