package io.csrflow.emulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Function;

/** A minimal protobuf wire-format reader, for the protobuf bodies kubectl sends. */
final class ProtobufReader {
    private static final byte[] MAGIC = {'k', '8', 's', 0};

    private final ByteBuffer buffer;
    private int wireType;

    ProtobufReader(ByteBuffer buffer) {
        this.buffer = buffer.slice();
    }

    ProtobufReader(byte[] message) {
        this(ByteBuffer.wrap(message));
    }

    /**
     * Decodes an {@code application/vnd.kubernetes.protobuf} body: the magic {@code k8s\0}, then a
     * runtime.Unknown whose {@code raw} field (2) is the object, which {@code object} reads. A body
     * that is not that answers 400 BadRequest.
     */
    static <T> T decodeObject(byte[] body, Function<ProtobufReader, T> object) {
        if (body.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(body, MAGIC.length), MAGIC)) {
            throw new ApiException(400, "BadRequest", "protobuf body does not start with the k8s magic prefix");
        }
        try {
            byte[] raw = null;
            ProtobufReader unknown = new ProtobufReader(ByteBuffer.wrap(body, MAGIC.length,
                    body.length - MAGIC.length));
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
            return object.apply(new ProtobufReader(raw));
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApiException(400, "BadRequest", "malformed protobuf body: " + e);
        }
    }

    /** The embedded message of the length-delimited field just read by {@link #tag()}. */
    ProtobufReader message() {
        return new ProtobufReader(bytes());
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
