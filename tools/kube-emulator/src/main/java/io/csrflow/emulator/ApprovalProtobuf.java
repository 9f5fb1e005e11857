package io.csrflow.emulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the protobuf body that {@code kubectl certificate approve|deny} sends to {@code /approval}
 * ({@code application/vnd.kubernetes.protobuf}): the magic {@code k8s\0}, a runtime.Unknown whose
 * {@code raw} field is the CertificateSigningRequest. Only the fields an approval update reads are
 * decoded: metadata.name, metadata.resourceVersion and status.conditions.
 */
final class ApprovalProtobuf {
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private ApprovalProtobuf() {
    }

    static ObjectNode decode(byte[] body) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw new ApiException(400, "BadRequest", "protobuf body does not start with the k8s magic prefix");
        }
        try {
            byte[] raw = null;
            Reader unknown = new Reader(ByteBuffer.wrap(body, MAGIC.length, body.length - MAGIC.length));
            while (unknown.more()) {
                int field = unknown.tag();
                if (field == 2) {
                    raw = unknown.bytes();
                } else {
                    unknown.skip();
                }
            }
            if (raw == null) {
                throw new ApiException(400, "BadRequest", "protobuf body has no object");
            }
            return csr(new Reader(ByteBuffer.wrap(raw)));
        } catch (RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            throw new ApiException(400, "BadRequest", "malformed protobuf body: " + e);
        }
    }

    private static ObjectNode csr(Reader in) {
        ObjectNode csr = Json.MAPPER.createObjectNode();
        ArrayNode conditions = csr.putObject("status").putArray("conditions");
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata(new Reader(ByteBuffer.wrap(in.bytes())), csr.putObject("metadata"));
            } else if (field == 3) {
                Reader status = new Reader(ByteBuffer.wrap(in.bytes()));
                while (status.more()) {
                    if (status.tag() == 1) {
                        conditions.add(condition(new Reader(ByteBuffer.wrap(status.bytes()))));
                    } else {
                        status.skip();
                    }
                }
            } else {
                in.skip();
            }
        }
        return csr;
    }

    private static void metadata(Reader in, ObjectNode metadata) {
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata.put("name", in.string());
            } else if (field == 6) {
                metadata.put("resourceVersion", in.string());
            } else {
                in.skip();
            }
        }
    }

    private static ObjectNode condition(Reader in) {
        ObjectNode condition = Json.MAPPER.createObjectNode();
        while (in.more()) {
            int field = in.tag();
            switch (field) {
                case 1 -> condition.put("type", in.string());
                case 2 -> condition.put("reason", in.string());
                case 3 -> condition.put("message", in.string());
                case 4 -> putTime(condition, "lastUpdateTime", new Reader(ByteBuffer.wrap(in.bytes())));
                case 5 -> putTime(condition, "lastTransitionTime", new Reader(ByteBuffer.wrap(in.bytes())));
                case 6 -> condition.put("status", in.string());
                default -> in.skip();
            }
        }
        return condition;
    }

    /**
     * meta/v1 Time: seconds (1), nanos (2); the API keeps second precision. A zero time (kubectl
     * sends one for lastTransitionTime) is left out so that the server stamps it, as the API server does.
     */
    private static void putTime(ObjectNode condition, String field, Reader in) {
        long seconds = 0;
        while (in.more()) {
            if (in.tag() == 1) {
                seconds = in.varint();
            } else {
                in.skip();
            }
        }
        if (seconds > 0) {
            condition.put(field, Instant.ofEpochSecond(seconds).toString());
        }
    }

    /** A minimal protobuf wire-format reader. */
    private static final class Reader {
        private final ByteBuffer buffer;
        private int wireType;

        Reader(ByteBuffer buffer) {
            this.buffer = buffer.slice();
        }

        boolean more() {
            return buffer.hasRemaining();
        }

        int tag() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = buffer.get();
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }

        byte[] bytes() {
            if (wireType != 2) {
                throw new IllegalArgumentException("expected a length-delimited field, wire type " + wireType);
            }
            long length = varint();
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("field length " + length + " exceeds the message");
            }
            byte[] bytes = new byte[(int) length];
            buffer.get(bytes);
            return bytes;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> buffer.position(buffer.position() + 8);
                case 2 -> bytes();
                case 5 -> buffer.position(buffer.position() + 4);
                default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
            }
        }
    }
}
