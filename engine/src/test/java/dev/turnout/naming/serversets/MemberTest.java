package dev.turnout.naming.serversets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.dtab.Path;
import dev.turnout.naming.Address;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading member znodes as Finagle's announcers write them, and which endpoint a name takes. */
class MemberTest {
  private static Member parse(String json) {
    return Member.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  private static ServersetPath path(String name) {
    return ((ServersetPath.Parsed.Ok) ServersetPath.parse(Path.read(name))).path();
  }

  @Test
  void finaglesExampleMemberServesEachOfItsEndpoints() {
    Member m =
        parse("{\"status\": \"ALIVE\", \"additionalEndpoints\": {\"aurora\": {\"host\": \"10.0.0.1\", \"port\": 80},"
            + " \"http\": {\"host\": \"10.0.0.2\", \"port\": 81}}, \"serviceEndpoint\": {\"host\": \"10.0.0.3\", \"port\": 82}, \"shard\": 0}");

    assertThat(m.serving(path("/s"))).contains(new Address("10.0.0.3", 82, 1.0, Map.of("shard", "0")));
    assertThat(m.serving(path("/s:http")).map(Address::hostPort)).contains("10.0.0.2:81");
    assertThat(m.serving(path("/s:aurora#0")).map(Address::hostPort)).contains("10.0.0.1:80");
    assertThat(m.serving(path("/s#1"))).isEmpty();
    assertThat(m.serving(path("/s:thrift"))).isEmpty();
  }

  @Test
  void aMemberNotAliveServesNothing() {
    assertThat(parse("{\"status\": \"STOPPING\", \"serviceEndpoint\": {\"host\": \"h\", \"port\": 1}}").serving(path("/s")))
        .isEmpty();
  }

  @Test
  void anEndpointWithoutHostOrWithABadPortIsLeftOutNotRefused() {
    Member m =
        parse("{\"status\": \"ALIVE\", \"serviceEndpoint\": {\"port\": 80},"
            + " \"additionalEndpoints\": {\"http\": {\"host\": \"h\", \"port\": 70000}}}");

    assertThat(m.service()).isEqualTo(Optional.empty());
    assertThat(m.additional()).isEmpty();
  }

  @Test
  void dataThatIsNotAMemberIsRefusedWithWhy() {
    assertThatThrownBy(() -> parse("{broken")).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> parse("[1, 2]")).hasMessage("not a JSON object");
    assertThatThrownBy(() -> parse("{\"serviceEndpoint\": {\"host\": \"h\", \"port\": 1}}")).hasMessage("no \"status\"");
    assertThatThrownBy(() -> Member.parse(new byte[0])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void jobSyntaxIsReadFromTheLastLabelOnly() {
    assertThat(path("/a:b/c")).isEqualTo(new ServersetPath("/a:b/c", Optional.empty(), java.util.OptionalInt.empty()));
    assertThat(path("/")).isEqualTo(new ServersetPath("/", Optional.empty(), java.util.OptionalInt.empty()));
    assertThat(ServersetPath.parse(Path.read("/a/b#x"))).isInstanceOf(ServersetPath.Parsed.Invalid.class);
    assertThat(ServersetPath.parse(Path.read("/a/b:"))).isInstanceOf(ServersetPath.Parsed.Invalid.class);
    assertThat(ServersetPath.parse(Path.read("/a/:b"))).isInstanceOf(ServersetPath.Parsed.Invalid.class);
  }
}
