package io.hyphae.membership.directory;

/** Why a member went down. */
public enum DownReason {
    /** Its neighbours lost it and it did not refute within the suspicion timeout: crashed, or cut off. */
    UNREACHABLE,
    /** It left gracefully. */
    LEFT,
    /** A newer incarnation of the same member (same name and address) appeared: this one restarted. */
    REPLACED
}
