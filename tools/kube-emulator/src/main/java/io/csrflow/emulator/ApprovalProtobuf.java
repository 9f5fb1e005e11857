package io.csrflow.emulator;

import java.nio.ByteBuffer;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the protobuf body that {@code kubectl certificate approve|deny} sends to {@code /approval}
 * ({@code application/vnd.kubernetes.protobuf}): the magic {@code k8s\0}, a runtime.Unknown whose
 * {@code raw} field is the CertificateSigningRequest. Only the fields an approval update reads are
 * decoded: metadata.name, metadata.resourceVersion and status.conditions.
 */
final class ApprovalProtobuf {
    private ApprovalProtobuf() {
    }

    static ObjectNode decode(byte[] body) {
        return ProtobufReader.decodeObject(body, ApprovalProtobuf::csr);
    }

    private static ObjectNode csr(ProtobufReader in) {
        ObjectNode csr = Json.MAPPER.createObjectNode();
        ArrayNode conditions = csr.putObject("status").putArray("conditions");
        while (in.more()) {
            int field = in.tag();
            if (field == 1) {
                metadata(new ProtobufReader(ByteBuffer.wrap(in.bytes())), csr.putObject("metadata"));
            } else if (field == 3) {
                ProtobufReader status = new ProtobufReader(ByteBuffer.wrap(in.bytes()));
                while (status.more()) {
                    if (status.tag() == 1) {
                        conditions.add(condition(new ProtobufReader(ByteBuffer.wrap(status.bytes()))));
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

    private static void metadata(ProtobufReader in, ObjectNode metadata) {
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

    private static ObjectNode condition(ProtobufReader in) {
        ObjectNode condition = Json.MAPPER.createObjectNode();
        while (in.more()) {
            int field = in.tag();
            switch (field) {
                case 1 -> condition.put("type", in.string());
                case 2 -> condition.put("reason", in.string());
                case 3 -> condition.put("message", in.string());
                case 4 -> putTime(condition, "lastUpdateTime", new ProtobufReader(ByteBuffer.wrap(in.bytes())));
                case 5 -> putTime(condition, "lastTransitionTime", new ProtobufReader(ByteBuffer.wrap(in.bytes())));
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
    private static void putTime(ObjectNode condition, String field, ProtobufReader in) {
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
}
