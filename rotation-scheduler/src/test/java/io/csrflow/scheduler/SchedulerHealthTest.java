package io.csrflow.scheduler;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;

import io.csrflow.testsupport.KafkaTestResource;
import io.csrflow.testsupport.KubeEmulatorTestResource;
import io.csrflow.testsupport.ServiceHealthContract;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts and answers its health and metrics endpoints; ready once its state is restored. */
@QuarkusTest
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(StateDirTestResource.class)
@QuarkusTestResource(value = KubeEmulatorTestResource.class, initArgs = @io.quarkus.test.common.ResourceArg(
        name = "token", value = "rotation-scheduler-token"))
class SchedulerHealthTest extends ServiceHealthContract {

    /** Readiness follows Kafka Streams, which runs a moment after the application has started. */
    @BeforeEach
    void awaitStreamsRunning() {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then()
                .statusCode(200).body("checks.find { it.name == 'inventory' }.data.phase", equalTo("RUNNING")));
    }
}
