package dev.bulwark.redis.fleet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The dependency behind the fleet's breakers: a TCP server that answers each request line
 * ({@code <instance>}) with {@code ok} or {@code fail}, per instance as the test sets it, and records
 * every request it receives (instance and receive time), so that the test counts the calls that
 * reached it from the whole fleet.
 */
final class FakeDependency implements AutoCloseable {

    /** One request as received. */
    record Request(int instance, long atMillis) {
    }

    private final ServerSocket server;
    private final AtomicIntegerArray failing;
    private final ConcurrentLinkedQueue<Request> received = new ConcurrentLinkedQueue<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    FakeDependency(int instances) throws IOException {
        this.failing = new AtomicIntegerArray(instances);
        this.server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fake-dependency");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Whether the calls of {@code instance} fail from now on. */
    void failFor(int instance, boolean fail) {
        failing.set(instance, fail ? 1 : 0);
    }

    void failForAll(boolean fail) {
        for (int i = 0; i < failing.length(); i++) {
            failFor(i, fail);
        }
    }

    /** The requests from {@code instance} received in [from, to) (wall-clock ms); any instance if negative. */
    long calls(int instance, long from, long to) {
        return received.stream().filter(r -> (instance < 0 || r.instance == instance) && r.atMillis >= from && r.atMillis < to)
                .count();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = server.accept();
                connections.add(s);
                Thread t = new Thread(() -> serve(s), "fake-dependency-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            Writer w = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.UTF_8);
            String line;
            while ((line = r.readLine()) != null) {
                int instance = Integer.parseInt(line.trim());
                received.add(new Request(instance, System.currentTimeMillis()));
                w.write(failing.get(instance) == 1 ? "fail\n" : "ok\n");
                w.flush();
            }
        } catch (IOException | NumberFormatException e) {
            // the caller went away
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : connections) {
            s.close();
        }
    }
}
