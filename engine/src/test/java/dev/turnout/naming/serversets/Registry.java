package dev.turnout.naming.serversets;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;

/**
 * A real ZooKeeper server (Curator's {@link TestingServer}, on a free loopback port) and an announcer
 * writing serverset members into it as Finagle's announcer does: ephemeral sequential {@code member_}
 * znodes holding the member JSON.
 */
final class Registry implements AutoCloseable {
  final TestingServer server;
  final CuratorFramework announcer;

  Registry() throws Exception {
    server = new TestingServer(true);
    announcer =
        CuratorFrameworkFactory.builder()
            .connectString(server.getConnectString())
            .sessionTimeoutMs(60_000)
            .retryPolicy(new ExponentialBackoffRetry(100, 10, 1_000))
            .build();
    announcer.start();
    announcer.blockUntilConnected();
  }

  String connectString() {
    return server.getConnectString();
  }

  /** Announces an ALIVE member serving {@code port} on 127.0.0.1; its znode's path. */
  String join(String serverset, int port) throws Exception {
    return join(serverset, json("127.0.0.1", port, "ALIVE", Map.of(), null));
  }

  String join(String serverset, String data) throws Exception {
    return announcer
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
        .forPath(serverset + "/member_", data.getBytes(StandardCharsets.UTF_8));
  }

  void leave(String member) throws Exception {
    announcer.delete().forPath(member);
  }

  void rewrite(String member, String data) throws Exception {
    announcer.setData().forPath(member, data.getBytes(StandardCharsets.UTF_8));
  }

  /** A member's JSON as Finagle writes it; {@code shard} may be null. */
  static String json(String host, int port, String status, Map<String, Integer> additional, Integer shard) {
    String extra =
        additional.entrySet().stream()
            .map(e -> "\"" + e.getKey() + "\":{\"host\":\"" + host + "\",\"port\":" + e.getValue() + "}")
            .collect(Collectors.joining(","));
    return "{\"serviceEndpoint\":{\"host\":\"" + host + "\",\"port\":" + port + "},"
        + "\"additionalEndpoints\":{" + extra + "},"
        + "\"status\":\"" + status + "\""
        + (shard == null ? "" : ",\"shard\":" + shard)
        + "}";
  }

  @Override
  public void close() throws Exception {
    announcer.close();
    server.close();
  }
}
