package io.csrflow.pki;

import java.util.List;

/** The SANs a CSR requests, by kind. IP addresses in their canonical text form. */
public record SubjectAltNames(List<String> dnsNames, List<String> ipAddresses, List<String> emails,
                              List<String> uris, List<String> others) {

    public static final SubjectAltNames NONE = new SubjectAltNames(List.of(), List.of(), List.of(), List.of(),
            List.of());

    public SubjectAltNames {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        emails = List.copyOf(emails);
        uris = List.copyOf(uris);
        others = List.copyOf(others);
    }

    public int count() {
        return dnsNames.size() + ipAddresses.size() + emails.size() + uris.size() + others.size();
    }
}
