package io.dbmigrate.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import java.util.List;
import java.util.Map;

/** What a platform team may set on the migration Job's pod. */
public record JobTemplateSpec(
        @JsonPropertyDescription("Service account of the migration pod. Default: the namespace's default service account.")
        String serviceAccountName,

        @JsonPropertyDescription("CPU and memory requests and limits of the backup and migrate containers.")
        ComputeResources resources,

        @JsonPropertyDescription("Node labels the migration pod must be scheduled on.")
        Map<String, String> nodeSelector,

        @JsonPropertyDescription("Tolerations of the migration pod.")
        List<PodToleration> tolerations,

        @Min(1)
        @JsonPropertyDescription("Seconds the whole Job (backup and upgrade, all attempts) may run before Kubernetes stops it.")
        Long activeDeadlineSeconds,

        @JsonPropertyDescription("Labels added to the Job and its pod.")
        Map<String, String> labels,

        @JsonPropertyDescription("Annotations added to the Job and its pod.")
        Map<String, String> annotations) {

    public static final JobTemplateSpec EMPTY = new JobTemplateSpec(null, null, null, null, null, null, null);
}
