package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A maintenance window: the step starts only while one is open, with time enough left for it. */
public record WindowGate(
    @Required
    @Size(min = 1, max = 100)
    @JsonPropertyDescription("When a window opens: a five-field cron expression (minute hour day-of-month month "
        + "day-of-week), e.g. \"0 2 * * 6\" for Saturdays at 02:00, in timeZone.")
    String schedule,

    @Required
    @Size(min = 1, max = 20)
    @JsonPropertyDescription("How long a window stays open, e.g. 2h or 90m. The step does not start when less than "
        + "its expected duration (its last rehearsal's upgrade, when known) is left.")
    String duration,

    @Size(max = 64)
    @JsonPropertyDescription("The IANA time zone the schedule is read in, e.g. Europe/Berlin. Default UTC.")
    String timeZone) {
}
