package io.csrflow.emulator;

import io.fabric8.mockwebserver.http.MockResponse;

/**
 * The dispatcher's answer to a watch request: not a body but an open {@link WatchStream}, which
 * {@link EmulatorServer} serves over chunked HTTP or a WebSocket, whichever the client asked for.
 */
final class WatchResponse extends MockResponse {
    private final WatchStream stream;

    WatchResponse(WatchStream stream) {
        this.stream = stream;
        setResponseCode(200);
        setHeader("Content-Type", "application/json");
    }

    WatchStream stream() {
        return stream;
    }
}
