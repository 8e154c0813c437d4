package dev.kg.neo4j;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingValueParsers;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.Transaction;
import org.neo4j.internal.helpers.HostnamePort;
import org.neo4j.io.fs.DefaultFileSystemAbstraction;
import org.neo4j.io.fs.FileSystemAbstraction;
import org.neo4j.kernel.impl.security.User;
import org.neo4j.kernel.internal.GraphDatabaseAPI;
import org.neo4j.logging.Level;
import org.neo4j.logging.NullLogProvider;
import org.neo4j.logging.log4j.Log4jLogProvider;
import org.neo4j.memory.EmptyMemoryTracker;
import org.neo4j.server.security.SecureHasher;
import org.neo4j.server.security.SystemGraphCredential;
import org.neo4j.server.security.auth.FileUserRepository;

/**
 * Runs an embedded Neo4j Community DBMS for kg: Bolt on 127.0.0.1 only, no HTTP, auth on.
 *
 * <pre>
 *   KG_NEO4J_PASSWORD=... java -jar kg-neo4j-server.jar HOME_DIR BOLT_PORT
 * </pre>
 *
 * <ul>
 *   <li>HOME_DIR is the Neo4j home: data in HOME_DIR/data, Neo4j's debug log in HOME_DIR/logs.</li>
 *   <li>BOLT_PORT 0 picks a free port; the ready line names the real one.</li>
 *   <li>The password of user {@code neo4j} comes from the environment variable KG_NEO4J_PASSWORD
 *       only, and is never printed. On a new home it is set before the DBMS first starts (the
 *       same file {@code neo4j-admin dbms set-initial-password} writes), so the default
 *       neo4j/neo4j login never exists. On an existing home whose password differs, the password
 *       is reset to the given one (ALTER USER on the system database) before the ready line;
 *       Bolt already listens in that short window, so the old password works until then.</li>
 *   <li>Optional KG_NEO4J_PAGECACHE (default 256m) sets the page cache size.</li>
 * </ul>
 *
 * <p>Once Bolt accepts connections it prints exactly one line to stdout,
 * {@code kg-neo4j ready bolt://127.0.0.1:PORT}, and runs until SIGTERM/SIGINT, which shut the
 * DBMS down cleanly (one that arrives during start-up lets the start finish first). Everything
 * else (Neo4j's user log, errors) goes to stderr; Neo4j's debug log is HOME_DIR/logs/debug.log.
 * Exit status: 2 for bad usage, 1 for a failed start.
 */
public final class KgNeo4jServer {
    public static final String PASSWORD_ENV = "KG_NEO4J_PASSWORD";
    public static final String PAGECACHE_ENV = "KG_NEO4J_PAGECACHE";
    public static final String READY_PREFIX = "kg-neo4j ready ";
    private static final String HOST = "127.0.0.1";
    private static final String ADMIN = "neo4j";
    private static final int MIN_PASSWORD_LENGTH = 8; // Neo4j's own default

    private KgNeo4jServer() {}

    public static void main(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        if (args.length != 2) {
            err.println("usage: KG_NEO4J_PASSWORD=... java -jar kg-neo4j-server.jar HOME_DIR BOLT_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath().normalize();
        int port;
        try {
            port = Integer.parseInt(args[1]);
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            err.println("kg-neo4j: BOLT_PORT must be an integer in 0..65535, got '" + args[1] + "'");
            System.exit(2);
        }
        String password = System.getenv(PASSWORD_ENV);
        if (password == null || password.isEmpty()) {
            err.println("kg-neo4j: environment variable " + PASSWORD_ENV + " is not set or empty");
            System.exit(2);
        }
        if (password.codePointCount(0, password.length()) < MIN_PASSWORD_LENGTH) {
            err.println("kg-neo4j: " + PASSWORD_ENV + " must be at least " + MIN_PASSWORD_LENGTH
                    + " characters long (Neo4j's minimum password length)");
            System.exit(2);
        }
        String pagecache = System.getenv().getOrDefault(PAGECACHE_ENV, "256m");

        // Registered before the DBMS is built: a SIGTERM that arrives while Neo4j is still
        // starting waits for the start to finish and then shuts down cleanly. Exiting in the
        // middle of the very first start would leave store files without transaction logs,
        // which Neo4j then refuses to open ("Transaction logs are missing").
        AtomicReference<DatabaseManagementService> running = new AtomicReference<>();
        CountDownLatch built = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean(false);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            try {
                if (built.getCount() > 0) {
                    err.println("kg-neo4j: stop requested during start-up; letting the start finish first");
                }
                built.await();
                DatabaseManagementService service = running.get();
                if (service != null) {
                    err.println("kg-neo4j: shutting down");
                    service.shutdown();
                    err.println("kg-neo4j: stopped");
                }
            } catch (Throwable t) {
                err.println("kg-neo4j: error during shutdown: " + t);
            } finally {
                err.flush();
                stopped.countDown();
            }
        }, "kg-neo4j-shutdown"));

        DatabaseManagementService dbms;
        try {
            Files.createDirectories(home);
            Path dataDir = home.resolve("data");
            boolean fresh = !Files.exists(dataDir.resolve("databases").resolve("system"));
            if (fresh) {
                writeInitialPassword(dataDir.resolve("dbms").resolve("auth.ini"), password);
            }
            Log4jLogProvider userLog = new Log4jLogProvider(err, Level.INFO);
            dbms = new DatabaseManagementServiceBuilder(home)
                    .setUserLogProvider(userLog)
                    .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
                    .setConfig(GraphDatabaseSettings.default_advertised_address, new SocketAddress(HOST))
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
                    .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    .setConfig(HttpConnector.enabled, false)
                    .setConfig(HttpsConnector.enabled, false)
                    // server-side routing would open a second port (7688); one instance needs none
                    .setConfig(GraphDatabaseSettings.routing_enabled, false)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(GraphDatabaseSettings.auth_minimum_password_length, MIN_PASSWORD_LENGTH)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, SettingValueParsers.BYTES.parse(pagecache))
                    // no phone-home, and no 2 x 256 MiB of preallocated transaction logs per home
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    // Bolt's Netty event loops otherwise idle 2 x 5 s on shutdown; by then every
                    // database is already stopped and checkpointed, so nothing is lost
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                    .build();
            running.set(dbms);
        } catch (Throwable t) {
            err.println("kg-neo4j: failed to start Neo4j in " + home + ": " + t);
            t.printStackTrace(err);
            err.flush();
            built.countDown();
            System.exit(1);
            return;
        }
        built.countDown();

        int boltPort;
        try {
            ensurePassword(dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME), password, err);
            // auth.ini is read only when the system database is first created; the system graph
            // now holds the credential, so don't leave a second (stale-able) copy of its hash behind
            Files.deleteIfExists(home.resolve("data").resolve("dbms").resolve("auth.ini"));
            boltPort = boundBoltPort(dbms, port);
        } catch (Throwable t) {
            if (!stopping.get()) {
                err.println("kg-neo4j: failed to prepare Neo4j in " + home + ": " + t);
                t.printStackTrace(err);
                err.flush();
            }
            System.exit(1); // runs (or, if already running, waits for) the shutdown hook
            return;
        }

        if (!stopping.get()) {
            out.println(READY_PREFIX + "bolt://" + HOST + ":" + boltPort);
            out.flush();
        }

        try {
            stopped.await(); // the shutdown hook releases it; the JVM exits after the hook
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What {@code neo4j-admin dbms set-initial-password PW} does: data/dbms/auth.ini, read once on first start. */
    private static void writeInitialPassword(Path authFile, String password) throws Exception {
        FileSystemAbstraction fs = new DefaultFileSystemAbstraction();
        fs.mkdirs(authFile.getParent());
        if (fs.fileExists(authFile)) {
            fs.deleteFile(authFile);
        }
        FileUserRepository repository =
                new FileUserRepository(fs, authFile, NullLogProvider.getInstance(), EmptyMemoryTracker.INSTANCE);
        repository.start();
        SystemGraphCredential credential = SystemGraphCredential.createCredentialForPassword(
                password.getBytes(StandardCharsets.UTF_8), new SecureHasher());
        repository.create(new User(ADMIN, null, credential, false, false));
        repository.shutdown();
    }

    /** Makes the system graph's neo4j user carry {@code password}, without a forced change. */
    private static void ensurePassword(GraphDatabaseService system, String password, PrintStream err) {
        boolean matches;
        boolean changeRequired;
        try (Transaction tx = system.beginTx()) {
            Node user = tx.findNode(Label.label("User"), "name", ADMIN);
            if (user == null) {
                throw new IllegalStateException("the system database has no user '" + ADMIN + "'");
            }
            Object stored = user.getProperty("credentials", null);
            changeRequired = Boolean.TRUE.equals(user.getProperty("passwordChangeRequired", Boolean.FALSE));
            matches = stored instanceof String s
                    && SystemGraphCredential.deserialize(s, new SecureHasher())
                            .matchesPassword(password.getBytes(StandardCharsets.UTF_8));
            tx.commit();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the credentials of user '" + ADMIN + "'", e);
        }
        if (!matches) {
            system.executeTransactionally(
                    "ALTER USER " + ADMIN + " SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
            err.println("kg-neo4j: password of user '" + ADMIN + "' set from " + PASSWORD_ENV);
        } else if (changeRequired) {
            system.executeTransactionally("ALTER USER " + ADMIN + " SET PASSWORD CHANGE NOT REQUIRED");
        }
    }

    private static int boundBoltPort(DatabaseManagementService dbms, int requested) {
        GraphDatabaseAPI api = (GraphDatabaseAPI) dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        ConnectorPortRegister ports = api.getDependencyResolver().resolveDependency(ConnectorPortRegister.class);
        HostnamePort bound = ports.getLocalAddress(ConnectorType.BOLT);
        if (bound == null) {
            if (requested == 0) {
                throw new IllegalStateException("Bolt connector reports no bound address");
            }
            return requested;
        }
        return bound.getPort();
    }
}
