package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Field checks that Pods, Services and EndpointSlices share, in apimachinery's words: names of list
 * entries (containers, ports) that must be DNS labels and unique, port numbers and protocols.
 */
final class NetworkFields {
    private static final String DNS_LABEL_FORMAT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final Pattern DNS_LABEL = Pattern.compile(DNS_LABEL_FORMAT);
    private static final List<String> PROTOCOLS = List.of("SCTP", "TCP", "UDP");

    private NetworkFields() {
    }

    static boolean isDnsLabel(String value) {
        return value.length() <= 63 && DNS_LABEL.matcher(value).matches();
    }

    /** {@code IsDNS1123Label}'s message. */
    static String dnsLabelError() {
        return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
                + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '"
                + DNS_LABEL_FORMAT + "')";
    }

    /**
     * The name of entry {@code field} of a list whose names are DNS labels, unique within the list
     * ({@code seen}); an empty name is an error only when {@code required}.
     */
    static FieldError entryNameProblem(String field, String name, Set<String> seen, boolean required) {
        if (name.isEmpty()) {
            return required ? FieldError.required(field + ".name", "") : null;
        }
        if (!isDnsLabel(name)) {
            return FieldError.invalid(field + ".name", FieldError.quote(name), dnsLabelError());
        }
        return seen.add(name) ? null : FieldError.duplicate(field + ".name", FieldError.quote(name));
    }

    /** A port entry: its number (when {@code numberRequired} or given) 1–65535, its protocol TCP, UDP or SCTP. */
    static List<FieldError> portProblems(String field, JsonNode port, boolean numberRequired) {
        List<FieldError> errors = new ArrayList<>();
        if (numberRequired || port.hasNonNull("port")) {
            long number = port.path("port").asLong(0);
            if (number < 1 || number > 65535) {
                errors.add(FieldError.invalid(field + ".port", String.valueOf(number),
                        "must be between 1 and 65535, inclusive"));
            }
        }
        String protocol = port.path("protocol").asText();
        if (!PROTOCOLS.contains(protocol)) {
            errors.add(FieldError.notSupported(field + ".protocol", FieldError.quote(protocol), PROTOCOLS));
        }
        return errors;
    }
}
