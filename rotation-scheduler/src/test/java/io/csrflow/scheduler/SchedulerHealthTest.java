package io.csrflow.scheduler;

import io.csrflow.testsupport.ServiceHealthContract;
import io.quarkus.test.junit.QuarkusTest;

/** The service starts and answers its health and metrics endpoints. */
@QuarkusTest
class SchedulerHealthTest extends ServiceHealthContract {
}
