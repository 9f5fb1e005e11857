package io.csrflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The direction dependencies take, as Strimzi's import-control keeps its model free of its
 * operator: the rules of each service (its {@code domain} package) and the libraries csrflow's
 * services share are plain Java over the event contract, so they can be read and tested without
 * Quarkus, Kafka or the Kubernetes client; and no service reaches into another.
 */
class LayeringTest {
    static final String[] FRAMEWORKS = {"io.fabric8..", "org.apache.kafka..", "io.quarkus..", "jakarta..",
            "io.smallrye..", "io.micrometer..", "io.opentelemetry..", "io.vertx..", "org.eclipse.microprofile.."};
    static final List<String> SERVICES = List.of("watcher", "approver", "signer", "scheduler", "fleet");

    static final JavaClasses CSRFLOW = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.csrflow");

    static final ArchRule DOMAINS_ARE_PLAIN = noClasses().that().resideInAPackage("io.csrflow..domain..")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
            .because("a service's rules are pure: adapters (kube, messaging, http) bring the frameworks");

    static final ArchRule PKI_IS_PLAIN = noClasses().that().resideInAPackage("io.csrflow.pki..")
            .should().dependOnClassesThat().resideInAnyPackage(FRAMEWORKS)
            .orShould().dependOnClassesThat().resideInAnyPackage("io.csrflow.events..", "io.csrflow.service..")
            .because("CSR and certificate rules serve any caller, the event contract and the services included");

    static final ArchRule CONTRACT_STANDS_ALONE = noClasses().that().resideInAPackage("io.csrflow.events..")
            .should().dependOnClassesThat().resideInAnyPackage("io.csrflow.pki..", "io.csrflow.service..",
                    "io.fabric8..", "io.quarkus..", "io.smallrye..")
            .because("outside consumers depend on the contract (and the Kafka client it encodes for) alone");

    @Test
    void domainsImportNoFramework() {
        assertTrue(CSRFLOW.containPackage("io.csrflow.approver.domain"), "the services' classes were imported");
        DOMAINS_ARE_PLAIN.check(CSRFLOW);
    }

    @Test
    void pkiImportsNoFrameworkAndNotTheEventContract() {
        PKI_IS_PLAIN.check(CSRFLOW);
    }

    @Test
    void theEventContractStandsAlone() {
        CONTRACT_STANDS_ALONE.check(CSRFLOW);
    }

    @Test
    void servicesNeverImportEachOther() {
        for (String service : SERVICES) {
            String[] others = SERVICES.stream().filter(s -> !s.equals(service)).map(s -> "io.csrflow." + s + "..")
                    .toArray(String[]::new);
            noClasses().that().resideInAPackage("io.csrflow." + service + "..").should().dependOnClassesThat()
                    .resideInAnyPackage(others).check(CSRFLOW);
        }
    }

    @Test
    void theRuleCatchesADomainClassThatImportsAFramework() {
        JavaClasses leaky = new ClassFileImporter().importPackages("io.csrflow.architecture.fixture");
        assertThrows(AssertionError.class, () -> DOMAINS_ARE_PLAIN.check(leaky));
    }
}
