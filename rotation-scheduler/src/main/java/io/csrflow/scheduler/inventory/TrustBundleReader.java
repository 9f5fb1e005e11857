package io.csrflow.scheduler.inventory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import io.csrflow.pki.Pem;

/**
 * Reads the trust bundle directory. A file is parsed again only when its time or size changed; a
 * file that cannot be read now but could before keeps its last good copy (a volume being updated).
 * A bundle with any other unreadable file, or with no CA certificate at all, is unusable as a whole:
 * the signer writes every file in one ConfigMap, so such a bundle is not the signer's.
 */
final class TrustBundleReader {
    private static final Logger LOG = Logger.getLogger(TrustBundleReader.class);
    static final String SUFFIX = ".crt";

    private record Parsed(FileTime modified, long size, List<X509Certificate> cas) {
    }

    private final Path directory;
    private final Map<String, Parsed> lastGood = new HashMap<>();
    private final Set<String> warned = new HashSet<>();

    TrustBundleReader(Path directory) {
        this.directory = directory;
    }

    synchronized TrustBundle read() {
        List<Path> candidates;
        try (Stream<Path> listing = Files.list(directory)) {
            // A ConfigMap volume also holds ..data and timestamped directories; its files are the *.crt links.
            candidates = listing.filter(p -> {
                String name = p.getFileName().toString();
                return name.endsWith(SUFFIX) && !name.startsWith(".");
            }).sorted().toList();
        } catch (NoSuchFileException e) {
            return TrustBundle.unusable(directory, Set.of(), "trust bundle directory " + directory + " does not exist");
        } catch (IOException | UncheckedIOException e) {
            return TrustBundle.unusable(directory, Set.of(), "trust bundle directory " + directory
                    + " cannot be read: " + e);
        }
        Map<String, List<X509Certificate>> files = new TreeMap<>();
        Set<String> names = new TreeSet<>();
        List<String> unreadable = new ArrayList<>();
        for (Path file : candidates) {
            String name = file.getFileName().toString();
            names.add(name);
            try {
                files.put(name, parse(file, name));
                warned.remove(name);
            } catch (IOException | GeneralSecurityException e) {
                Parsed known = lastGood.get(name);
                if (known == null) {
                    unreadable.add(name + " (" + e.getMessage() + ")");
                    continue;
                }
                if (warned.add(name)) {
                    LOG.warnf("trust bundle %s cannot be read (%s); using the last good copy", file, e.getMessage());
                }
                files.put(name, known.cas());
            }
        }
        lastGood.keySet().retainAll(names);
        if (!unreadable.isEmpty()) {
            return TrustBundle.unusable(directory, names, "trust bundle directory " + directory
                    + " has unreadable files: " + String.join(", ", unreadable));
        }
        if (files.isEmpty()) {
            return TrustBundle.unusable(directory, names, "trust bundle directory " + directory
                    + " holds no readable CA certificate (expected one <signer>.crt per signer from the "
                    + "signer's csrflow-ca-bundles ConfigMap)");
        }
        return new TrustBundle(directory, Collections.unmodifiableMap(files), Collections.unmodifiableSet(names), null);
    }

    private List<X509Certificate> parse(Path file, String name) throws IOException, GeneralSecurityException {
        FileTime modified = Files.getLastModifiedTime(file);
        long size = Files.size(file);
        Parsed known = lastGood.get(name);
        if (known != null && known.modified().equals(modified) && known.size() == size) {
            return known.cas();
        }
        List<X509Certificate> cas;
        try {
            // Read as the signer reads what it published (libs/pki Pem), not with the JDK's PEM rules,
            // which also end a line at a lone CR: the signer's check that the ConfigMap holds only its
            // CAs then covers every CA believed here.
            cas = Pem.certificates(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new CertificateException(e.getMessage(), e);
        }
        lastGood.put(name, new Parsed(modified, size, cas));
        LOG.infof("trust bundle %s: %d CA certificate(s)", file, cas.size());
        return cas;
    }
}
