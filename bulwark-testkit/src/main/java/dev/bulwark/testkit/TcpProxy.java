package dev.bulwark.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny TCP proxy in front of a shared server (Redis, PostgreSQL), so that a test can make the
 * server unreachable for its own clients without touching the server that other tests and
 * processes use.
 *
 * <ul>
 *   <li>{@link #cut()}: every connection is closed and new ones are closed at once (the server "down").</li>
 *   <li>{@link #blackhole()}: connections stay open but nothing goes through (the server "hanging").</li>
 *   <li>{@link #restore()}: open connections are dropped (a hung one may have lost replies) and new
 *       ones are forwarded again.</li>
 * </ul>
 */
public final class TcpProxy implements AutoCloseable {

    private enum Mode { FORWARD, REFUSE, BLACKHOLE }

    private final ServerSocket server;
    private final InetSocketAddress upstream;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.FORWARD;
    private volatile boolean closed;

    public TcpProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** A Redis URI that goes through this proxy. */
    public String uri() {
        return "redis://127.0.0.1:" + port();
    }

    public void cut() {
        mode = Mode.REFUSE;
        closeAll();
    }

    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    public void restore() {
        closeAll();
        mode = Mode.FORWARD;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return;
            }
            Mode now = mode;
            if (now == Mode.REFUSE) {
                quietlyClose(client);
                continue;
            }
            open.add(client);
            if (now == Mode.BLACKHOLE) {
                continue;
            }
            try {
                Socket target = new Socket();
                target.connect(upstream, 1_000);
                open.add(target);
                pump(client, target);
                pump(target, client);
            } catch (IOException e) {
                quietlyClose(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (mode == Mode.FORWARD) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException ignored) {
                // the peer or the proxy closed the connection
            } finally {
                quietlyClose(from);
                quietlyClose(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        for (Socket s : open) {
            quietlyClose(s);
        }
    }

    private void quietlyClose(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        closeAll();
    }
}
