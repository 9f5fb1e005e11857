package io.csrflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SoftHSM2 tokens for tests, made with the tools an operator uses: {@code softhsm2-util} creates a
 * token and imports a key, OpenSC's {@code pkcs11-tool} stores the certificate beside it (the JDK's
 * SunPKCS11 KeyStore lists a private key only together with a certificate of the same CKA_ID).
 *
 * <p>The JVM under test must have {@code SOFTHSM2_CONF} in its environment, set by surefire's
 * {@code environmentVariables} to a file under {@code target/}; this class writes that file with a
 * token directory beside it. SoftHSM reads both when the JDK loads the library, once per process:
 * create every token before the first SunPKCS11 provider is configured, later ones stay invisible
 * to this JVM. Token labels get a random suffix, so JVMs sharing the directory do not collide.
 */
public final class SoftHsm implements AutoCloseable {
    public static final String SO_PIN = "5678";
    private static final List<Path> LIBRARIES = List.of(Path.of("/usr/lib/softhsm/libsofthsm2.so"),
            Path.of("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"), Path.of("/usr/lib64/pkcs11/libsofthsm2.so"),
            Path.of("/usr/local/lib/softhsm/libsofthsm2.so"));
    private static final Pattern REASSIGNED = Pattern.compile("reassigned to slot (\\d+)");

    private final Path conf;
    private final Path library;
    private final List<Token> created = new ArrayList<>();

    /** A token: its label, the slot ID SoftHSM gave it and the user PIN. */
    public record Token(String label, long slotId, String pin) {
    }

    private SoftHsm(Path conf, Path library) {
        this.conf = conf;
        this.library = library;
    }

    /** Fails, rather than letting PKCS#11 tests skip, when SoftHSM2 or OpenSC is missing. */
    public static SoftHsm fromEnvironment() {
        for (String tool : List.of("softhsm2-util", "pkcs11-tool")) {
            if (!onPath(tool)) {
                throw new IllegalStateException(tool + " is not on the PATH: the PKCS#11 tests need a real SoftHSM2 "
                        + "token; install softhsm2 and opensc (Debian: apt-get install softhsm2 opensc; .ci/run does)");
            }
        }
        Path library = LIBRARIES.stream().filter(Files::isRegularFile).findFirst().orElseThrow(
                () -> new IllegalStateException("libsofthsm2.so is in none of " + LIBRARIES));
        String setting = System.getenv("SOFTHSM2_CONF");
        if (setting == null || setting.isBlank()) {
            throw new IllegalStateException("SOFTHSM2_CONF is not set for this JVM: set it in the module's surefire "
                    + "environmentVariables to a file under target/ (the library reads it when it is loaded)");
        }
        Path conf = Path.of(setting).toAbsolutePath();
        Path tokens = conf.resolveSibling("tokens");
        try {
            Files.createDirectories(tokens);
            String text = """
                    directories.tokendir = %s
                    objectstore.backend = file
                    log.level = ERROR
                    slots.removable = false
                    """.formatted(tokens);
            if (!Files.isRegularFile(conf) || !Files.readString(conf).equals(text)) {
                // Atomically, as another JVM may be loading the library from it.
                Path temp = Files.createTempFile(conf.getParent(), "softhsm2", ".conf");
                Files.writeString(temp, text, StandardCharsets.UTF_8);
                Files.move(temp, conf, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + conf, e);
        }
        return new SoftHsm(conf, library);
    }

    public Path library() {
        return library;
    }

    public Path conf() {
        return conf;
    }

    /** A new token labelled {@code prefix} plus a random suffix (at most 32 characters in all). */
    public Token createToken(String prefix, String pin) {
        String label = prefix + "-" + String.format(Locale.ROOT, "%08x", ThreadLocalRandom.current().nextInt());
        if (label.length() > 32) {
            throw new IllegalArgumentException("a PKCS#11 token label has at most 32 characters: " + label);
        }
        String out = run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN,
                "--pin", pin);
        Matcher slot = REASSIGNED.matcher(out);
        if (!slot.find()) {
            throw new IllegalStateException("softhsm2-util did not say which slot token " + label + " got: " + out);
        }
        Token token = new Token(label, Long.parseLong(slot.group(1)), pin);
        created.add(token);
        return token;
    }

    /**
     * Imports an unencrypted PKCS#8 PEM private key with its public key, and its certificate,
     * under one label and one CKA_ID ({@code hexId}, e.g. {@code 01}).
     */
    public void importKey(Token token, String label, String hexId, Path pkcs8Key, Path certificate) {
        run("softhsm2-util", "--import", pkcs8Key.toString(), "--token", token.label(), "--label", label,
                "--id", hexId, "--pin", token.pin());
        run("pkcs11-tool", "--module", library.toString(), "--token-label", token.label(), "--login",
                "--pin", token.pin(), "--write-object", certificate.toString(), "--type", "cert", "--id", hexId,
                "--label", label);
    }

    /** Deletes the tokens this instance created; the JVM's loaded library must no longer need them. */
    @Override
    public void close() {
        for (Token token : created) {
            run("softhsm2-util", "--delete-token", "--token", token.label());
        }
        created.clear();
    }

    private String run(String... command) {
        // The tools inherit this JVM's environment, SOFTHSM2_CONF included.
        return Cli.run(conf.getParent(), null, command);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
