package io.paravm.dashboard;

import io.paravm.VmConfig;

/**
 * The dashboard's settings, each read through {@link VmConfig#property(String)} (the
 * configuration, else the system property of that name). Its port is vm-api's
 * {@value VmConfig#DASHBOARD_PORT_PROP_NAME}: setting it turns the dashboard on.
 *
 * <pre>{@code
 * VmConfig.builder().dashboard(8080).property(DashboardProperties.BIND_PROP_NAME, "0.0.0.0").build();
 * }</pre>
 */
public final class DashboardProperties {

    /**
     * The address the dashboard listens on. Default {@value #BIND_DEFAULT}: only this machine
     * can reach it. {@code 0.0.0.0} (every interface) or one interface's address exposes it
     * to the network, token-protected but not encrypted: prefer an SSH tunnel
     * ({@code docs/dashboard.md}).
     */
    public static final String BIND_PROP_NAME = "paravm.dashboard.bind";
    /** Default of {@link #BIND_PROP_NAME}: loopback. */
    public static final String BIND_DEFAULT = "127.0.0.1";
    /**
     * A file holding the access token, for a token that outlives one job (a Prometheus scrape
     * configuration's {@code bearer_token_file}). If the file does not exist, it is made, readable
     * only by its owner, with a new random token. Default: none, a new random token per job.
     */
    public static final String TOKEN_FILE_PROP_NAME = "paravm.dashboard.token.file";
    /** How often the page is sent the VM's state, at most, in ms; default {@value #UPDATE_MILLIS_DEFAULT}. */
    public static final String UPDATE_MILLIS_PROP_NAME = "paravm.dashboard.update.millis";
    /** Default of {@link #UPDATE_MILLIS_PROP_NAME}: 4 updates a second. */
    public static final long UPDATE_MILLIS_DEFAULT = 250;
    /**
     * How long a page may leave an update unread before it is dropped, in ms (a suspended tab,
     * a dead peer, a reader that stopped): its stream is closed and its place freed. Default
     * {@value #STUCK_MILLIS_DEFAULT}.
     */
    public static final String STUCK_MILLIS_PROP_NAME = "paravm.dashboard.stuck.millis";
    /** Default of {@link #STUCK_MILLIS_PROP_NAME}: 30 s. */
    public static final long STUCK_MILLIS_DEFAULT = 30_000;

    private DashboardProperties() {
    }
}
