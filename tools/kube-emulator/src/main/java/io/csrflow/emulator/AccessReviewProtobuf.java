package io.csrflow.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads the protobuf body of a SelfSubjectAccessReview or SubjectAccessReview
 * ({@code authorization.k8s.io/v1}), as {@code kubectl auth can-i} sends one, into its JSON form:
 * the spec's resource or non-resource attributes, and for a SubjectAccessReview its user, groups
 * and uid.
 */
final class AccessReviewProtobuf {
    private AccessReviewProtobuf() {
    }

    static ObjectNode decode(byte[] body) {
        return ProtobufReader.decodeObject(body, AccessReviewProtobuf::review);
    }

    private static ObjectNode review(ProtobufReader in) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        ObjectNode spec = review.putObject("spec");
        while (in.more()) {
            if (in.tag() == 2) {
                spec(in.message(), spec);
            } else {
                in.skip();
            }
        }
        return review;
    }

    private static void spec(ProtobufReader in, ObjectNode spec) {
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> resourceAttributes(in.message(), spec.putObject("resourceAttributes"));
                case 2 -> nonResourceAttributes(in.message(), spec.putObject("nonResourceAttributes"));
                case 3 -> spec.put("user", in.string());
                case 4 -> spec.withArray("groups").add(in.string());
                case 6 -> spec.put("uid", in.string());
                default -> in.skip();
            }
        }
    }

    private static void resourceAttributes(ProtobufReader in, ObjectNode attributes) {
        String[] fields = {null, "namespace", "verb", "group", "version", "resource", "subresource", "name"};
        while (in.more()) {
            int field = in.tag();
            if (field >= 1 && field < fields.length) {
                attributes.put(fields[field], in.string());
            } else {
                in.skip();
            }
        }
    }

    private static void nonResourceAttributes(ProtobufReader in, ObjectNode attributes) {
        while (in.more()) {
            switch (in.tag()) {
                case 1 -> attributes.put("path", in.string());
                case 2 -> attributes.put("verb", in.string());
                default -> in.skip();
            }
        }
    }
}
