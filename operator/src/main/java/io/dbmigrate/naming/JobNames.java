package io.dbmigrate.naming;

/**
 * The one name a generation's Job can have. Deterministic, so a restarted operator finds the Job it created instead
 * of creating a second; the resource's uid is in it, so a deleted and recreated resource never adopts an old Job.
 */
public final class JobNames {
    // Pod names add a 6-character suffix to the Job name and must stay within 63 characters.
    private static final int MAX = 52;

    private JobNames() {
    }

    public static String forGeneration(String resourceName, String uid, long generation) {
        return name(resourceName, "-g" + generation + "-" + shortHash(uid == null ? "" : uid));
    }

    /** A step's Job: {@code <name>-g<generation>-<step>-<hash>}. */
    public static String forStep(String resourceName, String uid, long generation, String step) {
        return forStep(resourceName, uid, generation, step, 1);
    }

    /**
     * A step's Job for its {@code window}-th maintenance window: the first is {@link #forStep(String, String, long,
     * String)}'s name, a later one {@code <name>-g<generation>w<window>-<step>-<hash>} (after a Job that found too little
     * of its window left). A digit then {@code w} cannot occur in the first form, so no step name can collide.
     */
    public static String forStep(String resourceName, String uid, long generation, String step, int window) {
        String attempt = window <= 1 ? "" : "w" + window;
        return name(resourceName, "-g" + generation + attempt + "-" + step + "-" + shortHash(uid == null ? "" : uid));
    }

    /**
     * The Job of a stamp asked for by annotation: {@code <name>-s-<hash>}, the hash over the uid, the revision and the
     * previous stamp's Job, so each request in the sequence has its own name and finding it again needs no clock.
     */
    public static String forStamp(String resourceName, String uid, String revision, String previousJob) {
        return name(resourceName, "-s-" + Sha256.hex((uid == null ? "" : uid) + "/" + revision + "/"
                + (previousJob == null ? "" : previousJob), 4).substring(0, 8));
    }

    /** The Job that adopts the database at spec.baseline: {@code <name>-b<generation>-<hash>}. */
    public static String forBaseline(String resourceName, String uid, long generation, String revision) {
        return name(resourceName, "-b" + generation + "-" + Sha256.hex((uid == null ? "" : uid) + "/" + revision, 4)
                .substring(0, 8));
    }

    /**
     * The Job that plans a gated step: {@code <name>-p<generation>-<step>-<hash>}. The letter after the name tells it
     * from every step's Job ({@code -g}), whatever the step is called: a step named {@code x-plan} cannot take the
     * plan Job's name of step {@code x}.
     */
    public static String forPlan(String resourceName, String uid, long generation, String step) {
        return name(resourceName, "-p" + generation + "-" + step + "-" + shortHash(uid == null ? "" : uid));
    }

    /**
     * The ConfigMap holding a step's plan, {@code <name>.<step>.plan}; one per step, rewritten by each generation's
     * plan. Step names have no dots, so the last two dots part name and step and no two resources of a namespace share
     * a ConfigMap (a dash would: resource {@code a} step {@code b-c}, resource {@code a-b} step {@code c}).
     */
    public static String planConfigMap(String resourceName, String uid, String step) {
        String suffix = "." + step + ".plan";
        // A ConfigMap name is a DNS subdomain of at most 253 characters, like the resource's own. A name cut short loses
        // what told it apart, so the uid's hash stands in for the part cut, and the cut never leaves "-." or "..".
        if (resourceName.length() + suffix.length() <= 253) {
            return resourceName + suffix;
        }
        String tail = "-" + shortHash(uid == null ? "" : uid) + suffix;
        String base = resourceName.substring(0, 253 - tail.length()).replaceAll("[.-]+$", "");
        return base + tail;
    }

    private static String name(String resourceName, String suffix) {
        // Pod host names come from the Job name, so it must be a DNS label: a resource name's dots become dashes.
        String base = resourceName.replace('.', '-');
        if (base.length() + suffix.length() > MAX) {
            base = base.substring(0, Math.max(1, MAX - suffix.length()));
        }
        // A name cut in the middle may end in '-', which the suffix then follows: still a valid DNS label.
        return base + suffix;
    }

    private static String shortHash(String text) {
        return Sha256.hex(text, 3).substring(0, 5);
    }
}
