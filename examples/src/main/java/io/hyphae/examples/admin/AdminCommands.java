package io.hyphae.examples.admin;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.faults.FaultSyntax;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.Topic;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs an admin command on the node it reached and answers with text, one fact per line, in a
 * form both an operator and the demo driver read:
 *
 * <pre>
 * member node-1@127.0.0.1:7946#1732540000123 ALIVE
 * active node-2@127.0.0.1:7947#1732540000456
 * passive node-4@127.0.0.1:7949#1732540000789
 * reply node-1@127.0.0.1:7946#1732540000123 node-1: hello
 * bad node-3@127.0.0.1:7948#1732540000999 UNREACHABLE link lost
 * abcast announce sent
 * fault 1 partition a,b c,d,e
 * </pre>
 *
 * {@code multicall} and {@code abcast} use UTF-8 strings in and out, so any handler registered
 * with {@link RpcCodec#utf8()} can be called.
 */
public final class AdminCommands {

    /** How long an admin multicall waits for the last reply. */
    public static final Duration MULTICALL_TIMEOUT = Duration.ofSeconds(5);

    private final Rpc rpc;

    public AdminCommands(Rpc rpc) {
        this.rpc = rpc;
    }

    /** @throws IllegalArgumentException for a command or arguments it does not know */
    public String run(AdminRequest request) {
        List<String> args = request.args();
        HyphaeNode node = rpc.node();
        return switch (request.command()) {
            case "members" -> node.members().stream()
                    .sorted(Comparator.comparing(Member::id))
                    .map(m -> "member " + m.id() + " " + m.status() + "\n")
                    .collect(Collectors.joining());
            case "views" -> lines("active", node.activeView()) + lines("passive", node.passiveView());
            case "multicall" -> {
                // multicall NAME ARG: every live member; multicall NAME ARG NODE...: those nodes by
                // name, each as the newest incarnation this node knows, live or not, so a node that
                // just died is named as a bad node instead of silently left out
                if (args.size() < 2) {
                    throw new IllegalArgumentException("multicall takes NAME ARG [NODE...], got " + args.size() + " arguments");
                }
                Endpoint<String, String> echo = Endpoint.of(args.get(0), RpcCodec.utf8());
                MulticallResult<String> result = args.size() == 2
                        ? rpc.multicall(echo, args.get(1), MULTICALL_TIMEOUT)
                        : rpc.multicall(args.subList(2, args.size()).stream().map(name -> newestNamed(node, name)).toList(),
                                echo, args.get(1), MULTICALL_TIMEOUT);
                yield multicallLines(result);
            }
            case "abcast" -> {
                requireArgs(request, 2);
                rpc.abcast(Topic.of(args.get(0), RpcCodec.utf8()), args.get(1));
                yield "abcast " + args.get(0) + " sent\n";
            }
            case "faults" -> faults(node, args);
            default -> throw new IllegalArgumentException("unknown admin command '" + request.command() + "'");
        };
    }

    /**
     * {@code faults list}, {@code faults add RULE...} (in {@link FaultSyntax}), {@code faults
     * remove ID}, {@code faults clear}: the node's fault rules. Every form answers with the rules
     * in force afterwards, one {@code fault <id> <rule>} line each.
     */
    private static String faults(HyphaeNode node, List<String> args) {
        FaultInjector faults = node.faults();
        String sub = args.isEmpty() ? "" : args.get(0);
        switch (sub) {
            case "list" -> requireFaultArgs(args, 1, "faults list");
            case "add" -> {
                if (args.size() < 2) {
                    throw new IllegalArgumentException("faults add needs a rule, such as 'faults add partition a,b c,d,e'");
                }
                faults.add(FaultSyntax.parse(String.join(" ", args.subList(1, args.size()))));
            }
            case "remove" -> {
                requireFaultArgs(args, 2, "faults remove ID");
                long id;
                try {
                    id = Long.parseLong(args.get(1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("faults remove: expected a rule number, got '" + args.get(1) + "'");
                }
                if (!faults.remove(id)) {
                    throw new IllegalArgumentException("faults remove: no rule " + id);
                }
            }
            case "clear" -> {
                requireFaultArgs(args, 1, "faults clear");
                faults.clear();
            }
            default -> throw new IllegalArgumentException("faults: expected list, add RULE, remove ID or clear, got '" + sub + "'");
        }
        return faults.rules().stream().map(r -> "fault " + r + "\n").collect(Collectors.joining());
    }

    private static void requireFaultArgs(List<String> args, int count, String form) {
        if (args.size() != count) {
            throw new IllegalArgumentException("expected '" + form + "', got 'faults " + String.join(" ", args) + "'");
        }
    }

    private static String multicallLines(MulticallResult<String> result) {
        StringBuilder out = new StringBuilder();
        result.replies().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.append("reply ").append(e.getKey()).append(' ').append(e.getValue()).append('\n'));
        result.badNodes().stream().sorted(Comparator.comparing(BadNode::node))
                .forEach(b -> out.append("bad ").append(b.node()).append(' ').append(b.reason())
                        .append(b.detail().map(d -> " " + d).orElse("")).append('\n'));
        return out.toString();
    }

    private static String lines(String label, Set<NodeId> view) {
        return view.stream().sorted().map(id -> label + " " + id + "\n").collect(Collectors.joining());
    }

    private static NodeId newestNamed(HyphaeNode node, String name) {
        return node.members().stream().map(Member::id).filter(id -> id.name().equals(name))
                .max(Comparator.comparingLong(NodeId::incarnation))
                .orElseThrow(() -> new IllegalArgumentException("no member named '" + name + "' is known to " + node.self().name()));
    }

    private static void requireArgs(AdminRequest request, int count) {
        if (request.args().size() != count) {
            throw new IllegalArgumentException(request.command() + " takes " + count + " arguments, got " + request.args().size());
        }
    }
}
