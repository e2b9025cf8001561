package dev.bulwark.redis.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A Redis Cluster of a test's own (6 nodes on {@code basePort}..{@code basePort + 5}), started and
 * stopped by the project's {@code src/test/cluster/cluster.sh}, for tests that migrate slots or kill
 * nodes and so must not share the common test cluster. Nodes are killed by the PID in their PID file.
 */
final class PrivateCluster implements AutoCloseable {

    static final Path SCRIPT = Path.of("src", "test", "cluster", "cluster.sh");

    /** One node as {@code CLUSTER NODES} lists it. */
    record Node(String id, int port, boolean master, boolean failed, String masterId, List<int[]> slots) {
        boolean serves(int slot) {
            for (int[] range : slots) {
                if (slot >= range[0] && slot <= range[1]) {
                    return true;
                }
            }
            return false;
        }
    }

    final int basePort;

    private PrivateCluster(int basePort) {
        this.basePort = basePort;
    }

    /**
     * Starts a cluster on {@code basePort}; the test is skipped (failed under {@code CI=true}) when
     * {@code redis-server} or the script is missing.
     */
    static PrivateCluster start(int basePort) throws Exception {
        boolean installed = Files.isExecutable(SCRIPT) && onPath("redis-server") && onPath("redis-cli");
        if (!installed) {
            String why = "a private Redis Cluster needs redis-server and redis-cli on the PATH and " + SCRIPT;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true and " + why);
            }
            Assumptions.abort(why);
        }
        PrivateCluster cluster = new PrivateCluster(basePort);
        cluster.script("stop");    // a cluster left behind by an aborted run (its own PID files only) goes first
        cluster.script("start");
        return cluster;
    }

    List<String> seeds() {
        return List.of("redis://127.0.0.1:" + basePort, "redis://127.0.0.1:" + (basePort + 1),
                "redis://127.0.0.1:" + (basePort + 2));
    }

    /** The nodes as the node on {@code port} sees them. */
    List<Node> nodes(int port) throws Exception {
        List<Node> nodes = new ArrayList<>();
        for (String line : run("redis-cli", "-p", Integer.toString(port), "cluster", "nodes").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8) {
                continue;
            }
            String address = f[1].substring(0, f[1].indexOf('@'));
            int nodePort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            List<int[]> slots = new ArrayList<>();
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue;  // a slot being migrated
                }
                String[] range = f[i].split("-");
                int from = Integer.parseInt(range[0]);
                slots.add(new int[] {from, range.length > 1 ? Integer.parseInt(range[1]) : from});
            }
            nodes.add(new Node(f[0], nodePort, f[2].contains("master"), f[2].contains("fail"), f[3], slots));
        }
        return nodes;
    }

    /** The port of the live master serving {@code slot} as the node on {@code port} sees it; -1 if none. */
    int masterPortOf(int slot, int port) throws Exception {
        return nodes(port).stream().filter(n -> n.master() && !n.failed() && n.serves(slot)).mapToInt(Node::port)
                .findFirst().orElse(-1);
    }

    /** The master serving {@code slot}, as the node on {@code port} sees it. */
    Node masterOf(int slot, int port) throws Exception {
        return nodes(port).stream().filter(n -> n.master() && !n.failed() && n.serves(slot)).findFirst().orElseThrow();
    }

    /** Moves {@code slots} slots (the lowest the source has) with {@code redis-cli --cluster reshard}. */
    String reshard(Node from, Node to, int slots) throws Exception {
        awaitAgreement();
        return run("redis-cli", "--cluster", "reshard", "127.0.0.1:" + basePort, "--cluster-from", from.id(),
                "--cluster-to", to.id(), "--cluster-slots", Integer.toString(slots), "--cluster-yes");
    }

    /** Waits until every node agrees on the slots configuration (as {@code redis-cli --cluster check} sees it). */
    void awaitAgreement() {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
            Process p = new ProcessBuilder("redis-cli", "--cluster", "check", "127.0.0.1:" + basePort)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && out.contains("All nodes agree about slots configuration")
                    && !out.contains("[WARNING]") && !out.contains("[ERR]");
        });
    }

    /** The PID of the node on {@code port}, from its PID file. */
    long pid(int port) throws Exception {
        String pid = script("pid", Integer.toString(port)).trim();
        assertThat(pid).as("PID of the node on " + port).isNotEmpty();
        return Long.parseLong(pid);
    }

    /** Kills the node on {@code port} (SIGKILL, by its PID); returns the wall-clock time of the kill (ms). */
    long kill(int port) throws Exception {
        ProcessHandle node = ProcessHandle.of(pid(port)).orElseThrow();
        long at = System.currentTimeMillis();
        node.destroyForcibly();
        assertThat(node.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
        return at;
    }

    /** Starts the node on {@code port} again (it rejoins from its nodes.conf). */
    void restart(int port) throws Exception {
        script("restart-node", Integer.toString(port));
    }

    String script(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--base-port", Integer.toString(basePort)));
        return run(command.toArray(new String[0]));
    }

    @Override
    public void close() throws Exception {
        script("stop");
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command) + " finished").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", command) + " exit code; output:\n" + text).isZero();
        return text;
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
