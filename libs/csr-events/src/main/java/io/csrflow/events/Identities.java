package io.csrflow.events;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The one rule that says whose a certificate is, shared by every producer of identities (the
 * signer's {@code cert.issued}, the rotation-scheduler's sightings from {@code csr.observed}), so
 * that one certificate has one identity whoever announces it:
 * <ol>
 * <li>A kubelet signer ({@code kubernetes.io/kube-apiserver-client-kubelet},
 * {@code kubernetes.io/kubelet-serving}): subject identity {@code (signer, CN)}, whoever asked; a
 * kubelet may bootstrap with a ServiceAccount token, and its certificate is still its node's.</li>
 * <li>Requester {@code system:serviceaccount:<ns>:<sa>}: workload identity {@code (signer, ns, sa,
 * name)}, where name is the subject CN; if the CN is empty or absent, the first DNS SAN; if there is
 * none, the first IP SAN (in the certificate's order, IPv6 as {@link InetAddress#getHostAddress()}
 * writes it); if there is none either, the empty string.</li>
 * <li>Anyone else (people, nodes with other signers, a user name that starts like a ServiceAccount's
 * but names none): subject identity {@code (signer, CN)}, the CN empty if absent.</li>
 * </ol>
 */
public final class Identities {
    /** The requester prefix of a ServiceAccount, as the API server writes {@code spec.username}. */
    public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";
    private static final Set<String> KUBELET_SIGNERS = Set.of("kubernetes.io/kube-apiserver-client-kubelet",
            "kubernetes.io/kubelet-serving");
    private static final int DNS_SAN = 2;
    private static final int IP_SAN = 7;

    private Identities() {
    }

    /**
     * The identity of a certificate for signer {@code signerName}, requested by {@code requester}
     * (the CSR's {@code spec.username}, may be null), with subject CN {@code commonName} (null or
     * empty when absent) and these SANs in the certificate's order. Never fails.
     */
    public static Identity of(String signerName, String requester, String commonName, List<String> dnsNames,
            List<String> ipAddresses) {
        String cn = commonName == null ? "" : commonName;
        String[] serviceAccount = KUBELET_SIGNERS.contains(signerName) ? null : serviceAccount(requester);
        if (serviceAccount == null) {
            return new Identity(signerName, cn);
        }
        return Identity.workload(signerName, serviceAccount[0], serviceAccount[1],
                workloadName(cn, dnsNames, ipAddresses));
    }

    /**
     * Namespace and name of a ServiceAccount requester, or null for anyone else. A user name that
     * merely starts like one but names no possible ServiceAccount ({@code system:serviceaccount:x},
     * a client certificate's CN can say anything) is a person's: it gets a subject identity rather
     * than an error, so that no requester can stop a certificate from being announced.
     */
    private static String[] serviceAccount(String requester) {
        if (requester == null || !requester.startsWith(SERVICE_ACCOUNT_PREFIX)) {
            return null;
        }
        String rest = requester.substring(SERVICE_ACCOUNT_PREFIX.length());
        int colon = rest.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String namespace = rest.substring(0, colon);
        String name = rest.substring(colon + 1);
        try {
            Identity.requireNamespace(namespace);
            Identity.requireServiceAccount(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return new String[] {namespace, name};
    }

    /** {@link #of(String, String, String, List, List)} with the SANs read from the certificate itself. */
    public static Identity of(String signerName, String requester, String commonName, X509Certificate certificate) {
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new IllegalArgumentException("the certificate's subject alternative names do not parse: "
                    + e.getMessage(), e);
        }
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                if (type == DNS_SAN) {
                    dns.add((String) san.get(1));
                } else if (type == IP_SAN) {
                    ips.add((String) san.get(1));
                }
            }
        }
        return of(signerName, requester, commonName, dns, ips);
    }

    /** The requester a workload identity stands for: {@code system:serviceaccount:<ns>:<sa>}; null for others. */
    public static String requester(Identity identity) {
        return identity.isWorkload()
                ? SERVICE_ACCOUNT_PREFIX + identity.namespace() + ":" + identity.serviceAccount()
                : null;
    }

    private static String workloadName(String cn, List<String> dnsNames, List<String> ipAddresses) {
        if (!cn.isEmpty()) {
            return cn;
        }
        if (dnsNames != null && !dnsNames.isEmpty()) {
            return dnsNames.get(0);
        }
        if (ipAddresses != null && !ipAddresses.isEmpty()) {
            return canonicalIp(ipAddresses.get(0));
        }
        return "";
    }

    /**
     * IPv6 text in one form whatever wrote it (a CSR parser, the JDK's certificate parser); IPv4
     * text is already dotted decimal. Only text with a ':' is parsed, in brackets, which Java reads
     * as an IPv6 literal or refuses, and never resolves as a host name.
     */
    private static String canonicalIp(String ip) {
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        try {
            return InetAddress.getByName("[" + ip + "]").getHostAddress();
        } catch (UnknownHostException | SecurityException e) {
            return ip;
        }
    }
}
