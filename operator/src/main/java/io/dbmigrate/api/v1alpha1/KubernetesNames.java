package io.dbmigrate.api.v1alpha1;

/** The shapes of values the spec hands to Kubernetes: the CRD's patterns and the validator's, from one place. */
public final class KubernetesNames {
    /** A DNS-1123 subdomain, as Kubernetes names most objects (PersistentVolumeClaims, Deployments): 253 at most. */
    public static final String SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    public static final int SUBDOMAIN_MAX_LENGTH = 253;
    /**
     * An image reference's characters (registry, path, tag, digest): no white space, no unicode, nothing a shell or a
     * log reads twice. The reference grammar allows 255 for the name, 128 for the tag and a sha256 digest: 512 holds them.
     */
    public static final String IMAGE = "^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$";
    public static final int IMAGE_MAX_LENGTH = 512;
    /** Free text shown in status and Events: no control characters but tab and newline (a NUL, an escape sequence). */
    public static final String TEXT = "^[^\\x00-\\x08\\x0B-\\x1F\\x7F]*$";

    private KubernetesNames() {
    }
}
