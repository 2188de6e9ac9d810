package dev.turnout.naming;

import java.util.List;
import java.util.Map;

/**
 * The state of a bound name's endpoint set, as namerd reports it: {@link Bound} (possibly empty),
 * {@link Neg} (the name is gone), {@link Failed} (the namer cannot say, with why) or {@link Pending}.
 */
public sealed interface Addr permits Addr.Bound, Addr.Neg, Addr.Failed, Addr.Pending {

  record Bound(List<Address> addresses, Map<String, Object> meta) implements Addr {
    public Bound {
      addresses = List.copyOf(addresses);
      meta = Map.copyOf(meta);
    }

    public Bound(List<Address> addresses) {
      this(addresses, Map.of());
    }
  }

  record Neg() implements Addr {}

  record Failed(String message) implements Addr {}

  record Pending() implements Addr {}
}
