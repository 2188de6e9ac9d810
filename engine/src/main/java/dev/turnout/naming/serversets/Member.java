package dev.turnout.naming.serversets;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.naming.Address;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code member_} znode of a serverset, in the JSON Finagle's and Twitter commons' announcers write:
 *
 * <pre>
 * {"serviceEndpoint": {"host": "10.0.0.3", "port": 8080},
 *  "additionalEndpoints": {"http": {"host": "10.0.0.3", "port": 8081}},
 *  "status": "ALIVE", "shard": 0}
 * </pre>
 *
 * Only an {@code ALIVE} member serves. An endpoint without a host or with a port outside 1-65535 is
 * left out, as Finagle leaves out an endpoint it cannot use; data that is not such a JSON object at all
 * is refused ({@link #parse} throws), so the namer can keep what it had and say why.
 *
 * @param service the service endpoint, if usable
 * @param additional the additional endpoints by name
 * @param status {@code ALIVE}, {@code DEAD}, {@code STARTING}, ... as written
 * @param shard the member's shard, if it has one
 */
record Member(Optional<HostPort> service, Map<String, HostPort> additional, String status, OptionalInt shard) {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ALIVE = "ALIVE";

  Member {
    additional = Map.copyOf(additional);
  }

  record HostPort(String host, int port) {}

  /** The member's endpoint for {@code path}'s endpoint name and shard, when it serves it. */
  Optional<Address> serving(ServersetPath path) {
    if (!ALIVE.equals(status)) {
      return Optional.empty();
    }
    if (path.shard().isPresent() && (shard.isEmpty() || shard.getAsInt() != path.shard().getAsInt())) {
      return Optional.empty();
    }
    Optional<HostPort> hp = path.endpoint().isEmpty() ? service : Optional.ofNullable(additional.get(path.endpoint().get()));
    Map<String, String> meta = shard.isPresent() ? Map.of("shard", Integer.toString(shard.getAsInt())) : Map.of();
    return hp.map(h -> new Address(h.host(), h.port(), 1.0, meta));
  }

  /**
   * Reads a member znode's data.
   *
   * @throws IllegalArgumentException when the data is not a serverset member's JSON object
   */
  static Member parse(byte[] data) {
    JsonNode root;
    try {
      root = JSON.readTree(data == null ? new byte[0] : data);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode status = root.get("status");
    if (status == null || !status.isTextual()) {
      throw new IllegalArgumentException("no \"status\"");
    }
    Map<String, HostPort> additional = new HashMap<>();
    JsonNode extra = root.get("additionalEndpoints");
    if (extra != null && extra.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> it = extra.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        endpoint(e.getValue()).ifPresent(hp -> additional.put(e.getKey(), hp));
      }
    }
    JsonNode shard = root.get("shard");
    OptionalInt shardId =
        shard != null && shard.isIntegralNumber() && shard.canConvertToInt() && shard.intValue() >= 0
            ? OptionalInt.of(shard.intValue())
            : OptionalInt.empty();
    return new Member(endpoint(root.get("serviceEndpoint")), additional, status.asText(), shardId);
  }

  private static Optional<HostPort> endpoint(JsonNode n) {
    if (n == null || !n.isObject()) {
      return Optional.empty();
    }
    JsonNode host = n.get("host");
    JsonNode port = n.get("port");
    if (host == null || !host.isTextual() || host.asText().isBlank() || port == null || !port.canConvertToInt()) {
      return Optional.empty();
    }
    int p = port.intValue();
    if (!port.isIntegralNumber() || p < 1 || p > 65535) {
      return Optional.empty();
    }
    return Optional.of(new HostPort(host.asText(), p));
  }
}
