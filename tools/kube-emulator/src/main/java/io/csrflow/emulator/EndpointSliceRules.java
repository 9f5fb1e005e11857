package io.csrflow.emulator;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code discovery.k8s.io/v1} EndpointSlices as the API server validates them: {@code addressType}
 * required, one of IPv4, IPv6 and FQDN, and immutable; every endpoint with 1 to 100 addresses of that
 * type (IPs that can be a pod's: not unspecified, loopback or link-local); ports numbered 1–65535
 * when given, protocol TCP by default. {@code targetRef} and the {@code kubernetes.io/service-name}
 * label are kept as written.
 */
final class EndpointSliceRules implements ObjectRules {
    private static final String KIND = "EndpointSlice.discovery.k8s.io";
    private static final List<String> ADDRESS_TYPES = List.of("FQDN", "IPv4", "IPv6");
    private static final int MAX_ADDRESSES = 100;

    @Override
    public void create(ObjectNode slice, String namespace) {
        check(slice, null);
    }

    @Override
    public void update(ObjectNode stored, ObjectNode updated, ObjectStore.Part part) {
        check(updated, stored.path("addressType").asText(""));
    }

    private static void check(ObjectNode slice, String storedAddressType) {
        for (JsonNode port : slice.path("ports")) {
            if (port instanceof ObjectNode p && p.path("protocol").asText("").isEmpty()) {
                p.put("protocol", "TCP");
            }
        }
        List<FieldError> errors = new ArrayList<>(ObjectMetaRules.labelsAndAnnotations(slice.path("metadata")));
        String type = slice.path("addressType").asText("");
        if (type.isEmpty()) {
            errors.add(FieldError.required("addressType", ""));
        } else if (!ADDRESS_TYPES.contains(type)) {
            errors.add(FieldError.notSupported("addressType", FieldError.quote(type), ADDRESS_TYPES));
        } else if (storedAddressType != null && !storedAddressType.equals(type)) {
            errors.add(FieldError.invalid("addressType", FieldError.quote(type), "field is immutable"));
        }
        JsonNode endpoints = slice.path("endpoints");
        for (int i = 0; i < endpoints.size(); i++) {
            JsonNode addresses = endpoints.get(i).path("addresses");
            String field = "endpoints[" + i + "].addresses";
            if (!addresses.isArray() || addresses.isEmpty()) {
                errors.add(FieldError.required(field, "must contain at least 1 address"));
            } else if (addresses.size() > MAX_ADDRESSES) {
                errors.add(new FieldError("FieldValueTooMany", field, null, "must have at most " + MAX_ADDRESSES
                        + " items"));
            }
            for (int a = 0; a < addresses.size(); a++) {
                String problem = addressProblem(type, addresses.get(a).asText(""));
                if (problem != null) {
                    errors.add(FieldError.invalid(field + "[" + a + "]", FieldError.quote(addresses.get(a)
                            .asText("")), problem));
                }
            }
        }
        JsonNode ports = slice.path("ports");
        for (int i = 0; i < ports.size(); i++) {
            errors.addAll(NetworkFields.portProblems("ports[" + i + "]", ports.get(i), false));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalidFields(KIND, slice.path("metadata").path("name").asText(""), errors);
        }
    }

    private static String addressProblem(String type, String address) {
        switch (type) {
            case "IPv4", "IPv6" -> {
                boolean right = type.equals("IPv4") ? IpAddresses.isIpv4(address) : IpAddresses.isIpv6(address);
                if (!right) {
                    return "must be a valid " + type + " address";
                }
                return IpAddresses.specialProblem(IpAddresses.parse(address));
            }
            case "FQDN" -> {
                return address.length() <= 253 && address.contains(".") && address.matches(
                        "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
                        ? null : "should be a domain with at least two segments separated by dots";
            }
            default -> {
                return null;
            }
        }
    }
}
