package io.hyphae.examples.chat;

import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.Registration;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.JsonCodec;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.Topic;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A chat room spread over a hyphae cluster: each node hosts the users connected to it (here, one
 * user per terminal), a message is abcast to every node, which shows it to its users, and
 * {@code /who} is a multicall that asks every node for its users and names the nodes that did
 * not answer.
 */
public final class ChatRoom implements AutoCloseable {

    /** What a user said. */
    public record ChatMessage(String user, String text) {
    }

    /** The users one node hosts. */
    public record Users(List<String> names) {
    }

    static final Topic<ChatMessage> MESSAGES = Topic.of("chat.messages", JsonCodec.of(ChatMessage.class));
    static final Endpoint<String, Users> WHO = Endpoint.of("chat.who", RpcCodec.utf8(), JsonCodec.of(Users.class));
    static final Duration WHO_TIMEOUT = Duration.ofSeconds(3);

    private final Rpc rpc;
    private final String user;
    private final PrintStream out;
    private final io.hyphae.rpc.Registration messages;
    private final io.hyphae.rpc.Registration who;
    private final Registration members;

    public ChatRoom(Rpc rpc, String user, PrintStream out) {
        this.rpc = rpc;
        this.user = user;
        this.out = out;
        this.messages = rpc.subscribe(MESSAGES, (sender, m) -> out.println("<" + m.user() + "@" + sender.name() + "> " + m.text()));
        this.who = rpc.register(WHO, (caller, ignored) -> new Users(List.of(user)));
        this.members = rpc.node().addListener(new MembershipListener() {
            @Override
            public void memberUp(NodeId member) {
                // Any incarnation of this node: after a rejoin in place it comes up again under a new one.
                if (!member.sameNodeAs(rpc.self())) {
                    out.println("* " + member.name() + " joined the room");
                }
            }

            @Override
            public void memberDown(NodeId member, DownReason reason) {
                out.println("* " + member.name() + " left the room (" + reason + ")");
            }
        });
    }

    /**
     * Handles one line the user typed.
     *
     * @return false when the user quits
     */
    public boolean handle(String line) {
        String text = line.strip();
        switch (text) {
            case "" -> {
            }
            case "/quit" -> {
                return false;
            }
            case "/who" -> out.println(who());
            case "/help" -> out.println("* type a message to send it to everyone; /who lists the users; /quit leaves");
            default -> rpc.abcast(MESSAGES, new ChatMessage(user, text));
        }
        return true;
    }

    /** Asks every live node for its users: {@code users: alice@node-1, ...} and, if some did not answer, which and why. */
    String who() {
        MulticallResult<Users> result = rpc.multicall(WHO, "", WHO_TIMEOUT);
        String users = result.replies().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .flatMap(e -> e.getValue().names().stream().map(n -> n + "@" + e.getKey().name()))
                .collect(Collectors.joining(", "));
        String line = "users: " + users;
        if (!result.badNodes().isEmpty()) {
            line += "\nno answer from: " + result.badNodes().stream().sorted(Comparator.comparing(BadNode::node))
                    .map(b -> b.node().name() + " (" + b.reason() + b.detail().map(d -> ": " + d).orElse("") + ")")
                    .collect(Collectors.joining(", "));
        }
        return line;
    }

    @Override
    public void close() {
        members.close();
        who.close();
        messages.close();
    }
}
