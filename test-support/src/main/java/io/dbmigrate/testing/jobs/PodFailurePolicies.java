package io.dbmigrate.testing.jobs;

import io.dbmigrate.testing.Specs;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

import java.util.List;
import java.util.Optional;

/**
 * The Job controller's podFailurePolicy evaluation for one failed pod, with its rules and messages: the first rule
 * that matches decides; exit-code rules look at the app containers first, then the init containers, and never match
 * exit code 0; the messages are the ones {@code kubectl describe job} shows on a real cluster.
 */
final class PodFailurePolicies {

    static final String FAIL_JOB = "FailJob";
    static final String IGNORE = "Ignore";
    static final String COUNT = "Count";

    /** The rule a failed pod matched: its action and the message a Failed condition would carry. */
    record Match(String action, int ruleIndex, String message) {
    }

    private PodFailurePolicies() {
    }

    static Optional<Match> match(Job job, Pod pod) {
        if (job.getSpec().getPodFailurePolicy() == null || pod.getStatus() == null) {
            return Optional.empty();
        }
        List<PodFailurePolicyRule> rules = Specs.list(job.getSpec().getPodFailurePolicy().getRules());
        String podKey = Specs.key(pod);
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            if (rule.getOnExitCodes() != null) {
                Optional<ContainerStatus> container = matchingContainer(pod.getStatus().getContainerStatuses(), rule.getOnExitCodes())
                        .or(() -> matchingContainer(pod.getStatus().getInitContainerStatuses(), rule.getOnExitCodes()));
                if (container.isPresent()) {
                    ContainerStatus c = container.get();
                    return Optional.of(new Match(rule.getAction(), i, "Container " + c.getName() + " for pod " + podKey
                            + " failed with exit code " + c.getState().getTerminated().getExitCode() + " matching "
                            + rule.getAction() + " rule at index " + i));
                }
            }
            for (PodFailurePolicyOnPodConditionsPattern pattern : Specs.list(rule.getOnPodConditions())) {
                String wanted = pattern.getStatus() == null ? "True" : pattern.getStatus();
                for (PodCondition condition : Specs.list(pod.getStatus().getConditions())) {
                    if (condition.getType().equals(pattern.getType()) && wanted.equals(condition.getStatus())) {
                        return Optional.of(new Match(rule.getAction(), i, "Pod " + podKey + " has condition "
                                + condition.getType() + " matching " + rule.getAction() + " rule at index " + i));
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<ContainerStatus> matchingContainer(List<ContainerStatus> statuses,
                                                               PodFailurePolicyOnExitCodesRequirement requirement) {
        for (ContainerStatus s : Specs.list(statuses)) {
            if (requirement.getContainerName() != null && !requirement.getContainerName().equals(s.getName())) {
                continue;
            }
            if (s.getState() == null || s.getState().getTerminated() == null) {
                continue;
            }
            int exit = s.getState().getTerminated().getExitCode();
            if (exit == 0) {
                continue;
            }
            boolean listed = Specs.list(requirement.getValues()).contains(exit);
            boolean matches = "NotIn".equals(requirement.getOperator()) ? !listed : listed;
            if (matches) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
