package io.csrflow.events;

import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Whose certificate it is. Two forms, told apart by {@link #namespace()}:
 * <ul>
 * <li>a <em>subject</em> identity, a signer name and a subject common name, e.g. one kubelet's client
 * certificate; {@code namespace} and {@code serviceAccount} are absent, and the JSON and the key are
 * exactly what they were before workload identities existed: {@code signerName|commonName};</li>
 * <li>a <em>workload</em> identity, the certificate of a ServiceAccount {@code namespace/serviceAccount}
 * (a CSR whose requester is {@code system:serviceaccount:<ns>:<sa>}), whose {@code commonName} is the
 * name the certificate is for (see {@link Identities}); key
 * {@code signerName@namespace/serviceAccount|commonName}.</li>
 * </ul>
 * The key is the Kafka key of {@code cert.*} events. Signer names contain neither '|' nor '@'
 * (Kubernetes allows neither in a signer name, and this record refuses them), namespaces and
 * ServiceAccount names are DNS names, so the first '|' always ends the signer part, and an '@'
 * before it marks a workload key: no workload key equals a subject key, and two namespaces never
 * share one. The common name after the first '|' is taken as it is, '|' included, never escaped.
 */
public record Identity(String signerName, String commonName, String namespace, String serviceAccount) {
    private static final char SEPARATOR = '|';
    private static final char WORKLOAD_MARK = '@';
    private static final char SERVICE_ACCOUNT_SEPARATOR = '/';
    /** A Namespace name: a DNS-1123 label. */
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** A ServiceAccount name: a DNS-1123 subdomain. */
    private static final Pattern SUBDOMAIN = Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_SUBDOMAIN = 253;

    public Identity {
        Require.field(signerName, "signerName");
        Require.field(commonName, "commonName");
        if (signerName.indexOf(SEPARATOR) >= 0 || signerName.indexOf(WORKLOAD_MARK) >= 0) {
            throw new IllegalArgumentException("signer name must contain neither '|' nor '@': " + signerName);
        }
        if ((namespace == null) != (serviceAccount == null)) {
            throw new IllegalArgumentException("a workload identity has both a namespace and a service account, got "
                    + "namespace " + namespace + " and serviceAccount " + serviceAccount);
        }
        if (namespace != null) {
            requireNamespace(namespace);
            requireServiceAccount(serviceAccount);
        }
    }

    /** A subject identity: signer name and subject CN (kubelets, people, anything but a ServiceAccount). */
    public Identity(String signerName, String commonName) {
        this(signerName, commonName, null, null);
    }

    /** A workload identity: the certificate named {@code name} of ServiceAccount {@code namespace/serviceAccount}. */
    public static Identity workload(String signerName, String namespace, String serviceAccount, String name) {
        return new Identity(signerName, name, Require.field(namespace, "namespace"),
                Require.field(serviceAccount, "serviceAccount"));
    }

    /** Whether this is a ServiceAccount's certificate (namespace and service account set). */
    @JsonIgnore
    public boolean isWorkload() {
        return namespace != null;
    }

    public String key() {
        if (!isWorkload()) {
            return signerName + SEPARATOR + commonName;
        }
        return signerName + WORKLOAD_MARK + namespace + SERVICE_ACCOUNT_SEPARATOR + serviceAccount + SEPARATOR
                + commonName;
    }

    /** The identity of a key of either form; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Identity parse(String key) {
        int at = key == null ? -1 : key.indexOf(SEPARATOR);
        if (at <= 0) {
            throw new IllegalArgumentException("not an identity key (signerName|commonName or "
                    + "signerName@namespace/serviceAccount|name): " + key);
        }
        String head = key.substring(0, at);
        String name = key.substring(at + 1);
        int mark = head.indexOf(WORKLOAD_MARK);
        if (mark < 0) {
            return new Identity(head, name);
        }
        int slash = head.indexOf(SERVICE_ACCOUNT_SEPARATOR, mark);
        if (mark == 0 || slash < 0) {
            throw new IllegalArgumentException("not a workload identity key (signerName@namespace/serviceAccount|name): "
                    + key);
        }
        return new Identity(head.substring(0, mark), name, head.substring(mark + 1, slash),
                head.substring(slash + 1));
    }

    /** @throws IllegalArgumentException unless {@code value} can be a Namespace name */
    public static String requireNamespace(String value) {
        if (value == null || !NAMESPACE.matcher(value).matches()) {
            throw new IllegalArgumentException("namespace must be a DNS label (lower-case letters, digits and '-', "
                    + "at most 63 characters), got '" + value + "'");
        }
        return value;
    }

    /** @throws IllegalArgumentException unless {@code value} can be a ServiceAccount name */
    public static String requireServiceAccount(String value) {
        if (value == null || value.length() > MAX_SUBDOMAIN || !SUBDOMAIN.matcher(value).matches()) {
            throw new IllegalArgumentException("serviceAccount must be a DNS subdomain (lower-case letters, digits, "
                    + "'-' and '.', at most 253 characters), got '" + value + "'");
        }
        return value;
    }
}
