package io.csrflow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.testsupport.JavaProcess;

/**
 * Every image builds on any JRE base and runs as a fixed non-root user: the base is a build
 * argument with a public default, the entrypoint is a plain {@code java} command line (no
 * run-java.sh, which only Red Hat's base has) honouring JAVA_OPTS, and the last USER is a numeric
 * uid:gid other than root.
 */
class DockerfilesTest {
    /** Every image the repository builds: the four services, the fleet, the emulator, the broker. */
    static Stream<Path> dockerfiles() throws IOException {
        try (Stream<Path> files = Files.walk(Repo.ROOT, 6)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith("Dockerfile"))
                    .filter(p -> p.toString().contains("/src/main/docker/") && !p.toString().contains("/target/"))
                    .sorted().toList();
            assertEquals(7, found.size(), "Dockerfiles: " + found);
            return found.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void buildsOnAnyBaseGivenAsBuildArgument(Path dockerfile) throws IOException {
        // Instructions only: comments may name what is not used.
        String text = Files.readString(dockerfile).replaceAll("(?m)^\\s*#.*$", "");
        Matcher arg = Pattern.compile("(?m)^ARG BASE_IMAGE=(\\S+)$").matcher(text);
        assertTrue(arg.find(), dockerfile + ": no ARG BASE_IMAGE with a default");
        List<String> froms = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(text).results().map(m -> m.group(1)).toList();
        assertEquals(List.of("${BASE_IMAGE}"), froms, dockerfile.toString());
        assertFalse(text.contains("run-java.sh"), dockerfile + " relies on Red Hat's run-java.sh");
        Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT\\s+(.+)$").matcher(text);
        assertTrue(entrypoint.find(), dockerfile + ": no ENTRYPOINT");
        // The command line itself, or the script beside the Dockerfile that it runs.
        Matcher script = Pattern.compile("/([\\w.-]+\\.sh)\"").matcher(entrypoint.group(1));
        String command = script.find() ? Files.readString(dockerfile.resolveSibling(script.group(1)))
                : entrypoint.group(1);
        assertTrue(Pattern.compile("exec java \\$\\{?JAVA_OPTS").matcher(command).find(),
                dockerfile + ": the entrypoint execs java with $JAVA_OPTS: " + entrypoint.group(1));
    }

    /**
     * One set of JVM options, so that what is measured here is what runs in a cluster: each image's
     * default {@code JAVA_OPTS} is its memory share plus the options {@code ./csrflow} and the test
     * harness start every JVM with.
     */
    @ParameterizedTest
    @MethodSource("dockerfiles")
    void runsJavaWithTheOptionsTheScriptAndTheTestsUse(Path dockerfile) throws IOException {
        Matcher javaOpts = Pattern.compile("(?m)^ENV JAVA_OPTS=\"([^\"]*)\"$").matcher(Files.readString(dockerfile));
        assertTrue(javaOpts.find(), dockerfile + ": no ENV JAVA_OPTS");
        List<String> expected = new ArrayList<>(List.of("-XX:MaxRAMPercentage=50.0"));
        expected.addAll(JavaProcess.IMAGE_JVM_OPTIONS);
        assertEquals(expected, List.of(javaOpts.group(1).split(" ")), dockerfile.toString());
    }

    @Test
    void theScriptStartsEveryJvmWithTheImagesOptions() throws IOException {
        String script = Files.readString(Repo.ROOT.resolve("csrflow"));
        Matcher options = Pattern.compile("(?m)^JVM_OPTS=\\((.*)\\)$").matcher(script);
        assertTrue(options.find(), "./csrflow: no JVM_OPTS=(...)");
        assertEquals(JavaProcess.IMAGE_JVM_OPTIONS, List.of(options.group(1).split(" ")));
        List<String> starts = script.lines().filter(line -> line.matches("\\s*start_bg .*\"\\$JAVA\".*")).toList();
        assertEquals(4, starts.size(), "the broker, the API, the fleet and the services: " + starts);
        for (String start : starts) {
            assertTrue(start.contains("\"$JAVA\" \"${JVM_OPTS[@]}\" -Xmx"), start);
        }
    }

    @ParameterizedTest
    @MethodSource("dockerfiles")
    void runsAsAFixedNonRootUserAndGroup(Path dockerfile) {
        Repo.ImageUser user = Repo.imageUser(dockerfile);
        assertNotEquals(0, user.uid(), dockerfile.toString());
        assertNotEquals(0, user.gid(), dockerfile.toString());
    }

    @Test
    void theCheckReadsTheLastUserAndRefusesANameOrAMissingGroup(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("Dockerfile");
        Files.writeString(file, "FROM x\nUSER 185:185\nUSER root\n");
        assertThrows(AssertionError.class, () -> Repo.imageUser(file));
        Files.writeString(file, "FROM x\nUSER 185\n");
        assertThrows(AssertionError.class, () -> Repo.imageUser(file));
        Files.writeString(file, "FROM x\nUSER root\nRUN true\nUSER 185:186\n");
        assertEquals(new Repo.ImageUser(185, 186), Repo.imageUser(file));
    }
}
