package dev.turnout.naming.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.naming.Addr;
import dev.turnout.naming.Address;
import dev.turnout.naming.consul.ConsulSettings.Consistency;
import dev.turnout.naming.consul.ConsulSettings.HealthStatus;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The two parts of Consul's HTTP API the namer uses, requests and answers: a service's instances
 * ({@code /v1/catalog/service/S}, or {@code /v1/health/service/S} with {@code useHealthCheck}) as
 * blocking queries on {@code X-Consul-Index}, and the agent's own datacenter and domain ({@code
 * /v1/agent/self}). Answers become endpoint sets here; anything Consul would not send is a {@link
 * BadAnswer} naming what was wrong, never a partial set.
 */
final class ConsulApi {
  static final String INDEX_HEADER = "X-Consul-Index";
  static final String TOKEN_HEADER = "X-Consul-Token";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A watched service: its datacenter as the path gives it ({@code .local} included) and tag. */
  record Key(String dc, Optional<String> tag, String service) {
    Key {
      if (dc.isEmpty() || service.isEmpty() || tag == null) {
        throw new IllegalArgumentException("a consul key names a datacenter and a service");
      }
    }

    @Override
    public String toString() {
      return "/" + dc + tag.map(t -> "/" + t).orElse("") + "/" + service;
    }
  }

  /** One answer of a service query: its endpoint set and the index to block on next. */
  record Answer(Addr addr, long index) {}

  /** The local agent's datacenter and DNS domain (without dots at either end). */
  record Agent(String datacenter, String domain) {}

  /** An answer Consul could not have meant: the reason, as an operator reads it. */
  static final class BadAnswer extends Exception {
    BadAnswer(String message) {
      super(message, null, false, false);
    }
  }

  private final ConsulSettings settings;

  ConsulApi(ConsulSettings settings) {
    this.settings = settings;
  }

  /**
   * The query for {@code key}'s instances in datacenter {@code dc}; with {@code index > 0} a blocking
   * query the agent holds until the index moves past it or {@code wait} elapses.
   */
  HttpRequest service(Key key, String dc, long index) {
    StringBuilder q = new StringBuilder();
    q.append(settings.useHealthCheck() ? "/v1/health/service/" : "/v1/catalog/service/");
    q.append(encode(key.service())).append("?dc=").append(encode(dc));
    key.tag().ifPresent(t -> q.append("&tag=").append(encode(t)));
    if (settings.useHealthCheck() && settings.healthStatuses().equals(Set.of(HealthStatus.PASSING))) {
      q.append("&passing=true");
    }
    if (settings.consistency() == Consistency.STALE) {
      q.append("&stale");
    } else if (settings.consistency() == Consistency.CONSISTENT) {
      q.append("&consistent");
    }
    Duration timeout = Duration.ofSeconds(10);
    if (index > 0) {
      q.append("&index=").append(index).append("&wait=").append(settings.blockingWait().toSeconds()).append('s');
      // Consul adds up to wait/16 of jitter before answering an unchanged index.
      timeout = settings.blockingWait().plus(settings.blockingWait().dividedBy(16)).plusSeconds(10);
    }
    return request(q.toString(), timeout);
  }

  /** The datacenter's services and their tags, blocking on {@code index} when it is above 0. */
  HttpRequest services(String dc, long index) {
    StringBuilder q = new StringBuilder("/v1/catalog/services?dc=").append(encode(dc));
    if (settings.consistency() == Consistency.STALE) {
      q.append("&stale");
    } else if (settings.consistency() == Consistency.CONSISTENT) {
      q.append("&consistent");
    }
    Duration timeout = Duration.ofSeconds(10);
    if (index > 0) {
      q.append("&index=").append(index).append("&wait=").append(settings.blockingWait().toSeconds()).append('s');
      timeout = settings.blockingWait().plus(settings.blockingWait().dividedBy(16)).plusSeconds(10);
    }
    return request(q.toString(), timeout);
  }

  /** A datacenter's services (lowercased) and each one's tags (lowercased), with the index. */
  record Catalog(Map<String, Set<String>> services, long index) {}

  Catalog servicesAnswer(HttpResponse<byte[]> rsp) throws BadAnswer {
    requireOk(rsp);
    long index = index(rsp);
    JsonNode body = json(rsp);
    if (!body.isObject()) {
      throw new BadAnswer("consul answered " + body.getNodeType() + " where a map of services belongs");
    }
    Map<String, Set<String>> out = new java.util.HashMap<>();
    body.fields().forEachRemaining(e -> {
      Set<String> tags = new java.util.HashSet<>();
      e.getValue().forEach(t -> tags.add(t.asText().toLowerCase(java.util.Locale.ROOT)));
      out.merge(e.getKey().toLowerCase(java.util.Locale.ROOT), tags, (x, y) -> {
        Set<String> both = new java.util.HashSet<>(x);
        both.addAll(y);
        return both;
      });
    });
    return new Catalog(out, index);
  }

  HttpRequest agentSelf() {
    return request("/v1/agent/self", Duration.ofSeconds(10));
  }

  private HttpRequest request(String pathAndQuery, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(settings.base().resolve(URI.create(pathAndQuery))).timeout(timeout).GET();
    settings.token().ifPresent(t -> b.header(TOKEN_HEADER, t));
    return b.build();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The endpoints of a service answer; {@code authority} set when {@code setHost} asks for it. */
  Answer serviceAnswer(HttpResponse<byte[]> rsp, Optional<String> authority) throws BadAnswer {
    requireOk(rsp);
    long index = index(rsp);
    JsonNode body = json(rsp);
    if (!body.isArray()) {
      throw new BadAnswer("consul answered " + body.getNodeType() + " where a list of instances belongs");
    }
    Set<Address> out = new LinkedHashSet<>();
    for (JsonNode entry : body) {
      Optional<Address> a = settings.useHealthCheck() ? fromHealth(entry) : fromCatalog(entry);
      a.ifPresent(out::add);
    }
    if (out.isEmpty()) {
      return new Answer(new Addr.Neg(), index);
    }
    Map<String, Object> meta = authority.<Map<String, Object>>map(h -> Map.of("authority", h)).orElse(Map.of());
    return new Answer(new Addr.Bound(new ArrayList<>(out), meta), index);
  }

  Agent agentAnswer(HttpResponse<byte[]> rsp) throws BadAnswer {
    requireOk(rsp);
    JsonNode config = json(rsp).path("Config");
    String dc = config.path("Datacenter").asText("");
    if (dc.isEmpty()) {
      throw new BadAnswer("consul's /v1/agent/self names no Config.Datacenter");
    }
    String domain = config.path("Domain").asText("consul");
    domain = domain.replaceAll("^\\.+|\\.+$", "");
    return new Agent(dc, domain.isEmpty() ? "consul" : domain);
  }

  /** A catalog entry: {@code Address} (the node's), {@code ServiceAddress}, {@code ServicePort}, tags. */
  private Optional<Address> fromCatalog(JsonNode n) {
    return address(n.path("Address"), n.path("ServiceAddress"), n.path("ServicePort"), n.path("ServiceTags"));
  }

  /** A health entry: kept when its worst check's status is one asked for (no checks counts as passing). */
  private Optional<Address> fromHealth(JsonNode n) {
    HealthStatus worst = HealthStatus.PASSING;
    for (JsonNode check : n.path("Checks")) {
      // Linkerd reads a status it does not know as passing.
      HealthStatus s = HealthStatus.named(check.path("Status").asText("")).orElse(HealthStatus.PASSING);
      if (s.compareTo(worst) > 0) {
        worst = s;
      }
    }
    if (!settings.healthStatuses().contains(worst)) {
      return Optional.empty();
    }
    JsonNode svc = n.path("Service");
    return address(n.path("Node").path("Address"), svc.path("Address"), svc.path("Port"), svc.path("Tags"));
  }

  /** An instance Consul gave no usable address or port is left out, as Linkerd leaves it. */
  private Optional<Address> address(JsonNode nodeAddr, JsonNode serviceAddr, JsonNode port, JsonNode tags) {
    String host = settings.preferServiceAddress() ? serviceAddr.asText("") : "";
    if (host.isEmpty()) {
      host = nodeAddr.asText("");
    }
    if (host.isBlank() || !port.canConvertToInt() || port.asInt() < 1 || port.asInt() > 65535) {
      return Optional.empty();
    }
    double weight = -1;
    for (JsonNode tag : tags) {
      Double w = settings.weights().get(tag.asText());
      if (w != null && w > weight) {
        weight = w;
      }
    }
    return Optional.of(new Address(host, port.asInt(), weight < 0 ? 1.0 : weight, Map.of()));
  }

  private static void requireOk(HttpResponse<byte[]> rsp) throws BadAnswer {
    if (rsp.statusCode() != 200) {
      String text = new String(rsp.body(), StandardCharsets.UTF_8).strip();
      if (text.length() > 200) {
        text = text.substring(0, 200) + "...";
      }
      throw new BadAnswer("consul answered " + rsp.statusCode() + (text.isEmpty() ? "" : ": " + text));
    }
  }

  /** The {@code X-Consul-Index} header; an answer without one cannot be blocked on, so it is refused. */
  private static long index(HttpResponse<byte[]> rsp) throws BadAnswer {
    Optional<String> h = rsp.headers().firstValue(INDEX_HEADER);
    if (h.isEmpty()) {
      throw new BadAnswer("consul did not return an index (" + INDEX_HEADER + ")");
    }
    try {
      long index = Long.parseLong(h.get().trim());
      if (index < 0) {
        throw new NumberFormatException();
      }
      return index;
    } catch (NumberFormatException e) {
      throw new BadAnswer("consul returned an index that is not a number: " + h.get());
    }
  }

  private static JsonNode json(HttpResponse<byte[]> rsp) throws BadAnswer {
    try {
      return JSON.readTree(rsp.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new BadAnswer("consul answered something that is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadAnswer("consul's answer could not be read: " + e.getMessage());
    }
  }
}
