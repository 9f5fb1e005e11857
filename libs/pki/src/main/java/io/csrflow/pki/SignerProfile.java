package io.csrflow.pki;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a signer without Kubernetes' own rules may certify: the usages of its kinds (server, client
 * or both), the SAN types, how many SANs, whether the CN must be one of the SANs, and the longest
 * lifetime. A request outside it is refused with the first rule it breaks, checked in a fixed order
 * so that the answer is always the same for the same request.
 */
public record SignerProfile(Set<Kind> kinds, Set<SanType> sanTypes, int maxSans, boolean commonNameInSans,
                            Duration maxDuration) {

    /** A family of certificates and the Kubernetes usages it consists of. */
    public enum Kind {
        SERVER("server auth"),
        CLIENT("client auth");

        private final String extendedUsage;
        private final List<String> usages;

        Kind(String extendedUsage) {
            this.extendedUsage = extendedUsage;
            this.usages = List.of("digital signature", "key encipherment", extendedUsage);
        }

        public List<String> usages() {
            return usages;
        }

        /** The extended key usage that makes a certificate of this kind. */
        String extendedUsage() {
            return extendedUsage;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The SAN kinds a profile may allow; the CSR verifier refuses every other kind anyway. */
    public enum SanType {
        DNS, IP, URI, EMAIL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The name of each rule, as it appears in the refusal and in the {@code check} label of metrics. */
    public static final String USAGES = "profile/usages";
    public static final String SAN_TYPES = "profile/san-types";
    public static final String SAN_COUNT = "profile/max-sans";
    public static final String COMMON_NAME = "profile/common-name";

    public SignerProfile {
        kinds = Set.copyOf(kinds);
        sanTypes = Set.copyOf(sanTypes);
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("usages: name at least one of server, client");
        }
        if (sanTypes.isEmpty()) {
            throw new IllegalArgumentException("san-types: name at least one of dns, ip, uri, email");
        }
        if (maxSans < 1) {
            throw new IllegalArgumentException("max-sans: must be at least 1, not " + maxSans);
        }
        if (maxDuration.compareTo(Validity.MINIMUM) < 0) {
            throw new IllegalArgumentException("max-duration: must be at least " + Validity.MINIMUM.toMinutes()
                    + " minutes (the shortest certificate Kubernetes issues), not " + maxDuration);
        }
    }

    /** Reads {@code server}/{@code client} and {@code dns}/{@code ip}/{@code uri}/{@code email} as configured. */
    public static SignerProfile of(Collection<String> usages, Collection<String> sanTypes, int maxSans,
            boolean commonNameInSans, Duration maxDuration) {
        return new SignerProfile(parse("usages", usages, Kind.class), parse("san-types", sanTypes, SanType.class),
                maxSans, commonNameInSans, maxDuration);
    }

    private static <E extends Enum<E>> Set<E> parse(String key, Collection<String> values, Class<E> type) {
        Set<E> parsed = EnumSet.noneOf(type);
        for (String value : values) {
            String name = value.trim().toUpperCase(Locale.ROOT);
            try {
                parsed.add(Enum.valueOf(type, name));
            } catch (IllegalArgumentException e) {
                List<String> known = new ArrayList<>();
                for (E constant : type.getEnumConstants()) {
                    known.add(constant.name().toLowerCase(Locale.ROOT));
                }
                throw new IllegalArgumentException(key + ": unknown value \"" + CsrParser.escape(value)
                        + "\"; use " + String.join(", ", known), e);
            }
        }
        return parsed;
    }

    /** Every Kubernetes usage the profile's kinds allow. */
    public Set<String> allowedUsages() {
        Set<String> allowed = new LinkedHashSet<>();
        kinds.stream().sorted().forEach(k -> allowed.addAll(k.usages()));
        return allowed;
    }

    /** The first rule the request breaks: its name ({@link #USAGES}...) and what breaks it; empty if none. */
    public Optional<RuleCheck> firstViolation(List<String> usages, ParsedCsr csr) {
        Set<String> allowed = allowedUsages();
        for (String usage : usages) {
            if (!allowed.contains(usage)) {
                return violation(USAGES, "usage \"" + CsrParser.escape(usage) + "\" is not allowed; the profile "
                        + "allows " + kindsText() + ": " + String.join(", ", allowed));
            }
        }
        // Without an extended key usage a certificate serves any purpose (RFC 5280, 4.2.1.12): a client-only
        // profile would issue what a TLS server may present, so one of the profile's own is required.
        List<String> extended = kinds.stream().sorted().map(Kind::extendedUsage).toList();
        if (usages.stream().noneMatch(extended::contains)) {
            return violation(USAGES, "the request names no extended key usage, and a certificate without one is "
                    + "valid for any purpose; ask for " + String.join(" or ", extended.stream().map(u -> "\"" + u
                    + "\"").toList()));
        }
        SubjectAltNames sans = csr.sans();
        for (Map.Entry<SanType, List<String>> byType : Map.of(SanType.DNS, sans.dnsNames(), SanType.IP,
                sans.ipAddresses(), SanType.URI, sans.uris(), SanType.EMAIL, sans.emails()).entrySet().stream()
                .sorted(Map.Entry.comparingByKey()).toList()) {
            if (!byType.getValue().isEmpty() && !sanTypes.contains(byType.getKey())) {
                return violation(SAN_TYPES, byType.getKey().label() + " SAN \"" + CsrParser.escape(byType.getValue()
                        .get(0)) + "\" is not allowed; the profile allows " + sanTypesText() + " SANs");
            }
        }
        if (!sans.others().isEmpty()) {
            return violation(SAN_TYPES, "SAN of type " + CsrParser.escape(sans.others().get(0))
                    + " is not allowed; the profile allows " + sanTypesText() + " SANs");
        }
        int count = sans.count();
        if (count == 0) {
            return violation(SAN_COUNT, "the request names no SAN; a certificate of this signer needs at least one");
        }
        if (count > maxSans) {
            return violation(SAN_COUNT, "the request names " + count + " SANs; the profile allows at most " + maxSans);
        }
        String cn = csr.commonName();
        if (commonNameInSans && cn != null && !cn.isEmpty() && !names(sans).contains(cn.toLowerCase(Locale.ROOT))) {
            return violation(COMMON_NAME, "CN \"" + CsrParser.escape(cn) + "\" is not one of the SANs; the profile "
                    + "requires an empty CN or one of the SANs");
        }
        return Optional.empty();
    }

    private static Set<String> names(SubjectAltNames sans) {
        Set<String> names = new TreeSet<>();
        sans.dnsNames().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        names.addAll(sans.ipAddresses());
        sans.uris().forEach(names::add);
        sans.emails().forEach(n -> names.add(n.toLowerCase(Locale.ROOT)));
        return names;
    }

    private String kindsText() {
        return String.join(" and ", kinds.stream().sorted().map(Kind::label).toList());
    }

    private String sanTypesText() {
        return String.join(", ", sanTypes.stream().sorted().map(SanType::label).toList());
    }

    private static Optional<RuleCheck> violation(String rule, String detail) {
        return Optional.of(new RuleCheck(rule, false, detail));
    }
}
